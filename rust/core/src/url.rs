//! `jdbc:shmlite:` URLs: which database, plus the query's properties.

use crate::error::{Error, Result};

/// The JDBC URL prefix.
pub const PREFIX: &str = "jdbc:shmlite:";

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `mem:NAME`: one shared-cache in-memory database per name and process.
    Mem(String),
    /// `mem:` or `:memory:`: a private in-memory database per connection.
    PrivateMem,
    /// `shm:NAME`: a WAL database file in the per-user directory on tmpfs.
    Shm(String),
    /// `file:PATH` or `PATH`: an ordinary database file.
    File(String),
}

/// A parsed URL: the target and the query's `key=value` pairs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    pub target: Target,
    pub properties: Vec<(String, String)>,
}

/// Longest name accepted for `mem:` and `shm:` databases.
pub const MAX_NAME_LEN: usize = 128;

/// Parses a URL with or without the `jdbc:shmlite:` prefix.
pub fn parse(url: &str) -> Result<ParsedUrl> {
    let bad = |reason: &str| Error::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let rest = url.strip_prefix(PREFIX).unwrap_or(url);
    let (location, query) = match rest.split_once('?') {
        Some((l, q)) => (l, Some(q)),
        None => (rest, None),
    };
    let target = if let Some(name) = location.strip_prefix("mem:") {
        if name.is_empty() {
            Target::PrivateMem
        } else {
            Target::Mem(validate_name(name).map_err(|r| bad(&r))?)
        }
    } else if location == ":memory:" {
        Target::PrivateMem
    } else if let Some(name) = location.strip_prefix("shm:") {
        Target::Shm(validate_name(name).map_err(|r| bad(&r))?)
    } else {
        let path = location.strip_prefix("file:").unwrap_or(location);
        if path.is_empty() {
            return Err(bad(
                "no database given; use mem:NAME, mem:, shm:NAME, file:PATH or PATH",
            ));
        }
        if path.contains('\0') {
            return Err(bad("the path contains a NUL character"));
        }
        Target::File(path.to_owned())
    };
    let mut properties = Vec::new();
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| bad(&format!("query part '{pair}' is not key=value")))?;
            let k = percent_decode(k).map_err(|r| bad(&r))?;
            if k.is_empty() {
                return Err(bad(&format!("query part '{pair}' has an empty key")));
            }
            properties.push((k, percent_decode(v).map_err(|r| bad(&r))?));
        }
    }
    Ok(ParsedUrl { target, properties })
}

fn validate_name(name: &str) -> std::result::Result<String, String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "database name is longer than {MAX_NAME_LEN} characters"
        ));
    }
    if name.starts_with('.') {
        return Err(format!("database name '{name}' must not start with '.'"));
    }
    if let Some(c) = name.chars().find(|&c| !ok_char(c)) {
        return Err(format!(
            "database name '{name}' contains '{}'; names use only letters, digits, '_', '-' and '.'",
            c.escape_default()
        ));
    }
    Ok(name.to_owned())
}

fn percent_decode(s: &str) -> std::result::Result<String, String> {
    if !s.contains('%') && !s.contains('+') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent escape in '{s}'"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("percent escapes in '{s}' are not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        let t = |u: &str| parse(u).unwrap().target;
        assert_eq!(t("jdbc:shmlite:mem:demo"), Target::Mem("demo".into()));
        assert_eq!(t("jdbc:shmlite:mem:"), Target::PrivateMem);
        assert_eq!(t("jdbc:shmlite::memory:"), Target::PrivateMem);
        assert_eq!(t("jdbc:shmlite:shm:feed-1"), Target::Shm("feed-1".into()));
        assert_eq!(
            t("jdbc:shmlite:file:/tmp/a.db"),
            Target::File("/tmp/a.db".into())
        );
        assert_eq!(
            t("jdbc:shmlite:/tmp/a.db"),
            Target::File("/tmp/a.db".into())
        );
        assert_eq!(t("jdbc:shmlite:rel.db"), Target::File("rel.db".into()));
        assert_eq!(t("mem:demo"), Target::Mem("demo".into()));
    }

    #[test]
    fn query_properties_in_order_and_decoded() {
        let p = parse(
            "jdbc:shmlite:mem:x?busy_timeout=10&journal_mode=WAL&date_string_format=yyyy%20MM",
        )
        .unwrap();
        assert_eq!(
            p.properties,
            vec![
                ("busy_timeout".into(), "10".into()),
                ("journal_mode".into(), "WAL".into()),
                ("date_string_format".into(), "yyyy MM".into()),
            ]
        );
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let msg = |u: &str| parse(u).unwrap_err().to_string();
        assert!(msg("jdbc:shmlite:").contains("no database given"));
        assert!(msg("jdbc:shmlite:mem:a/b").contains("contains '/'"));
        assert!(msg("jdbc:shmlite:shm:..").contains("must not start with '.'"));
        assert!(msg("jdbc:shmlite:shm:../etc").contains("must not start with '.'"));
        assert!(msg("jdbc:shmlite:mem:x?novalue").contains("not key=value"));
        assert!(msg("jdbc:shmlite:mem:x?=1").contains("empty key"));
        assert!(msg("jdbc:shmlite:mem:x?a=%zz").contains("bad percent escape"));
        assert!(msg(&format!("jdbc:shmlite:mem:{}", "a".repeat(200))).contains("longer than"));
        assert!(msg("jdbc:shmlite:file:a\0b").contains("NUL"));
    }
}
