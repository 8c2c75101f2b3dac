//! CRUSH: the map (buckets, rules, tunables, choose_args) as the OSD map
//! carries it, and the mapping function that turns a placement seed into an
//! ordered set of OSDs — uniform, list, tree, straw and straw2 buckets,
//! firstn and indep rules. Behaviour follows Ceph's `src/crush/mapper.c`
//! step for step: placement must agree bit for bit with the cluster's.

use std::collections::BTreeMap;

use super::crush_ln::{LL, RH_LH};
use crate::denc::Decoder;
use crate::error::{Error, Result};

const CRUSH_MAGIC: u32 = 0x0001_0000;
pub const ITEM_NONE: i32 = 0x7fff_ffff;
const ITEM_UNDEF: i32 = 0x7fff_fffe;
/// The choose_args index used when a pool has none of its own.
const DEFAULT_CHOOSE_ARGS: i64 = -1;

const ALG_UNIFORM: u8 = 1;
const ALG_LIST: u8 = 2;
const ALG_TREE: u8 = 3;
const ALG_STRAW: u8 = 4;
const ALG_STRAW2: u8 = 5;

const RULE_TAKE: u32 = 1;
const RULE_CHOOSE_FIRSTN: u32 = 2;
const RULE_CHOOSE_INDEP: u32 = 3;
const RULE_EMIT: u32 = 4;
const RULE_CHOOSELEAF_FIRSTN: u32 = 6;
const RULE_CHOOSELEAF_INDEP: u32 = 7;
const RULE_SET_CHOOSE_TRIES: u32 = 8;
const RULE_SET_CHOOSELEAF_TRIES: u32 = 9;
const RULE_SET_CHOOSE_LOCAL_TRIES: u32 = 10;
const RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES: u32 = 11;
const RULE_SET_CHOOSELEAF_VARY_R: u32 = 12;
const RULE_SET_CHOOSELEAF_STABLE: u32 = 13;

/// Bob Jenkins' 96-bit mix, as CRUSH uses it.
fn hashmix(a: &mut u32, b: &mut u32, c: &mut u32) {
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

const HASH_SEED: u32 = 1_315_423_911;

/// `crush_hash32_2` (rjenkins1).
pub fn hash2(a: u32, b: u32) -> u32 {
    let (mut a, mut b) = (a, b);
    let mut h = HASH_SEED ^ a ^ b;
    let (mut x, mut y) = (231_232u32, 1232u32);
    hashmix(&mut a, &mut b, &mut h);
    hashmix(&mut x, &mut a, &mut h);
    hashmix(&mut b, &mut y, &mut h);
    h
}

/// `crush_hash32_3` (rjenkins1).
pub fn hash3(a: u32, b: u32, c: u32) -> u32 {
    let (mut a, mut b, mut c) = (a, b, c);
    let mut h = HASH_SEED ^ a ^ b ^ c;
    let (mut x, mut y) = (231_232u32, 1232u32);
    hashmix(&mut a, &mut b, &mut h);
    hashmix(&mut c, &mut x, &mut h);
    hashmix(&mut y, &mut a, &mut h);
    hashmix(&mut b, &mut x, &mut h);
    hashmix(&mut y, &mut c, &mut h);
    h
}

/// `crush_hash32_4` (rjenkins1).
fn hash4(a: u32, b: u32, c: u32, d: u32) -> u32 {
    let (mut a, mut b, mut c, mut d) = (a, b, c, d);
    let mut h = HASH_SEED ^ a ^ b ^ c ^ d;
    let (mut x, mut y) = (231_232u32, 1232u32);
    hashmix(&mut a, &mut b, &mut h);
    hashmix(&mut c, &mut d, &mut h);
    hashmix(&mut a, &mut x, &mut h);
    hashmix(&mut y, &mut b, &mut h);
    hashmix(&mut c, &mut x, &mut h);
    hashmix(&mut y, &mut d, &mut h);
    h
}

/// 2^44*log2(x+1), in CRUSH's fixed point.
fn crush_ln(xin: u32) -> u64 {
    let mut x = xin + 1;
    let mut iexpon: i64 = 15;
    if x & 0x18000 == 0 {
        let bits = (x & 0x1ffff).leading_zeros() as i64 - 16;
        x <<= bits;
        iexpon = 15 - bits;
    }
    let index1 = ((x >> 8) << 1) as usize;
    let rh = RH_LH[index1 - 256] as u64;
    let lh = RH_LH[index1 + 1 - 256] as u64;
    let xl64 = (u64::from(x).wrapping_mul(rh)) >> 48;
    let mut result = (iexpon as u64) << (12 + 32);
    let index2 = (xl64 & 0xff) as usize;
    let ll = LL[index2] as u64;
    let lh = (lh + ll) >> (48 - 12 - 32);
    result += lh;
    result
}

/// One bucket of the hierarchy.
#[derive(Clone, Debug, Default)]
pub struct Bucket {
    pub id: i32,
    pub kind: u16,
    pub alg: u8,
    pub hash: u8,
    pub weight: u32,
    pub items: Vec<i32>,
    /// straw2/straw/list item weights; uniform: one weight for all.
    pub item_weights: Vec<u32>,
    /// list: running sums; straw: straw lengths; tree: node weights.
    pub aux: Vec<u32>,
}

/// A rule step: op and two arguments.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub op: u32,
    pub arg1: i32,
    pub arg2: i32,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub ruleset: u8,
    pub kind: u8,
    pub min_size: u8,
    pub max_size: u8,
    pub steps: Vec<Step>,
}

