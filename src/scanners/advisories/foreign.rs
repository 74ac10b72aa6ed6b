//! The advisory ignore lists teams already keep for cargo-audit and cargo-deny, honoured so
//! switching tools does not re-open accepted advisories:
//!
//! * `.cargo/audit.toml` — `[advisories] ignore = ["RUSTSEC-…", …]`;
//! * cargo-deny's `deny.toml` (also `.deny.toml`, `.cargo/deny.toml`) — `[advisories] ignore`,
//!   plain id strings and `{ id = "…", reason = "…" }` tables (entries that ignore a crate
//!   rather than an advisory, `{ crate = "…" }`, are not advisory ignores and are skipped).
//!
//! Files are looked up at the scan root. A file that is not valid TOML is an error naming its
//! line: a broken ignore list must not silently turn into "nothing is ignored".

use std::path::Path;

use super::cfg::AdvisoryIgnore;
use super::KIND;
use crate::finding::{Location, Notification};

/// The files read, relative to the scan root.
pub const FILES: [&str; 4] = [
    ".cargo/audit.toml",
    "deny.toml",
    ".deny.toml",
    ".cargo/deny.toml",
];

/// Ignores found in the foreign files under `root`, and problems reading them.
pub fn load(root: &Path) -> (Vec<AdvisoryIgnore>, Vec<Notification>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for rel in FILES {
        let path = root.join(rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        match parse(&text, rel) {
            Ok(mut v) => out.append(&mut v),
            Err((line, msg)) => notes.push(
                Notification::error(KIND, format!("{rel}:{line}: {msg}"))
                    .at(Location::line(rel, line)),
            ),
        }
    }
    (out, notes)
}

/// The `[advisories] ignore` entries of one file's `text`; `Err((line, message))` when it is
/// not TOML or the list has the wrong shape.
pub fn parse(text: &str, rel: &str) -> Result<Vec<AdvisoryIgnore>, (u32, String)> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::error::line_of_offset(text, s.start))
            .unwrap_or(1);
        (line, e.message().trim().to_string())
    })?;
    let Some(list) = doc
        .get("advisories")
        .and_then(|a| a.as_table())
        .and_then(|a| a.get("ignore"))
    else {
        return Ok(Vec::new());
    };
    let line_of = |needle: &str| {
        text.find(needle)
            .map(|at| crate::error::line_of_offset(text, at))
            .unwrap_or(1)
    };
    let Some(items) = list.as_array() else {
        return Err((
            line_of("ignore"),
            "[advisories] ignore must be a list".to_string(),
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let (id, reason) = match item {
            toml::Value::String(id) => (id.clone(), format!("ignored in {rel}")),
            toml::Value::Table(t) => match t.get("id").and_then(|v| v.as_str()) {
                Some(id) => {
                    let reason = t
                        .get("reason")
                        .and_then(|v| v.as_str())
                        .map(|r| format!("{r} (ignored in {rel})"))
                        .unwrap_or_else(|| format!("ignored in {rel}"));
                    (id.to_string(), reason)
                }
                // `{ crate = "name@version" }`: not an advisory ignore.
                None => continue,
            },
            other => {
                return Err((
                    line_of("ignore"),
                    format!(
                        "[advisories] ignore: expected an advisory id or a table, found {}",
                        other.type_str()
                    ),
                ))
            }
        };
        out.push(AdvisoryIgnore {
            id: id.trim().to_string(),
            reason,
            until: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_audit_and_cargo_deny_lists() {
        let audit = "[advisories]\nignore = [\"RUSTSEC-2020-0071\"]\n";
        let v = parse(audit, ".cargo/audit.toml").unwrap();
        assert_eq!(v[0].id, "RUSTSEC-2020-0071");
        assert_eq!(v[0].reason, "ignored in .cargo/audit.toml");
        let deny = "[advisories]\nversion = 2\nignore = [\n  \"RUSTSEC-2021-0139\",\n  { id = \"RUSTSEC-2022-0013\", reason = \"no untrusted regexes\" },\n  { crate = \"atty@0.2.14\", reason = \"yanked\" },\n]\n";
        let v = parse(deny, "deny.toml").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].id, "RUSTSEC-2022-0013");
        assert_eq!(v[1].reason, "no untrusted regexes (ignored in deny.toml)");
        assert!(parse("[graph]\n", "deny.toml").unwrap().is_empty());
    }

    #[test]
    fn broken_files_are_errors_with_a_line() {
        let (line, msg) = parse("[advisories]\nignore = [\n", "deny.toml").unwrap_err();
        assert!(line >= 2, "{line} {msg}");
        let (line, _) = parse("[advisories]\nignore = \"x\"\n", "deny.toml").unwrap_err();
        assert_eq!(line, 2);
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join(".cargo")).unwrap();
        std::fs::write(t.path().join(".cargo/audit.toml"), "[advisories\n").unwrap();
        let (v, notes) = load(t.path());
        assert!(v.is_empty());
        assert!(
            notes[0].message.starts_with(".cargo/audit.toml:1:"),
            "{}",
            notes[0].message
        );
    }
}
