//! Striping: how an image's byte range maps onto its data objects, as
//! upstream's `Striper::file_to_extents` maps it (stripe unit, stripe count,
//! object size).

/// An image's striping parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub object_size: u64,
    pub stripe_unit: u64,
    pub stripe_count: u64,
}

/// A piece of an image extent inside one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectExtent {
    pub object_no: u64,
    /// Offset inside the object.
    pub offset: u64,
    pub length: u64,
    /// Where this piece's bytes sit in the caller's buffer: (buffer offset, length) runs.
    pub buffer_extents: BufferRuns,
}

/// (buffer offset, length) runs, in order. The one run of every extent of a
/// plain layout is kept inline: no allocation per I/O.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BufferRuns {
    One((u64, u64)),
    Many(Vec<(u64, u64)>),
}

impl BufferRuns {
    pub fn as_slice(&self) -> &[(u64, u64)] {
        match self {
            BufferRuns::One(run) => std::slice::from_ref(run),
            BufferRuns::Many(runs) => runs,
        }
    }

    /// Adds a run, merged into the last one when it continues it.
    fn extend(&mut self, (off, len): (u64, u64)) {
        match self {
            BufferRuns::One(last) if last.0 + last.1 == off => last.1 += len,
            BufferRuns::One(last) => *self = BufferRuns::Many(vec![*last, (off, len)]),
            BufferRuns::Many(runs) => match runs.last_mut() {
                Some(last) if last.0 + last.1 == off => last.1 += len,
                _ => runs.push((off, len)),
            },
        }
    }
}

impl std::ops::Deref for BufferRuns {
    type Target = [(u64, u64)];

    fn deref(&self) -> &[(u64, u64)] {
        self.as_slice()
    }
}

impl Layout {
    /// Plain layout: one stripe unit per object.
    pub fn simple(order: u8) -> Layout {
        let object_size = 1u64 << order;
        Layout { object_size, stripe_unit: object_size, stripe_count: 1 }
    }

    /// Upstream's layout for stored striping parameters (0 means "default").
    pub fn new(order: u8, stripe_unit: u64, stripe_count: u64) -> Layout {
        let object_size = 1u64 << order;
        if stripe_unit == 0 || stripe_count == 0 {
            Layout::simple(order)
        } else {
            Layout { object_size, stripe_unit, stripe_count }
        }
    }

    /// Objects an image of `size` bytes spans (`Striper::get_num_objects`).
    pub fn num_objects(&self, size: u64) -> u64 {
        let period = self.object_size * self.stripe_count;
        let num_periods = size.div_ceil(period);
        let remainder = size % period;
        let partial = remainder > 0 && remainder < self.stripe_count * self.stripe_unit;
        let remainder_objs = if partial { self.stripe_count - remainder.div_ceil(self.stripe_unit) } else { 0 };
        num_periods * self.stripe_count - remainder_objs
    }

    /// The object extents covering image bytes [`offset`, `offset + length`),
    /// merged per object, in object order; buffer offsets are relative to `offset`.
    pub fn map(&self, offset: u64, length: u64) -> Vec<ObjectExtent> {
        let mut out: Vec<ObjectExtent> = Vec::new();
        let (su, sc, os) = (self.stripe_unit, self.stripe_count, self.object_size);
        let stripes_per_object = os / su;
        let (mut cur, end) = (offset, offset + length);
        while cur < end {
            let block = cur / su;
            let stripe = block / sc;
            let stripe_pos = block % sc;
            let object_set = stripe / stripes_per_object;
            let object_no = object_set * sc + stripe_pos;
            let block_start = (stripe % stripes_per_object) * su;
            let block_off = cur % su;
            let len = (su - block_off).min(end - cur);
            let x_offset = block_start + block_off;
            let buffer = (cur - offset, len);
            match out.iter_mut().find(|e| e.object_no == object_no) {
                Some(e) if e.offset + e.length == x_offset => {
                    e.length += len;
                    e.buffer_extents.extend(buffer);
                }
                _ => out.push(ObjectExtent {
                    object_no,
                    offset: x_offset,
                    length: len,
                    buffer_extents: BufferRuns::One(buffer),
                }),
            }
            cur += len;
        }
        out.sort_by_key(|e| (e.object_no, e.offset));
        out
    }

    /// The image offset of byte `offset` of object `object_no`
    /// (`Striper::extent_to_file` for one byte).
    pub fn file_offset(&self, object_no: u64, offset: u64) -> u64 {
        let (su, sc) = (self.stripe_unit, self.stripe_count);
        let stripes_per_object = self.object_size / su;
        let (object_set, stripe_pos) = (object_no / sc, object_no % sc);
        let block = (object_set * stripes_per_object + offset / su) * sc + stripe_pos;
        block * su + offset % su
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_striped_mappings() {
        let l = Layout::simple(22);
        assert_eq!(l.num_objects(4 << 30), 1024);
        assert_eq!(l.num_objects((4 << 20) + 1), 2);
        assert_eq!(l.num_objects(0), 0);
        let m = l.map((4 << 20) - 100, 200);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].object_no, m[0].offset, m[0].length), (0, (4 << 20) - 100, 100));
        assert_eq!(
            (m[1].object_no, m[1].offset, m[1].length, m[1].buffer_extents.to_vec()),
            (1, 0, 100, vec![(100, 100)])
        );
        // 64 KiB stripe unit over 4 objects of 4 MiB: 256 KiB at 100 KiB, as upstream wrote it
        let s = Layout::new(22, 64 << 10, 4);
        let m = s.map(100 << 10, 256 << 10);
        let sizes: Vec<(u64, u64)> = m.iter().map(|e| (e.object_no, e.offset + e.length)).collect();
        assert_eq!(sizes, vec![(0, 128 << 10), (1, 100 << 10), (2, 64 << 10), (3, 64 << 10)]);
        // object 1 gets two runs of the buffer
        assert_eq!(m[1].buffer_extents.as_slice(), [(0, 28 << 10), (220 << 10, 36 << 10)]);
        // a run that continues the last one merges into it
        let mut runs = BufferRuns::One((0, 10));
        runs.extend((10, 5));
        assert_eq!(runs, BufferRuns::One((0, 15)));
        runs.extend((40, 1));
        runs.extend((41, 2));
        assert_eq!(runs.as_slice(), [(0, 15), (40, 3)]);
        assert_eq!(s.map((64 << 20) - 3, 3)[0].object_no, 15);
        assert_eq!(s.num_objects(64 << 20), 16);
        // the inverse mapping
        for image_offset in [0, 100 << 10, (64 << 20) - 3, (17 << 20) + 12345] {
            let e = &s.map(image_offset, 1)[0];
            assert_eq!(s.file_offset(e.object_no, e.offset), image_offset);
        }
        assert_eq!(l.file_offset(1, 7), (4 << 20) + 7);
    }
}
