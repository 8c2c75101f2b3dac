//! The images of a pool: listing, removal (through the trash, as upstream's
//! `rbd rm`), renaming.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::image::{Image, ImageRef};
use super::object_names::{data_object, header_object, id_object, object_map_object, DIRECTORY, TRASH};
use crate::cls::rbd::directory::{ListInput, NameId, RenameInput};
use crate::cls::rbd::trash::{source, TrashAddInput, TrashImageSpec};
use crate::cls::rbd::CLASS as RBD;
use crate::denc::{Decode, Encode, UTime};
use crate::error::{Error, Result};
use crate::rados::op::{ObjectOperation, OpStep};
use crate::rados::{check, IoCtx};

/// Removals in flight at once while trimming an image.
const TRIM_WINDOW: usize = 16;

/// The images of the pool (name → id), in name order.
pub fn list(io: &IoCtx) -> Result<Vec<(String, String)>> {
    list_all(io, DIRECTORY, "dir_list")
}

/// Every entry of a cls rbd listing (`dir_list`, `trash_list`: pages of a
/// key → value map after `start_after`), in key order; a missing object
/// lists nothing.
pub(crate) fn list_all<V: Decode>(io: &IoCtx, object: &str, method: &str) -> Result<Vec<(String, V)>> {
    const PAGE: u64 = 1024;
    let mut out = Vec::new();
    let mut start = String::new();
    loop {
        let input = ListInput { start_after: start.clone(), max_return: PAGE }.to_bytes();
        let bytes = match io.exec(object.as_bytes(), RBD, method, input) {
            Ok(b) => b,
            Err(e) if e.errno() == libc::ENOENT => return Ok(out),
            Err(e) => return Err(e),
        };
        let page = BTreeMap::<String, V>::from_bytes(&bytes).map_err(|_| Error::Corrupt(format!("{method} reply")))?;
        let Some(last) = page.keys().next_back().cloned() else { return Ok(out) };
        let n = page.len() as u64;
        out.extend(page);
        if n < PAGE {
            return Ok(out);
        }
        start = last;
    }
}

/// The id of image `name` in the directory. ENOENT when missing.
pub fn directory_id(io: &IoCtx, name: &str) -> Result<String> {
    match io.exec(DIRECTORY.as_bytes(), RBD, "dir_get_id", name.to_string().to_bytes()) {
        Ok(b) => String::from_bytes(&b).map_err(|_| Error::Corrupt("dir_get_id reply".into())),
        Err(e) if e.errno() == libc::ENOENT => Err(Error::not_found(format!("image {name}"))),
        Err(e) => Err(e),
    }
}

/// Removes image `name`: refuses while another client has it open (EBUSY) or
/// while it has snapshots (ENOTEMPTY); moves it to the trash, deletes its data
/// objects (reporting `progress(done, total)`), its object map and header, and
/// drops it from the trash. Errors: ENOENT, EBUSY, ENOTEMPTY.
pub fn remove(io: &Arc<IoCtx>, name: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let id = directory_id(io, name)?;
    let image = Image::open(io, ImageRef::Id(&id), false)?;
    let result = remove_open(io, name, &image, progress);
    if result.is_err() {
        let _ = image.close();
    }
    result
}

fn remove_open(io: &Arc<IoCtx>, name: &str, image: &Arc<Image>, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    check_removable(io, image)?;
    image.lock.acquire(image)?;
    // into the trash, out of the directory
    let now = UTime::now();
    let spec = TrashImageSpec {
        source: source::REMOVING,
        name: name.to_string(),
        deletion_time: now,
        deferment_end_time: now,
        state: 0,
    };
    io.exec(TRASH.as_bytes(), RBD, "trash_add", TrashAddInput { id: image.id.clone(), spec }.to_bytes())?;
    remove_object(io, &id_object(name))?;
    let input = NameId { name: name.to_string(), id: image.id.clone() }.to_bytes();
    match io.exec(DIRECTORY.as_bytes(), RBD, "dir_remove_image", input) {
        Err(e) if e.errno() != libc::ENOENT => return Err(e),
        _ => {}
    }
    delete_image(io, image, progress)
}

/// Refuses the removal of an image with snapshots (ENOTEMPTY) — looked at
/// first: upstream answers so even while the image is open elsewhere — or
/// open elsewhere (EBUSY).
pub(crate) fn check_removable(io: &IoCtx, image: &Image) -> Result<()> {
    if !image.header().snapc.snaps.is_empty() {
        return Err(Error::NotEmpty("image has snapshots".into()));
    }
    let own = image.watch_handle();
    let others = io.list_watchers(image.header_oid.as_bytes())?.into_iter().filter(|w| w.cookie != own).count();
    if others > 0 {
        return Err(Error::Busy("image has watchers: it is open elsewhere".into()));
    }
    Ok(())
}

