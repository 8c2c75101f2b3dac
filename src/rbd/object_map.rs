//! The object map (`ObjectMap`): which data objects may exist, 2 bits each,
//! kept in `rbd_object_map.<id>` and in memory while this handle owns the
//! exclusive lock. It is locked (cls `lock` `rbd_lock`, empty cookie and tag)
//! while loaded, and updated on RADOS before a write creates an object and
//! after a discard removes one.

use std::sync::Mutex;

use super::image::Image;
use super::object_names::{object_map_object, LOCK_NAME};
use crate::cls::rbd::features::{self, flags, object_state};
use crate::cls::rbd::object_map::UpdateInput;
use crate::cls::rbd::CLASS as RBD;
use crate::denc::bit_vector::BitVector2;
use crate::denc::{Decode, Encode};
use crate::error::{Error, Result};
use crate::rados::LockRequest;

/// The loaded map, when this handle has it.
#[derive(Default)]
pub struct ObjectMap {
    map: Mutex<Option<BitVector2>>,
}

fn map_lock() -> LockRequest<'static> {
    LockRequest { name: LOCK_NAME, cookie: "", tag: "", description: "", duration: None, flags: 0 }
}

impl ObjectMap {
    fn lock_map(&self) -> std::sync::MutexGuard<'_, Option<BitVector2>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks and loads the map (after the exclusive lock is taken). A stale
    /// lock of a dead owner is broken.
    pub fn open(&self, image: &Image) -> Result<()> {
        if image.header().features & features::OBJECT_MAP == 0 {
            return Ok(());
        }
        let oid = object_map_object(&image.id, None);
        match image.io.lock(oid.as_bytes(), false, &map_lock()) {
            Ok(()) => {}
            Err(e) if e.errno() == libc::EBUSY || e.errno() == libc::EEXIST => {
                let info = image.io.lock_info(oid.as_bytes(), LOCK_NAME)?;
                for id in info.lockers.keys() {
                    let _ = image.io.break_lock(oid.as_bytes(), LOCK_NAME, id.locker, &id.cookie);
                }
                image.io.lock(oid.as_bytes(), false, &map_lock())?;
            }
            Err(e) => return Err(e),
        }
        let out = image.io.exec(oid.as_bytes(), RBD, "object_map_load", Vec::new())?;
        let map = BitVector2::from_bytes(&out).map_err(|_| Error::Corrupt("object map".into()))?;
        *self.lock_map() = Some(map);
        Ok(())
    }

    /// Reads the stored map again into the loaded one (when loaded).
    pub fn reload(&self, image: &Image) -> Result<()> {
        if !self.is_loaded() {
            return Ok(());
        }
        let oid = object_map_object(&image.id, None);
        let out = image.io.exec(oid.as_bytes(), RBD, "object_map_load", Vec::new())?;
        let map = BitVector2::from_bytes(&out).map_err(|_| Error::Corrupt("object map".into()))?;
        if let Some(loaded) = self.lock_map().as_mut() {
            *loaded = map;
        }
        Ok(())
    }

    /// Drops the loaded map and unlocks the object.
    pub fn close(&self, image: &Image) {
        if self.lock_map().take().is_some() {
            let oid = object_map_object(&image.id, None);
            let _ = image.io.unlock(oid.as_bytes(), LOCK_NAME, "");
        }
    }

    pub fn is_loaded(&self) -> bool {
        self.lock_map().is_some()
    }

    /// False only when the map is loaded, valid, and says the object does not exist.
    pub fn may_exist(&self, image: &Image, object_no: u64) -> bool {
        if !self.is_loaded() {
            return true;
        }
        // the header before the map's lock: reading it may refresh it, and a
        // refresh may reload this map
        if image.header().flags & flags::OBJECT_MAP_INVALID != 0 {
            return true;
        }
        let guard = self.lock_map();
        let Some(map) = guard.as_ref() else { return true };
        if object_no >= map.len() {
            return true;
        }
        map.get(object_no) != object_state::NONEXISTENT
    }

    /// The state of an object, when the map is loaded.
    pub fn state(&self, object_no: u64) -> Option<u8> {
        self.lock_map().as_ref().map(|m| m.get(object_no))
    }

    /// Moves objects [`start`, `end`) to `new_state` (those in `current` only),
    /// on RADOS then in memory; nothing to do when memory already agrees.
    pub fn update(&self, image: &Image, start: u64, end: u64, new_state: u8, current: Option<u8>) -> Result<()> {
        let needed = {
            let guard = self.lock_map();
            let Some(map) = guard.as_ref() else { return Ok(()) };
            let end = end.min(map.len());
            (start..end).any(|i| {
                let s = map.get(i);
                s != new_state
                    && current.is_none_or(|c| s == c || (c == object_state::EXISTS && s == object_state::EXISTS_CLEAN))
            })
        };
        if !needed {
            return Ok(());
        }
        let input = UpdateInput { start_object_no: start, end_object_no: end, new_state, current_state: current };
        let oid = object_map_object(&image.id, None);
        image.io.exec(oid.as_bytes(), RBD, "object_map_update", input.to_bytes())?;
        if let Some(map) = self.lock_map().as_mut() {
            for i in start..end.min(map.len()) {
                let s = map.get(i);
                if current.is_none_or(|c| s == c || (c == object_state::EXISTS && s == object_state::EXISTS_CLEAN)) {
                    map.set(i, new_state);
                }
            }
        }
        Ok(())
    }

    /// Changes the loaded map, if any: `change(object, state)` returns a new
    /// state or None to keep it.
    pub(crate) fn update_loaded(&self, mut change: impl FnMut(u64, u8) -> Option<u8>) {
        if let Some(map) = self.lock_map().as_mut() {
            for i in 0..map.len() {
                if let Some(s) = change(i, map.get(i)) {
                    map.set(i, s);
                }
            }
        }
    }

    /// Resizes the loaded map (after the stored one was resized).
    pub fn resize_loaded(&self, objects: u64, default_state: u8) {
        if let Some(map) = self.lock_map().as_mut() {
            let old = map.len();
            map.resize(objects);
            for i in old..objects {
                map.set(i, default_state);
            }
        }
    }
}
