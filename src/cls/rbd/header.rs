//! Methods on `rbd_header.<id>`: the image's size, order, features, flags,
//! striping, timestamps, snap context and parent spec, kept as omap keys.

use super::features::{self as f};
use super::{
    check_exists, out, read_key, read_key_or, remove_key, require_feature, write_key, NOSNAP, SNAP_KEY_PREFIX,
};
use crate::cls::{decode_input, errno, ObjectContext};
use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::Result;
use crate::plain_struct;

plain_struct! {
    /// `create` input.
    pub struct CreateInput {
        pub size: u64,
        pub order: u8,
        pub features: u64,
        pub object_prefix: String,
        pub data_pool_id: i64,
    }
}

plain_struct! {
    /// `get_features` input.
    pub struct GetFeaturesInput {
        pub snap_id: u64,
        pub read_only: bool,
    }
}

plain_struct! {
    /// `get_features` output.
    pub struct Features {
        pub features: u64,
        pub incompatible: u64,
    }
}

plain_struct! {
    /// `set_features` and `op_features_set` input, `set_flags` (with `snap_id`) too.
    pub struct FeaturesMask {
        pub features: u64,
        pub mask: u64,
    }
}

plain_struct! {
    /// `set_flags` input.
    pub struct SetFlagsInput {
        pub flags: u64,
        pub mask: u64,
        pub snap_id: u64,
    }
}

plain_struct! {
    /// `get_size` output.
    pub struct SizeOrder {
        pub order: u8,
        pub size: u64,
    }
}

plain_struct! {
    /// `get_stripe_unit_count` output and `set_stripe_unit_count` input.
    pub struct Striping {
        pub stripe_unit: u64,
        pub stripe_count: u64,
    }
}

plain_struct! {
    /// `get_snapcontext` output (`SnapContext`: seq, then snapshot ids, newest first).
    pub struct SnapContextOut {
        pub seq: u64,
        pub snaps: Vec<u64>,
    }
}

/// `cls::rbd::ParentImageSpec` (`parent_get` output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentImageSpec {
    pub pool_id: i64,
    pub pool_namespace: String,
    pub image_id: String,
    pub snap_id: u64,
}

impl Default for ParentImageSpec {
    fn default() -> Self {
        ParentImageSpec { pool_id: -1, pool_namespace: String::new(), image_id: String::new(), snap_id: NOSNAP }
    }
}

impl ParentImageSpec {
    pub fn exists(&self) -> bool {
        self.pool_id >= 0 && !self.image_id.is_empty() && self.snap_id != NOSNAP
    }
}

impl Encode for ParentImageSpec {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 1, 1, |o| {
            self.pool_id.encode(o);
            self.pool_namespace.encode(o);
            self.image_id.encode(o);
            self.snap_id.encode(o);
        });
    }
}

impl Decode for ParentImageSpec {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(ParentImageSpec {
                pool_id: Decode::decode(d)?,
                pool_namespace: Decode::decode(d)?,
                image_id: Decode::decode(d)?,
                snap_id: Decode::decode(d)?,
            })
        })
    }
}

/// Reads an optional trailing field of an input.
fn trailing<T: Decode>(d: &mut Decoder<'_>, default: T) -> Result<T> {
    if d.is_empty() {
        Ok(default)
    } else {
        T::decode(d).map_err(|_| errno(libc::EINVAL, "cannot decode method input"))
    }
}

fn einval() -> crate::error::Error {
    errno(libc::EINVAL, "cannot decode method input")
}

pub fn create(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let (size, order, features, object_prefix) =
        (|| Ok::<_, crate::error::Error>((d.u64()?, d.u8()?, d.u64()?, d.string()?)))().map_err(|_| einval())?;
    let data_pool_id: i64 = trailing(&mut d, -1)?;
    if features & !f::ALL != 0 {
        return Err(errno(libc::ENOSYS, "unknown features"));
    }
    if object_prefix.is_empty() {
        return Err(errno(libc::EINVAL, "empty object prefix"));
    }
    match ctx.omap_get(b"object_prefix") {
        Err(e) if e.errno() == libc::ENOENT => {}
        _ => return Err(errno(libc::EEXIST, "image header exists")),
    }
    if features & f::OPERATIONS != 0 {
        return Err(errno(libc::EINVAL, "internal feature"));
    }
    let now = ctx.now();
    let mut vals: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"size".to_vec(), size.to_bytes()),
        (b"order".to_vec(), order.to_bytes()),
        (b"features".to_vec(), features.to_bytes()),
        (b"object_prefix".to_vec(), object_prefix.to_bytes()),
        (b"snap_seq".to_vec(), 0u64.to_bytes()),
        (b"create_timestamp".to_vec(), now.to_bytes()),
        (b"access_timestamp".to_vec(), now.to_bytes()),
        (b"modify_timestamp".to_vec(), now.to_bytes()),
    ];
    if features & f::DATA_POOL != 0 {
        if data_pool_id == -1 {
            return Err(errno(libc::EINVAL, "data pool feature without a data pool"));
        }
        vals.push((b"data_pool_id".to_vec(), data_pool_id.to_bytes()));
    } else if data_pool_id != -1 {
        return Err(errno(libc::EINVAL, "data pool without the data pool feature"));
    }
    vals.sort();
    ctx.omap_set(&vals)?;
    Ok(Vec::new())
}

