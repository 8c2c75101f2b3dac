//! Clones: create, flatten, parent and children.

use super::image_handle;
use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_clone(
    p_ioctx: rados_ioctx_t,
    p_name: *const c_char,
    p_snapname: *const c_char,
    c_ioctx: rados_ioctx_t,
    c_name: *const c_char,
    features: u64,
    c_order: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_clone2(
    p_ioctx: rados_ioctx_t,
    p_name: *const c_char,
    p_snapname: *const c_char,
    c_ioctx: rados_ioctx_t,
    c_name: *const c_char,
    features: u64,
    c_order: *mut c_int,
    stripe_unit: u64,
    stripe_count: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_clone3(
    p_ioctx: rados_ioctx_t,
    p_name: *const c_char,
    p_snapname: *const c_char,
    c_ioctx: rados_ioctx_t,
    c_name: *const c_char,
    c_opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Deprecated form of `rbd_get_parent`: -ENOENT, as for every image this
/// library opens (none has a parent); nothing is written. Errors: -EBADF.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_get_parent_info(
    image: rbd_image_t,
    parent_poolname: *mut c_char,
    ppoolnamelen: usize,
    parent_name: *mut c_char,
    pnamelen: usize,
    parent_snapname: *mut c_char,
    psnapnamelen: usize,
) -> c_int {
    entry(|| -> Result<c_int> {
        let image = image_handle::image(image)?;
        image.check_open()?;
        Err(Error::not_found("the image has no parent"))
    })
}

/// Deprecated form of `rbd_get_parent`: -ENOENT, as for every image this
/// library opens (none has a parent); nothing is written. Errors: -EBADF.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_get_parent_info2(
    image: rbd_image_t,
    parent_poolname: *mut c_char,
    ppoolnamelen: usize,
    parent_name: *mut c_char,
    pnamelen: usize,
    parent_id: *mut c_char,
    pidlen: usize,
    parent_snapname: *mut c_char,
    psnapnamelen: usize,
) -> c_int {
    entry(|| -> Result<c_int> {
        let image = image_handle::image(image)?;
        image.check_open()?;
        Err(Error::not_found("the image has no parent"))
    })
}

/// The parent of a clone. This library opens no clones (`-ENOSYS` at
/// open), so an open image has none: -ENOENT, as upstream answers for an
/// image without a parent; nothing is written. Errors: -EBADF (closed).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_parent(
    image: rbd_image_t,
    parent_image: *mut rbd_linked_image_spec_t,
    parent_snap: *mut rbd_snap_spec_t,
) -> c_int {
    entry(|| -> Result<c_int> {
        let image = image_handle::image(image)?;
        image.check_open()?;
        Err(Error::not_found("the image has no parent"))
    })
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_flatten(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_flatten_with_progress(
    image: rbd_image_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list_children(
    image: rbd_image_t,
    pools: *mut c_char,
    pools_len: *mut usize,
    images: *mut c_char,
    images_len: *mut usize,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list_children2(
    image: rbd_image_t,
    children: *mut rbd_child_info_t,
    max_children: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list_child_cleanup(child: *mut rbd_child_info_t) {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list_children_cleanup(children: *mut rbd_child_info_t, num_children: usize) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_list_children3(
    image: rbd_image_t,
    images: *mut rbd_linked_image_spec_t,
    max_images: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_list_descendants(
    image: rbd_image_t,
    images: *mut rbd_linked_image_spec_t,
    max_images: *mut usize,
) -> c_int {
    enosys!()
}
