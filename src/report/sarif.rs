//! SARIF 2.1.0 for GitHub code scanning and other dashboards.
//!
//! One run (GitHub rejects two runs of one tool under one category), `tool.driver.rules` for every
//! rule with a result, repo-relative percent-encoded URIs under `%SRCROOT%`, real regions,
//! `partialFingerprints` that survive line moves, suppressions for accepted findings, and a
//! `toolExecutionNotifications` entry for every scanner or file error. See
//! `SARIF-schema/README.md` for the profile stagegate guarantees beyond the standard.

use std::collections::BTreeMap;
use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use super::sarif_limits as limits;
use super::{Report, TOOL};
use crate::finding::{Finding, Location, NotificationLevel, RuleMeta, Severity};

/// Key of stagegate's fingerprint in `partialFingerprints`; versioned so a change of the
/// fingerprint algorithm never silently re-keys alerts.
pub const FINGERPRINT_KEY: &str = "stagegate/v1";

/// Options of the SARIF printer.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions {
    /// Absolute `file://` URI of the scan root for `originalUriBaseIds` (ends with `/`).
    /// Left out when `None`, which keeps the log independent of the checkout folder.
    pub src_root_uri: Option<String>,
    /// `automationDetails.id` (GitHub's category is the part before the last `/`); empty:
    /// no `automationDetails`, so `upload-sarif`'s own `category` input applies (`--category`).
    pub automation_id: String,
    /// Leave suppressed findings (baseline, ignores, inline allows) out of the log
    /// (`--sarif-omit-suppressed`).
    pub omit_suppressed: bool,
}

/// `automationDetails.id` for `--category CAT`: GitHub's category is the part before the last
/// `/`, so `CAT` becomes `CAT/` (kept as is when it already ends with `/`).
pub fn automation_id_for_category(category: &str) -> String {
    let c = category.trim();
    if c.is_empty() || c.ends_with('/') {
        c.to_string()
    } else {
        format!("{c}/")
    }
}

/// Writes `report` as SARIF 2.1.0 (pretty-printed, trailing newline).
pub fn write(report: &Report, opts: &SarifOptions, out: &mut dyn Write) -> io::Result<()> {
    let log = build(report, opts);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// Builds the typed SARIF log, within GitHub's upload limits (see [`super::sarif_limits`]).
pub fn build(report: &Report, opts: &SarifOptions) -> SarifLog {
    let mut cap = limits::MAX_RESULTS;
    loop {
        let log = build_capped(report, opts, cap);
        if cap == 0 {
            return log;
        }
        match limits::measure(&log) {
            (_, Some(gz)) if gz > limits::GZIP_TARGET => {
                let kept = log.runs[0].results.len();
                cap = limits::shrink(kept, gz);
            }
            _ => return log,
        }
    }
}

fn build_capped(report: &Report, opts: &SarifOptions, cap: usize) -> SarifLog {
    let findings = &report.result.findings;
    let selection = limits::select(findings, opts.omit_suppressed, cap);
    let kept: Vec<&Finding> = selection.keep.iter().map(|&i| &findings[i]).collect();
    // Only rules with a kept result are listed (the profile: every rule has a result).
    let used: std::collections::BTreeSet<&str> = kept.iter().map(|f| f.rule_id.as_str()).collect();
    let listed: Vec<&RuleMeta> = report
        .result
        .rules
        .iter()
        .filter(|r| used.contains(r.id.as_str()))
        .collect();
    let rules: Vec<ReportingDescriptor> = listed.iter().map(|r| descriptor(r)).collect();
    let index: BTreeMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results = kept
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied()))
        .collect();
    let mut notifications: Vec<Notification> = report
        .result
        .notifications
        .iter()
        .map(|n| Notification {
            level: n.level.as_str(),
            message: Message::text(&n.message),
            locations: n.location.iter().map(|l| location(l, None)).collect(),
            descriptor: n.scanner.map(|s| DescriptorRef {
                id: format!("stagegate/{}", s.as_str()),
            }),
        })
        .collect();
    if selection.omitted_suppressed > 0 {
        notifications.push(Notification::note(format!(
            "{} suppressed findings (baseline, ignores, inline allows) left out \
             (--sarif-omit-suppressed); the JSON report lists them",
            selection.omitted_suppressed
        )));
    }
    if selection.dropped > 0 {
        notifications.push(Notification::warning(format!(
            "{} less severe findings dropped to stay within GitHub's upload limits ({} results \
             per run, {} MB gzipped); the {} most severe are kept and the JSON report lists \
             every finding",
            selection.dropped,
            limits::MAX_RESULTS,
            limits::MAX_GZIP_BYTES / (1024 * 1024),
            selection.keep.len()
        )));
    }
    let errors = report
        .result
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Error);
    let mut original_uri_base_ids = BTreeMap::new();
    if let Some(uri) = &opts.src_root_uri {
        original_uri_base_ids.insert(
            "%SRCROOT%".to_string(),
            ArtifactLocation {
                uri: uri.clone(),
                uri_base_id: None,
            },
        );
    }
    SarifLog {
        schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL.name,
                    version: TOOL.version,
                    semantic_version: TOOL.version,
                    information_uri: TOOL.information_uri,
                    rules,
                },
            },
            automation_details: (!opts.automation_id.is_empty()).then(|| AutomationDetails {
                id: opts.automation_id.clone(),
            }),
            original_uri_base_ids,
            invocations: vec![Invocation {
                execution_successful: !errors,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

fn descriptor(r: &RuleMeta) -> ReportingDescriptor {
    let mut tags = r.tags.clone();
    if !tags.iter().any(|t| t == "security") {
        tags.insert(0, "security".to_string());
    }
    tags.sort();
    tags.dedup();
    tags.truncate(20); // GitHub keeps at most 20 tags per rule.
    let mut props = BTreeMap::new();
    props.insert("tags".to_string(), Value::from(tags));
    props.insert("precision".to_string(), Value::from(r.precision.as_str()));
    props.insert(
        "security-severity".to_string(),
        Value::from(format!("{:.1}", r.default_severity.security_severity())),
    );
    props.insert(
        "problem.severity".to_string(),
        Value::from(problem_severity(r.default_severity)),
    );
    ReportingDescriptor {
        id: r.id.clone(),
        name: pascal_case(&r.name),
        short_description: Message::text(&r.short_description),
        full_description: Message::text(&r.full_description),
        help: MultiformatMessage {
            text: markdown_to_text(&r.help_markdown),
            markdown: r.help_markdown.clone(),
        },
        help_uri: r.help_uri.clone(),
        default_configuration: Configuration {
            level: r.default_severity.sarif_level(),
        },
        properties: props,
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Note => "recommendation",
        Severity::Low | Severity::Medium => "warning",
        Severity::High | Severity::Critical => "error",
    }
}

fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let mut partial = BTreeMap::new();
    partial.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut properties: BTreeMap<String, Value> = f.properties.clone();
    properties.insert("severity".to_string(), Value::from(f.severity.as_str()));
    if let Some(c) = &f.location.commit {
        properties
            .entry("commit".to_string())
            .or_insert_with(|| Value::from(c.clone()));
    }
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index,
        level: f.severity.sarif_level(),
        message: Message::text(&f.message),
        locations: vec![location(&f.location, None)],
        related_locations: f
            .related
            .iter()
            .take(limits::MAX_LOCATIONS)
            .enumerate()
            .map(|(i, l)| location(l, Some(i)))
            .collect(),
        partial_fingerprints: partial,
        suppressions: f
            .suppression
            .iter()
            .map(|s| SarifSuppression {
                kind: match s.kind {
                    crate::finding::SuppressionKind::InSource => "inSource",
                    crate::finding::SuppressionKind::External => "external",
                },
                justification: s.justification.clone(),
            })
            .collect(),
        baseline_state: f.baseline_state.map(|b| b.as_str()),
        properties,
    }
}

