//! The RBD engine on the local store: what this library refuses rather than fakes.

use std::sync::Arc;

use cephrs::cls::rbd::features;
use cephrs::config::EntityName;
use cephrs::rados::{ConfigContext, IoCtx, Rados};
use cephrs::rbd::{create, list, CreateSpec};

/// Journaling is not provided: creating a journaled image is -EOPNOTSUPP and
/// leaves nothing behind (upstream would also create the journal).
#[test]
fn journaled_image_is_refused_not_faked() {
    let dir = std::env::temp_dir().join(format!("cephrs-test-rbd-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ctx = ConfigContext::new(EntityName::client("admin"), "ceph");
    ctx.config().set("rados_local_store", dir.to_str().unwrap()).unwrap();
    let r = Rados::new(ctx);
    r.connect().unwrap();
    r.backend().unwrap().pool_create("rbd", None).unwrap();
    let io = Arc::new(IoCtx::new(r.clone(), r.pool_by_name("rbd").unwrap()).unwrap());
    let journaled =
        CreateSpec { features: Some(features::EXCLUSIVE_LOCK | features::JOURNALING), ..Default::default() };
    let err = create(&io, "j", 1 << 22, &journaled).unwrap_err();
    assert_eq!(err.errno(), libc::EOPNOTSUPP);
    assert!(list(&io).unwrap().is_empty());
    // the same image without journaling is created
    let plain = CreateSpec { features: Some(features::EXCLUSIVE_LOCK), ..Default::default() };
    create(&io, "j", 1 << 22, &plain).unwrap();
    assert_eq!(list(&io).unwrap().len(), 1);
    r.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
