//! `--since` for `--history`: a revision (tag, branch, commit) or a date.
//!
//! A revision becomes `^REV` (only commits not reachable from it); a date (`2026-01-31`,
//! `2026-01-31T12:00:00`, with an optional offset) becomes `--since=DATE` (only commits made
//! after it). A revision wins when a name is both, so a tag called `2026-01-31` still means the
//! tag. Anything else is an error that says both forms are accepted.

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `s` is a date `git log --since` understands the way the user means it: an ISO
/// calendar date, optionally with a time and an offset.
pub fn is_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date_part = s.get(..10).unwrap_or(s);
    if time::Date::parse(date_part, &fmt).is_err() {
        return false;
    }
    let rest = &s[date_part.len()..];
    rest.is_empty()
        || (rest.starts_with(['T', ' '])
            && rest[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '+' | '-' | 'Z' | '.')))
}

/// The `git log` argument for `--since VALUE` in the repository at `root`.
pub fn log_arg(root: &Path, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.starts_with('-') {
        return Err(format!(
            "--since `{value}`: expected a revision (tag, branch, commit) or a date YYYY-MM-DD"
        ));
    }
    let check = format!("{value}^{{commit}}");
    let is_rev = Command::new("git")
        .args(["rev-parse", "--verify", "--quiet", &check])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if is_rev {
        Ok(format!("^{value}"))
    } else if is_date(value) {
        Ok(format!("--since={value}"))
    } else {
        Err(format!(
            "--since `{value}` is neither a commit of this repository nor a date (YYYY-MM-DD)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised() {
        assert!(is_date("2026-01-31"));
        assert!(is_date("2026-01-31T12:00:00"));
        assert!(is_date("2026-01-31T12:00:00+02:00"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("v1.2.3"));
        assert!(!is_date("HEAD~3"));
        assert!(!is_date("2026-01-31; rm"));
    }

    #[test]
    fn revisions_win_dates_work_and_garbage_is_explained() {
        let t = tempfile::tempdir().unwrap();
        let g = |args: &[&str]| {
            assert!(Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(t.path())
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .output()
                .unwrap()
                .status
                .success())
        };
        g(&["init", "--quiet"]);
        std::fs::write(t.path().join("a"), "a").unwrap();
        g(&["add", "."]);
        g(&["commit", "--quiet", "-m", "a"]);
        g(&["tag", "2026-01-31"]);
        assert_eq!(log_arg(t.path(), "2026-01-31").unwrap(), "^2026-01-31");
        assert_eq!(
            log_arg(t.path(), "2025-06-01").unwrap(),
            "--since=2025-06-01"
        );
        assert_eq!(log_arg(t.path(), "HEAD").unwrap(), "^HEAD");
        let e = log_arg(t.path(), "no-such-tag").unwrap_err();
        assert!(e.contains("nor a date"), "{e}");
        assert!(log_arg(t.path(), "--all").is_err());
    }
}
