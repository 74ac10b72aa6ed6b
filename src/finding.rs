//! The one currency every scanner pays in: [`Finding`]s at a [`Location`], with a [`Severity`].
//!
//! Scanners never format findings; reports and the gate consume them. Messages must never carry a
//! secret value in clear: scanners redact before they build a finding (see [`crate::redact`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How bad a finding is. Ordered, so `--fail-on high` means "`>= High`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth knowing, never a reason to block on its own.
    Note,
    /// Low risk.
    Low,
    /// Medium risk.
    Medium,
    /// High risk: blocks a release by default.
    High,
    /// Critical: exploitable, or a live credential.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Note,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Stable lowercase name used in config, CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// SARIF `level`: GitHub shows `error` / `warning` / `note`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Low | Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }

    /// GitHub's `security-severity` score (0.0–10.0). GitHub buckets
    /// > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
    pub fn security_severity(self) -> f32 {
        match self {
            Severity::Note => 1.0,
            Severity::Low => 3.0,
            Severity::Medium => 5.5,
            Severity::High => 8.0,
            Severity::Critical => 9.5,
        }
    }

    /// Severity for a CVSS base score (≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low).
    pub fn from_cvss(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown severity name.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown severity `{0}`: expected one of note, low, medium, high, critical")]
pub struct ParseSeverityError(pub String);

impl FromStr for Severity {
    type Err = ParseSeverityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "note" | "info" => Ok(Severity::Note),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(ParseSeverityError(s.to_string())),
        }
    }
}

/// The three scanners. Also the first segment of every rule id family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScannerKind {
    /// Lockfiles against vulnerability databases.
    Advisories,
    /// Committed credentials.
    Secrets,
    /// UAT ↔ production configuration parity and production policies.
    Drift,
}

impl ScannerKind {
    /// Every scanner, in report order.
    pub const ALL: [ScannerKind; 3] = [
        ScannerKind::Advisories,
        ScannerKind::Secrets,
        ScannerKind::Drift,
    ];

    /// Stable lowercase name used on the CLI and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ScannerKind::Advisories => "advisories",
            ScannerKind::Secrets => "secrets",
            ScannerKind::Drift => "drift",
        }
    }
}

impl fmt::Display for ScannerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScannerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "advisories" | "advisory" | "audit" => Ok(ScannerKind::Advisories),
            "secrets" | "secret" => Ok(ScannerKind::Secrets),
            "drift" => Ok(ScannerKind::Drift),
            other => Err(format!(
                "unknown scanner `{other}`: expected advisories, secrets or drift"
            )),
        }
    }
}

/// Where a finding is: a file relative to the scan root and a 1-based region in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Relative to the scan root, `/` separators, never absolute.
    pub path: String,
    /// 1-based.
    pub start_line: u32,
    /// 1-based, in characters (Unicode scalar values) — SARIF's default `columnKind`.
    pub start_column: u32,
    /// 1-based, inclusive.
    pub end_line: u32,
    /// 1-based, exclusive (SARIF `endColumn` semantics).
    pub end_column: u32,
    /// Set for findings from git history: the commit that introduced the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Location {
    /// A location covering a whole line when no column is known.
    pub fn line(path: impl Into<String>, line: u32) -> Self {
        let line = line.max(1);
        Location {
            path: path.into(),
            start_line: line,
            start_column: 1,
            end_line: line,
            end_column: 1,
            commit: None,
        }
    }

    /// A single-line span `[start_col, end_col)`.
    pub fn span(path: impl Into<String>, line: u32, start_col: u32, end_col: u32) -> Self {
        let line = line.max(1);
        let start_column = start_col.max(1);
        Location {
            path: path.into(),
            start_line: line,
            start_column,
            end_line: line,
            end_column: end_col.max(start_column),
            commit: None,
        }
    }

    /// `path:line:column`, for humans.
    pub fn display(&self) -> String {
        format!("{}:{}:{}", self.path, self.start_line, self.start_column)
    }
}

/// Why a finding is not counted by the gate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Suppression {
    /// `inSource` (inline comment) or `external` (config ignore, baseline).
    pub kind: SuppressionKind,
    /// The justification the user gave.
    pub justification: String,
}

