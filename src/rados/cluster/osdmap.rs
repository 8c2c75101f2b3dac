//! The OSD map as a client needs it: pools, OSD states, weights and
//! addresses, pg_temp / primary_temp, pg_upmap / pg_upmap_items, primary
//! affinity and the CRUSH map, decoded from a full map (Pacific encoding);
//! and placement: object → PG → up and acting sets, as `OSDMap.cc` computes
//! them.

use std::collections::BTreeMap;

use super::crush::{self, CrushMap, ITEM_NONE};
use crate::denc::{Decoder, EntityAddr};
use crate::error::{Error, Result};
use crate::rados::placement::{pg_num_mask, stable_mod, str_hash_rjenkins};

pub(super) const OSD_EXISTS: u32 = 1;
pub(super) const OSD_UP: u32 = 2;
pub(super) const DEFAULT_PRIMARY_AFFINITY: u32 = 0x10000;
const POOL_FLAG_HASHPSPOOL: u64 = 1;
const POOL_TYPE_REPLICATED: u8 = 1;

/// A placement group id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PgId {
    pub pool: i64,
    pub seed: u32,
}

impl std::fmt::Display for PgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:x}", self.pool, self.seed)
    }
}

pub(super) fn decode_pg(d: &mut Decoder<'_>) -> Result<PgId> {
    let _v = d.u8()?;
    let pool = d.i64()?;
    let seed = d.u32()?;
    let _preferred = d.i32()?;
    Ok(PgId { pool, seed })
}

/// A pool as the OSD map describes it (`pg_pool_t`, the fields we use).
#[derive(Clone, Debug, Default)]
pub struct Pool {
    pub id: i64,
    pub name: String,
    pub kind: u8,
    pub size: u8,
    pub min_size: u8,
    pub crush_rule: u8,
    pub pg_num: u32,
    pub pgp_num: u32,
    pub flags: u64,
    pub snap_seq: u64,
    /// Pool snapshots: id → (name, stamp).
    pub snaps: BTreeMap<u64, (String, (u32, u32))>,
    pub tier_of: i64,
    pub read_tier: i64,
    pub write_tier: i64,
    pub last_force_resend: u32,
    pub application_metadata: BTreeMap<String, BTreeMap<String, String>>,
}

impl Pool {
    pub(super) fn decode(id: i64, d: &mut Decoder<'_>) -> Result<Pool> {
        d.versioned(u8::MAX, |v, d| {
            let mut p = Pool { id, tier_of: -1, read_tier: -1, write_tier: -1, ..Pool::default() };
            p.kind = d.u8()?;
            p.size = d.u8()?;
            p.crush_rule = d.u8()?;
            let _object_hash = d.u8()?;
            p.pg_num = d.u32()?;
            p.pgp_num = d.u32()?;
            d.take(4 + 4 + 4)?; // lpg_num, lpgp_num, last_change
            p.snap_seq = d.u64()?;
            d.u32()?; // snap_epoch
            let n = d.count(8)?;
            for _ in 0..n {
                let sid = d.u64()?;
                let (name, stamp) = d.versioned(u8::MAX, |_, d| {
                    let _snapid = d.u64()?;
                    let stamp = (d.u32()?, d.u32()?);
                    Ok((d.string()?, stamp))
                })?;
                p.snaps.insert(sid, (name, stamp));
            }
            let n = d.count(16)?;
            d.take(n * 16)?; // removed_snaps
            d.u64()?; // auid
            p.flags = d.u64()?;
            d.u32()?; // crash_replay_interval
            p.min_size = if v >= 7 { d.u8()? } else { p.size - p.size / 2 };
            if v >= 8 {
                d.take(16)?; // quotas
            }
            if v >= 9 {
                let n = d.count(8)?;
                d.take(n * 8)?; // tiers
                p.tier_of = d.i64()?;
                d.u8()?; // cache_mode
                p.read_tier = d.i64()?;
                p.write_tier = d.i64()?;
            }
            if v >= 10 {
                let n = d.count(8)?;
                for _ in 0..n {
                    d.bytes()?;
                    d.bytes()?;
                }
            }
            if v >= 11 {
                d.versioned(u8::MAX, |_, _| Ok(()))?; // hit_set_params
                d.take(8)?;
            }
            if v >= 12 {
                d.u32()?; // stripe_width
            }
            if v >= 13 {
                d.take(8 + 8 + 4 * 4)?;
            }
            if v >= 14 {
                d.bytes()?; // erasure_code_profile
            }
            if v >= 15 {
                p.last_force_resend = d.u32()?;
            }
            if v >= 16 {
                d.u32()?;
            }
            if v >= 17 {
                d.u64()?;
            }
            if v >= 19 {
                d.u32()?;
            }
            if v >= 20 {
                d.u32()?;
            }
            if v >= 21 {
                d.u8()?;
            }
            if v >= 22 {
                d.u8()?;
            }
            if v >= 23 {
                d.take(8)?;
            }
            if v >= 24 {
                d.versioned(u8::MAX, |_, _| Ok(()))?; // opts
            }
            if v >= 25 {
                p.last_force_resend = d.u32()?;
            }
            if v >= 26 {
                let n = d.count(8)?;
                for _ in 0..n {
                    let app = d.string()?;
                    let k = d.count(8)?;
                    let mut kv = BTreeMap::new();
                    for _ in 0..k {
                        kv.insert(d.string()?, d.string()?);
                    }
                    p.application_metadata.insert(app, kv);
                }
            }
            Ok(p)
        })
    }

