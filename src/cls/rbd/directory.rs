//! Methods on `rbd_id.<name>` (the image id, as the object's data) and on
//! `rbd_directory` (omap `name_<name>` → id and `id_<id>` → name).

use std::collections::BTreeMap;

use super::{check_exists, is_valid_id, out, read_key, MAX_KEYS_READ};
use crate::cls::{decode_input, errno, ObjectContext};
use crate::denc::{Decode, Decoder, Encode};
use crate::error::Result;
use crate::plain_struct;

const NAME_PREFIX: &str = "name_";
const ID_PREFIX: &str = "id_";

plain_struct! {
    /// `dir_add_image` and `dir_remove_image` input.
    pub struct NameId {
        pub name: String,
        pub id: String,
    }
}

plain_struct! {
    /// `dir_rename_image` input.
    pub struct RenameInput {
        pub src: String,
        pub dest: String,
        pub id: String,
    }
}

plain_struct! {
    /// `dir_list` input (and `metadata_list`, `trash_list`).
    pub struct ListInput {
        pub start_after: String,
        pub max_return: u64,
    }
}

pub fn get_id(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let (size, _) = ctx.stat()?;
    if size == 0 {
        return Err(errno(libc::ENOENT, "no id"));
    }
    let data = ctx.read(0, size)?;
    let id = String::from_bytes(&data).map_err(|_| errno(libc::EIO, "cannot decode id"))?;
    out(&id)
}

pub fn set_id(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    check_exists(ctx)?;
    let id: String = decode_input(input)?;
    if !is_valid_id(&id) {
        return Err(errno(libc::EINVAL, "invalid id"));
    }
    let (size, _) = ctx.stat()?;
    if size != 0 {
        return Err(errno(libc::EEXIST, "id already set"));
    }
    ctx.write(0, &id.to_bytes())?;
    Ok(Vec::new())
}

fn name_key(name: &str) -> String {
    format!("{NAME_PREFIX}{name}")
}

fn id_key(id: &str) -> String {
    format!("{ID_PREFIX}{id}")
}

fn add_image(ctx: &mut dyn ObjectContext, name: &str, id: &str, check_unique_id: bool) -> Result<()> {
    if name.is_empty() || !is_valid_id(id) {
        return Err(errno(libc::EINVAL, "invalid name or id"));
    }
    if ctx.omap_get(name_key(name).as_bytes()).is_ok() {
        return Err(errno(libc::EEXIST, "name exists"));
    }
    if check_unique_id && ctx.omap_get(id_key(id).as_bytes()).is_ok() {
        return Err(errno(libc::EBADF, "id exists"));
    }
    ctx.omap_set(&[
        (id_key(id).into_bytes(), name.to_string().to_bytes()),
        (name_key(name).into_bytes(), id.to_string().to_bytes()),
    ])
}

fn remove_image(ctx: &mut dyn ObjectContext, name: &str, id: &str) -> Result<()> {
    let stored_id: String = read_key(ctx, &name_key(name))?;
    let stored_name: String = read_key(ctx, &id_key(id))?;
    if stored_name != name || stored_id != id {
        return Err(errno(libc::ESTALE, "name and id do not match"));
    }
    ctx.omap_remove(&[name_key(name).into_bytes(), id_key(id).into_bytes()])
}

pub fn dir_add_image(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    ctx.create(false)?;
    let NameId { name, id } = decode_input(input)?;
    add_image(ctx, &name, &id, true)?;
    Ok(Vec::new())
}

pub fn dir_remove_image(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let NameId { name, id } = decode_input(input)?;
    remove_image(ctx, &name, &id)?;
    Ok(Vec::new())
}

pub fn dir_rename_image(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let RenameInput { src, dest, id } = decode_input(input)?;
    remove_image(ctx, &src, &id)?;
    add_image(ctx, &dest, &id, false)?;
    Ok(Vec::new())
}

pub fn dir_get_id(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let name: String = decode_input(input)?;
    out(&read_key::<String>(ctx, &name_key(&name))?)
}

pub fn dir_get_name(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let id: String = decode_input(input)?;
    out(&read_key::<String>(ctx, &id_key(&id))?)
}

pub fn dir_list(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let ListInput { start_after, max_return } = decode_input(input)?;
    let mut images = BTreeMap::new();
    let mut last = name_key(&start_after).into_bytes();
    let mut more = true;
    while more && (images.len() as u64) < max_return {
        let (vals, m) = ctx.omap_list(&last, NAME_PREFIX.as_bytes(), MAX_KEYS_READ)?;
        more = m;
        for (k, v) in &vals {
            let id = String::decode(&mut Decoder::new(v)).map_err(|_| errno(libc::EIO, "cannot decode id"))?;
            let name = String::from_utf8_lossy(&k[NAME_PREFIX.len()..]).into_owned();
            images.insert(name, id);
            if images.len() as u64 >= max_return {
                break;
            }
        }
        match images.keys().next_back() {
            Some(name) if !vals.is_empty() => last = name_key(name).into_bytes(),
            _ => break,
        }
    }
    out(&images)
}
