//! Command-line style configuration: `rados_conf_parse_argv*` and `CEPH_ARGS`.
//!
//! As upstream's `md_config_t::parse_argv`: stops at `--`; knows a few special
//! options (`-m`, `-k`, `-K`, `-d`, `--bind`…); otherwise `--<option> value`,
//! `--<option>=value`, `--<bool>`, `--no-<bool>`, `--default-<option> value`,
//! with `-` and `_` equivalent in option names. Arguments it does not know stay
//! in the vector (the "remainder"); the ones it uses are removed.

use super::schema::{self, OptionKind};
use super::{Config, Level};
use crate::error::{Error, Result};

/// One argument matched against `--name`: `Some(None)` for the bare flag,
/// `Some(Some(v))` for `--name=v`.
fn match_flag<'a>(arg: &'a str, name: &str) -> Option<Option<&'a str>> {
    let body = arg.strip_prefix("--")?;
    let (key, value) = match body.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (body, None),
    };
    (key.replace('-', "_") == name.replace('-', "_")).then_some(value)
}

/// Matches `args[i]` against the spellings of an option that takes a value.
/// Returns the value, removing the consumed arguments.
fn take_with_arg(args: &mut Vec<String>, i: usize, names: &[&str]) -> Result<Option<String>> {
    let arg = args[i].clone();
    for name in names {
        let hit = match name.strip_prefix("--") {
            Some(flag) => match_flag(&arg, flag),
            None => (arg == *name).then_some(None),
        };
        match hit {
            Some(Some(value)) => {
                args.remove(i);
                return Ok(Some(value.to_string()));
            }
            Some(None) => {
                if i + 1 >= args.len() {
                    return Err(Error::invalid(format!("Option {name} requires an argument.")));
                }
                let value = args.remove(i + 1);
                args.remove(i);
                return Ok(Some(value));
            }
            None => {}
        }
    }
    Ok(None)
}

fn take_flag(args: &mut Vec<String>, i: usize, names: &[&str]) -> bool {
    let hit = names.iter().any(|name| match name.strip_prefix("--") {
        Some(flag) => match_flag(&args[i], flag) == Some(None),
        None => args[i] == *name,
    });
    if hit {
        args.remove(i);
    }
    hit
}

/// Applies `args` to `config` at `level`; see the module comment.
pub fn parse(config: &mut Config, args: &mut Vec<String>, level: Level) -> Result<()> {
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--" {
            break;
        }
        if take_flag(args, i, &["--show_conf", "--show_config", "--no-mon-config", "--log-early", "--mon-config"]) {
            continue;
        }
        if take_with_arg(args, i, &["--show_config_value"])?.is_some() {
            continue;
        }
        if take_flag(args, i, &["--foreground", "-f"]) {
            config.set_at("daemonize", "false", level)?;
            continue;
        }
        if take_flag(args, i, &["-d"]) {
            for (k, v) in [
                ("daemonize", "false"),
                ("log_file", ""),
                ("log_to_stderr", "true"),
                ("err_to_stderr", "true"),
                ("log_to_syslog", "false"),
            ] {
                config.set_at(k, v, level)?;
            }
            continue;
        }
        let specials: [(&[&str], &str); 5] = [
            (&["--monmap", "-M"], "monmap"),
            (&["--mon_host", "-m"], "mon_host"),
            (&["--bind"], "public_addr"),
            (&["--keyring", "-k"], "keyring"),
            (&["--client_mountpoint", "-r"], "client_mountpoint"),
        ];
        let mut handled = false;
        for (names, option) in specials {
            if let Some(value) = take_with_arg(args, i, names)? {
                config.set_at(option, &value, level)?;
                handled = true;
                break;
            }
        }
        if handled {
            continue;
        }
        if let Some(path) = take_with_arg(args, i, &["--keyfile", "-K"])? {
            let key = if path == "-" { None } else { std::fs::read_to_string(&path).ok() };
            if let Some(key) = key {
                config.set_at("key", key.trim_end_matches('\n'), level)?;
            }
            continue;
        }
        if !parse_option(config, args, i, level)? {
            i += 1;
        }
    }
    Ok(())
}