    pub fn is_replicated(&self) -> bool {
        self.kind == POOL_TYPE_REPLICATED
    }

    /// The placement seed of a raw PG (`raw_pg_to_pps`).
    fn pps(&self, pg: PgId) -> u32 {
        let folded = stable_mod(pg.seed, self.pgp_num, pg_num_mask(self.pgp_num));
        if self.flags & POOL_FLAG_HASHPSPOOL != 0 {
            crush::hash2(folded, pg.pool as u32)
        } else {
            folded.wrapping_add(pg.pool as u32)
        }
    }
}

/// Where a PG lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub pg: PgId,
    pub up: Vec<i32>,
    pub up_primary: i32,
    pub acting: Vec<i32>,
    pub acting_primary: i32,
}

/// The placements computed for one map (epoch): CRUSH runs once per PG and
/// epoch, not once per op. A copy of a map (the start of the next epoch)
/// starts empty.
#[derive(Default)]
pub struct PlacementCache(std::sync::Mutex<std::collections::HashMap<PgId, std::sync::Arc<Placement>>>);

impl PlacementCache {
    /// Most PGs kept (a map of many pools and PGs starts over past it).
    const MAX: usize = 1 << 16;

    fn get(&self, pg: PgId) -> Option<std::sync::Arc<Placement>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&pg).cloned()
    }

    fn put(&self, p: &std::sync::Arc<Placement>) {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= Self::MAX {
            cache.clear();
        }
        cache.insert(p.pg, p.clone());
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Clone for PlacementCache {
    fn clone(&self) -> Self {
        PlacementCache::default()
    }
}

impl std::fmt::Debug for PlacementCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlacementCache({} PGs)", self.len())
    }
}

/// A decoded OSD map.
#[derive(Clone, Debug, Default)]
pub struct OsdMap {
    pub fsid: [u8; 16],
    pub epoch: u32,
    pub pools: BTreeMap<i64, Pool>,
    pub pool_max: i32,
    pub flags: u32,
    pub max_osd: i32,
    pub osd_state: Vec<u32>,
    pub osd_weight: Vec<u32>,
    pub osd_addrs: Vec<Vec<EntityAddr>>,
    pub pg_temp: BTreeMap<PgId, Vec<i32>>,
    pub primary_temp: BTreeMap<PgId, i32>,
    pub primary_affinity: Vec<u32>,
    pub crush: CrushMap,
    pub pg_upmap: BTreeMap<PgId, Vec<i32>>,
    pub pg_upmap_items: BTreeMap<PgId, Vec<(i32, i32)>>,
    /// Placements computed so far for this map.
    pub placements: PlacementCache,
}

pub(super) fn i32s(d: &mut Decoder<'_>) -> Result<Vec<i32>> {
    let n = d.count(4)?;
    (0..n).map(|_| d.i32()).collect()
}

impl OsdMap {
    /// Decodes a full map.
    pub fn decode(buf: &[u8]) -> Result<OsdMap> {
        let mut d = Decoder::new(buf);
        d.versioned(8, |v, d| {
            if v < 7 {
                return Err(Error::Corrupt(format!("OSD map encoding v{v} is too old")));
            }
            d.versioned(u8::MAX, |cv, d| OsdMap::decode_client(cv, d))
        })
    }

