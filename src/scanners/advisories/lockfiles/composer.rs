//! `composer.lock`: `packages` and `packages-dev`, each entry with `name` and `version`
//! (`v1.2.3` or `1.2.3`; `dev-main` branches have no version to match and are skipped).

use super::super::lockfile::LockError;
use super::json::{self, J};
use super::{at, Locked, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let root = json::parse(text)?;
    if root.get("packages").is_none() && root.get("packages-dev").is_none() {
        return Err(at(root.line, "not a composer.lock: no `packages`"));
    }
    let mut out = Parsed::default();
    for section in ["packages", "packages-dev"] {
        for entry in root.get(section).map(J::items).unwrap_or_default() {
            let name = entry.get("name").and_then(J::str);
            let version = entry.get("version").and_then(J::str);
            let (Some(name), Some(version)) = (name, version) else {
                return Err(at(
                    entry.line,
                    format!("{section}: an entry without a string `name` and `version`"),
                ));
            };
            if version.starts_with("dev-") {
                continue;
            }
            out.packages.push(Locked {
                name: name.to_string(),
                version: version.to_string(),
                line: entry.line,
                end_line: entry.end_line(),
            });
        }
    }
    Ok(out)
}
