//! GitLab security reports (schema v15), one per report type, so findings show in merge
//! request widgets and the vulnerability report under the scanner GitLab expects:
//!
//! * **secrets** → `secret_detection` (`artifacts:reports:secret_detection`), with the commit;
//! * **advisories** → `dependency_scanning` (`artifacts:reports:dependency_scanning`), located by
//!   lockfile and `dependency.package.name` / `version`, identified by the advisory's own ids
//!   (CVE, GHSA, RUSTSEC — nothing made up);
//! * **drift** → `sast` (`artifacts:reports:sast`).
//!
//! Every vulnerability carries `tracking` with stagegate's line-independent fingerprint as its
//! signature, so GitLab keeps tracking a finding when lines move instead of closing and
//! re-opening it. `--format gitlab-sast` writes the `sast` report (the `secret_detection` one
//! when only the secrets scanner ran, as before); `--gitlab-dir DIR` writes all three.
//!
//! No JSON schema package is published on a registry this project can reach, so the tests
//! check the required fields of GitLab's published v15 schemas (`tests/it/gitlab_reports.rs`,
//! written from the schema documentation). Suppressed findings (baseline, ignores) are left out: GitLab tracks
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

/// GitLab's report types, and which scanner's findings each holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Drift and policy findings.
    Sast,
    /// Committed credentials.
    SecretDetection,
    /// Vulnerable dependencies.
    DependencyScanning,
}

impl Kind {
    /// Every report type, in `--gitlab-dir` order.
    pub const ALL: [Kind; 3] = [Kind::Sast, Kind::SecretDetection, Kind::DependencyScanning];

    /// `scan.type`, also the `artifacts:reports` key.
    pub fn scan_type(self) -> &'static str {
        match self {
            Kind::Sast => "sast",
            Kind::SecretDetection => "secret_detection",
            Kind::DependencyScanning => "dependency_scanning",
        }
    }

    /// File name GitLab's own analyzers use (`gl-sast-report.json`, …).
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Sast => "gl-sast-report.json",
            Kind::SecretDetection => "gl-secret-detection-report.json",
            Kind::DependencyScanning => "gl-dependency-scanning-report.json",
        }
    }

    /// Whether `f` goes into this report: advisories about a locked package are dependency
    /// scanning; the advisories scanner's other findings (stale database, expired or unused
    /// ignores) point at a file line and go to SAST with drift.
    fn holds(self, f: &Finding) -> bool {
        let package = f.properties.get("package").is_some_and(|p| p.is_string());
        match (self, f.scanner()) {
            (Kind::SecretDetection, Some(ScannerKind::Secrets)) => true,
            (Kind::DependencyScanning, Some(ScannerKind::Advisories)) => package,
            (Kind::Sast, Some(ScannerKind::Drift)) => true,
            (Kind::Sast, Some(ScannerKind::Advisories)) => !package,
            _ => false,
        }
    }

    /// Whether a notification of `scanner` belongs in this report's `scan.messages`.
    fn hears(self, scanner: Option<ScannerKind>) -> bool {
        match (self, scanner) {
            (_, None) => true,
            (Kind::SecretDetection, Some(s)) => s == ScannerKind::Secrets,
            (Kind::DependencyScanning, Some(s)) => s == ScannerKind::Advisories,
            (Kind::Sast, Some(s)) => s != ScannerKind::Secrets,
        }
    }
}

/// Writes `--format gitlab-sast`: the `sast` report, or `secret_detection` when only the
/// secrets scanner ran (`stagegate secrets --format gitlab-sast`).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let secrets_only = !report.result.runs.is_empty()
        && report
            .result
            .runs
            .iter()
            .all(|r| r.kind == ScannerKind::Secrets);
    let kind = if secrets_only {
        Kind::SecretDetection
    } else {
        Kind::Sast
    };
    write_kind(report, kind, out)
}

