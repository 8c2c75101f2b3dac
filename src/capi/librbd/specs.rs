//! Cleanup of image spec arrays returned to C: frees the `malloc`'ed strings
//! and sets the pointers to NULL. NULL arguments are ignored.

use crate::capi::prelude::*;

/// Frees a string field and clears it.
///
/// # Safety
/// `field` holds NULL or a string this library allocated.
unsafe fn free_field(field: &mut *mut c_char) {
    // SAFETY: per this function's contract.
    unsafe { free_c(*field as *mut c_void) };
    *field = std::ptr::null_mut();
}

/// Frees the strings of one image spec.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_spec_cleanup(image: *mut rbd_image_spec_t) {
    entry(|| {
        // SAFETY: NULL or a spec this library filled.
        if let Some(spec) = unsafe { image.as_mut() } {
            // SAFETY: fields allocated by this library.
            unsafe {
                free_field(&mut spec.id);
                free_field(&mut spec.name);
            }
        }
        Ok(())
    })
}

/// Frees the strings of `num_images` image specs.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_spec_list_cleanup(images: *mut rbd_image_spec_t, num_images: usize) {
    entry(|| {
        // SAFETY: NULL or the caller's array of num_images specs this library filled.
        for spec in unsafe { c_slice_mut(images, num_images, "images") }? {
            // SAFETY: one spec of that array.
            unsafe { rbd_image_spec_cleanup(spec) };
        }
        Ok(())
    })
}

/// Frees the strings of one linked image spec.
#[no_mangle]
pub unsafe extern "C" fn rbd_linked_image_spec_cleanup(image: *mut rbd_linked_image_spec_t) {
    entry(|| {
        // SAFETY: NULL or a spec this library filled.
        if let Some(spec) = unsafe { image.as_mut() } {
            // SAFETY: fields allocated by this library.
            unsafe {
                free_field(&mut spec.pool_name);
                free_field(&mut spec.pool_namespace);
                free_field(&mut spec.image_id);
                free_field(&mut spec.image_name);
            }
        }
        Ok(())
    })
}

/// Frees the strings of `num_images` linked image specs.
#[no_mangle]
pub unsafe extern "C" fn rbd_linked_image_spec_list_cleanup(images: *mut rbd_linked_image_spec_t, num_images: usize) {
    entry(|| {
        // SAFETY: NULL or the caller's array of num_images specs this library filled.
        for spec in unsafe { c_slice_mut(images, num_images, "images") }? {
            // SAFETY: one spec of that array.
            unsafe { rbd_linked_image_spec_cleanup(spec) };
        }
        Ok(())
    })
}
