//! The image trash (`librbd/api/Trash`): moving an image out of the
//! directory into `rbd_trash` (kept, with its data, until a deferment time),
//! listing, restoring under its name or another, and removing for good.

use std::sync::Arc;

use super::image::{Image, ImageRef};
use super::object_names::{id_object, DIRECTORY, TRASH};
use super::pool_images::{check_removable, delete_image, directory_id, list_all, remove_object};
use crate::cls::rbd::directory::NameId;
use crate::cls::rbd::trash::{source, state, TrashAddInput, TrashImageSpec, TrashStateSetInput};
use crate::cls::rbd::CLASS as RBD;
use crate::denc::{Decode, Encode, UTime};
use crate::error::{Error, Result};
use crate::rados::op::{ObjectOperation, OpStep};
use crate::rados::{check, IoCtx};

/// Sources an image may be restored from (upstream's restore allow list).
const RESTORABLE: [u8; 3] = [source::USER, source::MIRRORING, source::USER_PARENT];

fn set_state(io: &IoCtx, id: &str, to: u8, expect: u8) -> Result<()> {
    let input = TrashStateSetInput { id: id.to_string(), state: to, expect }.to_bytes();
    io.exec(TRASH.as_bytes(), RBD, "trash_state_set", input).map(|_| ())
}

/// Moves image `name` to the trash, to stay at least `delay` seconds.
/// The exclusive lock is taken first (a peer using the image is asked for
/// it). Errors: ENOENT, EBUSY (the lock cannot be had), the OSDs'.
pub fn move_to_trash(io: &Arc<IoCtx>, name: &str, delay: u64) -> Result<()> {
    let id = directory_id(io, name)?;
    let image = Image::open(io, ImageRef::Id(&id), false)?;
    let locked = image.lock.acquire(&image);
    let closed = image.close();
    locked?;
    closed?;
    let now = UTime::now();
    let end = UTime { sec: now.sec.saturating_add(u32::try_from(delay).unwrap_or(u32::MAX)), nsec: now.nsec };
    let spec = TrashImageSpec {
        source: source::USER,
        name: name.to_string(),
        deletion_time: now,
        deferment_end_time: end,
        state: state::MOVING,
    };
    io.exec(TRASH.as_bytes(), RBD, "trash_add", TrashAddInput { id: id.clone(), spec }.to_bytes())?;
    remove_object(io, &id_object(name))?;
    let input = NameId { name: name.to_string(), id: id.clone() }.to_bytes();
    match io.exec(DIRECTORY.as_bytes(), RBD, "dir_remove_image", input) {
        Err(e) if e.errno() != libc::ENOENT => return Err(e),
        _ => {}
    }
    set_state(io, &id, state::NORMAL, state::MOVING)
}

/// The trash's entries (id, spec), in id order; images being removed by
/// `rbd_remove` (source "removing") are left out, as upstream's user list.
pub fn list(io: &IoCtx) -> Result<Vec<(String, TrashImageSpec)>> {
    let mut all: Vec<(String, TrashImageSpec)> = list_all(io, TRASH, "trash_list")?;
    all.retain(|(_, s)| s.source != source::REMOVING);
    Ok(all)
}

/// Trash entry `id`. Errors: ENOENT.
pub fn get(io: &IoCtx, id: &str) -> Result<TrashImageSpec> {
    let bytes = io.exec(TRASH.as_bytes(), RBD, "trash_get", id.to_string().to_bytes())?;
    TrashImageSpec::from_bytes(&bytes).map_err(|_| Error::Corrupt("trash_get reply".into()))
}

/// Restores trashed image `id` under `name` (empty: its old name).
/// Errors: ENOENT (not in the trash), EINVAL (trashed by something that
/// restores it itself, as a migration), EEXIST (the name is taken), EBUSY
/// (being removed or restored).
pub fn restore(io: &Arc<IoCtx>, id: &str, name: &str) -> Result<()> {
    let spec = get(io, id)?;
    if !RESTORABLE.contains(&spec.source) {
        return Err(Error::invalid("the image's trash source does not allow restoring it"));
    }
    let name = if name.is_empty() { spec.name.clone() } else { name.to_string() };
    if directory_id(io, &name).is_ok() {
        return Err(Error::AlreadyExists(format!("image {name}")));
    }
    if let Err(e) = set_state(io, id, state::RESTORING, state::NORMAL) {
        return Err(if e.errno() == libc::ESTALE { Error::Busy("image is being moved or removed".into()) } else { e });
    }
    let restored = restore_entry(io, id, &name);
    if restored.is_err() {
        let _ = set_state(io, id, state::NORMAL, state::RESTORING);
    }
    restored
}

fn restore_entry(io: &IoCtx, id: &str, name: &str) -> Result<()> {
    let mut op = ObjectOperation::new();
    op.push(OpStep::Create { exclusive: true });
    match check(&io.operate(id_object(name).as_bytes(), op)) {
        Err(e) if e.errno() == libc::EEXIST => return Err(Error::AlreadyExists(format!("image {name}"))),
        other => other?,
    }
    io.exec(id_object(name).as_bytes(), RBD, "set_id", id.to_string().to_bytes())?;
    let input = NameId { name: name.to_string(), id: id.to_string() }.to_bytes();
    io.exec(DIRECTORY.as_bytes(), RBD, "dir_add_image", input)?;
    io.exec(TRASH.as_bytes(), RBD, "trash_remove", id.to_string().to_bytes())?;
    Ok(())
}

/// Deletes trashed image `id` for good, before its deferment time only with
/// `force`; `progress(done, total)` follows its data objects. Errors: ENOENT,
/// EPERM (deferred and not forced), EBUSY (being moved or restored, or open
/// elsewhere), ENOTEMPTY (snapshots), the OSDs'.
pub fn remove(io: &Arc<IoCtx>, id: &str, force: bool, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let spec = get(io, id)?;
    if spec.state != state::NORMAL && spec.state != state::REMOVING {
        return Err(Error::Busy("image is being moved or restored".into()));
    }
    if !force && spec.deferment_end_time > UTime::now() {
        return Err(Error::NotPermitted("the image's deferment time has not passed".into()));
    }
    set_state(io, id, state::REMOVING, state::NORMAL)?;
    let removed = Image::open(io, ImageRef::Id(id), false).and_then(|image| {
        let result = check_removable(io, &image)
            .and_then(|_| image.lock.acquire(&image))
            .and_then(|_| delete_image(io, &image, progress));
        if result.is_err() {
            let _ = image.close();
        }
        result
    });
    if removed.is_err() {
        let _ = set_state(io, id, state::NORMAL, state::REMOVING);
    }
    removed
}

/// Deletes every user-trashed image whose deferment time has come by
/// `expire` (seconds since the epoch; 0: now). Errors: the first removal's.
pub fn purge(io: &Arc<IoCtx>, expire: i64, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let expire = if expire == 0 { i64::from(UTime::now().sec) } else { expire };
    let due: Vec<String> = list(io)?
        .into_iter()
        .filter(|(_, s)| {
            (s.source == source::USER || s.source == source::USER_PARENT)
                && i64::from(s.deferment_end_time.sec) <= expire
        })
        .map(|(id, _)| id)
        .collect();
    let total = due.len() as u64;
    for (n, id) in due.iter().enumerate() {
        remove(io, id, true, &mut |_, _| {})?;
        progress(n as u64 + 1, total);
    }
    Ok(())
}