/// SARIF's suppression kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// Suppressed by a comment in the scanned file.
    InSource,
    /// Suppressed by configuration or a baseline.
    External,
}

/// Whether a finding was already known to the baseline (SARIF `baselineState`). Set by
/// [`crate::baseline`] only when a baseline is in use, so a run without one says nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: the gate counts it.
    New,
    /// In the baseline: accepted, reported but not counted.
    Unchanged,
}

impl BaselineState {
    /// SARIF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// One problem a scanner found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Qualified rule id: `advisory/RUSTSEC-…`, `secret/github-pat`, `drift/value`, `policy/…`.
    pub rule_id: String,
    /// Severity after config overrides.
    pub severity: Severity,
    /// Human sentence; never contains a secret value in clear.
    pub message: String,
    /// Primary location.
    pub location: Location,
    /// Other places that explain the finding (the UAT line of a drift finding).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Location>,
    /// Stable identity across line moves: see [`fingerprint`].
    pub fingerprint: String,
    /// Scanner-specific facts (advisory id, fixed versions, commit author…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// Set when an ignore, inline allow or baseline accepted this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// `new` / `unchanged` against the baseline, when one is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

impl Finding {
    /// A finding with an automatic fingerprint over rule id, path and `identity`.
    ///
    /// `identity` must be the normalized content that makes this finding *this* finding (the
    /// secret value, the key path, the package@version) — never the line number, so a
    /// fingerprint survives lines moving.
    pub fn new(
        rule_id: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
        identity: &str,
    ) -> Self {
        let rule_id = rule_id.into();
        let fingerprint = fingerprint(&rule_id, &location.path, identity);
        Finding {
            rule_id,
            severity,
            message: message.into(),
            location,
            related: Vec::new(),
            fingerprint,
            properties: BTreeMap::new(),
            suppression: None,
            baseline_state: None,
        }
    }

    /// Adds a property (builder style).
    pub fn with_property(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.properties.insert(key.to_string(), value.into());
        self
    }

    /// Adds a related location (builder style).
    pub fn with_related(mut self, location: Location) -> Self {
        self.related.push(location);
        self
    }

    /// The scanner this finding belongs to, from its rule id prefix.
    pub fn scanner(&self) -> Option<ScannerKind> {
        scanner_of_rule(&self.rule_id)
    }

    /// Whether the gate counts this finding.
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    /// Total order used for byte-identical output: path, line, column, rule, fingerprint.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str, Option<&str>) {
        (
            &self.location.path,
            self.location.start_line,
            self.location.start_column,
            &self.rule_id,
            &self.fingerprint,
            self.location.commit.as_deref(),
        )
    }
}

/// The scanner a qualified rule id belongs to.
pub fn scanner_of_rule(rule_id: &str) -> Option<ScannerKind> {
    let prefix = rule_id.split('/').next().unwrap_or_default();
    match prefix {
        "advisory" => Some(ScannerKind::Advisories),
        "secret" => Some(ScannerKind::Secrets),
        "drift" | "policy" => Some(ScannerKind::Drift),
        _ => None,
    }
}

/// Hex SHA-256 (first 32 hex chars) of `rule_id \0 path \0 identity`.
///
/// Keyed on content, not line, so that baselines and GitHub's alert tracking survive code
/// moving around the file.
pub fn fingerprint(rule_id: &str, path: &str, identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    let digest = h.finalize();
    hex::encode(&digest[..16])
}

/// How confident a rule is that its results are real (SARIF `precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// Rarely wrong (checksummed tokens, exact advisory matches).
    VeryHigh,
    /// Usually right.
    #[default]
    High,
    /// Needs a look.
    Medium,
    /// Heuristic.
    Low,
}

impl Precision {
    /// SARIF/GitHub spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::VeryHigh => "very-high",
            Precision::High => "high",
            Precision::Medium => "medium",
            Precision::Low => "low",
        }
    }
}

