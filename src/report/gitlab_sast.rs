//! GitLab security report (schema v15) for `artifacts:reports:sast` or
//! `artifacts:reports:secret_detection`, so findings show in merge request widgets and the
//! vulnerability report.
//!
//! The report `type` is `secret_detection` when only the secrets scanner ran (`stagegate
//! secrets`), else `sast`. Suppressed findings (baseline, ignores) are left out: GitLab tracks
//! dismissals itself and would otherwise re-open what the team accepted. `start_time` and
//! `end_time` are required by the schema; they carry a fixed epoch so the report is
//! byte-identical across runs (GitLab displays them but does not key on them).

use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Report, TOOL};
use crate::finding::{Finding, NotificationLevel, ScannerKind, Severity};

/// Schema version written in `version`.
pub const SCHEMA_VERSION: &str = "15.0.7";

/// Fixed timestamp (schema pattern `YYYY-MM-DDTHH:MM:SS`) for byte-identical reports.
pub const FIXED_TIME: &str = "1970-01-01T00:00:00";

/// Placeholder commit GitLab's own secret detection uses for working-tree findings.
const NO_COMMIT: &str = "0000000";

/// GitLab's severity names.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Note => "Info",
    }
}

/// Writes the GitLab report (pretty JSON, trailing newline).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = build(report);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

fn build(report: &Report) -> Doc {
    let secrets_only = !report.result.runs.is_empty()
        && report
            .result
            .runs
            .iter()
            .all(|r| r.kind == ScannerKind::Secrets);
    let scan_type = if secrets_only {
        "secret_detection"
    } else {
        "sast"
    };
    let vulnerabilities = report
        .result
        .findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| vulnerability(report, f, secrets_only))
        .collect();
    let messages = report
        .result
        .notifications
        .iter()
        .map(|n| ScanMessage {
            level: match n.level {
                NotificationLevel::Error => "fatal",
                NotificationLevel::Warning => "warn",
                NotificationLevel::Note => "info",
            },
            value: match &n.location {
                Some(l) if !n.message.contains(&l.path) => format!("{}: {}", l.path, n.message),
                _ => n.message.clone(),
            },
        })
        .collect();
    let errors = report
        .result
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Error);
    let tool = Tool {
        id: "stagegate",
        name: "stagegate",
        version: TOOL.version,
        url: TOOL.information_uri,
        vendor: Vendor { name: "stagegate" },
    };
    Doc {
        version: SCHEMA_VERSION,
        scan: Scan {
            analyzer: tool.clone(),
            scanner: tool,
            scan_type,
            start_time: FIXED_TIME,
            end_time: FIXED_TIME,
            status: if errors { "failure" } else { "success" },
            messages,
        },
        vulnerabilities,
    }
}

fn vulnerability(report: &Report, f: &Finding, secret_detection: bool) -> Vulnerability {
    let rule = report.result.rule(&f.rule_id);
    let name = rule
        .map(|r| r.short_description.trim_end_matches('.').to_string())
        .unwrap_or_else(|| f.rule_id.clone());
    let mut identifiers = vec![Identifier {
        id_type: "stagegate_rule".to_string(),
        name: format!("stagegate {}", f.rule_id),
        value: f.rule_id.clone(),
        url: rule.and_then(|r| r.help_uri.clone()),
    }];
    if let Some(adv) = f
        .rule_id
        .rsplit('/')
        .next()
        .filter(|_| f.rule_id.starts_with("advisory/"))
    {
        let (id_type, url) = if adv.starts_with("RUSTSEC-") {
            (
                "rustsec",
                format!("https://rustsec.org/advisories/{adv}.html"),
            )
        } else if adv.starts_with("GHSA-") {
            ("ghsa", format!("https://github.com/advisories/{adv}"))
        } else if adv.starts_with("CVE-") {
            ("cve", format!("https://www.cve.org/CVERecord?id={adv}"))
        } else {
            ("advisory", format!("https://osv.dev/vulnerability/{adv}"))
        };
        identifiers.push(Identifier {
            id_type: id_type.to_string(),
            name: adv.to_string(),
            value: adv.to_string(),
            url: Some(url),
        });
    }
    let l = &f.location;
    let commit = if secret_detection {
        Some(Commit {
            sha: l.commit.clone().unwrap_or_else(|| NO_COMMIT.to_string()),
        })
    } else {
        None
    };
    let description = match rule {
        Some(r) => format!("{}\n\n{}", f.message, r.full_description),
        None => f.message.clone(),
    };
    Vulnerability {
        id: occurrence_id(f),
        name: truncate(&name, 255),
        description: truncate(&description, 1_048_576),
        severity: severity(f.severity),
        solution: rule.map(|r| truncate(&r.help_markdown, 7000)),
        identifiers,
        location: VulnLocation {
            file: l.path.clone(),
            start_line: l.start_line.max(1),
            end_line: l.end_line.max(l.start_line).max(1),
            commit,
        },
    }
}

/// A UUID-shaped id, unique per occurrence (fingerprint + place) and stable across runs.
fn occurrence_id(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_bytes());
    h.update([0]);
    h.update(f.location.path.as_bytes());
    h.update([0]);
    h.update(f.location.start_line.to_le_bytes());
    h.update([0]);
    h.update(f.location.commit.as_deref().unwrap_or("").as_bytes());
    let d = hex::encode(&h.finalize()[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &d[0..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        s.chars()
            .take(max_chars.saturating_sub(1))
            .chain(['…'])
            .collect()
    }
}

// ---- serialization model ----

#[derive(Serialize)]
struct Doc {
    version: &'static str,
    scan: Scan,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Scan {
    analyzer: Tool,
    scanner: Tool,
    #[serde(rename = "type")]
    scan_type: &'static str,
    start_time: &'static str,
    end_time: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    messages: Vec<ScanMessage>,
}

#[derive(Serialize, Clone)]
struct Tool {
    id: &'static str,
    name: &'static str,
    version: &'static str,
    url: &'static str,
    vendor: Vendor,
}

#[derive(Serialize, Clone)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct ScanMessage {
    level: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Vulnerability {
    id: String,
    name: String,
    description: String,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<String>,
    identifiers: Vec<Identifier>,
    location: VulnLocation,
}

#[derive(Serialize)]
struct Identifier {
    #[serde(rename = "type")]
    id_type: String,
    name: String,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct VulnLocation {
    file: String,
    start_line: u32,
    end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<Commit>,
}

#[derive(Serialize)]
struct Commit {
    sha: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;

    #[test]
    fn severities_use_gitlab_names() {
        assert_eq!(severity(Severity::Note), "Info");
        assert_eq!(severity(Severity::Critical), "Critical");
    }

    #[test]
    fn ids_are_uuid_shaped_and_distinguish_occurrences() {
        let a = Finding::new("secret/x", Severity::High, "m", Location::line("a", 1), "v");
        let mut b = a.clone();
        b.location.start_line = 2;
        let ia = occurrence_id(&a);
        assert_eq!(ia.len(), 36);
        assert_eq!(ia.matches('-').count(), 4);
        assert_ne!(ia, occurrence_id(&b));
        assert_eq!(ia, occurrence_id(&a.clone()));
    }

    #[test]
    fn truncation_is_char_safe() {
        assert_eq!(truncate("ééé", 2), "é…");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
