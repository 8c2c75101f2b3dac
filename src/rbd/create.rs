//! Image creation (`librbd::image::CreateRequest`): the same validations, the
//! same objects written in the same order, and the same clean-up on failure.

use std::sync::Arc;

use super::layout::Layout;
use super::object_names::{data_prefix, header_object, id_object, object_map_object, DIRECTORY, INFO};
use super::ImageOptions;
use crate::cls::rbd::directory::NameId;
use crate::cls::rbd::features as f;
use crate::cls::rbd::header::{CreateInput, Striping};
use crate::cls::rbd::object_map::{ResizeInput, MAX_OBJECT_COUNT};
use crate::cls::rbd::CLASS as RBD;
use crate::denc::Encode;
use crate::error::{Error, Result};
use crate::rados::op::{ObjectOperation, OpStep};
use crate::rados::{check, IoCtx};

/// `RBD_MAX_BLOCK_NAME_PREFIX_LENGTH`: upstream accepts a 24-character
/// prefix (seen on a cluster: `rbd_data.31.106c50a42d0b`, a data pool image).
const MAX_PREFIX_LEN: usize = 24;
/// `RBD_MAX_IMAGE_ID_LENGTH`.
const MAX_ID_LEN: usize = 24;

/// What a create call asks for (unset fields take the configuration's defaults).
#[derive(Clone, Debug, Default)]
pub struct CreateSpec {
    pub features: Option<u64>,
    pub features_set: u64,
    pub features_clear: u64,
    pub order: Option<u8>,
    pub stripe_unit: Option<u64>,
    pub stripe_count: Option<u64>,
    pub data_pool: Option<String>,
}

impl CreateSpec {
    /// From image options (`rbd_create4`).
    pub fn from_options(opts: &ImageOptions) -> Result<CreateSpec> {
        use super::ImageOption as O;
        let num = |o| opts.get_u64(o).ok();
        Ok(CreateSpec {
            features: num(O::Features),
            features_set: num(O::FeaturesSet).unwrap_or(0),
            features_clear: num(O::FeaturesClear).unwrap_or(0),
            order: num(O::Order).map(|o| o as u8),
            stripe_unit: num(O::StripeUnit),
            stripe_count: num(O::StripeCount),
            data_pool: opts.get_str(O::DataPool).ok().filter(|s| !s.is_empty()).map(str::to_string),
        })
    }
}

/// A new image id: hex client id then a random 32-bit hex number, as upstream.
pub fn generate_id(io: &IoCtx) -> String {
    let gid = io.backend().instance_id();
    let id = format!("{gid:x}{:x}", random_u32());
    if id.len() > MAX_ID_LEN {
        id[id.len() - MAX_ID_LEN..].to_string()
    } else {
        id
    }
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b)).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return (t.as_nanos() as u32) ^ std::process::id();
    }
    u32::from_le_bytes(b)
}