pub fn get_features(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let _snap_id = d.u64().map_err(|_| einval())?;
    let read_only: bool = trailing(&mut d, false)?;
    let features: u64 = read_key(ctx, "features")?;
    let incompatible = features & if read_only { f::INCOMPATIBLE } else { f::RW_INCOMPATIBLE };
    out(&Features { features, incompatible })
}

pub fn set_features(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let FeaturesMask { features, mask } = decode_input(input)?;
    let orig: u64 = read_key_or(ctx, "features", 0)?;
    if mask & f::INTERNAL != 0 {
        return Err(errno(libc::EINVAL, "internal feature"));
    }
    let mask = mask & f::ALL;
    let enabled = features & mask;
    if enabled & f::MUTABLE != enabled {
        return Err(errno(libc::EINVAL, "immutable feature"));
    }
    let disabled = !features & mask;
    if disabled & (f::MUTABLE | f::DISABLE_ONLY) != disabled {
        return Err(errno(libc::EINVAL, "immutable feature"));
    }
    write_key(ctx, "features", &((orig & !mask) | (features & mask)))?;
    Ok(Vec::new())
}

pub fn get_size(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let snap_id: u64 = decode_input(input)?;
    let order: u8 = read_key(ctx, "order")?;
    let size =
        if snap_id == NOSNAP { read_key(ctx, "size")? } else { super::snapshot::record_image_size(ctx, snap_id)? };
    out(&SizeOrder { order, size })
}

pub fn set_size(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let size: u64 = decode_input(input)?;
    let _orig: u64 = read_key(ctx, "size")?;
    write_key(ctx, "size", &size)?;
    // a shrink also shrinks the parent overlap: no parents on images made here yet
    Ok(Vec::new())
}

pub fn get_object_prefix(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let prefix: String = read_key(ctx, "object_prefix")?;
    out(&prefix)
}

pub fn get_data_pool(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    out(&read_key_or::<i64>(ctx, "data_pool_id", -1)?)
}

pub fn get_flags(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let snap_id: u64 = decode_input(input)?;
    if snap_id != NOSNAP {
        // a snapshot's flags live in its record
        return out(&super::snapshot::record_flags(ctx, snap_id)?);
    }
    out(&read_key_or::<u64>(ctx, "flags", 0)?)
}

pub fn set_flags(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let (flags, mask) = (d.u64().map_err(|_| einval())?, d.u64().map_err(|_| einval())?);
    let snap_id: u64 = trailing(&mut d, NOSNAP)?;
    if snap_id != NOSNAP {
        super::snapshot::set_record_flags(ctx, snap_id, flags, mask)?;
        return Ok(Vec::new());
    }
    let orig: u64 = read_key_or(ctx, "flags", 0)?;
    write_key(ctx, "flags", &((orig & !mask) | (flags & mask)))?;
    Ok(Vec::new())
}

pub fn op_features_get(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    out(&read_key_or::<u64>(ctx, "op_features", 0)?)
}

/// `image::set_op_features`: keeps `features`' OPERATIONS bit in step.
pub fn set_op_features(ctx: &mut dyn ObjectContext, op_features: u64, mask: u64) -> Result<()> {
    let orig_features: u64 = read_key(ctx, "features")?;
    let orig: u64 = read_key_or(ctx, "op_features", 0)?;
    let new = (orig & !mask) | (op_features & mask);
    if new == orig {
        return Ok(());
    }
    let mut features = orig_features;
    if new == 0 {
        features &= !f::OPERATIONS;
        remove_key(ctx, "op_features")?;
    } else {
        features |= f::OPERATIONS;
        write_key(ctx, "op_features", &new)?;
    }
    if features != orig_features {
        write_key(ctx, "features", &features)?;
    }
    Ok(())
}

