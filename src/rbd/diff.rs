//! What changed in an image between a snapshot (or the beginning) and the
//! handle's view, the head or the snapshot it reads (`librbd/api/
//! DiffIterate`): from the object maps when fast-diff allows and whole
//! objects are enough, else from each object's clone list (`list_snaps`).

use std::sync::Arc;

use super::image::Image;
use super::object_names::object_map_object;
use crate::cls::rbd::features::{self, flags, object_state};
use crate::cls::rbd::{CLASS as RBD, NOSNAP};
use crate::denc::bit_vector::BitVector2;
use crate::denc::Decode;
use crate::error::{Error, Result};
use crate::rados::object::{SnapSet, SNAP_HEAD};
use crate::rados::op::{ObjectOperation, OpStep, StepOutput};

/// An object's change between the two versions (`object_map::DiffState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DiffState {
    /// Absent in both.
    Hole,
    /// Present in both, unchanged.
    Data,
    /// Gone since the start.
    HoleUpdated,
    /// Written since the start.
    DataUpdated,
}

/// One reported extent: image offset, length, whether it holds data at the end.
type Extent = (u64, u64, bool);

impl Image {
    /// Calls `report(offset, length, exists)` for the extents of
    /// [`offset`, `offset + len`) (clipped to the image) that changed since
    /// user snapshot `from` (None: since the image was created), in offset
    /// order, adjacent ones of one stripe period merged; `exists` is false
    /// where data was removed. With `whole_object` the extents may cover
    /// whole objects (and come from the object maps when fast-diff is on).
    /// Clones' parents are never read (this library makes no clones).
    /// Errors: ENOENT (no snapshot `from`), EINVAL (`from` newer than the
    /// view, an offset past the end), EBADF, the OSDs' errors, and the
    /// first error `report` returns.
    pub fn diff_iterate(
        self: &Arc<Self>,
        from: Option<&str>,
        offset: u64,
        len: u64,
        whole_object: bool,
        report: &mut dyn FnMut(u64, u64, bool) -> Result<()>,
    ) -> Result<()> {
        self.check_open()?;
        // writes in flight first, so that the clone lists show them
        self.inflight.wait();
        let len = self.clip(offset, len)?;
        let from_id = match from {
            Some(name) => self.snapshot_named(name)?.id,
            None => 0,
        };
        let end_id = self.selected_snapshot().unwrap_or(NOSNAP);
        if from_id == end_id || len == 0 {
            return Ok(());
        }
        if from_id > end_id {
            return Err(Error::invalid("the start snapshot is newer than the end"));
        }
        let states = if whole_object { self.fast_diff_states(from_id, end_id).ok() } else { None };
        let layout = self.header().layout();
        let period = layout.object_size * layout.stripe_count;
        let mut off = offset;
        let end = offset + len;
        while off < end {
            let chunk = (off - off % period + period).min(end) - off;
            let mut found: Vec<Extent> = Vec::new();
            for e in layout.map(off, chunk) {
                match &states {
                    Some(states) => {
                        let state = states.get(e.object_no as usize).copied().unwrap_or(DiffState::Hole);
                        if matches!(state, DiffState::HoleUpdated | DiffState::DataUpdated) {
                            let exists = state == DiffState::DataUpdated;
                            found.extend(e.buffer_extents.iter().map(|&(b, l)| (off + b, l, exists)));
                        }
                    }
                    None => self.object_diff(&e, off, from_id, end_id, whole_object, &mut found)?,
                }
            }
            found.sort_unstable();
            for (o, l, exists) in merge(found) {
                report(o, l, exists)?;
            }
            off += chunk;
        }
        Ok(())
    }