/// Tries every schema option against `args[i]`; true when one matched (and was removed).
fn parse_option(config: &mut Config, args: &mut Vec<String>, i: usize, level: Level) -> Result<bool> {
    let arg = args[i].clone();
    let Some(body) = arg.strip_prefix("--") else { return Ok(false) };
    let key = body.split('=').next().unwrap_or(body).replace('-', "_");
    if let Some(name) = key.strip_prefix("default_") {
        if let Some(spec) = schema::find(name) {
            if let Some(value) = take_with_arg(args, i, &[&format!("--default-{}", spec.name)])? {
                config.set_at(spec.name, &value, Level::Default)?;
                return Ok(true);
            }
        }
    }
    if let Some(name) = key.strip_prefix("no_") {
        if let Some(spec) = schema::find(name).filter(|s| s.kind == OptionKind::Bool) {
            if body.contains('=') {
                return Ok(false);
            }
            args.remove(i);
            config.set_at(spec.name, "false", level)?;
            return Ok(true);
        }
    }
    let Some(spec) = schema::find(&key) else { return Ok(false) };
    if spec.kind == OptionKind::Bool {
        // As ceph_argparse_binary_flag: `--flag`, `--flag=<bool>`, or `--flag <bool>`
        // when the next argument is a bool word.
        let bool_word = |v: &str| match v {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        };
        let value = match match_flag(&arg, spec.name) {
            Some(Some(v)) => {
                bool_word(v).ok_or_else(|| Error::invalid(format!("--{} expects true or false", spec.name)))?
            }
            Some(None) => match args.get(i + 1).filter(|n| !n.starts_with('-')).and_then(|n| bool_word(n)) {
                Some(b) => {
                    args.remove(i + 1);
                    b
                }
                None => true,
            },
            None => return Ok(false),
        };
        args.remove(i);
        config.set_at(spec.name, &value.to_string(), level)?;
        return Ok(true);
    }
    match take_with_arg(args, i, &[&format!("--{}", spec.name)])? {
        Some(value) => {
            config.set_at(spec.name, &value, level)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Splits an environment variable's value into arguments at spaces, as upstream
/// (no quoting).
pub fn split_env(value: &str) -> Vec<String> {
    value.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EntityName;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_flags_and_remainder() {
        let mut c = Config::new(EntityName::client("admin"), "");
        let mut a = args(&[
            "prog",
            "--rbd-cache",
            "false",
            "-m",
            "1.2.3.4",
            "--no-rbd_cache_writethrough_until_flush",
            "--rbd_cache_size=1K",
            "--unknown",
            "x",
            "--log_to_stderr",
            "--",
            "--keyring",
            "k",
        ]);
        parse(&mut c, &mut a, Level::Cmdline).unwrap();
        assert_eq!(c.get("rbd_cache").unwrap(), "false");
        assert_eq!(c.get("mon_host").unwrap(), "1.2.3.4");
        assert_eq!(c.get("rbd_cache_writethrough_until_flush").unwrap(), "false");
        assert_eq!(c.get("rbd_cache_size").unwrap(), "1024");
        assert_eq!(c.get("log_to_stderr").unwrap(), "true");
        // as upstream 16.2.15 answers for the same argument vector
        assert_eq!(a, args(&["prog", "--unknown", "x", "--", "--keyring", "k"]));
        let mut missing = args(&["--keyring"]);
        assert!(parse(&mut c, &mut missing, Level::Cmdline).is_err());
    }

    #[test]
    fn env_splitting() {
        assert_eq!(split_env("  --a b  'c d' "), vec!["--a", "b", "'c", "d'"]);
    }
}