/// Deletes an image out of the directory: its data objects (those the object
/// map knows, else every possible one; `progress(done, total)`), then — the
/// handle closed — its object map and header, and its trash entry.
pub(crate) fn delete_image(io: &Arc<IoCtx>, image: &Arc<Image>, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let (num_objects, prefix) = {
        let h = image.header();
        (h.layout().num_objects(h.size), h.object_prefix.clone())
    };
    trim(&image.data_io, &prefix, 0..num_objects, &|n| image.object_map.may_exist(image, n), progress)?;
    image.close()?;
    remove_object(io, &object_map_object(&image.id, None))?;
    remove_object(io, &header_object(&image.id))?;
    match io.exec(TRASH.as_bytes(), RBD, "trash_remove", image.id.clone().to_bytes()) {
        Err(e) if e.errno() != libc::ENOENT => Err(e),
        _ => Ok(()),
    }
}

/// Removes an object; a missing one is fine.
pub(crate) fn remove_object(io: &IoCtx, name: &str) -> Result<()> {
    match check(&io.operate(name.as_bytes(), ObjectOperation::single(OpStep::Remove))) {
        Err(e) if e.errno() == libc::ENOENT => Ok(()),
        other => other,
    }
}

/// Removes data objects `range`, `TRIM_WINDOW` at a time, skipping those
/// `may_exist` rules out; as upstream's throttle, reports `progress(object
/// number, range end)` for every object as it is reached.
pub fn trim(
    io: &Arc<IoCtx>,
    prefix: &str,
    range: std::ops::Range<u64>,
    may_exist: &dyn Fn(u64) -> bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let end = range.end;
    let objects: Vec<u64> = range.collect();
    for chunk in objects.chunks(TRIM_WINDOW) {
        let (tx, rx) = std::sync::mpsc::channel();
        for &n in chunk {
            progress(n, end);
            if !may_exist(n) {
                continue;
            }
            let tx = tx.clone();
            io.aio_operate(
                data_object(prefix, n).as_bytes(),
                ObjectOperation::single(OpStep::Remove),
                None,
                move |r| {
                    let _ = tx.send(r.result);
                },
            );
        }
        drop(tx);
        for r in rx {
            if r < 0 && r != -libc::ENOENT {
                return Err(Error::remote(r, "removing a data object"));
            }
        }
    }
    Ok(())
}

/// Renames image `src` to `dest`. Errors: ENOENT, EEXIST.
pub fn rename(io: &Arc<IoCtx>, src: &str, dest: &str) -> Result<()> {
    // as upstream: the image is opened and the rename done under its
    // exclusive lock (which leaves the lock's xattrs behind)
    let id = directory_id(io, src)?;
    let image = Image::open(io, ImageRef::Id(&id), false)?;
    let result = image.lock.acquire(&image).and_then(|_| rename_locked(io, &id, src, dest));
    let closed = image.close();
    result.and(closed)
}

fn rename_locked(io: &IoCtx, id: &str, src: &str, dest: &str) -> Result<()> {
    if directory_id(io, dest).is_ok() {
        return Err(Error::AlreadyExists(format!("image {dest}")));
    }
    let old_id_object = id_object(src);
    let data = io.read(old_id_object.as_bytes(), 0, 0)?;
    let mut op = ObjectOperation::new();
    op.push(OpStep::Create { exclusive: true });
    op.push(OpStep::WriteFull { data });
    match check(&io.operate(id_object(dest).as_bytes(), op)) {
        Err(e) if e.errno() == libc::EEXIST => return Err(Error::AlreadyExists(format!("image {dest}"))),
        other => other?,
    }
    let input = RenameInput { src: src.to_string(), dest: dest.to_string(), id: id.to_string() }.to_bytes();
    if let Err(e) = io.exec(DIRECTORY.as_bytes(), RBD, "dir_rename_image", input) {
        let _ = remove_object(io, &id_object(dest));
        return Err(e);
    }
    remove_object(io, &old_id_object)?;
    // open handles learn the new name from the directory on refresh
    let _ = io.notify_wait(
        header_object(id).as_bytes(),
        &super::notify_messages::NotifyMessage::HeaderUpdate.to_bytes(),
        5000,
    );
    Ok(())
}
