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
    /// `dqlite://HOST:PORT[,HOST:PORT...]/NAME`: database NAME of a dqlite cluster, found
    /// through the listed nodes (the remote layer, `crate::remote`).
    Dqlite { seeds: Vec<String>, name: String },
}

/// URL form of a dqlite cluster's database.
pub const DQLITE_SCHEME: &str = "dqlite://";

/// Most seed nodes one `dqlite://` URL may list (a cluster has a handful of voters).
pub const MAX_SEEDS: usize = 64;

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
    let target = if let Some(rest) = location.strip_prefix(DQLITE_SCHEME) {
        parse_dqlite(rest).map_err(|r| bad(&r))?
    } else if let Some(name) = location.strip_prefix("mem:") {
        if name.is_empty() {
            Target::PrivateMem
        } else {
            Target::Mem(validate_name(name).map_err(|r| bad(&r))?)
        }
    } else if location == ":memory:" {
        Target::PrivateMem
    } else if let Some(name) = location.strip_prefix("shm:") {
        if name.is_empty() {
            // Unlike `mem:`, there is no private file database: an empty name would be `.db`.
            return Err(bad(&format!(
                "shm: needs a database name (shm:NAME); {FORMS}"
            )));
        }
        Target::Shm(validate_name(name).map_err(|r| bad(&r))?)
    } else {
        let path = match location.strip_prefix("file:") {
            Some(path) => path,
            None => {
                if let Some(scheme) = scheme_of(location) {
                    return Err(bad(&format!(
                        "'{scheme}:' is not a shmlite database form; {FORMS} (write file:{location} or ./{location} for a file of that name)"
                    )));
                }
                location
            }
        };
        if path.is_empty() {
            return Err(bad(&format!("no database given; {FORMS}")));
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

/// The valid forms, named in every error about a URL's database part.
const FORMS: &str = "use mem:NAME, mem: (private), shm:NAME, file:PATH, a path or dqlite://HOST:PORT[,HOST:PORT...]/NAME";

/// `HOST:PORT[,HOST:PORT...]/NAME` after `dqlite://`: every seed a host and a numeric port, the
/// name as for `mem:`/`shm:`. Seeds are kept in the given order (discovery tries them in turn).
fn parse_dqlite(rest: &str) -> std::result::Result<Target, String> {
    let form = "dqlite://HOST:PORT[,HOST:PORT...]/NAME";
    let (nodes, name) = rest
        .split_once('/')
        .ok_or_else(|| format!("no database name: use {form}"))?;
    if name.is_empty() {
        return Err(format!("no database name: use {form}"));
    }
    let name = validate_name(name)?;
    let mut seeds: Vec<String> = Vec::new();
    for node in nodes.split(',') {
        let node = node.trim();
        let (host, port) = node
            .rsplit_once(':')
            .ok_or_else(|| format!("node '{node}' has no port: use {form}"))?;
        let host_ok = !host.is_empty()
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']')
            });
        if !host_ok {
            return Err(format!("node '{node}' has no valid host name: use {form}"));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => {
                return Err(format!(
                    "node '{node}' has no valid port (1-65535): use {form}"
                ))
            }
        }
        if !seeds.iter().any(|s| s == node) {
            seeds.push(node.to_owned());
        }
    }
    if seeds.len() > MAX_SEEDS {
        return Err(format!("more than {MAX_SEEDS} nodes listed"));
    }
    Ok(Target::Dqlite { seeds, name })
}

/// The URL scheme a bare location starts with (`mme` in `mme:orders`): letters, digits, `+`, `-`
/// and `.` after a first letter, then `:` (RFC 3986). A typo of `mem:`/`shm:` would otherwise be
/// a file of that name in the working directory. A single letter is a Windows drive (`C:\x`)
/// only on Windows.
fn scheme_of(location: &str) -> Option<&str> {
    let (scheme, _) = location.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let drive = cfg!(windows) && scheme.len() == 1;
    (valid && !drive).then_some(scheme)
}

