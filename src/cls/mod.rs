//! Object classes: the typed requests and replies of the classes RBD uses
//! (`lock`, `rbd`), and the methods that serve them. A client encodes a
//! request type; the local store decodes it and runs the method against the
//! object through `ObjectContext`. One definition, both sides.

use std::collections::BTreeMap;

use crate::denc::{EntityAddr, EntityNameT, UTime};
use crate::error::{Error, Result};

pub mod lock;
pub mod rbd;

/// Omap entries in key order.
pub type OmapEntries = Vec<(Vec<u8>, Vec<u8>)>;

/// A method's access to its object, as the OSD's `cls_cxx_*` functions give it.
/// Errors are RADOS errors (`Error::Remote` with the OSD's errno).
pub trait ObjectContext {
    /// The calling client's name and address.
    fn origin(&self) -> (EntityNameT, EntityAddr);
    /// The OSD's clock.
    fn now(&self) -> UTime;
    /// True when the object exists.
    fn exists(&self) -> bool;
    /// Size and modification time; ENOENT when missing.
    fn stat(&mut self) -> Result<(u64, UTime)>;
    /// Creates the object; EEXIST when `exclusive` and it exists.
    fn create(&mut self, exclusive: bool) -> Result<()>;
    fn remove(&mut self) -> Result<()>;
    /// Reads `len` bytes at `offset` (fewer at the end); ENOENT when missing.
    fn read(&mut self, offset: u64, len: u64) -> Result<Vec<u8>>;
    fn write(&mut self, offset: u64, data: &[u8]) -> Result<()>;
    fn write_full(&mut self, data: &[u8]) -> Result<()>;
    fn truncate(&mut self, size: u64) -> Result<()>;
    /// ENOENT when the object is missing, ENODATA when the attribute is.
    fn getxattr(&mut self, name: &[u8]) -> Result<Vec<u8>>;
    fn getxattrs(&mut self) -> Result<BTreeMap<Vec<u8>, Vec<u8>>>;
    fn setxattr(&mut self, name: &[u8], value: &[u8]) -> Result<()>;
    /// ENOENT when the object or the key is missing.
    fn omap_get(&mut self, key: &[u8]) -> Result<Vec<u8>>;
    /// Up to `max` entries after `start_after` whose keys start with `prefix`,
    /// and whether more follow.
    fn omap_list(&mut self, start_after: &[u8], prefix: &[u8], max: u64) -> Result<(OmapEntries, bool)>;
    fn omap_set(&mut self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<()>;
    fn omap_remove(&mut self, keys: &[Vec<u8>]) -> Result<()>;
    fn omap_header(&mut self) -> Result<Vec<u8>>;
    fn set_omap_header(&mut self, data: &[u8]) -> Result<()>;
    /// The object's current version.
    fn version(&self) -> u64;
}

/// Whether a method reads, writes, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodFlags {
    pub read: bool,
    pub write: bool,
}

pub const RD: MethodFlags = MethodFlags { read: true, write: false };
pub const WR: MethodFlags = MethodFlags { read: false, write: true };
pub const RDWR: MethodFlags = MethodFlags { read: true, write: true };

/// A method: input bytes to output bytes.
pub type MethodFn = fn(&mut dyn ObjectContext, &[u8]) -> Result<Vec<u8>>;

/// One registered method.
pub struct Method {
    pub class: &'static str,
    pub name: &'static str,
    pub flags: MethodFlags,
    pub run: MethodFn,
}

/// Every method this library serves.
pub fn methods() -> impl Iterator<Item = &'static Method> {
    lock::METHODS.iter().chain(rbd::METHODS.iter())
}

/// Looks a method up: `Err(EOPNOTSUPP)` for an unknown class or method, as an OSD answers.
pub fn find(class: &str, method: &str) -> Result<&'static Method> {
    methods()
        .find(|m| m.class == class && m.name == method)
        .ok_or_else(|| errno(libc::EOPNOTSUPP, format!("no method {class}.{method}")))
}

/// A method's error: the errno the OSD returns.
pub fn errno(e: i32, context: impl Into<String>) -> Error {
    Error::remote(-e.abs(), context)
}

/// Decodes a method's input; a malformed input is EINVAL, as methods answer.
pub fn decode_input<T: crate::denc::Decode>(input: &[u8]) -> Result<T> {
    T::from_bytes(input).map_err(|_| errno(libc::EINVAL, "cannot decode method input"))
}
