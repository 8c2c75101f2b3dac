//! Methods on `rbd_object_map.<id>`: the object map, a `BitVector<2>` with
//! CRCs stored as the object's data; transferred without CRCs.

use super::features::object_state::{EXISTS, EXISTS_CLEAN};
use super::out;
use crate::cls::{decode_input, errno, ObjectContext};
use crate::denc::bit_vector::BitVector2;
use crate::denc::{Decode, Encode};
use crate::error::Result;
use crate::plain_struct;

/// Upstream's cap on object map sizes.
pub const MAX_OBJECT_COUNT: u64 = 256_000_000;

plain_struct! {
    /// `object_map_resize` input.
    pub struct ResizeInput {
        pub object_count: u64,
        pub default_state: u8,
    }
}

plain_struct! {
    /// `object_map_update` input: objects [start, end) move to `new_state`
    /// when their state is `current_state` (EXISTS also matches EXISTS_CLEAN).
    pub struct UpdateInput {
        pub start_object_no: u64,
        pub end_object_no: u64,
        pub new_state: u8,
        pub current_state: Option<u8>,
    }
}

/// The stored map: ENOENT for a missing or empty object, EINVAL when it does not decode.
fn read(ctx: &mut dyn ObjectContext) -> Result<BitVector2> {
    let (size, _) = ctx.stat()?;
    if size == 0 {
        return Err(errno(libc::ENOENT, "empty object map"));
    }
    let data = ctx.read(0, size)?;
    BitVector2::from_bytes(&data).map_err(|_| errno(libc::EINVAL, "cannot decode object map"))
}

fn write(ctx: &mut dyn ObjectContext, mut map: BitVector2) -> Result<()> {
    map.crc_enabled = true;
    ctx.write_full(&map.to_bytes())
}

pub fn object_map_load(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let mut map = read(ctx)?;
    map.crc_enabled = false;
    out(&map)
}

pub fn object_map_save(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let map: BitVector2 = decode_input(input)?;
    write(ctx, map)?;
    Ok(Vec::new())
}

pub fn object_map_resize(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let ResizeInput { object_count, default_state } = decode_input(input)?;
    if object_count > MAX_OBJECT_COUNT {
        return Err(errno(libc::EINVAL, "object map too large"));
    }
    let mut map = match read(ctx) {
        Ok(m) => m,
        Err(e) if e.errno() == libc::ENOENT => BitVector2::new(0),
        Err(e) => return Err(e),
    };
    let orig = map.len();
    if object_count < orig {
        if (object_count..orig).any(|i| map.get(i) != default_state) {
            return Err(errno(libc::ESTALE, "object map shows objects still existing"));
        }
        map.resize(object_count);
    } else if object_count > orig {
        map.resize(object_count);
        for i in orig..object_count {
            map.set(i, default_state);
        }
    }
    write(ctx, map)?;
    Ok(Vec::new())
}

pub fn object_map_update(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let UpdateInput { start_object_no: start, end_object_no: end, new_state, current_state } = decode_input(input)?;
    ctx.stat()?;
    let mut map = read(ctx)?;
    if start >= end || end > map.len() {
        return Err(errno(libc::ERANGE, "object range outside the map"));
    }
    let mut updated = false;
    for i in start..end {
        let state = map.get(i);
        let matches = match current_state {
            None => true,
            Some(c) => state == c || (c == EXISTS && state == EXISTS_CLEAN),
        };
        if matches && state != new_state {
            map.set(i, new_state);
            updated = true;
        }
    }
    if updated {
        write(ctx, map)?;
    }
    Ok(Vec::new())
}
/// At a snapshot: every object that EXISTS becomes EXISTS_CLEAN (unchanged
/// since the newest snapshot, for fast-diff). Written only when one changed.
pub fn object_map_snap_add(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let mut map = read(ctx)?;
    let mut updated = false;
    for i in 0..map.len() {
        if map.get(i) == EXISTS {
            map.set(i, EXISTS_CLEAN);
            updated = true;
        }
    }
    if updated {
        write(ctx, map)?;
    }
    Ok(Vec::new())
}

/// When a snapshot goes, the next map (a newer snapshot's or the head's)
/// takes its changes: an object EXISTS_CLEAN here becomes EXISTS when it
/// EXISTS in the removed snapshot's map (the input) or lies past its end.
pub fn object_map_snap_remove(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let removed: BitVector2 = decode_input(input)?;
    let mut map = read(ctx)?;
    let mut updated = false;
    for i in 0..map.len() {
        if map.get(i) == EXISTS_CLEAN && (i >= removed.len() || removed.get(i) == EXISTS) {
            map.set(i, EXISTS);
            updated = true;
        }
    }
    if updated {
        write(ctx, map)?;
    }
    Ok(Vec::new())
}