/// Why SQLite must not run `ATTACH` of `filename`, if it must not: a name that looks like a URL
/// scheme other than `file:` (`mem:aux`, `shm:feed`) would silently create a file of that name
/// in the working directory. To be called from the authorizer's SQLITE_ATTACH case.
pub fn attach_target_error(filename: &str) -> Option<Error> {
    if filename.len() >= 5 && filename[..5].eq_ignore_ascii_case("file:") {
        return None; // an SQLite URI or path, as SQLite documents it
    }
    let scheme = scheme_of(filename)?;
    let message = if matches!(scheme, "mem" | "shm") {
        format!("ATTACH '{filename}': a shmlite database is attached by name only as a string literal right after ATTACH (ATTACH '{scheme}:NAME' AS x), not through an expression; otherwise ATTACH takes a file path or an SQLite file: URI")
    } else {
        format!("ATTACH '{filename}': '{scheme}:' is not a database form; ATTACH takes a file path (write ./{filename} for a file of that name) or an SQLite file: URI")
    };
    Some(Error::Sqlite {
        code: libsqlite3_sys::SQLITE_ERROR,
        message,
        sql: None,
        at_prepare: true,
    })
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
    fn dqlite_urls_parse_and_bad_ones_say_why() {
        let t =
            parse("jdbc:shmlite:dqlite://127.0.0.1:9001,h2:9002/orders?busy_timeout=10").unwrap();
        assert_eq!(
            t.target,
            Target::Dqlite {
                seeds: vec!["127.0.0.1:9001".into(), "h2:9002".into()],
                name: "orders".into()
            }
        );
        assert_eq!(t.properties, vec![("busy_timeout".into(), "10".into())]);
        let msg = |u: &str| parse(u).unwrap_err().to_string();
        assert!(msg("jdbc:shmlite:dqlite://h:1").contains("no database name"));
        assert!(msg("jdbc:shmlite:dqlite://h:1/").contains("no database name"));
        assert!(msg("jdbc:shmlite:dqlite://h/x").contains("has no port"));
        assert!(msg("jdbc:shmlite:dqlite://h:0/x").contains("valid port"));
        assert!(msg("jdbc:shmlite:dqlite://h:99999/x").contains("valid port"));
        assert!(msg("jdbc:shmlite:dqlite://:1/x").contains("valid host"));
        assert!(msg("jdbc:shmlite:dqlite://h:1/a/b").contains("contains '/'"));
        assert_eq!(
            parse("jdbc:shmlite:dqlite://h:1")
                .unwrap_err()
                .jdbc()
                .sql_state,
            "08001"
        );
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

    #[test]
    fn an_empty_shm_name_is_refused_and_an_empty_mem_name_is_private() {
        let e = parse("jdbc:shmlite:shm:").unwrap_err();
        assert!(e.to_string().contains("needs a database name"), "{e}");
        assert_eq!(e.jdbc().sql_state, "08001");
        assert!(parse("jdbc:shmlite:shm:?busy_timeout=1").is_err());
        assert_eq!(
            parse("jdbc:shmlite:mem:").unwrap().target,
            Target::PrivateMem
        );
    }

    #[test]
    fn a_bare_path_that_looks_like_a_scheme_is_refused_unless_written_as_file() {
        for url in [
            "jdbc:shmlite:mme:orders",
            "jdbc:shmlite:nonsense-scheme:x",
            "jdbc:shmlite:Mem:x",
            "jdbc:shmlite:http://host/x.db",
            "jdbc:shmlite:jdbc:shmlite:mem:x",
            "jdbc:shmlite:a+b.c:x?busy_timeout=1",
        ] {
            let e = parse(url).unwrap_err();
            assert_eq!(e.jdbc().sql_state, "08001", "{url}");
            let m = e.to_string();
            assert!(
                m.contains("not a shmlite database form")
                    && m.contains("mem:NAME")
                    && m.contains("file:PATH"),
                "{url}: {m}"
            );
        }
        let t = |u: &str| parse(u).unwrap().target;
        assert_eq!(
            t("jdbc:shmlite:file:mme:orders"),
            Target::File("mme:orders".into())
        );
        assert_eq!(
            t("jdbc:shmlite:./mme:orders"),
            Target::File("./mme:orders".into())
        );
        assert_eq!(
            t("jdbc:shmlite:/tmp/a:b.db"),
            Target::File("/tmp/a:b.db".into())
        );
        assert_eq!(t("jdbc:shmlite:1x:y"), Target::File("1x:y".into()));
        assert_eq!(t("jdbc:shmlite:dir/a:b"), Target::File("dir/a:b".into()));
        // A single letter is a drive only on Windows.
        assert_eq!(parse("jdbc:shmlite:C:x.db").is_ok(), cfg!(windows));
    }

    #[test]
    fn attach_of_a_scheme_like_name_is_refused() {
        for (name, says) in [
            ("mem:aux", "only as a string literal"),
            ("shm:feed", "only as a string literal"),
            ("mme:aux", "not a database form"),
        ] {
            let e = attach_target_error(name).unwrap_or_else(|| panic!("{name} allowed"));
            assert!(e.to_string().contains(says), "{name}: {e}");
            assert!(e.to_string().contains(name), "{e}");
            assert_eq!(e.jdbc().sql_state, "42000", "{name}");
        }
        for ok in [
            "",
            ":memory:",
            "aux.db",
            "/tmp/a.db",
            "./mem:aux",
            "file:aux.db",
            "FILE:x?mode=memory",
            "dir/x:y",
        ] {
            assert!(attach_target_error(ok).is_none(), "{ok}");
        }
    }
}
