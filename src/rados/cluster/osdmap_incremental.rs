//! Incremental OSD maps (`OSDMap::Incremental`, Pacific encoding): the
//! client-usable part decoded, and applied to the previous epoch's map as
//! `OSDMap::apply_incremental` does, so a client follows the cluster without
//! asking for a full map on every change.

use std::collections::BTreeMap;

use super::crush::CrushMap;
use super::osdmap::{decode_pg, i32s, OsdMap, PgId, Pool, DEFAULT_PRIMARY_AFFINITY, OSD_EXISTS, OSD_UP};
use crate::denc::{Decoder, EntityAddr};
use crate::error::{Error, Result};

/// `CEPH_OSD_STOP`: cleared when an OSD comes up.
const OSD_STOP: u32 = 1 << 7;

/// The changes from one epoch to the next, as far as placement needs them.
#[derive(Debug, Default)]
pub struct Incremental {
    pub fsid: [u8; 16],
    pub epoch: u32,
    pub new_pool_max: i64,
    pub new_flags: i32,
    /// A whole map instead of changes (rare; the monitor's choice).
    pub fullmap: Vec<u8>,
    /// A new CRUSH map, whole.
    pub crush: Vec<u8>,
    pub new_max_osd: i32,
    pub new_pools: BTreeMap<i64, Pool>,
    pub new_pool_names: BTreeMap<i64, String>,
    pub old_pools: Vec<i64>,
    pub new_up_client: BTreeMap<i32, Vec<EntityAddr>>,
    /// OSD state bits to flip (0 means "up").
    pub new_state: BTreeMap<i32, u32>,
    pub new_weight: BTreeMap<i32, u32>,
    /// An empty list removes the PG's entry.
    pub new_pg_temp: BTreeMap<PgId, Vec<i32>>,
    /// -1 removes the PG's entry.
    pub new_primary_temp: BTreeMap<PgId, i32>,
    pub new_primary_affinity: BTreeMap<i32, u32>,
    pub new_pg_upmap: BTreeMap<PgId, Vec<i32>>,
    pub old_pg_upmap: Vec<PgId>,
    pub new_pg_upmap_items: BTreeMap<PgId, Vec<(i32, i32)>>,
    pub old_pg_upmap_items: Vec<PgId>,
}

fn osd_map<T>(
    d: &mut Decoder<'_>,
    min: usize,
    mut value: impl FnMut(&mut Decoder<'_>) -> Result<T>,
) -> Result<BTreeMap<i32, T>> {
    let n = d.count(min)?;
    (0..n).map(|_| Ok((d.i32()?, value(d)?))).collect()
}

fn pg_map<T>(d: &mut Decoder<'_>, mut value: impl FnMut(&mut Decoder<'_>) -> Result<T>) -> Result<BTreeMap<PgId, T>> {
    let n = d.count(17)?;
    (0..n).map(|_| Ok((decode_pg(d)?, value(d)?))).collect()
}

fn pg_set(d: &mut Decoder<'_>) -> Result<Vec<PgId>> {
    let n = d.count(17)?;
    (0..n).map(|_| decode_pg(d)).collect()
}

impl Incremental {
    /// Decodes an incremental map (the wrapper v7+; older encodings are refused).
    pub fn decode(buf: &[u8]) -> Result<Incremental> {
        let mut d = Decoder::new(buf);
        d.versioned(8, |v, d| {
            if v < 7 {
                return Err(Error::Corrupt(format!("incremental OSD map encoding v{v} is too old")));
            }
            // the OSD-only part and the CRCs that follow are skipped with the wrapper
            d.versioned(u8::MAX, Incremental::decode_client)
        })
    }

    fn decode_client(v: u8, d: &mut Decoder<'_>) -> Result<Incremental> {
        let mut inc =
            Incremental { fsid: d.take(16)?.try_into().expect("16 bytes"), epoch: d.u32()?, ..Default::default() };
        d.take(8)?; // modified
        inc.new_pool_max = d.i64()?;
        inc.new_flags = d.i32()?;
        inc.fullmap = d.bytes()?.to_vec();
        inc.crush = d.bytes()?.to_vec();
        inc.new_max_osd = d.i32()?;
        let n = d.count(8)?;
        for _ in 0..n {
            let id = d.i64()?;
            inc.new_pools.insert(id, Pool::decode(id, d)?);
        }
        let n = d.count(12)?;
        for _ in 0..n {
            let id = d.i64()?;
            inc.new_pool_names.insert(id, d.string()?);
        }
        let n = d.count(8)?;
        inc.old_pools = (0..n).map(|_| d.i64()).collect::<Result<_>>()?;
        inc.new_up_client = osd_map(d, 5, EntityAddr::decode_vec)?;
        inc.new_state = if v >= 5 { osd_map(d, 8, |d| d.u32())? } else { osd_map(d, 5, |d| d.u8().map(u32::from))? };
        inc.new_weight = osd_map(d, 8, |d| d.u32())?;
        inc.new_pg_temp = pg_map(d, i32s)?;
        inc.new_primary_temp = pg_map(d, |d| d.i32())?;
        if v >= 2 {
            inc.new_primary_affinity = osd_map(d, 8, |d| d.u32())?;
        }
        if v >= 3 {
            // erasure-code profiles: new (name → key/value map), then removed names
            let n = d.count(8)?;
            for _ in 0..n {
                d.bytes()?;
                let k = d.count(8)?;
                for _ in 0..k {
                    d.bytes()?;
                    d.bytes()?;
                }
            }
            let n = d.count(4)?;
            for _ in 0..n {
                d.bytes()?;
            }
        }
        if v >= 4 {
            inc.new_pg_upmap = pg_map(d, i32s)?;
            inc.old_pg_upmap = pg_set(d)?;
            inc.new_pg_upmap_items = pg_map(d, |d| {
                let k = d.count(8)?;
                (0..k).map(|_| Ok((d.i32()?, d.i32()?))).collect()
            })?;
            inc.old_pg_upmap_items = pg_set(d)?;
        }
        // removed/purged snaps, last up/in change, upmap primaries: not used by placement
        Ok(inc)
    }
}

