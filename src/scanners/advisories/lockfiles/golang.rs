//! `go.mod` and `go.sum`. Since Go 1.17 `go.mod` requires every module of the build (direct
//! and `// indirect`), so it is the lockfile; `replace` directives are applied (a module
//! replaced by a local folder is the project's own code). `go.sum` alone is read when there
//! is no `go.mod`: its module lines (not the `/go.mod` ones) are what was downloaded.

use std::collections::{BTreeMap, BTreeSet};

use super::super::lockfile::LockError;
use super::{at, Locked, Parsed};

const DIRECTIVES: [&str; 10] = [
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "replace",
    "exclude",
    "retract",
    "tool",
    "ignore",
];

/// A `replace` target: `None` for a local folder.
type Target = Option<(String, String)>;

pub(super) fn parse_mod(text: &str) -> Result<Parsed, LockError> {
    let mut requires: Vec<(String, String, u32)> = Vec::new();
    // (module, version or "" for every version) → target.
    let mut replaces: BTreeMap<(String, String), Target> = BTreeMap::new();
    let mut block: Option<&str> = None;
    for (n, raw) in super::numbered_lines(text) {
        let line = raw.split("//").next().unwrap_or(raw).trim();
        if line.is_empty() {
            continue;
        }
        let (verb, rest) = match block {
            Some(_) if line == ")" => {
                block = None;
                continue;
            }
            Some(b) => (b, line),
            None => {
                let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                if !DIRECTIVES.contains(&verb) {
                    return Err(at(n, format!("unknown go.mod directive `{verb}`")));
                }
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(
                        DIRECTIVES
                            .iter()
                            .find(|d| **d == verb)
                            .copied()
                            .unwrap_or(""),
                    );
                    continue;
                }
                (verb, rest)
            }
        };
        let words: Vec<&str> = rest.split_whitespace().map(unquote).collect();
        match verb {
            "require" => match words.as_slice() {
                [m, v] => requires.push((m.to_string(), v.to_string(), n)),
                _ => return Err(at(n, "expected `require MODULE VERSION`")),
            },
            "replace" => {
                let Some(arrow) = words.iter().position(|w| *w == "=>") else {
                    return Err(at(n, "expected `replace MODULE [VERSION] => TARGET`"));
                };
                let (left, right) = words.split_at(arrow);
                let key = match left {
                    [m] => (m.to_string(), String::new()),
                    [m, v] => (m.to_string(), v.to_string()),
                    _ => return Err(at(n, "expected `replace MODULE [VERSION] => TARGET`")),
                };
                let target = match &right[1..] {
                    [_path] => None,
                    [m, v] => Some((m.to_string(), v.to_string())),
                    _ => return Err(at(n, "expected a folder or `MODULE VERSION` after `=>`")),
                };
                replaces.insert(key, target);
            }
            _ => {}
        }
    }
    if block.is_some() {
        return Err(at(
            u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
            "unterminated `(` block",
        ));
    }
    let mut out = Parsed::default();
    for (m, v, n) in requires {
        let target = replaces
            .get(&(m.clone(), v.clone()))
            .or_else(|| replaces.get(&(m.clone(), String::new())));
        let (name, version) = match target {
            Some(None) => continue,
            Some(Some((tm, tv))) => (tm.clone(), tv.clone()),
            None => (m, v),
        };
        out.packages.push(Locked {
            name,
            version,
            line: n,
            end_line: n,
        });
    }
    Ok(out)
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"')
}

pub(super) fn parse_sum(text: &str) -> Result<Parsed, LockError> {
    let mut out = Parsed::default();
    let mut seen = BTreeSet::new();
    for (n, raw) in super::numbered_lines(text) {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        let [m, v, h] = w.as_slice() else {
            return Err(at(n, "expected `MODULE VERSION HASH`"));
        };
        if !h.contains(':') {
            return Err(at(n, format!("`{h}` is not a go.sum hash (h1:…)")));
        }
        if v.ends_with("/go.mod") || !seen.insert((m.to_string(), v.to_string())) {
            continue;
        }
        out.packages.push(Locked {
            name: m.to_string(),
            version: v.to_string(),
            line: n,
            end_line: n,
        });
    }
    Ok(out)
}