/// Per-bucket alternative weights (by position) and ids.
#[derive(Clone, Debug, Default)]
pub struct ChooseArg {
    pub weight_set: Vec<Vec<u32>>,
    pub ids: Vec<i32>,
}

/// A decoded CRUSH map.
#[derive(Clone, Debug, Default)]
pub struct CrushMap {
    /// Indexed by -1-id.
    pub buckets: Vec<Option<Bucket>>,
    pub rules: Vec<Option<Rule>>,
    pub max_devices: i32,
    pub choose_local_tries: u32,
    pub choose_local_fallback_tries: u32,
    pub choose_total_tries: u32,
    pub chooseleaf_descend_once: u32,
    pub chooseleaf_vary_r: u8,
    pub chooseleaf_stable: u8,
    /// choose_args maps by index (pool id, or -1 for the default).
    pub choose_args: BTreeMap<i64, BTreeMap<usize, ChooseArg>>,
}

fn u32s(d: &mut Decoder<'_>, n: usize) -> Result<Vec<u32>> {
    (0..n).map(|_| d.u32()).collect()
}

fn skip_map_i32_string(d: &mut Decoder<'_>) -> Result<()> {
    let n = d.count(8)?;
    for _ in 0..n {
        d.u32()?;
        d.bytes()?;
    }
    Ok(())
}

