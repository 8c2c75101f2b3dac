//! Image encryption (LUKS).

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_encryption_format(
    image: rbd_image_t,
    format: EncryptionFormatArg,
    opts: rbd_encryption_options_t,
    opts_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_encryption_load(
    image: rbd_image_t,
    format: EncryptionFormatArg,
    opts: rbd_encryption_options_t,
    opts_size: usize,
) -> c_int {
    enosys!()
}
