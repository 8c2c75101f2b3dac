//! Image metadata on the header: omap `metadata_<key>` → value.

use std::collections::BTreeMap;

use super::directory::ListInput;
use super::{out, MAX_KEYS_READ};
use crate::cls::{decode_input, ObjectContext};
use crate::error::Result;

const PREFIX: &str = "metadata_";

fn key(name: &str) -> Vec<u8> {
    format!("{PREFIX}{name}").into_bytes()
}

pub fn metadata_list(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let ListInput { start_after, max_return } = decode_input(input)?;
    let max_return = if max_return == 0 { MAX_KEYS_READ } else { max_return };
    let mut data: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut last = key(&start_after);
    let mut more = true;
    while more && (data.len() as u64) < max_return {
        let want = MAX_KEYS_READ.min(max_return - data.len() as u64);
        let (vals, m) = ctx.omap_list(&last, PREFIX.as_bytes(), want)?;
        more = m;
        let Some((k, _)) = vals.last() else { break };
        last = k.clone();
        for (k, v) in vals {
            data.insert(String::from_utf8_lossy(&k[PREFIX.len()..]).into_owned(), v);
        }
    }
    out(&data)
}

pub fn metadata_set(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let data: BTreeMap<String, Vec<u8>> = decode_input(input)?;
    let entries: Vec<(Vec<u8>, Vec<u8>)> = data.into_iter().map(|(k, v)| (key(&k), v)).collect();
    ctx.omap_set(&entries)?;
    Ok(Vec::new())
}

pub fn metadata_remove(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let name: String = decode_input(input)?;
    ctx.omap_remove(&[key(&name)])?;
    Ok(Vec::new())
}

pub fn metadata_get(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let name: String = decode_input(input)?;
    let value = ctx.omap_get(&key(&name))?;
    out(&value)
}