impl OsdMap {
    /// Resizes the per-OSD tables to `n` OSDs (`OSDMap::set_max_osd`).
    fn set_max_osd(&mut self, n: i32) {
        let len = n.max(0) as usize;
        self.osd_state.resize(len, 0);
        self.osd_weight.resize(len, 0);
        self.osd_addrs.resize(len, Vec::new());
        if !self.primary_affinity.is_empty() {
            self.primary_affinity.resize(len, DEFAULT_PRIMARY_AFFINITY);
        }
        self.max_osd = n;
    }

    fn set_primary_affinity(&mut self, osd: usize, affinity: u32) {
        if self.primary_affinity.is_empty() {
            self.primary_affinity = vec![DEFAULT_PRIMARY_AFFINITY; self.max_osd.max(0) as usize];
        }
        if let Some(a) = self.primary_affinity.get_mut(osd) {
            *a = affinity;
        }
    }

    /// The map of the next epoch: this one with `inc` applied.
    pub fn apply(&self, inc: &Incremental) -> Result<OsdMap> {
        if inc.fsid != self.fsid {
            return Err(Error::Corrupt("incremental OSD map of another cluster".into()));
        }
        if inc.epoch != self.epoch + 1 {
            return Err(Error::Corrupt(format!("incremental OSD map {} does not follow {}", inc.epoch, self.epoch)));
        }
        if !inc.fullmap.is_empty() {
            return OsdMap::decode(&inc.fullmap);
        }
        let mut m = self.clone();
        m.epoch = inc.epoch;
        if inc.new_flags >= 0 {
            m.flags = inc.new_flags as u32;
        }
        if inc.new_max_osd >= 0 {
            m.set_max_osd(inc.new_max_osd);
        }
        if inc.new_pool_max != -1 {
            m.pool_max = inc.new_pool_max as i32;
        }
        for (id, pool) in &inc.new_pools {
            let name = m.pools.get(id).map(|p| p.name.clone()).unwrap_or_default();
            m.pools.insert(*id, Pool { name, ..pool.clone() });
        }
        for (id, name) in &inc.new_pool_names {
            if let Some(p) = m.pools.get_mut(id) {
                p.name = name.clone();
            }
        }
        for id in &inc.old_pools {
            m.pools.remove(id);
        }
        // every per-OSD table is this long (a corrupt full map could make one shorter)
        let max_osd = (m.max_osd.max(0) as usize).min(m.osd_state.len()).min(m.osd_weight.len()).min(m.osd_addrs.len());
        let osd = |id: i32| -> Result<usize> {
            if id < 0 || id as usize >= max_osd {
                return Err(Error::Corrupt(format!("incremental OSD map names osd.{id} of {max_osd}")));
            }
            Ok(id as usize)
        };
        for (&id, &w) in &inc.new_weight {
            m.osd_weight[osd(id)?] = w;
        }
        for (&id, &a) in &inc.new_primary_affinity {
            let i = osd(id)?;
            m.set_primary_affinity(i, a);
        }
        for (&id, &bits) in &inc.new_state {
            let i = osd(id)?;
            let s = if bits == 0 { OSD_UP } else { bits };
            if m.osd_state[i] & OSD_EXISTS != 0 && s & OSD_EXISTS != 0 {
                // destroyed: forget it
                if !m.primary_affinity.is_empty() {
                    m.primary_affinity[i] = DEFAULT_PRIMARY_AFFINITY;
                }
                m.osd_addrs[i].clear();
                m.osd_state[i] = 0;
            } else {
                m.osd_state[i] ^= s;
            }
        }
        for (&id, addrs) in &inc.new_up_client {
            let i = osd(id)?;
            m.osd_state[i] = (m.osd_state[i] | OSD_EXISTS | OSD_UP) & !OSD_STOP;
            m.osd_addrs[i] = addrs.clone();
        }
        for (pg, osds) in &inc.new_pg_temp {
            if osds.is_empty() {
                m.pg_temp.remove(pg);
            } else {
                m.pg_temp.insert(*pg, osds.clone());
            }
        }
        for (pg, &primary) in &inc.new_primary_temp {
            if primary == -1 {
                m.primary_temp.remove(pg);
            } else {
                m.primary_temp.insert(*pg, primary);
            }
        }
        for (pg, osds) in &inc.new_pg_upmap {
            m.pg_upmap.insert(*pg, osds.clone());
        }
        for pg in &inc.old_pg_upmap {
            m.pg_upmap.remove(pg);
        }
        for (pg, items) in &inc.new_pg_upmap_items {
            m.pg_upmap_items.insert(*pg, items.clone());
        }
        for pg in &inc.old_pg_upmap_items {
            m.pg_upmap_items.remove(pg);
        }
        // the new CRUSH map last, as upstream does
        if !inc.crush.is_empty() {
            m.crush = CrushMap::decode(&inc.crush)?;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_osds_up() -> OsdMap {
        OsdMap {
            epoch: 10,
            max_osd: 2,
            osd_state: vec![OSD_EXISTS | OSD_UP; 2],
            osd_weight: vec![0x10000; 2],
            osd_addrs: vec![Vec::new(); 2],
            ..OsdMap::default()
        }
    }

    #[test]
    fn placements_are_cached_per_epoch_and_recomputed_after_a_change() {
        let mut map = two_osds_up();
        map.pools.insert(1, Pool { id: 1, pg_num: 8, pgp_num: 8, size: 2, ..Pool::default() });
        let pg = PgId { pool: 1, seed: 3 };
        let first = map.placement(pg).unwrap();
        assert_eq!(map.placement(PgId { pool: 1, seed: 3 + 8 }).unwrap(), first, "folds to the same PG");
        assert_eq!(map.placements.len(), 1);
        let mut inc = Incremental { epoch: 11, new_pool_max: -1, new_flags: -1, new_max_osd: -1, ..Default::default() };
        inc.new_pg_temp.insert(pg, vec![1, 0]);
        let next = map.apply(&inc).unwrap();
        assert!(next.placements.is_empty(), "a new epoch starts with no placements");
        let moved = next.placement(pg).unwrap();
        assert_eq!((moved.acting.clone(), moved.acting_primary), (vec![1, 0], 1));
        assert_eq!(map.placement(pg).unwrap(), first, "the old epoch keeps its own");
    }

    #[test]
    fn applies_osd_states_weights_and_temp_mappings() {
        let map = two_osds_up();
        let pg = PgId { pool: 1, seed: 3 };
        let mut inc = Incremental { epoch: 11, new_pool_max: -1, new_flags: -1, new_max_osd: 3, ..Default::default() };
        inc.new_up_client.insert(2, Vec::new());
        inc.new_state.insert(0, 0); // 0 flips "up": osd.0 goes down
        inc.new_weight.insert(1, 0);
        inc.new_pg_temp.insert(pg, vec![1, 2]);
        inc.new_primary_affinity.insert(2, 0);
        let next = map.apply(&inc).unwrap();
        assert_eq!(next.epoch, 11);
        assert_eq!(next.osd_state, vec![OSD_EXISTS, OSD_EXISTS | OSD_UP, OSD_EXISTS | OSD_UP]);
        assert_eq!(next.osd_weight, vec![0x10000, 0, 0]);
        assert_eq!(next.pg_temp[&pg], vec![1, 2]);
        assert_eq!(next.primary_affinity, vec![DEFAULT_PRIMARY_AFFINITY, DEFAULT_PRIMARY_AFFINITY, 0]);

        // the next epoch removes the pg_temp entry and destroys osd.1 (EXISTS flipped while it exists)
        let mut inc = Incremental { epoch: 12, new_pool_max: -1, new_flags: -1, new_max_osd: -1, ..Default::default() };
        inc.new_pg_temp.insert(pg, Vec::new());
        inc.new_state.insert(1, OSD_EXISTS);
        let last = next.apply(&inc).unwrap();
        assert!(last.pg_temp.is_empty());
        assert_eq!(last.osd_state[1], 0);
    }

    #[test]
    fn refuses_a_gap_another_cluster_and_unknown_osds() {
        let map = two_osds_up();
        let inc = Incremental { epoch: 12, new_pool_max: -1, new_flags: -1, new_max_osd: -1, ..Default::default() };
        assert!(map.apply(&inc).is_err(), "epoch 12 does not follow 10");
        let inc = Incremental { fsid: [1; 16], epoch: 11, new_max_osd: -1, ..Default::default() };
        assert!(map.apply(&inc).is_err(), "another fsid");
        let mut inc = Incremental { epoch: 11, new_pool_max: -1, new_flags: -1, new_max_osd: -1, ..Default::default() };
        inc.new_weight.insert(7, 0);
        assert!(map.apply(&inc).is_err(), "osd.7 of 2");
    }
}
