//! `package-lock.json` and `npm-shrinkwrap.json`: v2/v3 list every installed copy under
//! `packages` keyed by its `node_modules/…` path; v1 nests `dependencies` trees. Links and
//! workspace folders (keys without `node_modules/`) are the project's own code, not audited.

use super::super::lockfile::LockError;
use super::json::{self, J};
use super::{at, Locked, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let root = json::parse(text)?;
    let mut out = Parsed::default();
    if let Some(pkgs) = root.get("packages") {
        for (key, entry) in pkgs.members() {
            let Some(i) = key.rfind("node_modules/") else {
                continue;
            };
            if entry
                .get("link")
                .is_some_and(|l| l.v == json::V::Bool(true))
            {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(J::str)
                .unwrap_or(&key[i + "node_modules/".len()..]);
            push(&mut out, name, entry)?;
        }
        return Ok(out);
    }
    match root.get("dependencies") {
        Some(deps) => v1(deps, &mut out, 0)?,
        None if root.get("lockfileVersion").is_some() => {}
        None => {
            return Err(at(
                root.line,
                "not an npm lockfile: neither `packages` nor `dependencies` nor `lockfileVersion`",
            ))
        }
    }
    Ok(out)
}

fn v1(deps: &J, out: &mut Parsed, depth: usize) -> Result<(), LockError> {
    if depth > 64 {
        return Err(at(deps.line, "`dependencies` nested too deeply"));
    }
    for (name, entry) in deps.members() {
        push(out, name, entry)?;
        if let Some(sub) = entry.get("dependencies") {
            v1(sub, out, depth + 1)?;
        }
    }
    Ok(())
}

fn push(out: &mut Parsed, name: &str, entry: &J) -> Result<(), LockError> {
    let Some(v) = entry.get("version") else {
        return Ok(());
    };
    let Some(version) = v.str() else {
        return Err(at(v.line, format!("{name}: `version` is not a string")));
    };
    // `file:`, `git+…`, `github:…` and tarball URLs are not registry versions.
    if version.contains(':') || version.contains('/') {
        return Ok(());
    }
    out.packages.push(Locked {
        name: name.to_string(),
        version: version.to_string(),
        line: entry.line,
        end_line: entry.end_line(),
    });
    Ok(())
}