impl CrushMap {
    /// Decodes `CrushWrapper::encode` output.
    pub fn decode(buf: &[u8]) -> Result<CrushMap> {
        let mut d = Decoder::new(buf);
        if d.u32()? != CRUSH_MAGIC {
            return Err(Error::Corrupt("crush map magic".into()));
        }
        let max_buckets = d.u32()? as usize;
        let max_rules = d.u32()? as usize;
        let max_devices = d.i32()?;
        let mut m = CrushMap {
            max_devices,
            choose_local_tries: 2,
            choose_local_fallback_tries: 5,
            choose_total_tries: 19,
            ..CrushMap::default()
        };
        for _ in 0..max_buckets {
            let alg = d.u32()?;
            if alg == 0 {
                m.buckets.push(None);
                continue;
            }
            let mut b = Bucket {
                id: d.i32()?,
                kind: d.u16()?,
                alg: d.u8()?,
                hash: d.u8()?,
                weight: d.u32()?,
                ..Bucket::default()
            };
            let size = d.count(4)?;
            b.items = (0..size).map(|_| d.i32()).collect::<Result<_>>()?;
            match b.alg {
                ALG_UNIFORM => b.item_weights = vec![d.u32()?; size],
                ALG_LIST | ALG_STRAW => {
                    for _ in 0..size {
                        b.item_weights.push(d.u32()?);
                        b.aux.push(d.u32()?);
                    }
                }
                ALG_TREE => {
                    let nodes = d.u8()? as usize;
                    b.aux = u32s(&mut d, nodes)?;
                }
                ALG_STRAW2 => b.item_weights = u32s(&mut d, size)?,
                other => return Err(Error::Corrupt(format!("crush bucket algorithm {other}"))),
            }
            m.buckets.push(Some(b));
        }
        for _ in 0..max_rules {
            if d.u32()? == 0 {
                m.rules.push(None);
                continue;
            }
            let len = d.count(12)?;
            let (ruleset, kind, min_size, max_size) = (d.u8()?, d.u8()?, d.u8()?, d.u8()?);
            let steps =
                (0..len).map(|_| Ok(Step { op: d.u32()?, arg1: d.i32()?, arg2: d.i32()? })).collect::<Result<_>>()?;
            m.rules.push(Some(Rule { ruleset, kind, min_size, max_size, steps }));
        }
        skip_map_i32_string(&mut d)?; // type names
        skip_map_i32_string(&mut d)?; // item names
        skip_map_i32_string(&mut d)?; // rule names
        if d.is_empty() {
            return Ok(m);
        }
        m.choose_local_tries = d.u32()?;
        m.choose_local_fallback_tries = d.u32()?;
        m.choose_total_tries = d.u32()?;
        if d.is_empty() {
            return Ok(m);
        }
        m.chooseleaf_descend_once = d.u32()?;
        if d.is_empty() {
            return Ok(m);
        }
        m.chooseleaf_vary_r = d.u8()?;
        if d.is_empty() {
            return Ok(m);
        }
        let _straw_calc_version = d.u8()?;
        if d.is_empty() {
            return Ok(m);
        }
        let _allowed_bucket_algs = d.u32()?;
        if d.is_empty() {
            return Ok(m);
        }
        m.chooseleaf_stable = d.u8()?;
        if d.is_empty() {
            return Ok(m);
        }
        // device classes: class_map, class_name, class_bucket
        let n = d.count(8)?;
        for _ in 0..n {
            d.u32()?;
            d.u32()?;
        }
        skip_map_i32_string(&mut d)?;
        let n = d.count(8)?;
        for _ in 0..n {
            d.u32()?;
            let k = d.count(8)?;
            for _ in 0..k {
                d.u32()?;
                d.u32()?;
            }
        }
        if d.is_empty() {
            return Ok(m);
        }
        let maps = d.count(12)?;
        for _ in 0..maps {
            let index = d.u64()? as i64;
            let nb = d.count(4)?;
            let mut args = BTreeMap::new();
            for _ in 0..nb {
                let bucket_index = d.u32()? as usize;
                let sets = d.count(4)?;
                let mut arg = ChooseArg::default();
                for _ in 0..sets {
                    let len = d.count(4)?;
                    arg.weight_set.push(u32s(&mut d, len)?);
                }
                let ids = d.count(4)?;
                arg.ids = (0..ids).map(|_| d.i32()).collect::<Result<_>>()?;
                args.insert(bucket_index, arg);
            }
            m.choose_args.insert(index, args);
        }
        Ok(m)
    }

    /// `crush_find_rule` (Pacific: the rule whose ruleset is `ruleset`, of
    /// `kind`, admitting `size`).
    pub fn find_rule(&self, ruleset: u8, kind: u8, size: usize) -> Option<usize> {
        self.rules.iter().position(|r| {
            r.as_ref().is_some_and(|r| {
                r.ruleset == ruleset && r.kind == kind && (r.min_size as usize) <= size && (r.max_size as usize) >= size
            })
        })
    }

    fn bucket(&self, id: i32) -> Option<&Bucket> {
        let idx = usize::try_from(-1 - i64::from(id)).ok()?;
        self.buckets.get(idx)?.as_ref()
    }