    /// Per object, its change from `from` to `end` by the object maps
    /// (`object_map::DiffRequest` for diff-iterate). Errors when fast-diff
    /// cannot answer (off, invalid, a map missing): then the clone lists do.
    fn fast_diff_states(&self, from: u64, end: u64) -> Result<Vec<DiffState>> {
        let (features, sizes) = {
            let h = self.header();
            (h.features, h.size)
        };
        if features & features::FAST_DIFF == 0 {
            return Err(Error::invalid("fast-diff is off"));
        }
        let snapshots = self.snapshots()?;
        // from the beginning only the end version matters; else the start,
        // the snapshots between, and the end
        let mut versions: Vec<u64> = Vec::new();
        if from != 0 {
            versions.push(from);
            versions.extend(snapshots.iter().map(|s| s.id).filter(|&id| id > from && id < end));
        }
        versions.push(end);
        let layout = self.header().layout();
        let mut states: Vec<DiffState> = Vec::new();
        for version in versions {
            let size = if version == NOSNAP {
                sizes
            } else {
                match snapshots.iter().find(|s| s.id == version) {
                    Some(s) => s.image_size,
                    None => return Err(Error::not_found("snapshot")),
                }
            };
            let flags_out =
                self.io.exec(self.header_oid.as_bytes(), RBD, "get_flags", version.to_le_bytes().to_vec())?;
            let flag_bits = u64::from_bytes(&flags_out).map_err(|_| Error::Corrupt("get_flags reply".into()))?;
            if flag_bits & flags::FAST_DIFF_INVALID != 0 {
                return Err(Error::invalid("fast-diff invalid"));
            }
            let snap = (version != NOSNAP).then_some(version);
            let out = self.io.exec(object_map_object(&self.id, snap).as_bytes(), RBD, "object_map_load", Vec::new())?;
            let map = BitVector2::from_bytes(&out).map_err(|_| Error::Corrupt("object map".into()))?;
            let objects = layout.num_objects(size);
            if map.len() < objects {
                return Err(Error::invalid("object map too small"));
            }
            let before = states.len();
            states.resize(objects as usize, DiffState::Hole);
            let is_end = version == end;
            for (i, state) in states.iter_mut().enumerate() {
                let object = map.get(i as u64);
                let absent = object == object_state::NONEXISTENT;
                *state = if i < before {
                    match *state {
                        DiffState::Hole if !absent && is_end => DiffState::DataUpdated,
                        DiffState::Data if absent => DiffState::HoleUpdated,
                        DiffState::Data if object != object_state::EXISTS_CLEAN => DiffState::DataUpdated,
                        DiffState::HoleUpdated if !absent => DiffState::DataUpdated,
                        DiffState::DataUpdated if absent => DiffState::HoleUpdated,
                        same => same,
                    }
                } else if absent {
                    DiffState::Hole
                } else if version != from {
                    // from the beginning, or the image grew: a hole at the
                    // start; only the end version decides
                    if is_end {
                        DiffState::DataUpdated
                    } else {
                        DiffState::Hole
                    }
                } else if object == object_state::PENDING {
                    DiffState::DataUpdated
                } else {
                    DiffState::Data
                };
            }
        }
        Ok(states)
    }

    /// One object extent's changes by its clone list.
    fn object_diff(
        &self,
        e: &super::layout::ObjectExtent,
        base: u64,
        from: u64,
        end: u64,
        whole_object: bool,
        found: &mut Vec<Extent>,
    ) -> Result<()> {
        let name = self.data_object_name(e.object_no);
        let reply = self.data_io.operate(name.as_bytes(), ObjectOperation::single(OpStep::ListSnaps));
        if reply.result == -libc::ENOENT {
            return Ok(());
        }
        crate::rados::check(&reply)?;
        let snap_set = match reply.steps.into_iter().next().map(|s| s.out) {
            Some(StepOutput::Snaps(s)) => s,
            _ => return Err(Error::Corrupt("list_snaps reply".into())),
        };
        let diff = snap_set_diff(&snap_set, from, if end == NOSNAP { SNAP_HEAD } else { end });
        if diff.changed.is_empty() && !diff.whole_object {
            return Ok(());
        }
        if whole_object || diff.whole_object {
            found.extend(e.buffer_extents.iter().map(|&(b, l)| (base + b, l, diff.end_exists)));
            return Ok(());
        }
        let mut object_off = e.offset;
        for &(b, l) in e.buffer_extents.iter() {
            for &(start, length) in &diff.changed {
                let lo = start.max(object_off);
                let hi = (start + length).min(object_off + l);
                if lo < hi {
                    found.push((base + b + (lo - object_off), hi - lo, diff.end_exists));
                }
            }
            object_off += l;
        }
        Ok(())
    }
}

/// Sorted extents with neighbours of the same kind joined.
fn merge(sorted: Vec<Extent>) -> Vec<Extent> {
    let mut out: Vec<Extent> = Vec::with_capacity(sorted.len());
    for (o, l, exists) in sorted {
        match out.last_mut() {
            Some(last) if last.0 + last.1 == o && last.2 == exists => last.1 += l,
            _ => out.push((o, l, exists)),
        }
    }
    out
}

/// What `calc_snap_set_diff` finds for one object.
#[derive(Debug, Default, PartialEq, Eq)]
struct SnapSetDiff {
    /// Changed (offset, length) ranges of the object, sorted, disjoint.
    changed: Vec<(u64, u64)>,
    /// The object exists in the end version.
    end_exists: bool,
    /// A clone serves no snapshot: report the whole object.
    whole_object: bool,
}

/// The ranges of an object that differ between snapshot `start` (0: the
/// beginning) and `end` (`SNAP_HEAD`: the head), from its clone list
/// (librados' `calc_snap_set_diff`).
fn snap_set_diff(set: &SnapSet, start: u64, end: u64) -> SnapSetDiff {
    let mut out = SnapSetDiff::default();
    let mut changed = Ranges::default();
    let mut saw_start = false;
    let mut start_size = 0;
    let mut reached_end = false;
    let mut clones = set.clones.iter().peekable();
    while let Some(c) = clones.next() {
        let (a, b) = if c.cloneid == SNAP_HEAD {
            (set.seq + 1, SNAP_HEAD)
        } else if let (Some(&first), Some(&last)) = (c.snaps.first(), c.snaps.last()) {
            (first, last)
        } else {
            return SnapSetDiff { whole_object: true, ..SnapSetDiff::default() };
        };
        if b < start {
            continue;
        }
        if !saw_start {
            if start < a {
                // the object did not exist at the start
                changed.insert(0, c.size);
                start_size = 0;
            } else {
                start_size = c.size;
            }
            saw_start = true;
        }
        if end < a {
            break;
        }
        if end <= b {
            out.end_exists = true;
            reached_end = true;
            break;
        }
        // what differs from the next clone or the head: all of the larger
        // size but the overlap
        let next_size = clones.peek().map_or(0, |n| n.size);
        let mut to_next = Ranges::default();
        to_next.insert(0, c.size.max(next_size));
        for &(o, l) in &c.overlap {
            to_next.erase(o, l);
        }
        for &(o, l) in &to_next.0 {
            changed.insert(o, l);
        }
    }
    if !reached_end {
        // gone by the end (or never there): what existed at the start
        // changed, nothing else (from the beginning: nothing)
        changed = Ranges::default();
        changed.insert(0, start_size);
    }
    out.changed = changed.0;
    out
}

