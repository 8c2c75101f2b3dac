//! The names of an image's RADOS objects (`librbd/Utils`, `ObjectMap`).

/// The pool's image directory.
pub const DIRECTORY: &str = "rbd_directory";
/// The pool's trash.
pub const TRASH: &str = "rbd_trash";
/// The pool's overwrite-validation marker.
pub const INFO: &str = "rbd_info";
/// The exclusive lock's name on the header (and the object map's lock).
pub const LOCK_NAME: &str = "rbd_lock";

/// `rbd_id.<name>`: holds the image id.
pub fn id_object(name: &str) -> String {
    format!("rbd_id.{name}")
}

/// `rbd_header.<id>`: the image's metadata.
pub fn header_object(id: &str) -> String {
    format!("rbd_header.{id}")
}

/// `rbd_object_map.<id>` (and `.<snap id>` for a snapshot's map).
pub fn object_map_object(id: &str, snap: Option<u64>) -> String {
    match snap {
        Some(s) => format!("rbd_object_map.{id}.{s:016x}"),
        None => format!("rbd_object_map.{id}"),
    }
}

/// `<prefix>.<object number as 16 hex digits>`: a data object.
pub fn data_object(prefix: &str, object_no: u64) -> String {
    // sized up front: one allocation per name (it is made for every I/O), and
    // the hex digits written directly (the formatter costs more than the rest)
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    for (i, d) in digits.iter_mut().enumerate() {
        *d = HEX[((object_no >> (60 - 4 * i)) & 0xf) as usize];
    }
    let mut name = String::with_capacity(prefix.len() + 17);
    name.push_str(prefix);
    name.push('.');
    name.push_str(std::str::from_utf8(&digits).expect("hex digits are ASCII"));
    name
}

/// The data object prefix of a new image: `rbd_data.<id>`, or
/// `rbd_data.<pool id>.<id>` when the data lives in another pool.
pub fn data_prefix(id: &str, separate_data_pool: Option<i64>) -> String {
    match separate_data_pool {
        Some(pool) => format!("rbd_data.{pool}.{id}"),
        None => format!("rbd_data.{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_object_names_are_the_prefix_and_sixteen_hex_digits() {
        assert_eq!(data_object("rbd_data.102b56371d5c", 0), "rbd_data.102b56371d5c.0000000000000000");
        assert_eq!(data_object("rbd_data.1.ab", 0x1234_abcd), "rbd_data.1.ab.000000001234abcd");
        assert_eq!(data_object("p", u64::MAX), "p.ffffffffffffffff");
        for n in [1u64, 0xf0, 0x0123_4567_89ab_cdef, 1 << 63] {
            assert_eq!(data_object("x", n), format!("x.{n:016x}"));
        }
    }
}
