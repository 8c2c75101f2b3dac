//! Handle tables: what C holds as `rados_t`, `rados_ioctx_t`, `rbd_image_t`…
//!
//! A handle is an opaque non-null value that names a slot of a typed table:
//! bits 0–31 hold the slot index + 1, bits 32–55 the slot's generation, bits
//! 56–63 the table's kind. A handle that was never issued, belongs to another
//! table, or whose object was closed or released resolves to `Error::BadHandle`
//! instead of touching freed memory. A slot is reused only with a new generation.

use std::os::raw::c_void;
use std::sync::{Arc, RwLock};

use crate::error::{Error, Result};

const INDEX_BITS: u32 = 32;
const GENERATION_BITS: u32 = 24;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;
const KIND_SHIFT: u32 = INDEX_BITS + GENERATION_BITS;

/// A table of live objects of one kind, addressed by handles.
pub(crate) struct HandleTable<T> {
    kind: u8,
    slots: RwLock<Slots<T>>,
}

struct Slots<T> {
    entries: Vec<Slot<T>>,
    free: Vec<u32>,
}

struct Slot<T> {
    generation: u32,
    value: Option<Arc<T>>,
}

impl<T> HandleTable<T> {
    /// An empty table; `kind` must be unique among tables.
    pub(crate) const fn new(kind: u8) -> Self {
        HandleTable { kind, slots: RwLock::new(Slots { entries: Vec::new(), free: Vec::new() }) }
    }

    /// Registers `value` and returns its new handle.
    pub(crate) fn insert(&self, value: Arc<T>) -> *mut c_void {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        let index = match slots.free.pop() {
            Some(index) => index,
            None => {
                slots.entries.push(Slot { generation: 0, value: None });
                (slots.entries.len() - 1) as u32
            }
        };
        let slot = &mut slots.entries[index as usize];
        slot.value = Some(value);
        self.encode(index, slot.generation)
    }

    /// The object a handle names.
    pub(crate) fn get(&self, handle: *const c_void) -> Result<Arc<T>> {
        let (index, generation) = self.decode(handle)?;
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        match slots.entries.get(index as usize) {
            Some(Slot { generation: g, value: Some(value) }) if *g == generation => Ok(value.clone()),
            _ => Err(Error::BadHandle),
        }
    }

    /// Unregisters a handle, returning its object; the handle is dead afterwards.
    pub(crate) fn remove(&self, handle: *const c_void) -> Result<Arc<T>> {
        let (index, generation) = self.decode(handle)?;
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entries.get_mut(index as usize).ok_or(Error::BadHandle)?;
        if slot.generation != generation || slot.value.is_none() {
            return Err(Error::BadHandle);
        }
        let value = slot.value.take().ok_or(Error::BadHandle)?;
        slot.generation = (slot.generation + 1) & GENERATION_MASK as u32;
        slots.free.push(index);
        Ok(value)
    }

    /// Every live object (for shutdown paths).
    pub(crate) fn live(&self) -> Vec<Arc<T>> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots.entries.iter().filter_map(|s| s.value.clone()).collect()
    }

    fn encode(&self, index: u32, generation: u32) -> *mut c_void {
        let value = (u64::from(self.kind) << KIND_SHIFT)
            | ((u64::from(generation) & GENERATION_MASK) << INDEX_BITS)
            | (u64::from(index) + 1);
        value as usize as *mut c_void
    }

    fn decode(&self, handle: *const c_void) -> Result<(u32, u32)> {
        let value = handle as usize as u64;
        if value == 0 {
            return Err(Error::invalid("null handle"));
        }
        if (value >> KIND_SHIFT) as u8 != self.kind {
            return Err(Error::BadHandle);
        }
        let index = (value & 0xffff_ffff) as u32;
        if index == 0 {
            return Err(Error::BadHandle);
        }
        Ok((index - 1, ((value >> INDEX_BITS) & GENERATION_MASK) as u32))
    }
}

// ---- the tables of this library -------------------------------------------------

use crate::capi::completions::CompletionEntry;
use crate::rados::{ConfigContext, Rados};
use crate::rbd::ImageOptions;
use std::sync::Mutex;

/// What a `rados_t` names: the cluster handle and the `rados_config_t` of its context.
pub(crate) struct ClusterEntry {
    pub(crate) rados: Arc<Rados>,
    pub(crate) cct: usize,
}

pub(crate) static CLUSTERS: HandleTable<ClusterEntry> = HandleTable::new(1);
pub(crate) static CONFIGS: HandleTable<ConfigContext> = HandleTable::new(2);
pub(crate) static RADOS_COMPLETIONS: HandleTable<CompletionEntry> = HandleTable::new(4);
pub(crate) static RBD_COMPLETIONS: HandleTable<CompletionEntry> = HandleTable::new(8);
pub(crate) static IMAGE_OPTIONS: HandleTable<Mutex<ImageOptions>> = HandleTable::new(9);

/// What a `rados_ioctx_t` names: the I/O context and the `rados_t` it came from.
pub(crate) struct IoCtxEntry {
    pub(crate) ioctx: Arc<crate::rados::IoCtx>,
    pub(crate) cluster: usize,
}

pub(crate) static IOCTXS: HandleTable<IoCtxEntry> = HandleTable::new(3);

/// What an `rbd_image_t` names: the open image and its completion event queue.
pub(crate) static IMAGES: HandleTable<crate::capi::librbd::image_handle::ImageEntry> = HandleTable::new(13);

/// The I/O context behind a `rados_ioctx_t`.
pub(crate) fn ioctx(handle: *const c_void) -> Result<Arc<crate::rados::IoCtx>> {
    Ok(IOCTXS.get(handle)?.ioctx.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_foreign_and_forged_handles_are_rejected() {
        let a: HandleTable<String> = HandleTable::new(1);
        let b: HandleTable<String> = HandleTable::new(2);
        let h = a.insert(Arc::new("x".into()));
        assert_eq!(*a.get(h).unwrap(), "x");
        assert!(matches!(b.get(h), Err(Error::BadHandle)));
        assert!(matches!(a.get(std::ptr::null()), Err(Error::InvalidArgument(_))));
        assert!(matches!(a.get(0x1234 as *const c_void), Err(Error::BadHandle)));
        a.remove(h).unwrap();
        assert!(matches!(a.get(h), Err(Error::BadHandle)));
        assert!(matches!(a.remove(h), Err(Error::BadHandle)));
        // the slot is reused with a new generation: the old handle stays dead
        let h2 = a.insert(Arc::new("y".into()));
        assert_ne!(h, h2);
        assert!(matches!(a.get(h), Err(Error::BadHandle)));
        assert_eq!(*a.get(h2).unwrap(), "y");
    }
}
