//! Cleanup of image spec arrays returned to C.

use crate::capi::prelude::*;

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_spec_cleanup(image: *mut rbd_image_spec_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_spec_list_cleanup(images: *mut rbd_image_spec_t, num_images: usize) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_linked_image_spec_cleanup(image: *mut rbd_linked_image_spec_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_linked_image_spec_list_cleanup(images: *mut rbd_linked_image_spec_t, num_images: usize) {
    enosys!()
}
