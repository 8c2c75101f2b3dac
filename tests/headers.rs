//! The committed headers in include/ are exactly what build.rs generates from
//! the Rust definitions. `make headers` (CEPHRS_UPDATE_HEADERS=1) rewrites them.

use std::path::Path;

const HEADERS: [&str; 4] = ["rbd/librbd.h", "rbd/features.h", "rados/librados.h", "rados/rados_types.h"];

#[test]
fn committed_headers_are_current() {
    let generated = Path::new(env!("OUT_DIR")).join("include");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let update = std::env::var("CEPHRS_UPDATE_HEADERS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for header in HEADERS {
        let new = std::fs::read_to_string(generated.join(header)).expect("generated header");
        let old = std::fs::read_to_string(committed.join(header)).unwrap_or_default();
        if new != old {
            if update {
                std::fs::create_dir_all(committed.join(header).parent().unwrap()).unwrap();
                std::fs::write(committed.join(header), new).unwrap();
            } else {
                stale.push(header);
            }
        }
    }
    assert!(stale.is_empty(), "include/ differs from the Rust definitions for {stale:?}: run `make headers`");
}
