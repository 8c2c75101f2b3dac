//! Resizing (`ResizeRequest`, `TrimRequest`): growing extends the object map
//! then the header; shrinking removes the data objects wholly past the new
//! end, truncates the one it cuts, then shrinks the object map and the header.

use std::sync::Arc;

use super::image::Image;
use super::object_names::{data_object, object_map_object};
use super::watcher::notify_header_update;
use crate::cls::rbd::features::object_state;
use crate::cls::rbd::object_map::ResizeInput;
use crate::cls::rbd::CLASS as RBD;
use crate::denc::Encode;
use crate::error::{Error, Result};
use crate::rados::check;
use crate::rados::op::{ObjectOperation, OpStep};

impl Image {
    /// Resizes to `size` bytes; `allow_shrink` false refuses to shrink (EINVAL).
    /// `progress(object number, old object count)` follows the removal of objects.
    pub fn resize(self: &Arc<Self>, size: u64, allow_shrink: bool, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        self.check_writable()?;
        self.lock.acquire(self)?;
        let (old, layout, prefix, has_map) = {
            let h = self.header();
            (h.size, h.layout(), h.object_prefix.clone(), self.object_map.is_loaded())
        };
        if size < old && !allow_shrink {
            return Err(Error::invalid("shrinking not allowed"));
        }
        let map_oid = object_map_object(&self.id, None);
        let map_exists = self.header().features & crate::cls::rbd::features::OBJECT_MAP != 0;
        let objects = layout.num_objects(size);
        if size < old {
            self.inflight.wait();
            let extents = layout.map(size, old - size);
            let end = layout.num_objects(old);
            for e in &extents {
                let remove = e.offset == 0;
                if remove {
                    // as upstream's trim: every removed object is reported
                    progress(e.object_no, end);
                }
                if !self.object_map.may_exist(self, e.object_no) {
                    continue;
                }
                let name = data_object(&prefix, e.object_no);
                if remove {
                    self.object_map.update(self, e.object_no, e.object_no + 1, object_state::PENDING, None)?;
                }
                let step = if remove { OpStep::Remove } else { OpStep::Truncate { size: e.offset } };
                match check(&self.data_io.operate(name.as_bytes(), ObjectOperation::single(step))) {
                    Err(err) if err.errno() != libc::ENOENT => return Err(err),
                    _ => {}
                }
                if remove {
                    self.object_map.update(
                        self,
                        e.object_no,
                        e.object_no + 1,
                        object_state::NONEXISTENT,
                        Some(object_state::PENDING),
                    )?;
                }
            }
        }
        if map_exists {
            let input = ResizeInput { object_count: objects, default_state: object_state::NONEXISTENT }.to_bytes();
            self.io.exec(map_oid.as_bytes(), RBD, "object_map_resize", input)?;
            if has_map {
                self.object_map.resize_loaded(objects, object_state::NONEXISTENT);
            }
        }
        self.io.exec(self.header_oid.as_bytes(), RBD, "set_size", size.to_bytes())?;
        self.refresh()?;
        notify_header_update(self);
        Ok(())
    }
}