    /// Maps `x` with rule `ruleno` to at most `result_max` items, using the
    /// devices' `weight`s (16.16 fixed point) and the choose_args of `pool`.
    pub fn do_rule(&self, ruleno: usize, x: u32, result_max: usize, weight: &[u32], pool: i64) -> Vec<i32> {
        let Some(Some(rule)) = self.rules.get(ruleno) else { return Vec::new() };
        let choose_args = self.choose_args.get(&pool).or_else(|| self.choose_args.get(&DEFAULT_CHOOSE_ARGS));
        let mut ctx = Mapper { map: self, weight, x: x as i32, choose_args, work: Vec::new() };
        let mut result = Vec::new();
        let mut w: Vec<i32> = Vec::new();
        let mut choose_tries = self.choose_total_tries + 1;
        let mut choose_leaf_tries = 0u32;
        let mut local_retries = self.choose_local_tries;
        let mut local_fallback_retries = self.choose_local_fallback_tries;
        let mut vary_r = u32::from(self.chooseleaf_vary_r);
        let mut stable = u32::from(self.chooseleaf_stable);
        for step in &rule.steps {
            match step.op {
                RULE_TAKE => {
                    let a = step.arg1;
                    if (a >= 0 && a < self.max_devices) || self.bucket(a).is_some() {
                        w = vec![a];
                    }
                }
                RULE_SET_CHOOSE_TRIES if step.arg1 > 0 => choose_tries = step.arg1 as u32,
                RULE_SET_CHOOSELEAF_TRIES if step.arg1 > 0 => choose_leaf_tries = step.arg1 as u32,
                RULE_SET_CHOOSE_LOCAL_TRIES if step.arg1 >= 0 => local_retries = step.arg1 as u32,
                RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES if step.arg1 >= 0 => local_fallback_retries = step.arg1 as u32,
                RULE_SET_CHOOSELEAF_VARY_R if step.arg1 >= 0 => vary_r = step.arg1 as u32,
                RULE_SET_CHOOSELEAF_STABLE if step.arg1 >= 0 => stable = step.arg1 as u32,
                RULE_CHOOSE_FIRSTN | RULE_CHOOSELEAF_FIRSTN | RULE_CHOOSE_INDEP | RULE_CHOOSELEAF_INDEP => {
                    if w.is_empty() {
                        continue;
                    }
                    let firstn = matches!(step.op, RULE_CHOOSE_FIRSTN | RULE_CHOOSELEAF_FIRSTN);
                    let leaf = matches!(step.op, RULE_CHOOSELEAF_FIRSTN | RULE_CHOOSELEAF_INDEP);
                    let mut o: Vec<i32> = Vec::new();
                    let mut c: Vec<i32> = Vec::new();
                    for &wi in &w {
                        let mut numrep = step.arg1;
                        if numrep <= 0 {
                            numrep += result_max as i32;
                            if numrep <= 0 {
                                continue;
                            }
                        }
                        let Some(bucket) = self.bucket(wi) else { continue };
                        let osize = o.len();
                        let room = result_max.saturating_sub(osize);
                        if firstn {
                            let recurse_tries = if choose_leaf_tries > 0 {
                                choose_leaf_tries
                            } else if self.chooseleaf_descend_once != 0 {
                                1
                            } else {
                                choose_tries
                            };
                            let mut out = vec![0i32; room];
                            let mut out2 = vec![0i32; room];
                            let n = ctx.choose_firstn(
                                bucket,
                                numrep,
                                step.arg2,
                                &mut out,
                                0,
                                room,
                                Tries { tries: choose_tries, recurse_tries, local_retries, local_fallback_retries },
                                leaf,
                                vary_r,
                                stable,
                                Some(&mut out2),
                                0,
                            );
                            o.extend_from_slice(&out[..n]);
                            c.extend_from_slice(&out2[..n]);
                        } else {
                            let out_size = (numrep as usize).min(room);
                            let mut out = vec![0i32; out_size];
                            let mut out2 = vec![0i32; out_size];
                            ctx.choose_indep(
                                bucket,
                                out_size,
                                numrep,
                                step.arg2,
                                &mut out,
                                0,
                                choose_tries,
                                if choose_leaf_tries > 0 { choose_leaf_tries } else { 1 },
                                leaf,
                                Some(&mut out2),
                                0,
                            );
                            o.extend_from_slice(&out);
                            c.extend_from_slice(&out2);
                        }
                    }
                    w = if leaf { c } else { o };
                }
                RULE_EMIT => {
                    for &i in &w {
                        if result.len() >= result_max {
                            break;
                        }
                        result.push(i);
                    }
                    w.clear();
                }
                _ => {}
            }
        }
        result
    }
}

#[derive(Clone, Default)]
struct Perm {
    x: u32,
    n: u32,
    perm: Vec<u32>,
}

#[derive(Clone, Copy)]
struct Tries {
    tries: u32,
    recurse_tries: u32,
    local_retries: u32,
    local_fallback_retries: u32,
}

/// One mapping computation (mapper.c's `crush_work` plus arguments).
struct Mapper<'a> {
    map: &'a CrushMap,
    weight: &'a [u32],
    x: i32,
    choose_args: Option<&'a BTreeMap<usize, ChooseArg>>,
    work: Vec<Perm>,
}