/// Writes the report of type `kind` (pretty JSON, trailing newline).
pub fn write_kind(report: &Report, kind: Kind, out: &mut dyn Write) -> io::Result<()> {
    let doc = build(report, kind);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// Renders every report type: `(file name, bytes)` for `--gitlab-dir`.
pub fn render_all(report: &Report) -> Vec<(&'static str, Vec<u8>)> {
    Kind::ALL
        .iter()
        .map(|k| {
            let mut buf = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = write_kind(report, *k, &mut buf);
            (k.file_name(), buf)
        })
        .collect()
}

fn build(report: &Report, kind: Kind) -> Doc {
    let scan_type = kind.scan_type();
    let vulnerabilities = report
        .result
        .findings
        .iter()
        .filter(|f| !f.is_suppressed() && kind.holds(f))
        .map(|f| vulnerability(report, f, kind))
        .collect();
    let mine = |n: &&crate::finding::Notification| kind.hears(n.scanner);
    let messages = report
        .result
        .notifications
        .iter()
        .filter(mine)
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
        .filter(mine)
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

fn vulnerability(report: &Report, f: &Finding, kind: Kind) -> Vulnerability {
    let rule = report.result.rule(&f.rule_id);
    let name = rule
        .map(|r| r.short_description.trim_end_matches('.').to_string())
        .unwrap_or_else(|| f.rule_id.clone());
    let rule_identifier = Identifier {
        id_type: "stagegate_rule".to_string(),
        name: format!("stagegate {}", f.rule_id),
        value: f.rule_id.clone(),
        url: rule.and_then(|r| r.help_uri.clone()),
    };
    let mut identifiers = advisory_identifiers(f);
    // The advisory's own ids first (GitLab's primary identifier is the first one).
    identifiers.push(rule_identifier);
    let l = &f.location;
    let description = match rule {
        Some(r) => format!("{}\n\n{}", f.message, r.full_description),
        None => f.message.clone(),
    };
    let location = match kind {
        Kind::Sast => VulnLocation::Source {
            file: l.path.clone(),
            start_line: l.start_line.max(1),
            end_line: l.end_line.max(l.start_line).max(1),
        },
        Kind::SecretDetection => VulnLocation::Secret {
            file: l.path.clone(),
            start_line: l.start_line.max(1),
            end_line: l.end_line.max(l.start_line).max(1),
            commit: Commit {
                sha: l.commit.clone().unwrap_or_else(|| NO_COMMIT.to_string()),
            },
        },
        Kind::DependencyScanning => VulnLocation::Dependency {
            file: l.path.clone(),
            dependency: Dependency {
                package: Package {
                    name: prop(f, "package").unwrap_or_default(),
                },
                version: prop(f, "version").unwrap_or_default(),
            },
        },
    };
    Vulnerability {
        id: occurrence_id(f),
        name: truncate(&name, 255),
        description: truncate(&description, 1_048_576),
        severity: severity(f.severity),
        solution: rule.map(|r| truncate(&r.help_markdown, 7000)),
        identifiers,
        location,
        tracking: Tracking {
            tracking_type: "source",
            items: vec![TrackingItem {
                file: l.path.clone(),
                line_start: l.start_line.max(1),
                line_end: l.end_line.max(l.start_line).max(1),
                signatures: vec![Signature {
                    algorithm: "hash",
                    value: f.fingerprint.clone(),
                }],
            }],
        },
    }
}

fn prop(f: &Finding, key: &str) -> Option<String> {
    f.properties
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The advisory's real identifiers: its id and aliases, typed by their prefix (CVE, GHSA,
/// RUSTSEC, else the OSV id as is). Nothing for other findings.
fn advisory_identifiers(f: &Finding) -> Vec<Identifier> {
    if f.scanner() != Some(ScannerKind::Advisories) {
        return Vec::new();
    }
    let mut ids: Vec<String> = Vec::new();
    if let Some(id) = prop(f, "advisory_id") {
        ids.push(id);
    }
    if let Some(aliases) = f.properties.get("aliases").and_then(|v| v.as_array()) {
        ids.extend(
            aliases
                .iter()
                .filter_map(|a| a.as_str())
                .map(str::to_string),
        );
    }
    let rank = |id: &str| {
        if id.starts_with("CVE-") {
            0
        } else if id.starts_with("GHSA-") {
            1
        } else {
            2
        }
    };
    ids.sort_by_key(|id| rank(id));
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let (id_type, url) = if id.starts_with("CVE-") {
                ("cve", format!("https://www.cve.org/CVERecord?id={id}"))
            } else if id.starts_with("GHSA-") {
                ("ghsa", format!("https://github.com/advisories/{id}"))
            } else if id.starts_with("RUSTSEC-") {
                (
                    "rustsec",
                    format!("https://rustsec.org/advisories/{id}.html"),
                )
            } else {
                ("osv", format!("https://osv.dev/vulnerability/{id}"))
            };
            Identifier {
                id_type: id_type.to_string(),
                name: id.clone(),
                value: id,
                url: Some(url),
            }
        })
        .collect()
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
    tracking: Tracking,
}

#[derive(Serialize)]
struct Tracking {
    #[serde(rename = "type")]
    tracking_type: &'static str,
    items: Vec<TrackingItem>,
}

#[derive(Serialize)]
struct TrackingItem {
    file: String,
    line_start: u32,
    line_end: u32,
    signatures: Vec<Signature>,
}

#[derive(Serialize)]
struct Signature {
    algorithm: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Dependency {
    package: Package,
    version: String,
}

#[derive(Serialize)]
struct Package {
    name: String,
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
#[serde(untagged)]
enum VulnLocation {
    Source {
        file: String,
        start_line: u32,
        end_line: u32,
    },
    Secret {
        file: String,
        start_line: u32,
        end_line: u32,
        commit: Commit,
    },
    Dependency {
        file: String,
        dependency: Dependency,
    },
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
