//! RBD mirroring: pool and image mirroring, peers, status.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_site_name_get(cluster: rados_t, name: *mut c_char, max_len: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_site_name_set(cluster: rados_t, name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_mode_get(io_ctx: rados_ioctx_t, mirror_mode: *mut rbd_mirror_mode_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_mode_set(io_ctx: rados_ioctx_t, mirror_mode: MirrorModeArg) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_uuid_get(io_ctx: rados_ioctx_t, uuid: *mut c_char, max_len: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_bootstrap_create(
    io_ctx: rados_ioctx_t,
    token: *mut c_char,
    max_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_bootstrap_import(
    io_ctx: rados_ioctx_t,
    direction: MirrorPeerDirectionArg,
    token: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_add(
    io_ctx: rados_ioctx_t,
    uuid: *mut c_char,
    uuid_max_length: usize,
    direction: MirrorPeerDirectionArg,
    site_name: *const c_char,
    client_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_set_name(
    io_ctx: rados_ioctx_t,
    uuid: *const c_char,
    site_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_set_client_name(
    io_ctx: rados_ioctx_t,
    uuid: *const c_char,
    client_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_set_direction(
    io_ctx: rados_ioctx_t,
    uuid: *const c_char,
    direction: MirrorPeerDirectionArg,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_remove(io_ctx: rados_ioctx_t, uuid: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_list(
    io_ctx: rados_ioctx_t,
    peers: *mut rbd_mirror_peer_site_t,
    max_peers: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_list_cleanup(peers: *mut rbd_mirror_peer_site_t, max_peers: c_int) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_get_attributes(
    p: rados_ioctx_t,
    uuid: *const c_char,
    keys: *mut c_char,
    max_key_len: *mut usize,
    values: *mut c_char,
    max_value_len: *mut usize,
    key_value_count: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_site_set_attributes(
    p: rados_ioctx_t,
    uuid: *const c_char,
    keys: *const c_char,
    values: *const c_char,
    key_value_count: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_global_status_list(
    io_ctx: rados_ioctx_t,
    start_id: *const c_char,
    max: usize,
    image_ids: *mut *mut c_char,
    images: *mut rbd_mirror_image_global_status_t,
    len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_global_status_list_cleanup(
    image_ids: *mut *mut c_char,
    images: *mut rbd_mirror_image_global_status_t,
    len: usize,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_add(
    io_ctx: rados_ioctx_t,
    uuid: *mut c_char,
    uuid_max_length: usize,
    cluster_name: *const c_char,
    client_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_remove(io_ctx: rados_ioctx_t, uuid: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_list(
    io_ctx: rados_ioctx_t,
    peers: *mut rbd_mirror_peer_t,
    max_peers: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_list_cleanup(peers: *mut rbd_mirror_peer_t, max_peers: c_int) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_set_client(
    io_ctx: rados_ioctx_t,
    uuid: *const c_char,
    client_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_set_cluster(
    io_ctx: rados_ioctx_t,
    uuid: *const c_char,
    cluster_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_get_attributes(
    p: rados_ioctx_t,
    uuid: *const c_char,
    keys: *mut c_char,
    max_key_len: *mut usize,
    values: *mut c_char,
    max_value_len: *mut usize,
    key_value_count: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_peer_set_attributes(
    p: rados_ioctx_t,
    uuid: *const c_char,
    keys: *const c_char,
    values: *const c_char,
    key_value_count: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_status_list(
    io_ctx: rados_ioctx_t,
    start_id: *const c_char,
    max: usize,
    image_ids: *mut *mut c_char,
    images: *mut rbd_mirror_image_status_t,
    len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_status_list_cleanup(
    image_ids: *mut *mut c_char,
    images: *mut rbd_mirror_image_status_t,
    len: usize,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_status_summary(
    io_ctx: rados_ioctx_t,
    states: *mut rbd_mirror_image_status_state_t,
    counts: *mut c_int,
    maxlen: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_instance_id_list(
    io_ctx: rados_ioctx_t,
    start_id: *const c_char,
    max: usize,
    image_ids: *mut *mut c_char,
    instance_ids: *mut *mut c_char,
    len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_instance_id_list_cleanup(
    image_ids: *mut *mut c_char,
    instance_ids: *mut *mut c_char,
    len: usize,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_info_list(
    io_ctx: rados_ioctx_t,
    mode_filter: *mut rbd_mirror_image_mode_t,
    start_id: *const c_char,
    max: usize,
    image_ids: *mut *mut c_char,
    mode_entries: *mut rbd_mirror_image_mode_t,
    info_entries: *mut rbd_mirror_image_info_t,
    num_entries: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_info_list_cleanup(
    image_ids: *mut *mut c_char,
    info_entries: *mut rbd_mirror_image_info_t,
    num_entries: usize,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_mirror_namespace(
    image: rbd_image_t,
    snap_id: u64,
    mirror_snap: *mut rbd_snap_mirror_namespace_t,
    mirror_snap_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_mirror_namespace_cleanup(
    mirror_snap: *mut rbd_snap_mirror_namespace_t,
    mirror_snap_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_enable(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_enable2(image: rbd_image_t, mode: MirrorImageModeArg) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_disable(image: rbd_image_t, force: bool) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_promote(image: rbd_image_t, force: bool) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_demote(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_resync(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_create_snapshot(image: rbd_image_t, snap_id: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_create_snapshot2(image: rbd_image_t, flags: u32, snap_id: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_info(
    image: rbd_image_t,
    mirror_image_info: *mut rbd_mirror_image_info_t,
    info_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_info_cleanup(mirror_image_info: *mut rbd_mirror_image_info_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_mode(image: rbd_image_t, mode: *mut rbd_mirror_image_mode_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_global_status(
    image: rbd_image_t,
    mirror_image_global_status: *mut rbd_mirror_image_global_status_t,
    status_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_global_status_cleanup(
    mirror_image_global_status: *mut rbd_mirror_image_global_status_t,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_status(
    image: rbd_image_t,
    mirror_image_status: *mut rbd_mirror_image_status_t,
    status_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_mirror_image_get_instance_id(
    image: rbd_image_t,
    instance_id: *mut c_char,
    id_max_length: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_promote(image: rbd_image_t, force: bool, c: rbd_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_demote(image: rbd_image_t, c: rbd_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_get_info(
    image: rbd_image_t,
    mirror_image_info: *mut rbd_mirror_image_info_t,
    info_size: usize,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_get_mode(
    image: rbd_image_t,
    mode: *mut rbd_mirror_image_mode_t,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_get_global_status(
    image: rbd_image_t,
    mirror_global_image_status: *mut rbd_mirror_image_global_status_t,
    status_size: usize,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_get_status(
    image: rbd_image_t,
    mirror_image_status: *mut rbd_mirror_image_status_t,
    status_size: usize,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_mirror_image_create_snapshot(
    image: rbd_image_t,
    flags: u32,
    snap_id: *mut u64,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}