impl Mapper<'_> {
    fn perm_choose(&mut self, b: &Bucket, r: i32) -> i32 {
        let size = b.items.len() as u32;
        let pr = (r as u32) % size;
        let x = self.x as u32;
        // permutation state exists only for buckets that need it (uniform, fallback)
        let index = (-1 - b.id) as usize;
        if self.work.len() <= index {
            self.work.resize(index + 1, Perm::default());
        }
        let work = &mut self.work[index];
        if work.perm.len() != size as usize {
            work.perm = vec![0; size as usize];
        }
        if work.x != x || work.n == 0 {
            work.x = x;
            if pr == 0 {
                let s = hash3(x, b.id as u32, 0) % size;
                work.perm[0] = s;
                work.n = 0xffff;
                return b.items[s as usize];
            }
            for i in 0..size {
                work.perm[i as usize] = i;
            }
            work.n = 0;
        } else if work.n == 0xffff {
            for i in 1..size {
                work.perm[i as usize] = i;
            }
            let first = work.perm[0] as usize;
            work.perm[first] = 0;
            work.n = 1;
        }
        while work.n <= pr {
            let p = work.n;
            if p < size - 1 {
                let i = hash3(x, b.id as u32, p) % (size - p);
                if i != 0 {
                    work.perm.swap((p + i) as usize, p as usize);
                }
            }
            work.n += 1;
        }
        b.items[work.perm[pr as usize] as usize]
    }

    fn bucket_choose(&mut self, b: &Bucket, r: i32, position: usize) -> i32 {
        let x = self.x as u32;
        match b.alg {
            ALG_UNIFORM => self.perm_choose(b, r),
            ALG_LIST => {
                for i in (0..b.items.len()).rev() {
                    let mut w = u64::from(hash4(x, b.items[i] as u32, r as u32, b.id as u32) & 0xffff);
                    w = (w * u64::from(b.aux[i])) >> 16;
                    if w < u64::from(b.item_weights[i]) {
                        return b.items[i];
                    }
                }
                b.items[0]
            }
            ALG_TREE => {
                let terminal = |n: i32| n & 1 == 1;
                let height = |mut n: i32| {
                    let mut h = 0;
                    while n & 1 == 0 {
                        h += 1;
                        n >>= 1;
                    }
                    h
                };
                let mut n = (b.aux.len() >> 1) as i32;
                while !terminal(n) {
                    let w = u64::from(b.aux[n as usize]);
                    let t = (u64::from(hash4(x, n as u32, r as u32, b.id as u32)) * w) >> 32;
                    let h = height(n);
                    let l = n - (1 << (h - 1));
                    n = if t < u64::from(b.aux[l as usize]) { l } else { n + (1 << (h - 1)) };
                }
                b.items[(n >> 1) as usize]
            }
            ALG_STRAW => {
                let mut high = 0;
                let mut high_draw = 0u64;
                for i in 0..b.items.len() {
                    let draw = u64::from(hash3(x, b.items[i] as u32, r as u32) & 0xffff) * u64::from(b.aux[i]);
                    if i == 0 || draw > high_draw {
                        high = i;
                        high_draw = draw;
                    }
                }
                b.items[high]
            }
            ALG_STRAW2 => {
                let arg = self.choose_args.and_then(|a| a.get(&((-1 - b.id) as usize)));
                let weights: &[u32] = match arg {
                    Some(a) if !a.weight_set.is_empty() => &a.weight_set[position.min(a.weight_set.len() - 1)],
                    _ => &b.item_weights,
                };
                let ids: &[i32] = match arg {
                    Some(a) if !a.ids.is_empty() => &a.ids,
                    _ => &b.items,
                };
                let mut high = 0;
                let mut high_draw = 0i64;
                for i in 0..b.items.len() {
                    let draw = if weights[i] != 0 {
                        let u = hash3(x, ids[i] as u32, r as u32) & 0xffff;
                        let ln = crush_ln(u) as i64 - 0x1_0000_0000_0000;
                        ln / i64::from(weights[i])
                    } else {
                        i64::MIN
                    };
                    if i == 0 || draw > high_draw {
                        high = i;
                        high_draw = draw;
                    }
                }
                b.items[high]
            }
            _ => b.items[0],
        }
    }

    fn is_out(&self, item: i32) -> bool {
        let Some(&w) = usize::try_from(item).ok().and_then(|i| self.weight.get(i)) else { return true };
        if w >= 0x10000 {
            return false;
        }
        if w == 0 {
            return true;
        }
        (hash2(self.x as u32, item as u32) & 0xffff) >= w
    }

    fn item_type(&self, item: i32) -> Option<u16> {
        if item >= 0 {
            Some(0)
        } else {
            self.map.bucket(item).map(|b| b.kind)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn choose_firstn(
        &mut self,
        bucket: &Bucket,
        numrep: i32,
        kind: i32,
        out: &mut [i32],
        mut outpos: usize,
        out_size: usize,
        t: Tries,
        recurse_to_leaf: bool,
        vary_r: u32,
        stable: u32,
        mut out2: Option<&mut [i32]>,
        parent_r: i32,
    ) -> usize {
        let mut count = out_size;
        let mut rep = if stable != 0 { 0 } else { outpos as i32 };
        while rep < numrep && count > 0 {
            let mut ftotal = 0u32;
            let mut skip_rep = false;
            let mut item;
            'descent: loop {
                let mut in_b = bucket;
                let mut flocal = 0u32;
                loop {
                    let mut collide = false;
                    let r = rep + parent_r + ftotal as i32;
                    let mut reject;
                    if in_b.items.is_empty() {
                        reject = true;
                        item = 0;
                    } else {
                        item = if t.local_fallback_retries > 0
                            && flocal >= (in_b.items.len() as u32 >> 1)
                            && flocal > t.local_fallback_retries
                        {
                            self.perm_choose(in_b, r)
                        } else {
                            self.bucket_choose(in_b, r, outpos)
                        };
                        if item >= self.map.max_devices {
                            skip_rep = true;
                            break 'descent;
                        }
                        let Some(itemtype) = self.item_type(item) else {
                            skip_rep = true;
                            break 'descent;
                        };
                        if i32::from(itemtype) != kind {
                            match self.map.bucket(item) {
                                Some(b) if item < 0 => {
                                    in_b = b;
                                    continue;
                                }
                                _ => {
                                    skip_rep = true;
                                    break 'descent;
                                }
                            }
                        }
                        collide = out[..outpos].contains(&item);
                        reject = false;
                        if !collide && recurse_to_leaf {
                            if item < 0 {
                                let sub_r = if vary_r != 0 { r >> (vary_r - 1) } else { 0 };
                                let sub = self.map.bucket(item).expect("checked above");
                                let o2 = out2.as_deref_mut().expect("leaf output");
                                let got = self.choose_firstn(
                                    sub,
                                    if stable != 0 { 1 } else { outpos as i32 + 1 },
                                    0,
                                    o2,
                                    outpos,
                                    count,
                                    Tries { tries: t.recurse_tries, recurse_tries: 0, ..t },
                                    false,
                                    vary_r,
                                    stable,
                                    None,
                                    sub_r,
                                );
                                if got <= outpos {
                                    reject = true;
                                }
                            } else if let Some(o2) = out2.as_deref_mut() {
                                o2[outpos] = item;
                            }
                        }
                        if !reject && !collide && itemtype == 0 {
                            reject = self.is_out(item);
                        }
                    }
                    if reject || collide {
                        ftotal += 1;
                        flocal += 1;
                        let retry_bucket = (collide && flocal <= t.local_retries)
                            || (t.local_fallback_retries > 0
                                && flocal <= in_b.items.len() as u32 + t.local_fallback_retries);
                        if retry_bucket {
                            continue;
                        } else if ftotal < t.tries {
                            continue 'descent;
                        }
                        skip_rep = true;
                    }
                    break 'descent;
                }
            }
            if !skip_rep {
                out[outpos] = item;
                outpos += 1;
                count -= 1;
            }
            rep += 1;
        }
        outpos
    }

    #[allow(clippy::too_many_arguments)]
    fn choose_indep(
        &mut self,
        bucket: &Bucket,
        left: usize,
        numrep: i32,
        kind: i32,
        out: &mut [i32],
        outpos: usize,
        tries: u32,
        recurse_tries: u32,
        recurse_to_leaf: bool,
        mut out2: Option<&mut [i32]>,
        parent_r: i32,
    ) {
        let endpos = outpos + left;
        let mut left = left;
        for rep in outpos..endpos {
            out[rep] = ITEM_UNDEF;
            if let Some(o2) = out2.as_deref_mut() {
                o2[rep] = ITEM_UNDEF;
            }
        }
        let mut ftotal = 0u32;
        while left > 0 && ftotal < tries {
            for rep in outpos..endpos {
                if out[rep] != ITEM_UNDEF {
                    continue;
                }
                let mut in_b = bucket;
                loop {
                    let mut r = rep as i32 + parent_r;
                    if in_b.alg == ALG_UNIFORM && in_b.items.len() as i32 % numrep == 0 {
                        r += (numrep + 1) * ftotal as i32;
                    } else {
                        r += numrep * ftotal as i32;
                    }
                    if in_b.items.is_empty() {
                        break;
                    }
                    let item = self.bucket_choose(in_b, r, outpos);
                    if item >= self.map.max_devices {
                        out[rep] = ITEM_NONE;
                        if let Some(o2) = out2.as_deref_mut() {
                            o2[rep] = ITEM_NONE;
                        }
                        left -= 1;
                        break;
                    }
                    let itemtype = self.item_type(item);
                    if itemtype.map(i32::from) != Some(kind) {
                        match self.map.bucket(item) {
                            Some(b) if item < 0 => {
                                in_b = b;
                                continue;
                            }
                            _ => {
                                out[rep] = ITEM_NONE;
                                if let Some(o2) = out2.as_deref_mut() {
                                    o2[rep] = ITEM_NONE;
                                }
                                left -= 1;
                                break;
                            }
                        }
                    }
                    if out[outpos..endpos].contains(&item) {
                        break;
                    }
                    if recurse_to_leaf {
                        let o2 = out2.as_deref_mut().expect("leaf output");
                        if item < 0 {
                            let sub = self.map.bucket(item).expect("checked above");
                            self.choose_indep(sub, 1, numrep, 0, o2, rep, recurse_tries, 0, false, None, r);
                            if o2[rep] == ITEM_NONE {
                                break;
                            }
                        } else {
                            o2[rep] = item;
                        }
                    }
                    if itemtype == Some(0) && self.is_out(item) {
                        break;
                    }
                    out[rep] = item;
                    left -= 1;
                    break;
                }
            }
            ftotal += 1;
        }
        for rep in outpos..endpos {
            if out[rep] == ITEM_UNDEF {
                out[rep] = ITEM_NONE;
            }
            if let Some(o2) = out2.as_deref_mut() {
                if o2[rep] == ITEM_UNDEF {
                    o2[rep] = ITEM_NONE;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_endpoints() {
        // log2(1) = 0 and log2(2^16) = 16, in 2^44 fixed point (less the table's last step)
        assert_eq!(crush_ln(0), 0);
        assert_eq!(crush_ln(0xffff), 0xffff_f000_0000);
        assert_eq!(crush_ln(1), 1 << 44);
    }

    fn straw2_map(weights: &[u32]) -> CrushMap {
        let root = Bucket {
            id: -1,
            kind: 1,
            alg: ALG_STRAW2,
            hash: 0,
            weight: weights.iter().sum(),
            items: (0..weights.len() as i32).collect(),
            item_weights: weights.to_vec(),
            aux: vec![],
        };
        let rule = Rule {
            ruleset: 0,
            kind: 1,
            min_size: 1,
            max_size: 10,
            steps: vec![
                Step { op: RULE_TAKE, arg1: -1, arg2: 0 },
                Step { op: RULE_CHOOSELEAF_FIRSTN, arg1: 0, arg2: 0 },
                Step { op: RULE_EMIT, arg1: 0, arg2: 0 },
            ],
        };
        CrushMap {
            buckets: vec![Some(root)],
            rules: vec![Some(rule)],
            max_devices: weights.len() as i32,
            choose_local_tries: 0,
            choose_local_fallback_tries: 0,
            choose_total_tries: 50,
            chooseleaf_descend_once: 1,
            chooseleaf_vary_r: 1,
            chooseleaf_stable: 1,
            ..CrushMap::default()
        }
    }

    #[test]
    fn straw2_spreads_by_weight_and_never_repeats() {
        let map = straw2_map(&[0x10000, 0x10000, 0x20000]);
        let reweight = vec![0x10000; 3];
        let mut first = [0usize; 3];
        for x in 0..3000u32 {
            let r = map.do_rule(0, x, 3, &reweight, 1);
            assert_eq!(r.len(), 3);
            let mut s = r.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 3, "{r:?}");
            first[r[0] as usize] += 1;
        }
        // osd.2 has half the weight: about half the primaries
        assert!(first[2] > 1300 && first[2] < 1700, "{first:?}");
        // an out device is never chosen
        let out = vec![0x10000, 0, 0x10000];
        for x in 0..500u32 {
            assert!(!map.do_rule(0, x, 2, &out, 1).contains(&1));
        }
    }
}