/// What a report needs to know about a rule: SARIF `reportingDescriptor`, `stagegate explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Qualified id, as in [`Finding::rule_id`].
    pub id: String,
    /// PascalCase-ish short name (`GithubPersonalAccessToken`).
    pub name: String,
    /// One sentence.
    pub short_description: String,
    /// A paragraph.
    pub full_description: String,
    /// Markdown help: what it detects, why it matters, how to fix.
    pub help_markdown: String,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Tags (GitHub shows them; at most 20 are kept in SARIF).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Confidence.
    pub precision: Precision,
    /// Severity findings of this rule get unless overridden.
    pub default_severity: Severity,
}

impl RuleMeta {
    /// A rule with plain-text help repeated as markdown; refine fields afterwards.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        short_description: impl Into<String>,
        default_severity: Severity,
    ) -> Self {
        let short = short_description.into();
        RuleMeta {
            id: id.into(),
            name: name.into(),
            full_description: short.clone(),
            help_markdown: short.clone(),
            short_description: short,
            help_uri: None,
            tags: vec!["security".to_string()],
            precision: Precision::High,
            default_severity,
        }
    }
}

/// Severity of a tool notification (an error reading a file, a scanner that could not run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationLevel {
    /// Informational (a file skipped because it is binary).
    Note,
    /// Something was skipped that the user should know about; does not change the exit code.
    Warning,
    /// Input or configuration error: the run exits 2, but every other finding is still reported.
    Error,
}

impl NotificationLevel {
    /// SARIF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::Note => "note",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Error => "error",
        }
    }
}

/// A problem the tool met while scanning (SARIF `toolExecutionNotifications`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Notification {
    /// Which scanner (or `None` for the frame itself: config, output).
    pub scanner: Option<ScannerKind>,
    /// How serious.
    pub level: NotificationLevel,
    /// Says what went wrong and what to do; names the file and line. Never a secret.
    pub message: String,
    /// The file it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Notification {
    /// An error-level notification (exit 2) from a scanner.
    pub fn error(scanner: ScannerKind, message: impl Into<String>) -> Self {
        Notification {
            scanner: Some(scanner),
            level: NotificationLevel::Error,
            message: message.into(),
            location: None,
        }
    }

    /// A warning-level notification from a scanner.
    pub fn warning(scanner: ScannerKind, message: impl Into<String>) -> Self {
        Notification {
            scanner: Some(scanner),
            level: NotificationLevel::Warning,
            message: message.into(),
            location: None,
        }
    }

    /// A note-level notification from a scanner.
    pub fn note(scanner: ScannerKind, message: impl Into<String>) -> Self {
        Notification {
            scanner: Some(scanner),
            level: NotificationLevel::Note,
            message: message.into(),
            location: None,
        }
    }

    /// Attaches the file (and line) the notification is about.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Note < Severity::Low);
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>().unwrap(), s);
        }
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn cvss_thresholds() {
        assert_eq!(Severity::from_cvss(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss(9.0), Severity::Critical);
        assert_eq!(Severity::from_cvss(7.5), Severity::High);
        assert_eq!(Severity::from_cvss(4.0), Severity::Medium);
        assert_eq!(Severity::from_cvss(3.9), Severity::Low);
    }

    #[test]
    fn fingerprint_ignores_line_but_not_content() {
        let a = Finding::new("secret/x", Severity::High, "m", Location::line("a", 1), "v");
        let b = Finding::new(
            "secret/x",
            Severity::High,
            "m",
            Location::line("a", 90),
            "v",
        );
        let c = Finding::new("secret/x", Severity::High, "m", Location::line("a", 1), "w");
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
        assert_eq!(a.fingerprint.len(), 32);
    }

    #[test]
    fn rule_prefix_maps_to_scanner() {
        assert_eq!(
            scanner_of_rule("advisory/RUSTSEC-2021-0124"),
            Some(ScannerKind::Advisories)
        );
        assert_eq!(
            scanner_of_rule("policy/prod-debug"),
            Some(ScannerKind::Drift)
        );
        assert_eq!(
            scanner_of_rule("secret/github-pat"),
            Some(ScannerKind::Secrets)
        );
        assert_eq!(scanner_of_rule("bogus"), None);
    }
}
