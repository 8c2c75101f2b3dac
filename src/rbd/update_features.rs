//! Switching features on and off (`Operations::update_features`,
//! `EnableFeaturesRequest`, `DisableFeaturesRequest`), with upstream's rules:
//! object map and fast diff go together, the object map needs the exclusive
//! lock, only mutable features change (deep-flatten can only be disabled).

use std::sync::Arc;

use super::image::Image;
use super::object_names::object_map_object;
use super::watcher::notify_header_update;
use crate::cls::rbd::features::{self as f, flags, object_state};
use crate::cls::rbd::header::{FeaturesMask, SetFlagsInput};
use crate::cls::rbd::object_map::ResizeInput;
use crate::cls::rbd::{CLASS as RBD, NOSNAP};
use crate::denc::Encode;
use crate::error::{Error, Result};
use crate::rados::op::{ObjectOperation, OpStep};

impl Image {
    /// Enables or disables `features`. Errors: EINVAL (immutable features,
    /// already in that state, a dependency missing), EROFS, EOPNOTSUPP for
    /// journaling (not provided by this library yet).
    pub fn update_features(self: &Arc<Self>, features: u64, enabled: bool) -> Result<()> {
        self.check_writable()?;
        let mut features = features;
        let disable_mask = f::MUTABLE | f::DISABLE_ONLY;
        if (enabled && features & f::MUTABLE != features)
            || (!enabled && features & disable_mask != features)
            || features & !f::MUTABLE_INTERNAL != features
        {
            return Err(Error::invalid("cannot update immutable features"));
        }
        let current = self.header().features;
        let set_map = features & f::OBJECT_MAP != 0;
        let set_diff = features & f::FAST_DIFF != 0;
        let has_map = current & f::OBJECT_MAP != 0;
        let has_diff = current & f::FAST_DIFF != 0;
        // object map and fast diff go together both ways
        if (enabled && ((set_map && !has_diff) || (set_diff && !has_map)))
            || (!enabled && ((set_map && has_diff) || (set_diff && has_map)))
        {
            features |= f::OBJECT_MAP | f::FAST_DIFF;
        }
        if features == 0 {
            return Err(Error::invalid("no feature to update"));
        }
        if enabled && features & current != 0 {
            return Err(Error::invalid("features already enabled"));
        }
        if !enabled && features & !current != 0 {
            return Err(Error::invalid("features already disabled"));
        }
        if features & f::JOURNALING != 0 {
            return Err(Error::NotSupported("journaling is not provided by this library yet".into()));
        }
        let after = if enabled { current | features } else { current & !features };
        if after & f::OBJECT_MAP != 0 && after & f::EXCLUSIVE_LOCK == 0 {
            return Err(Error::invalid("the object map needs the exclusive lock"));
        }
        self.lock.acquire(self)?;
        let header = self.header_oid.as_bytes();
        if enabled {
            if features & f::OBJECT_MAP != 0 {
                let invalid = flags::OBJECT_MAP_INVALID | flags::FAST_DIFF_INVALID;
                let input = SetFlagsInput { flags: invalid, mask: invalid, snap_id: NOSNAP }.to_bytes();
                self.io.exec(header, RBD, "set_flags", input)?;
                let objects = { self.header().layout().num_objects(self.header().size) };
                let input = ResizeInput { object_count: objects, default_state: object_state::NONEXISTENT }.to_bytes();
                self.io.exec(object_map_object(&self.id, None).as_bytes(), RBD, "object_map_resize", input)?;
            }
        } else if features & f::OBJECT_MAP != 0 {
            self.object_map.close(self);
            let oid = object_map_object(&self.id, None);
            match crate::rados::check(&self.io.operate(oid.as_bytes(), ObjectOperation::single(OpStep::Remove))) {
                Err(e) if e.errno() != libc::ENOENT => return Err(e),
                _ => {}
            }
            let mask = flags::OBJECT_MAP_INVALID | flags::FAST_DIFF_INVALID;
            let input = SetFlagsInput { flags: 0, mask, snap_id: NOSNAP }.to_bytes();
            self.io.exec(header, RBD, "set_flags", input)?;
        }
        let input = FeaturesMask { features: if enabled { features } else { 0 }, mask: features }.to_bytes();
        self.io.exec(header, RBD, "set_features", input)?;
        if !enabled && features & f::EXCLUSIVE_LOCK != 0 {
            self.lock.release(self)?;
        }
        self.refresh()?;
        notify_header_update(self);
        Ok(())
    }
}
