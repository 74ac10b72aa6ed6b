//! `yarn.lock`, classic (v1: `version "1.2.3"`) and berry (v2+: YAML, `version: 1.2.3`,
//! `resolution: "name@npm:1.2.3"`). Each entry starts at an unindented header listing the
//! descriptors it satisfies (`"a@^1.0.0", a@^1.1.0:`); the package name is the part of the
//! first descriptor before its version `@`. Berry's `__metadata` and workspace, link, portal
//! and file entries are the project itself.

use super::super::lockfile::LockError;
use super::{at, Locked, Parsed};

struct Entry {
    name: String,
    line: u32,
    end_line: u32,
    version: Option<String>,
    local: bool,
}

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let mut out = Parsed::default();
    let mut cur: Option<Entry> = None;
    let mut in_metadata = false;
    for super::Indented { n, indent, text: t } in super::indented_lines(text) {
        if indent == 0 {
            finish(cur.take(), &mut out)?;
            in_metadata = false;
            let Some(header) = t.strip_suffix(':') else {
                return Err(at(
                    n,
                    "expected an entry header ending with `:` (is this a yarn.lock?)",
                ));
            };
            if header == "__metadata" {
                in_metadata = true;
                continue;
            }
            let first = header.split(',').next().unwrap_or(header).trim();
            let first = first.trim_matches('"');
            let at_sign = first
                .char_indices()
                .skip(1)
                .find(|&(_, c)| c == '@')
                .map(|(k, _)| k);
            let Some(k) = at_sign else {
                return Err(at(n, format!("cannot read a package name in `{first}`")));
            };
            let spec = &first[k + 1..];
            cur = Some(Entry {
                name: first[..k].to_string(),
                line: n,
                end_line: n,
                version: None,
                local: ["workspace:", "link:", "portal:", "file:"]
                    .iter()
                    .any(|p| spec.starts_with(p)),
            });
            continue;
        }
        let Some(e) = cur.as_mut() else {
            // Inside `__metadata`, or an indented line before any entry.
            if in_metadata {
                continue;
            }
            return Err(at(n, "indented line outside of an entry"));
        };
        e.end_line = n;
        if indent == 2 {
            let value = t
                .strip_prefix("version ")
                .or_else(|| t.strip_prefix("version:"));
            if let Some(v) = value {
                e.version = Some(v.trim().trim_matches('"').to_string());
            }
            if let Some(r) = t.strip_prefix("resolution:") {
                let r = r.trim().trim_matches('"');
                if ["@workspace:", "@link:", "@portal:", "@file:"]
                    .iter()
                    .any(|p| r.contains(p))
                {
                    e.local = true;
                }
            }
        }
    }
    finish(cur, &mut out)?;
    Ok(out)
}

fn finish(e: Option<Entry>, out: &mut Parsed) -> Result<(), LockError> {
    let Some(e) = e else { return Ok(()) };
    if e.local {
        return Ok(());
    }
    match e.version {
        Some(v) if !v.is_empty() => {
            out.packages.push(Locked {
                name: e.name,
                version: v,
                line: e.line,
                end_line: e.end_line,
            });
            Ok(())
        }
        _ => Err(at(e.line, format!("entry for {} has no `version`", e.name))),
    }
}
