//! `pnpm-lock.yaml`: the keys of the top-level `packages:` map name every locked package —
//! `/name/1.2.3` (v5, peers after `_`), `/name@1.2.3(peer@2)` (v6), `name@1.2.3` (v9). The file
//! is checked as YAML first (so errors have lines); keys are then read line by line, which
//! keeps each entry's lines. Tarball, git and `file:` entries have no registry version.

use yaml_rust2::YamlLoader;

use super::super::lockfile::LockError;
use super::{at, Locked, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        at(
            u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
            format!("invalid YAML: {}", e.info()),
        )
    })?;
    let root = docs.first();
    if root.is_none_or(|d| d["lockfileVersion"].is_badvalue()) {
        return Err(at(1, "not a pnpm lockfile: no `lockfileVersion`"));
    }
    let mut out = Parsed::default();
    let mut in_packages = false;
    // Index of the entry whose lines are being read (`None` after a skipped key).
    let mut open: Option<usize> = None;
    for super::Indented { n, indent, text: t } in super::indented_lines(text) {
        if indent == 0 {
            in_packages = t == "packages:";
            open = None;
            continue;
        }
        if !in_packages {
            continue;
        }
        if indent > 2 {
            if let Some(p) = open.and_then(|k| out.packages.get_mut(k)) {
                p.end_line = n;
            }
            continue;
        }
        open = None;
        let Some(key) = t.strip_suffix(':') else {
            continue;
        };
        if let Some((name, version)) = split_key(key) {
            open = Some(out.packages.len());
            out.packages.push(Locked {
                name,
                version,
                line: n,
                end_line: n,
            });
        }
    }
    Ok(out)
}

/// `/@scope/name@1.2.3(peer@1)` → (`@scope/name`, `1.2.3`); `None` for non-registry keys.
fn split_key(key: &str) -> Option<(String, String)> {
    let k = key.trim().trim_matches(|c| c == '\'' || c == '"');
    let k = k.strip_prefix('/').unwrap_or(k);
    let k = k.split('(').next().unwrap_or(k);
    // v5: a path segment that starts with a digit is the version (peers follow `_`).
    let v5 = k
        .match_indices('/')
        .find(|&(i, _)| k[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
    let (name, version) = match v5 {
        Some((i, _)) => {
            let v = &k[i + 1..];
            (&k[..i], v.split('_').next().unwrap_or(v))
        }
        None => {
            let (i, _) = k.char_indices().skip(1).find(|&(_, c)| c == '@')?;
            (&k[..i], &k[i + 1..])
        }
    };
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| (name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_lockfile_version() {
        let s = |k: &str| split_key(k).map(|(a, b)| format!("{a} {b}"));
        assert_eq!(s("/lodash/4.17.20").as_deref(), Some("lodash 4.17.20"));
        assert_eq!(
            s("/@babel/core/7.12.3_supports-color@5.5.0").as_deref(),
            Some("@babel/core 7.12.3")
        );
        assert_eq!(
            s("/react-dom@18.2.0(react@18.2.0)").as_deref(),
            Some("react-dom 18.2.0")
        );
        assert_eq!(
            s("'@types/node@20.1.0'").as_deref(),
            Some("@types/node 20.1.0")
        );
        assert_eq!(s("github.com/user/repo/abcdef"), None);
        assert_eq!(s("file:packages/x"), None);
    }
}