    fn decode_client(v: u8, d: &mut Decoder<'_>) -> Result<OsdMap> {
        let mut m = OsdMap { fsid: d.take(16)?.try_into().expect("16 bytes"), epoch: d.u32()?, ..OsdMap::default() };
        d.take(16)?; // created, modified
        let n = d.count(8)?;
        for _ in 0..n {
            let id = d.i64()?;
            m.pools.insert(id, Pool::decode(id, d)?);
        }
        let n = d.count(12)?;
        for _ in 0..n {
            let id = d.i64()?;
            let name = d.string()?;
            if let Some(p) = m.pools.get_mut(&id) {
                p.name = name;
            }
        }
        m.pool_max = d.i32()?;
        m.flags = d.u32()?;
        m.max_osd = d.i32()?;
        let n = d.count(4)?;
        m.osd_state = (0..n).map(|_| if v >= 5 { d.u32() } else { d.u8().map(u32::from) }).collect::<Result<_>>()?;
        let n = d.count(4)?;
        m.osd_weight = (0..n).map(|_| d.u32()).collect::<Result<_>>()?;
        let n = d.count(1)?;
        m.osd_addrs = (0..n).map(|_| EntityAddr::decode_vec(d)).collect::<Result<_>>()?;
        let n = d.count(17)?;
        for _ in 0..n {
            let pg = decode_pg(d)?;
            m.pg_temp.insert(pg, i32s(d)?);
        }
        if v >= 1 {
            let n = d.count(17)?;
            for _ in 0..n {
                let pg = decode_pg(d)?;
                m.primary_temp.insert(pg, d.i32()?);
            }
        }
        if v >= 2 {
            let n = d.count(4)?;
            m.primary_affinity = (0..n).map(|_| d.u32()).collect::<Result<_>>()?;
        }
        m.crush = CrushMap::decode(d.bytes()?)?;
        if v >= 3 {
            let n = d.count(8)?;
            for _ in 0..n {
                d.bytes()?;
                let k = d.count(8)?;
                for _ in 0..k {
                    d.bytes()?;
                    d.bytes()?;
                }
            }
        }
        if v >= 4 {
            let n = d.count(17)?;
            for _ in 0..n {
                let pg = decode_pg(d)?;
                m.pg_upmap.insert(pg, i32s(d)?);
            }
            let n = d.count(17)?;
            for _ in 0..n {
                let pg = decode_pg(d)?;
                let k = d.count(8)?;
                let items = (0..k).map(|_| Ok((d.i32()?, d.i32()?))).collect::<Result<_>>()?;
                m.pg_upmap_items.insert(pg, items);
            }
        }
        Ok(m)
    }

    pub fn pool_by_name(&self, name: &str) -> Option<&Pool> {
        self.pools.values().find(|p| p.name == name)
    }

    pub fn exists(&self, osd: i32) -> bool {
        osd >= 0 && osd < self.max_osd && self.osd_state.get(osd as usize).is_some_and(|s| s & OSD_EXISTS != 0)
    }

    pub fn is_up(&self, osd: i32) -> bool {
        self.exists(osd) && self.osd_state[osd as usize] & OSD_UP != 0
    }

    fn weight_of(&self, osd: i32) -> u32 {
        self.osd_weight.get(osd as usize).copied().unwrap_or(0)
    }

    /// The raw PG of an object: its name (or locator key) hashed with its
    /// namespace, before folding to pg_num.
    pub fn object_pg(&self, pool: &Pool, name: &[u8], key: &[u8], namespace: &[u8]) -> PgId {
        let hashed: &[u8] = if key.is_empty() { name } else { key };
        let seed = if namespace.is_empty() {
            str_hash_rjenkins(hashed)
        } else {
            let mut buf = Vec::with_capacity(namespace.len() + 1 + hashed.len());
            buf.extend_from_slice(namespace);
            buf.push(0x1f);
            buf.extend_from_slice(hashed);
            str_hash_rjenkins(&buf)
        };
        PgId { pool: pool.id, seed }
    }

    /// Up and acting sets of the PG a raw PG folds into (computed once per
    /// PG for this map).
    pub fn placement(&self, raw: PgId) -> Result<std::sync::Arc<Placement>> {
        let pool = self.pools.get(&raw.pool).ok_or_else(|| Error::not_found(format!("pool {}", raw.pool)))?;
        let pg = PgId { pool: raw.pool, seed: stable_mod(raw.seed, pool.pg_num, pg_num_mask(pool.pg_num)) };
        if let Some(p) = self.placements.get(pg) {
            return Ok(p);
        }
        let p = std::sync::Arc::new(self.compute_placement(pool, pg));
        self.placements.put(&p);
        Ok(p)
    }