fn location(l: &Location, id: Option<usize>) -> SarifLocation {
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: encode_uri_path(&l.path),
                uri_base_id: Some("%SRCROOT%"),
            },
            region: Region {
                start_line: l.start_line.max(1),
                start_column: l.start_column.max(1),
                end_line: l.end_line.max(l.start_line).max(1),
                end_column: l.end_column.max(1),
            },
        },
        message: id.map(|_| Message::text(&format!("Related location {}", l.display()))),
    }
}

/// Characters kept as they are in a relative URI path: RFC 3986 unreserved plus `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a relative `/`-separated path for an artifact URI.
pub fn encode_uri_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// `GitHub personal access token (classic)` → `GithubPersonalAccessTokenClassic`: SARIF rule
/// names are identifiers, not sentences.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Rule");
    }
    out
}

/// Plain-text help derived from markdown: drops emphasis and code markers.
fn markdown_to_text(md: &str) -> String {
    md.replace("**", "").replace('`', "")
}

/// SARIF messages are sentences; the multitool wants them to end with a period.
fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

// ---- serialization model (only what stagegate emits) ----

/// Top-level SARIF log.
#[derive(Debug, Serialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Debug, Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<DescriptorRef>,
}

impl Notification {
    /// A run-level notification of the writer itself (no scanner, no location).
    fn note(text: String) -> Notification {
        Notification::writer("note", text)
    }
    fn warning(text: String) -> Notification {
        Notification::writer("warning", text)
    }
    fn writer(level: &'static str, text: String) -> Notification {
        Notification {
            level,
            message: Message::text(&text),
            locations: Vec::new(),
            descriptor: Some(DescriptorRef {
                id: "stagegate/sarif".to_string(),
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct DescriptorRef {
    id: String,
}

#[derive(Debug, Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn text(s: &str) -> Message {
        Message { text: sentence(s) }
    }
}

#[derive(Debug, Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
struct SarifSuppression {
    kind: &'static str,
    justification: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_relative_paths() {
        assert_eq!(encode_uri_path("src/a b/ç.rs"), "src/a%20b/%C3%A7.rs");
        assert_eq!(
            encode_uri_path("deploy/prod/values-prod.yaml"),
            "deploy/prod/values-prod.yaml"
        );
        assert_eq!(encode_uri_path("a#b?c"), "a%23b%3Fc");
    }

    #[test]
    fn rule_names_become_identifiers() {
        assert_eq!(
            pascal_case("GitHub personal access token (classic)"),
            "GithubPersonalAccessTokenClassic"
        );
        assert_eq!(pascal_case("1password"), "Rule1password");
        assert_eq!(pascal_case("--"), "Rule");
    }

    #[test]
    fn messages_end_with_period() {
        assert_eq!(sentence("a"), "a.");
        assert_eq!(sentence("a?"), "a?");
    }
}