/// Disjoint sorted (offset, length) ranges (`interval_set`).
#[derive(Debug, Default)]
struct Ranges(Vec<(u64, u64)>);

impl Ranges {
    fn insert(&mut self, off: u64, len: u64) {
        if len == 0 {
            return;
        }
        let (mut lo, mut hi) = (off, off + len);
        let mut kept = Vec::with_capacity(self.0.len() + 1);
        for &(o, l) in &self.0 {
            if o + l < lo || hi < o {
                kept.push((o, l));
            } else {
                lo = lo.min(o);
                hi = hi.max(o + l);
            }
        }
        kept.push((lo, hi - lo));
        kept.sort_unstable();
        self.0 = kept;
    }

    fn erase(&mut self, off: u64, len: u64) {
        let (lo, hi) = (off, off + len);
        let mut kept = Vec::with_capacity(self.0.len() + 1);
        for &(o, l) in &self.0 {
            let e = o + l;
            if e <= lo || hi <= o {
                kept.push((o, l));
                continue;
            }
            if o < lo {
                kept.push((o, lo - o));
            }
            if hi < e {
                kept.push((hi, e - hi));
            }
        }
        self.0 = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rados::object::CloneInfo;

    fn head(size: u64) -> CloneInfo {
        CloneInfo { cloneid: SNAP_HEAD, snaps: vec![], overlap: vec![], size }
    }

    #[test]
    fn an_object_without_clones_changed_wholly_since_the_beginning() {
        let set = SnapSet { seq: 0, clones: vec![head(4096)] };
        let d = snap_set_diff(&set, 0, SNAP_HEAD);
        assert_eq!(d, SnapSetDiff { changed: vec![(0, 4096)], end_exists: true, whole_object: false });
    }

    #[test]
    fn a_write_after_a_snapshot_is_what_its_overlap_leaves_out() {
        // clone 4 for snapshot 4, identical to the head but for [100, 200)
        let clone = CloneInfo { cloneid: 4, snaps: vec![4], overlap: vec![(0, 100), (200, 3896)], size: 4096 };
        let set = SnapSet { seq: 4, clones: vec![clone, head(4096)] };
        let d = snap_set_diff(&set, 4, SNAP_HEAD);
        assert_eq!(d, SnapSetDiff { changed: vec![(100, 100)], end_exists: true, whole_object: false });
        // at snapshot 4 itself nothing changed
        assert_eq!(snap_set_diff(&set, 4, 4).changed, vec![]);
    }

    #[test]
    fn an_object_removed_since_the_start_reports_its_old_size_as_gone() {
        let clone = CloneInfo { cloneid: 4, snaps: vec![4], overlap: vec![], size: 5000 };
        let set = SnapSet { seq: 4, clones: vec![clone] };
        let d = snap_set_diff(&set, 4, SNAP_HEAD);
        assert_eq!(d, SnapSetDiff { changed: vec![(0, 5000)], end_exists: false, whole_object: false });
    }

    #[test]
    fn an_object_made_and_removed_after_the_start_did_not_change() {
        // clone 4 serves snapshot 4; the head is gone: from the beginning
        // there is nothing to report, as upstream's
        let clone = CloneInfo { cloneid: 4, snaps: vec![4], overlap: vec![], size: 5000 };
        let set = SnapSet { seq: 4, clones: vec![clone] };
        assert_eq!(snap_set_diff(&set, 0, SNAP_HEAD), SnapSetDiff::default());
    }

    #[test]
    fn ranges_join_and_split() {
        let mut r = Ranges::default();
        r.insert(10, 10);
        r.insert(30, 10);
        r.insert(20, 10);
        assert_eq!(r.0, vec![(10, 30)]);
        r.erase(15, 5);
        assert_eq!(r.0, vec![(10, 5), (20, 20)]);
        r.erase(0, 100);
        assert!(r.0.is_empty());
    }

    #[test]
    fn neighbours_of_one_kind_merge() {
        let m = merge(vec![(0, 10, true), (10, 5, true), (15, 5, false), (30, 5, false)]);
        assert_eq!(m, vec![(0, 15, true), (15, 5, false), (30, 5, false)]);
    }
}