    /// `placement` without the cache: CRUSH, upmaps, affinity, temp mappings.
    fn compute_placement(&self, pool: &Pool, pg: PgId) -> Placement {
        // CRUSH
        let pps = pool.pps(pg);
        let size = pool.size as usize;
        let mut raw_osds = match self.crush.find_rule(pool.crush_rule, pool.kind, size) {
            Some(rule) => self.crush.do_rule(rule, pps, size, &self.osd_weight, pool.id),
            None => Vec::new(),
        };
        // nonexistent OSDs
        if pool.is_replicated() {
            raw_osds.retain(|&o| self.exists(o));
        } else {
            for o in raw_osds.iter_mut() {
                if !self.exists(*o) {
                    *o = ITEM_NONE;
                }
            }
        }
        self.apply_upmap(pg, &mut raw_osds);
        // up: drop down OSDs
        let mut up: Vec<i32> = if pool.is_replicated() {
            raw_osds.iter().copied().filter(|&o| self.is_up(o)).collect()
        } else {
            raw_osds.iter().map(|&o| if self.is_up(o) { o } else { ITEM_NONE }).collect()
        };
        let mut up_primary = up.iter().copied().find(|&o| o != ITEM_NONE).unwrap_or(-1);
        self.apply_primary_affinity(pps, pool, &mut up, &mut up_primary);
        // temp mappings
        let mut acting = Vec::new();
        if let Some(temp) = self.pg_temp.get(&pg) {
            for &o in temp {
                if !self.is_up(o) {
                    if !pool.is_replicated() {
                        acting.push(ITEM_NONE);
                    }
                } else {
                    acting.push(o);
                }
            }
        }
        let mut acting_primary = match self.primary_temp.get(&pg) {
            Some(&p) => p,
            None => acting.iter().copied().find(|&o| o != ITEM_NONE).unwrap_or(-1),
        };
        if acting.is_empty() {
            acting = up.clone();
            if acting_primary == -1 {
                acting_primary = up_primary;
            }
        }
        Placement { pg, up, up_primary, acting, acting_primary }
    }

    fn apply_upmap(&self, pg: PgId, raw: &mut Vec<i32>) {
        let marked_out = |o: i32| o != ITEM_NONE && o >= 0 && o < self.max_osd && self.weight_of(o) == 0;
        if let Some(target) = self.pg_upmap.get(&pg) {
            if target.iter().any(|&o| marked_out(o)) {
                return;
            }
            *raw = target.clone();
        }
        if let Some(items) = self.pg_upmap_items.get(&pg) {
            for &(from, to) in items {
                let mut exists = false;
                let mut pos = None;
                for (i, &o) in raw.iter().enumerate() {
                    if o == to {
                        exists = true;
                        break;
                    }
                    if o == from && pos.is_none() && !marked_out(to) {
                        pos = Some(i);
                    }
                }
                if let (false, Some(p)) = (exists, pos) {
                    raw[p] = to;
                }
            }
        }
    }

    fn apply_primary_affinity(&self, seed: u32, pool: &Pool, osds: &mut [i32], primary: &mut i32) {
        if self.primary_affinity.is_empty()
            || !osds.iter().any(|&o| {
                o != ITEM_NONE
                    && self.primary_affinity.get(o as usize).copied().unwrap_or(DEFAULT_PRIMARY_AFFINITY)
                        != DEFAULT_PRIMARY_AFFINITY
            })
        {
            return;
        }
        let mut pos = None;
        for (i, &o) in osds.iter().enumerate() {
            if o == ITEM_NONE {
                continue;
            }
            let a = self.primary_affinity.get(o as usize).copied().unwrap_or(DEFAULT_PRIMARY_AFFINITY);
            if a < DEFAULT_PRIMARY_AFFINITY && (crush::hash2(seed, o as u32) >> 16) >= a {
                if pos.is_none() {
                    pos = Some(i);
                }
            } else {
                pos = Some(i);
                break;
            }
        }
        let Some(pos) = pos else { return };
        *primary = osds[pos];
        if pool.is_replicated() && pos > 0 {
            for i in (1..=pos).rev() {
                osds[i] = osds[i - 1];
            }
            osds[0] = *primary;
        }
    }
}

/// The maps an MOSDMap message carries: incremental and full, by epoch.
#[derive(Debug, Default)]
pub struct MapMessage {
    pub fsid: [u8; 16],
    pub incremental: BTreeMap<u32, Vec<u8>>,
    pub full: BTreeMap<u32, Vec<u8>>,
}

impl MapMessage {
    pub fn decode(front: &[u8]) -> Result<MapMessage> {
        let mut d = Decoder::new(front);
        let mut m = MapMessage { fsid: d.take(16)?.try_into().expect("16 bytes"), ..MapMessage::default() };
        for target in [&mut m.incremental, &mut m.full] {
            let n = d.count(8)?;
            for _ in 0..n {
                let epoch = d.u32()?;
                target.insert(epoch, d.bytes()?.to_vec());
            }
        }
        Ok(m)
    }
}