/// Creates image `name` of `size` bytes. Errors: EINVAL (bad name, features,
/// striping, size too big for an object map), EDOM (order outside 12–25),
/// ENOSYS (unknown features), EEXIST (name taken), ENOENT (no data pool).
/// Returns the order used (the default when the spec leaves it open).
pub fn create(io: &Arc<IoCtx>, name: &str, size: u64, spec: &CreateSpec) -> Result<u8> {
    let conf = io.rados().context().config();
    let negotiate = spec.features.is_none();
    let mut features = match spec.features {
        Some(f) => f,
        None => f::parse_names_or_number(&conf.get_str("rbd_default_features"))
            .ok_or_else(|| Error::invalid("rbd_default_features"))?,
    };
    let (set, clear) = (spec.features_set & !spec.features_clear, spec.features_clear & !spec.features_set);
    features = (features | set) & !clear;
    // object map implies fast diff; fast diff alone is dropped (Pacific)
    if features & f::OBJECT_MAP != 0 {
        features |= f::FAST_DIFF;
    } else {
        features &= !f::FAST_DIFF;
    }
    let stripe_unit = spec.stripe_unit.filter(|&u| u != 0).unwrap_or_else(|| conf.get_u64("rbd_default_stripe_unit"));
    let stripe_count =
        spec.stripe_count.filter(|&c| c != 0).unwrap_or_else(|| conf.get_u64("rbd_default_stripe_count"));
    let order = spec.order.filter(|&o| o != 0).unwrap_or_else(|| conf.get_u64("rbd_default_order") as u8);
    let data_pool = spec.data_pool.clone().unwrap_or_else(|| conf.get_str("rbd_default_data_pool"));
    drop(conf);
    if name.is_empty() {
        return Err(Error::invalid("empty image name"));
    }
    let data_pool = (!data_pool.is_empty() && data_pool != io.pool_name()).then_some(data_pool);
    if data_pool.is_some() {
        features |= f::DATA_POOL;
    } else {
        features &= !f::DATA_POOL;
    }
    if (stripe_unit != 0 && stripe_unit != 1u64 << order.min(63)) || (stripe_count != 0 && stripe_count != 1) {
        features |= f::STRIPINGV2;
    } else {
        features &= !f::STRIPINGV2;
    }
    validate_features(features)?;
    if !(12..=25).contains(&order) {
        return Err(Error::OutOfDomain("order must be in [12, 25]".into()));
    }
    let object_size = 1u64 << order;
    if (stripe_unit != 0) != (stripe_count != 0) {
        return Err(Error::invalid("stripe unit and stripe count go together"));
    }
    if stripe_unit != 0 && (object_size % stripe_unit != 0 || stripe_unit > object_size) {
        return Err(Error::invalid("stripe unit is not a factor of the object size"));
    }
    let layout = Layout::new(order, stripe_unit, stripe_count);
    if features & f::OBJECT_MAP != 0 && layout.num_objects(size) > MAX_OBJECT_COUNT {
        return Err(Error::invalid("image size not compatible with object map"));
    }
    let data_io = match &data_pool {
        Some(p) => {
            let pool = io.rados().pool_by_name(p)?;
            let d = IoCtx::new(io.rados().clone(), pool)?;
            d.set_namespace(&io.namespace());
            d
        }
        None => io.clone(),
    };
    if io.rados().context().config().get_bool("rbd_validate_pool") {
        validate_pool(&data_io)?;
    }
    let id = generate_id(io);
    // directory entry
    let mut op = ObjectOperation::new();
    op.push(OpStep::Exec {
        class: RBD.into(),
        method: "dir_add_image".into(),
        input: NameId { name: name.to_string(), id: id.clone() }.to_bytes(),
    });
    match check(&io.operate(DIRECTORY.as_bytes(), op)) {
        Err(e) if e.errno() == libc::EEXIST => return Err(Error::AlreadyExists(format!("image {name}"))),
        other => other?,
    }
    let cleanup = Cleanup { io, name, id: &id, header: false, object_map: false };
    // id object
    let mut op = ObjectOperation::new();
    op.push(OpStep::Create { exclusive: true });
    op.push(OpStep::Exec { class: RBD.into(), method: "set_id".into(), input: id.clone().to_bytes() });
    check(&io.operate(id_object(name).as_bytes(), op))?;
    if negotiate {
        if let Ok(out) = io.exec(DIRECTORY.as_bytes(), RBD, "get_all_features", Vec::new()) {
            if let Ok(all) = <u64 as crate::denc::Decode>::from_bytes(&out) {
                features &= all;
            }
        }
    }
    // header
    let prefix = data_prefix(&id, data_pool.as_ref().map(|_| io.pool_id()));
    if prefix.len() > MAX_PREFIX_LEN {
        return cleanup.fail(Error::invalid("object prefix too long"));
    }
    let mut cleanup = cleanup;
    let header = header_object(&id);
    let mut op = ObjectOperation::new();
    op.push(OpStep::Create { exclusive: true });
    op.push(OpStep::Exec {
        class: RBD.into(),
        method: "create".into(),
        input: CreateInput {
            size,
            order,
            features,
            object_prefix: prefix,
            data_pool_id: if data_pool.is_some() { data_io.pool_id() } else { -1 },
        }
        .to_bytes(),
    });
    if let Err(e) = check(&io.operate(header.as_bytes(), op)) {
        if e.errno() == libc::EEXIST {
            // another image has this id: upstream's CreateRequest answers EBADF
            return Err(Error::BadHandle);
        }
        return cleanup.fail(e);
    }
    cleanup.header = true;
    let default_striping = (stripe_unit == 0 && stripe_count == 0) || (stripe_count == 1 && stripe_unit == object_size);
    if !default_striping {
        let input = Striping { stripe_unit, stripe_count }.to_bytes();
        if let Err(e) = io.exec(header.as_bytes(), RBD, "set_stripe_unit_count", input) {
            return cleanup.fail(e);
        }
    }
    if features & f::OBJECT_MAP != 0 {
        let input = ResizeInput { object_count: layout.num_objects(size), default_state: 0 }.to_bytes();
        cleanup.object_map = true;
        if let Err(e) = io.exec(object_map_object(&id, None).as_bytes(), RBD, "object_map_resize", input) {
            return cleanup.fail(e);
        }
    }
    Ok(order)
}

