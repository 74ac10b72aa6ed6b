//! `Pipfile.lock`: `default` and `develop` map names to `{ "version": "==1.2.3" }`; entries
//! without a version (VCS or path dependencies) have nothing to match.

use super::super::lockfile::LockError;
use super::json::{self, J};
use super::{at, Locked, Note, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let root = json::parse(text)?;
    if root.get("default").is_none() && root.get("develop").is_none() {
        return Err(at(
            root.line,
            "not a Pipfile.lock: no `default` or `develop`",
        ));
    }
    let mut out = Parsed::default();
    for section in ["default", "develop"] {
        for (name, entry) in root.get(section).map(J::members).unwrap_or_default() {
            match entry.get("version").and_then(J::str) {
                Some(v) => match v.strip_prefix("==") {
                    Some(pinned) => out.packages.push(Locked {
                        name: name.clone(),
                        version: pinned.trim().to_string(),
                        line: entry.line,
                        end_line: entry.end_line(),
                    }),
                    None => out.notes.push(Note {
                        line: entry.line,
                        message: format!("{name} {v} is not pinned with `==`; not audited"),
                    }),
                },
                None => out.notes.push(Note {
                    line: entry.line,
                    message: format!("{name} has no version (VCS or path); not audited"),
                }),
            }
        }
    }
    Ok(out)
}