pub fn op_features_set(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let FeaturesMask { features, mask } = decode_input(input)?;
    if mask & !f::op::ALL != 0 {
        return Err(errno(libc::EINVAL, "unsupported op features"));
    }
    set_op_features(ctx, features, mask)?;
    Ok(Vec::new())
}

pub fn get_stripe_unit_count(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    check_exists(ctx)?;
    require_feature(ctx, f::STRIPINGV2)?;
    let stripe_unit = match read_key::<u64>(ctx, "stripe_unit") {
        Err(e) if e.errno() == libc::ENOENT => {
            let order: u8 = read_key(ctx, "order").map_err(|_| errno(libc::EIO, "no order"))?;
            1u64 << order
        }
        other => other?,
    };
    let stripe_count = read_key_or(ctx, "stripe_count", 1u64)?;
    out(&Striping { stripe_unit, stripe_count })
}

pub fn set_stripe_unit_count(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let Striping { stripe_unit, stripe_count } = decode_input(input)?;
    if stripe_unit == 0 || stripe_count == 0 {
        return Err(errno(libc::EINVAL, "zero stripe unit or count"));
    }
    check_exists(ctx)?;
    require_feature(ctx, f::STRIPINGV2)?;
    let order: u8 = read_key(ctx, "order")?;
    let object_size = 1u64 << order;
    if object_size % stripe_unit != 0 || stripe_unit > object_size {
        return Err(errno(libc::EINVAL, "stripe unit is not a factor of the object size"));
    }
    write_key(ctx, "stripe_unit", &stripe_unit)?;
    write_key(ctx, "stripe_count", &stripe_count)?;
    Ok(Vec::new())
}

fn get_timestamp(ctx: &mut dyn ObjectContext, key: &str) -> Result<Vec<u8>> {
    out(&read_key_or(ctx, key, UTime::default())?)
}

pub fn get_create_timestamp(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    get_timestamp(ctx, "create_timestamp")
}

pub fn get_access_timestamp(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    get_timestamp(ctx, "access_timestamp")
}

pub fn get_modify_timestamp(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    get_timestamp(ctx, "modify_timestamp")
}

pub fn set_access_timestamp(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    check_exists(ctx)?;
    let now = ctx.now();
    write_key(ctx, "access_timestamp", &now)?;
    Ok(Vec::new())
}

pub fn set_modify_timestamp(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    check_exists(ctx)?;
    let now = ctx.now();
    write_key(ctx, "modify_timestamp", &now)?;
    Ok(Vec::new())
}

pub fn get_snapcontext(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let mut snaps = Vec::new();
    let mut last = SNAP_KEY_PREFIX.as_bytes().to_vec();
    loop {
        let (keys, more) = ctx.omap_list(&last, b"", super::MAX_KEYS_READ)?;
        let mut done = !more;
        for (k, _) in &keys {
            let Some(hex) = k.strip_prefix(SNAP_KEY_PREFIX.as_bytes()) else {
                done = true;
                break;
            };
            let id = std::str::from_utf8(hex).ok().and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or(0);
            snaps.push(id);
        }
        match keys.last() {
            Some((k, _)) if !done => last = k.clone(),
            _ => break,
        }
    }
    let seq: u64 = read_key(ctx, "snap_seq")?;
    snaps.reverse();
    out(&SnapContextOut { seq, snaps })
}

pub fn parent_get(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    check_exists(ctx)?;
    let mut spec = ParentImageSpec::default();
    if require_feature(ctx, f::LAYERING).is_ok() {
        if let Ok(bytes) = ctx.omap_get(b"parent") {
            spec = decode_parent(&bytes)?;
        }
    }
    out(&spec)
}

/// `cls_rbd_parent`: ENCODE_START(2 or 1, 1) pool, [namespace], image, snap, overlap.
fn decode_parent(bytes: &[u8]) -> Result<ParentImageSpec> {
    Decoder::new(bytes)
        .versioned(2, |v, d| {
            let pool_id = d.i64()?;
            let pool_namespace = if v >= 2 { d.string()? } else { String::new() };
            Ok(ParentImageSpec { pool_id, pool_namespace, image_id: d.string()?, snap_id: d.u64()? })
        })
        .map_err(|_| errno(libc::EIO, "cannot decode parent"))
}

pub fn parent_overlap_get(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let _snap_id: u64 = decode_input(input)?;
    let _ = check_exists(ctx);
    // images made here have no parent yet
    out(&None::<u64>)
}

pub fn snapshot_get_limit(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    out(&read_key_or(ctx, "snap_limit", u64::MAX)?)
}

pub fn get_all_features(_ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    out(&f::ALL)
}
