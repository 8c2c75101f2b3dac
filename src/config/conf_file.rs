//! ceph.conf parsing, with upstream's grammar (src/common/ConfUtils.cc):
//! `[section]` headings, `key = value` lines, `#` and `;` comments, values in
//! double or single quotes, `\c` escapes any character, `\` at the end of a line
//! continues it. Keys are normalized (inner whitespace becomes `_`); a later
//! duplicate key wins; repeated sections merge. As upstream, a file whose very
//! first line is its only `key = value` (no section) sets that key in `[global]`.
//! Deliberate difference: a last line without a newline is accepted (upstream
//! rejects it).

use std::collections::BTreeMap;

use super::schema::normalize_key;
use crate::error::{Error, Result};

/// A parsed configuration file: section name → key → value.
#[derive(Clone, Debug, Default)]
pub struct ConfFile {
    sections: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfFile {
    /// Parses the text of a configuration file.
    pub fn parse(text: &[u8]) -> Result<ConfFile> {
        let text = std::str::from_utf8(text).map_err(|e| {
            let line = text[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::invalid(format!("parse error: invalid UTF-8 found at line {line}"))
        })?;
        let mut file = ConfFile::default();
        let mut section: Option<String> = None;
        let lines = logical_lines(text);
        let lone_first_key = lines.first().is_some_and(|(_, l)| matches!(tokenize(l), Ok(Line::KeyValue(..))))
            && lines[1..].iter().all(|(_, l)| matches!(tokenize(l), Ok(Line::Empty)));
        if lone_first_key {
            section = Some("global".to_string());
        }
        for (number, line) in lines {
            let err = |what: &str| Error::invalid(format!("parse error: {what} in line {number}"));
            let tokens = tokenize(&line).map_err(err)?;
            match tokens {
                Line::Empty => {}
                Line::Heading(name) => {
                    file.sections.entry(name.clone()).or_default();
                    section = Some(name);
                }
                Line::KeyValue(key, value) => {
                    let name = section.as_ref().ok_or_else(|| err("expected section name"))?;
                    file.sections.entry(name.clone()).or_default().insert(normalize_key(&key), value);
                }
            }
        }
        Ok(file)
    }

    /// The value of `key` in `section`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections.get(section)?.get(&normalize_key(key)).map(String::as_str)
    }

    /// Section names.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }
}

enum Line {
    Empty,
    Heading(String),
    KeyValue(String, String),
}

/// Joins backslash-continued lines; yields (first line number, text).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut continuing = false;
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if !continuing {
            start = i + 1;
        }
        // An odd number of trailing backslashes is a continuation marker.
        let trailing = raw.len() - raw.trim_end_matches('\\').len();
        if trailing % 2 == 1 {
            current.push_str(&raw[..raw.len() - 1]);
            continuing = true;
        } else {
            current.push_str(raw);
            out.push((start, std::mem::take(&mut current)));
            continuing = false;
        }
    }
    if continuing {
        out.push((start, current));
    }
    out
}

/// Parses one logical line.
fn tokenize(line: &str) -> std::result::Result<Line, &'static str> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let skip_blanks = |i: &mut usize| {
        while *i < chars.len() && (chars[*i] == ' ' || chars[*i] == '\t') {
            *i += 1;
        }
    };
    let at_comment_or_end = |i: usize| i >= chars.len() || chars[i] == '#' || chars[i] == ';';
    skip_blanks(&mut i);
    if at_comment_or_end(i) {
        return Ok(Line::Empty);
    }
    if chars[i] == '[' {
        i += 1;
        let mut name = String::new();
        while i < chars.len() && chars[i] != ']' {
            match chars[i] {
                '\\' if i + 1 < chars.len() => {
                    name.push(chars[i + 1]);
                    i += 2;
                }
                '#' | ';' => return Err("expected ']'"),
                c => {
                    name.push(c);
                    i += 1;
                }
            }
        }
        if i >= chars.len() || name.is_empty() {
            return Err("expected ']'");
        }
        i += 1;
        skip_blanks(&mut i);
        if !at_comment_or_end(i) {
            return Err("expected 'empty_line'");
        }
        return Ok(Line::Heading(name));
    }
    // key: text up to '=', no '[' allowed
    let mut key = String::new();
    while i < chars.len() && chars[i] != '=' {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                key.push(chars[i + 1]);
                i += 2;
            }
            '[' | '#' | ';' => return Err("expected '='"),
            c => {
                key.push(c);
                i += 1;
            }
        }
    }
    if i >= chars.len() || key.trim().is_empty() {
        return Err("expected '='");
    }
    i += 1;
    skip_blanks(&mut i);
    let mut value = String::new();
    if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
        let quote = chars[i];
        i += 1;
        loop {
            match chars.get(i) {
                None => return Err("expected closing quote"),
                Some(&c) if c == quote => {
                    i += 1;
                    break;
                }
                Some('\\') if i + 1 < chars.len() => {
                    value.push(chars[i + 1]);
                    i += 2;
                }
                Some('#') | Some(';') => return Err("expected closing quote"),
                Some(&c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        skip_blanks(&mut i);
        if !at_comment_or_end(i) {
            return Err("expected 'empty_line'");
        }
    } else {
        while !at_comment_or_end(i) {
            if chars[i] == '\\' && i + 1 < chars.len() {
                value.push(chars[i + 1]);
                i += 2;
            } else {
                value.push(chars[i]);
                i += 1;
            }
        }
    }
    Ok(Line::KeyValue(key, value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_upstream() {
        let text = b"[global]\nmon-host = 1.2.3.4\n  rbd cache = false  # comment\n\
rbd_cache_size = \"1234\" ; c2\nkeyring = /a/b\\\nc\n[client]\nx = 5\n[client.admin]\nx = 7\nx = 8\n\
esc = a\\#b\n[client]\ny = 'q v'";
        let f = ConfFile::parse(text).unwrap();
        assert_eq!(f.get("global", "mon-host"), Some("1.2.3.4"));
        assert_eq!(f.get("global", "mon_host"), None);
        assert_eq!(f.get("global", "rbd_cache"), Some("false"));
        assert_eq!(f.get("global", "rbd_cache_size"), Some("1234"));
        assert_eq!(f.get("global", "keyring"), Some("/a/bc"));
        assert_eq!(f.get("client.admin", "x"), Some("8"));
        assert_eq!(f.get("client.admin", "esc"), Some("a#b"));
        assert_eq!(f.get("client", "x"), Some("5"));
        assert_eq!(f.get("client", "y"), Some("q v"));
    }

    #[test]
    fn rejects_what_upstream_rejects() {
        assert!(ConfFile::parse(b"[global\nx=1\n").is_err());
        assert_eq!(ConfFile::parse(b"x = 1\n").unwrap().get("global", "x"), Some("1"));
        assert!(ConfFile::parse(b"x = 1\ny = 2\n").is_err());
        assert!(ConfFile::parse(b"\nx = 1\n").is_err());
        assert!(ConfFile::parse(b"x = 1\n[client]\ny = 2\n").is_err());
        assert!(ConfFile::parse(b"[g]\nx = \"open\n").is_err());
        assert!(ConfFile::parse(b"[g]\nnovalue\n").is_err());
        assert!(ConfFile::parse(b"[g]\nx = \xff\n").is_err());
        assert!(ConfFile::parse(b"").unwrap().sections().next().is_none());
    }
}