/// `validate_features` of CreateRequest.
fn validate_features(features: u64) -> Result<()> {
    if features & !f::ALL != 0 {
        return Err(Error::NotImplemented("requested features unknown to this library"));
    }
    if features & f::OPERATIONS != 0 {
        return Err(Error::invalid("internal feature"));
    }
    if features & f::FAST_DIFF != 0 && features & f::OBJECT_MAP == 0 {
        return Err(Error::invalid("fast diff needs the object map"));
    }
    if features & f::OBJECT_MAP != 0 && features & f::EXCLUSIVE_LOCK == 0 {
        return Err(Error::invalid("object map needs the exclusive lock"));
    }
    if features & f::JOURNALING != 0 && features & f::EXCLUSIVE_LOCK == 0 {
        return Err(Error::invalid("journaling needs the exclusive lock"));
    }
    if features & f::JOURNALING != 0 {
        // upstream also creates the journal (cls journal): not provided yet
        return Err(Error::NotSupported("journaling is not provided by this library yet".into()));
    }
    Ok(())
}

/// `ValidatePoolRequest`: the first image of a pool puts it in self-managed
/// snapshot mode and checks overwrites, leaving `rbd_info` = "overwrite validated".
fn validate_pool(io: &Arc<IoCtx>) -> Result<()> {
    const VALIDATED: &[u8] = b"overwrite validated";
    const VALIDATE: &[u8] = b"validate";
    let info = io.duplicate();
    info.set_namespace(b"");
    match info.read(INFO.as_bytes(), 0, 0) {
        Ok(d) if d == VALIDATED => return Ok(()),
        Ok(d) if d == VALIDATE => return overwrite_info(&info),
        Ok(_) => {}
        Err(e) if e.errno() == libc::ENOENT => {}
        Err(e) => return Err(e),
    }
    let backend = info.backend().clone();
    let snap = match backend.selfmanaged_snap_create(info.pool_id()) {
        Err(e) if e.errno() == libc::EINVAL => return Err(Error::invalid("pool does not support RBD images")),
        other => other?,
    };
    let mut op = ObjectOperation::new();
    op.push(OpStep::Create { exclusive: true });
    op.push(OpStep::Write { offset: 0, data: VALIDATE.to_vec().into() });
    let written = match check(&info.operate(INFO.as_bytes(), op)) {
        Err(e) if e.errno() == libc::EOPNOTSUPP => Err(Error::invalid("pool missing overwrite support")),
        Err(e) if e.errno() != libc::EEXIST => Err(e),
        _ => Ok(()),
    };
    let _ = backend.selfmanaged_snap_remove(info.pool_id(), snap);
    written?;
    overwrite_info(&info)
}

fn overwrite_info(io: &IoCtx) -> Result<()> {
    let op = ObjectOperation::single(OpStep::Write { offset: 0, data: b"overwrite validated".to_vec().into() });
    check(&io.operate(INFO.as_bytes(), op))
}

/// Undoes a half-made image, as CreateRequest's error path does.
struct Cleanup<'a> {
    io: &'a Arc<IoCtx>,
    name: &'a str,
    id: &'a str,
    header: bool,
    object_map: bool,
}

impl Cleanup<'_> {
    fn fail<T>(self, e: Error) -> Result<T> {
        let io = self.io;
        if self.object_map {
            let _ = io.operate(object_map_object(self.id, None).as_bytes(), ObjectOperation::single(OpStep::Remove));
        }
        if self.header {
            let _ = io.operate(header_object(self.id).as_bytes(), ObjectOperation::single(OpStep::Remove));
        }
        let _ = io.operate(id_object(self.name).as_bytes(), ObjectOperation::single(OpStep::Remove));
        let input = NameId { name: self.name.to_string(), id: self.id.to_string() }.to_bytes();
        let _ = io.exec(DIRECTORY.as_bytes(), RBD, "dir_remove_image", input);
        Err(e)
    }
}
