//! Finding this entity's secret as upstream does: the `key` option, then the
//! file named by `keyfile`, then the first readable file of the `keyring`
//! list (INI: a `[type.id]` section with `key = <base64>`).

use super::conf_file::ConfFile;
use super::Config;
use crate::error::{Error, Result};

/// The base64 secret of this configuration's entity; ENOENT when none of the
/// sources has it (upstream: "unable to find a keyring").
pub fn find_secret(config: &Config) -> Result<String> {
    let key = config.get_str("key");
    if !key.trim().is_empty() {
        return Ok(key.trim().to_string());
    }
    let keyfile = config.get_str("keyfile");
    if !keyfile.is_empty() {
        let text =
            std::fs::read_to_string(&keyfile).map_err(|e| Error::not_found(format!("keyfile {keyfile}: {e}")))?;
        return Ok(text.trim().to_string());
    }
    let name = config.name().to_string();
    let list = config.get_str("keyring");
    for path in list.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let file = ConfFile::parse(&bytes)?;
        return file
            .get(&name, "key")
            .map(|k| k.trim().to_string())
            .ok_or_else(|| Error::not_found(format!("no key for {name} in keyring {path}")));
    }
    Err(Error::not_found(format!("no keyring found for {name} (searched {list})")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EntityName;

    #[test]
    fn key_then_keyfile_then_keyring() {
        let dir = std::env::temp_dir().join(format!("cephrs-keyring-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ring = dir.join("keyring");
        std::fs::write(
            &ring,
            "[client.admin]\n\tkey = AQAfeQJrXgGcFBAAQC2Dl9JKQTFedjiDn7Fdjg==\n\tcaps mon = \"allow *\"\n",
        )
        .unwrap();
        let mut c = Config::new(EntityName::client("admin"), "ceph");
        c.set("keyring", &format!("/nonexistent/x,{}", ring.display())).unwrap();
        assert_eq!(find_secret(&c).unwrap(), "AQAfeQJrXgGcFBAAQC2Dl9JKQTFedjiDn7Fdjg==");
        let keyfile = dir.join("secret");
        std::fs::write(&keyfile, "AQAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAA==\n").unwrap();
        c.set("keyfile", keyfile.to_str().unwrap()).unwrap();
        assert_eq!(find_secret(&c).unwrap(), "AQAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAA==");
        c.set("key", "AQBBBBBBBBBBBBBAAAAAAAAAAAAAAAAAAAAAAA==").unwrap();
        assert_eq!(find_secret(&c).unwrap(), "AQBBBBBBBBBBBBBAAAAAAAAAAAAAAAAAAAAAAA==");
        let mut other = Config::new(EntityName::client("other"), "ceph");
        other.set("keyring", ring.to_str().unwrap()).unwrap();
        assert!(matches!(find_secret(&other), Err(Error::NotFound(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
