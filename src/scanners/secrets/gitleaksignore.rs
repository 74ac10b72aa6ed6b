//! `.gitleaksignore` at the scan root: the false positives a team already recorded for
//! gitleaks keep being accepted when it moves to stagegate.
//!
//! Each line is a gitleaks fingerprint, `file:rule:line` for the working tree or
//! `commit:file:rule:line` for history; `#` starts a comment. gitleaks' rule names differ from
//! stagegate's, so an entry maps to a finding by what both tools agree on: the file and the line
//! (and the commit, when the entry names one). A finding so matched becomes suppressed
//! (external, "listed in .gitleaksignore"), never dropped.

use std::path::Path;

use crate::finding::{Finding, Suppression, SuppressionKind};

/// File name looked up at the scan root.
pub const FILE_NAME: &str = ".gitleaksignore";

/// One parsed fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Commit, for history fingerprints.
    pub commit: Option<String>,
    /// Path relative to the repository root.
    pub file: String,
    /// gitleaks' rule name (kept for messages; not matched).
    pub rule: String,
    /// 1-based line.
    pub line: u32,
}

/// Parses one fingerprint line; `None` for blanks, comments and lines that are not one.
pub fn parse_line(line: &str) -> Option<Entry> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // The line number is last and the rule before it; a file name may contain ':'.
    let (rest, num) = line.rsplit_once(':')?;
    let line_no: u32 = num.trim().parse().ok()?;
    let (rest, rule) = rest.rsplit_once(':')?;
    // A leading 40- or 64-hex-digit field is a commit.
    let (commit, file) = match rest.split_once(':') {
        Some((c, f))
            if (c.len() == 40 || c.len() == 64) && c.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            (Some(c.to_ascii_lowercase()), f)
        }
        _ => (None, rest),
    };
    Some(Entry {
        commit,
        file: file.trim_start_matches("./").to_string(),
        rule: rule.to_string(),
        line: line_no,
    })
}

/// The entries of `root/.gitleaksignore` (none when the file is absent or unreadable).
pub fn load(root: &Path) -> Vec<Entry> {
    std::fs::read_to_string(root.join(FILE_NAME))
        .map(|t| t.lines().filter_map(parse_line).collect())
        .unwrap_or_default()
}

/// Marks the unsuppressed findings an entry names as suppressed.
pub fn apply(entries: &[Entry], findings: &mut [Finding]) {
    if entries.is_empty() {
        return;
    }
    for f in findings.iter_mut().filter(|f| !f.is_suppressed()) {
        let l = &f.location;
        let hit = entries.iter().find(|e| {
            e.file == l.path
                && e.line >= l.start_line
                && e.line <= l.end_line.max(l.start_line)
                && match (&e.commit, &l.commit) {
                    (Some(c), Some(fc)) => fc.to_ascii_lowercase().starts_with(c.as_str()),
                    (Some(_), None) => false,
                    (None, _) => true,
                }
        });
        if let Some(e) = hit {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: format!("listed in {FILE_NAME} (gitleaks rule {})", e.rule),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity};

    #[test]
    fn parses_tree_and_history_fingerprints() {
        assert_eq!(
            parse_line("config/app.env:github-pat:12"),
            Some(Entry {
                commit: None,
                file: "config/app.env".into(),
                rule: "github-pat".into(),
                line: 12
            })
        );
        let c = "a".repeat(40);
        let e = parse_line(&format!("{c}:src/x.py:aws-access-token:3")).unwrap();
        assert_eq!(e.commit.as_deref(), Some(c.as_str()));
        assert_eq!(e.file, "src/x.py");
        assert_eq!(parse_line("# comment"), None);
        assert_eq!(parse_line("no-line-number:rule"), None);
        assert_eq!(parse_line("a:b:notanumber"), None);
    }

    #[test]
    fn suppresses_the_finding_at_that_file_and_line_only() {
        let mut fs = vec![
            Finding::new(
                "secret/x",
                Severity::High,
                "m",
                Location::line("a.env", 3),
                "1",
            ),
            Finding::new(
                "secret/x",
                Severity::High,
                "m",
                Location::line("a.env", 4),
                "2",
            ),
        ];
        let mut in_history = Location::line("a.env", 3);
        in_history.commit = Some("b".repeat(40));
        fs.push(Finding::new(
            "secret/x",
            Severity::High,
            "m",
            in_history,
            "3",
        ));
        let entries = vec![
            parse_line("a.env:generic-api-key:3").unwrap(),
            parse_line(&format!("{}:a.env:generic-api-key:4", "c".repeat(40))).unwrap(),
        ];
        apply(&entries, &mut fs);
        assert!(fs[0].is_suppressed());
        assert!(!fs[1].is_suppressed(), "commit entry needs that commit");
        assert!(
            fs[2].is_suppressed(),
            "a tree entry covers the file's history too"
        );
        assert!(fs[0]
            .suppression
            .as_ref()
            .unwrap()
            .justification
            .contains(".gitleaksignore"));
    }
}
