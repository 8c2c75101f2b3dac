//! Object placement hashing: Ceph's `rjenkins` string hash (Bob Jenkins'
//! lookup2) and `ceph_stable_mod`, which map an object name to a placement group.

/// The 32-bit hash of an object name (or locator key), `ceph_str_hash_rjenkins`.
pub fn str_hash_rjenkins(data: &[u8]) -> u32 {
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 13);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 8);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 13);
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 12);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 16);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 5);
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 3);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 10);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 15);
    }
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let mut a: u32 = 0x9e37_79b9;
    let mut b: u32 = a;
    let mut c: u32 = 0;
    let mut k = data;
    while k.len() >= 12 {
        a = a.wrapping_add(word(&k[0..4]));
        b = b.wrapping_add(word(&k[4..8]));
        c = c.wrapping_add(word(&k[8..12]));
        mix(&mut a, &mut b, &mut c);
        k = &k[12..];
    }
    c = c.wrapping_add(data.len() as u32);
    // the tail: bytes 0-3 into a, 4-7 into b, 8-10 into c shifted past the length byte
    for (i, &byte) in k.iter().enumerate() {
        let v = u32::from(byte);
        match i {
            0..=3 => a = a.wrapping_add(v << (8 * i)),
            4..=7 => b = b.wrapping_add(v << (8 * (i - 4))),
            _ => c = c.wrapping_add(v << (8 * (i - 7))),
        }
    }
    mix(&mut a, &mut b, &mut c);
    c
}

/// `ceph_stable_mod`: `x` reduced to `b` buckets so that growing `b` moves few keys.
pub fn stable_mod(x: u32, b: u32, bmask: u32) -> u32 {
    if x & bmask < b {
        x & bmask
    } else {
        x & (bmask >> 1)
    }
}

/// The mask for `pg_num` placement groups: the next power of two, minus one.
pub fn pg_num_mask(pg_num: u32) -> u32 {
    if pg_num <= 1 {
        return 0;
    }
    (1u32 << (32 - (pg_num - 1).leading_zeros())) - 1
}

/// The placement group (seed) of a hash in a pool of `pg_num` groups.
pub fn pg_of(hash: u32, pg_num: u32) -> u32 {
    stable_mod(hash, pg_num, pg_num_mask(pg_num))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ceph_osd_map() {
        // `ceph osd map rbd <name>` on a Pacific cluster with pg_num 32
        let cases: [(&[u8], u32, u32); 8] = [
            (b"foo", 0x7fc1f406, 0x6),
            (b"bar", 0xefe6384b, 0xb),
            (b"", 0xbd49d10d, 0xd),
            (b"a", 0x29eec818, 0x18),
            (b"abcdefghijkl", 0x0b1b3ea5, 0x5),
            (b"abcdefghijklm", 0x3122b031, 0x11),
            (b"rbd_data.102b56371d5c.0000000000000000", 0x650356c8, 0x8),
            (b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0x757dcc7a, 0x1a),
        ];
        for (name, hash, pg) in cases {
            assert_eq!(str_hash_rjenkins(name), hash, "{}", String::from_utf8_lossy(name));
            assert_eq!(pg_of(hash, 32), pg);
        }
        assert_eq!(pg_num_mask(32), 31);
        assert_eq!(pg_num_mask(12), 15);
        assert_eq!(pg_of(0xe, 12), 0x6);
    }
}
