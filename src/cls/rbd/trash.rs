//! Methods on `rbd_trash`: omap `id_<image id>` → `TrashImageSpec`.

use std::collections::BTreeMap;

use super::directory::ListInput;
use super::{out, read_key, MAX_KEYS_READ};
use crate::cls::{decode_input, errno, ObjectContext};
use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::Result;

const PREFIX: &str = "id_";

/// Why an image is in the trash (`TrashImageSource`).
pub mod source {
    pub const USER: u8 = 0;
    pub const MIRRORING: u8 = 1;
    pub const MIGRATION: u8 = 2;
    pub const REMOVING: u8 = 3;
    pub const USER_PARENT: u8 = 4;
}

/// Where a trashed image is in its life (`TrashImageState`).
pub mod state {
    pub const NORMAL: u8 = 0;
    pub const MOVING: u8 = 1;
    pub const REMOVING: u8 = 2;
    pub const RESTORING: u8 = 3;
}

/// `cls::rbd::TrashImageSpec`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrashImageSpec {
    pub source: u8,
    pub name: String,
    pub deletion_time: UTime,
    pub deferment_end_time: UTime,
    pub state: u8,
}

impl Encode for TrashImageSpec {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 2, 1, |o| {
            self.source.encode(o);
            self.name.encode(o);
            self.deletion_time.encode(o);
            self.deferment_end_time.encode(o);
            self.state.encode(o);
        });
    }
}

impl Decode for TrashImageSpec {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(2, |v, d| {
            Ok(TrashImageSpec {
                source: d.u8()?,
                name: d.string()?,
                deletion_time: Decode::decode(d)?,
                deferment_end_time: Decode::decode(d)?,
                state: if v >= 2 { d.u8()? } else { 0 },
            })
        })
    }
}

crate::plain_struct! {
    /// `trash_add` input.
    pub struct TrashAddInput {
        pub id: String,
        pub spec: TrashImageSpec,
    }
}

crate::plain_struct! {
    /// `trash_state_set` input: the image, its new state, the state expected.
    pub struct TrashStateSetInput {
        pub id: String,
        pub state: u8,
        pub expect: u8,
    }
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

pub fn trash_add(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    ctx.create(false)?;
    let TrashAddInput { id, spec } = decode_input(input)?;
    if !super::is_valid_id(&id) {
        return Err(errno(libc::EINVAL, "invalid id"));
    }
    if ctx.omap_get(key(&id).as_bytes()).is_ok() {
        return Err(errno(libc::EEXIST, "image already in the trash"));
    }
    ctx.omap_set(&[(key(&id).into_bytes(), spec.to_bytes())])?;
    Ok(Vec::new())
}

pub fn trash_remove(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let id: String = decode_input(input)?;
    ctx.omap_get(key(&id).as_bytes())?;
    ctx.omap_remove(&[key(&id).into_bytes()])?;
    Ok(Vec::new())
}

pub fn trash_get(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let id: String = decode_input(input)?;
    out(&read_key::<TrashImageSpec>(ctx, &key(&id))?)
}

pub fn trash_list(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let ListInput { start_after, max_return } = decode_input(input)?;
    let mut data: BTreeMap<String, TrashImageSpec> = BTreeMap::new();
    let mut last = key(&start_after).into_bytes();
    let mut more = true;
    while more && (data.len() as u64) < max_return {
        let (vals, m) = ctx.omap_list(&last, PREFIX.as_bytes(), MAX_KEYS_READ)?;
        more = m;
        let Some((k, _)) = vals.last() else { break };
        last = k.clone();
        for (k, v) in vals {
            let spec = TrashImageSpec::from_bytes(&v).map_err(|_| errno(libc::EIO, "cannot decode trash entry"))?;
            data.insert(String::from_utf8_lossy(&k[PREFIX.len()..]).into_owned(), spec);
            if data.len() as u64 >= max_return {
                break;
            }
        }
    }
    out(&data)
}

/// Moves entry `id` to `state` when it is in `expect` (already in `state`:
/// nothing to do). ENOENT without it, ESTALE in a third state.
pub fn trash_state_set(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let TrashStateSetInput { id, state, expect } = decode_input(input)?;
    let bytes = ctx.omap_get(key(&id).as_bytes())?;
    let mut spec = TrashImageSpec::from_bytes(&bytes).map_err(|_| errno(libc::EINVAL, "cannot decode trash entry"))?;
    if spec.state == expect {
        spec.state = state;
        ctx.omap_set(&[(key(&id).into_bytes(), spec.to_bytes())])?;
    } else if spec.state != state {
        return Err(errno(libc::ESTALE, "trash entry in another state"));
    }
    Ok(Vec::new())
}
