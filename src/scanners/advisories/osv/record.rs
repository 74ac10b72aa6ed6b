//! One OSV record (<https://ossf.github.io/osv-schema/>), validated into what matching and
//! reporting need. Unknown fields are ignored so newer records still load.

use std::str::FromStr;

use serde::Deserialize;

use crate::scanners::advisories::advisory::Kind;
use crate::scanners::advisories::ecosystem::Ecosystem;
use crate::scanners::advisories::ordering::{Scheme, Version};

/// A validated OSV record.
#[derive(Debug, Clone)]
pub struct Record {
    /// `GHSA-…`, `PYSEC-…`, `RUSTSEC-…`, `GO-…`.
    pub id: String,
    /// Other ids of the same problem (CVE, GHSA…).
    pub aliases: Vec<String>,
    /// One-line summary (may be empty).
    pub summary: String,
    /// Markdown details.
    pub details: String,
    /// `YYYY-MM-DD` of `published` (else `modified`).
    pub date: String,
    /// `YYYY-MM-DD` of `modified`.
    pub modified: String,
    /// Set when withdrawn: then it never matches.
    pub withdrawn: bool,
    /// CVSS vector (the highest-scoring of `severity[]` that the scorer understands).
    pub cvss_vector: Option<String>,
    /// Its base score.
    pub cvss_score: Option<f64>,
    /// `database_specific.severity` (GitHub's `LOW`…`CRITICAL`), a fallback without CVSS.
    pub severity_word: Option<String>,
    /// Vulnerability, or RustSec's informational kinds (`database_specific.informational`).
    pub kind: Kind,
    /// RustSec categories (`database_specific.categories`); `malicious` for `MAL-` records.
    pub categories: Vec<String>,
    /// The link for humans: the `ADVISORY` reference, else the first reference.
    pub url: Option<String>,
    /// What it affects.
    pub affected: Vec<Affected>,
}

/// One `affected[]` entry of an ecosystem stagegate knows.
#[derive(Debug, Clone)]
pub struct Affected {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Package name, normalized ([`Ecosystem::normalize_name`]).
    pub name: String,
    /// Name as written.
    pub display_name: String,
    /// `SEMVER` and `ECOSYSTEM` ranges (`GIT` ranges name commits, not versions: dropped).
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// RustSec `ecosystem_specific.affects.os` (empty: every OS).
    pub os: Vec<String>,
    /// RustSec `ecosystem_specific.affects.arch` (empty: every architecture).
    pub arch: Vec<String>,
}

/// A range: events in one ordering.
#[derive(Debug, Clone)]
pub struct Range {
    /// The ordering of its versions.
    pub scheme: Scheme,
    /// Events, as written.
    pub events: Vec<Event>,
}

/// One range event. `Introduced(None)` is `"introduced": "0"` (from the beginning).
#[derive(Debug, Clone)]
pub enum Event {
    /// First affected version.
    Introduced(Option<Version>),
    /// First fixed version.
    Fixed(Version, String),
    /// Last affected version.
    LastAffected(Version),
    /// Upper limit of the range (exclusive).
    Limit(Version),
}

/// Why a record cannot be used; the loader adds the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct RecordError {
    /// 1-based line of the JSON problem, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl RecordError {
    fn invalid(message: String) -> Self {
        RecordError {
            line: None,
            message,
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

fn day(ts: Option<&str>) -> String {
    ts.map(|t| t.get(..10).unwrap_or(t).to_string())
        .unwrap_or_default()
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The CVSS vector with the highest base score among `severity[]` (v3 and v4; v2 is not
/// scored by the `cvss` crate and is skipped).
fn best_cvss(sev: &[RawSeverity]) -> (Option<String>, Option<f64>) {
    sev.iter()
        .filter(|s| matches!(s.kind.as_str(), "CVSS_V3" | "CVSS_V4"))
        .filter_map(|s| {
            let v = s.score.trim();
            cvss::Cvss::from_str(v)
                .ok()
                .map(|c| (v.to_string(), c.score()))
        })
        .fold((None, None), |best, (v, s)| match best.1 {
            Some(b) if b >= s => best,
            _ => (Some(v), Some(s)),
        })
}

fn parse_range(r: &RawRange, eco: Ecosystem) -> Result<Option<Range>, RecordError> {
    let scheme = match r.kind.as_str() {
        "SEMVER" => Scheme::Semver,
        "ECOSYSTEM" => Scheme::for_ecosystem(eco),
        _ => return Ok(None),
    };
    let mut events = Vec::with_capacity(r.events.len());
    for e in &r.events {
        let Some((key, value)) = e.iter().next() else {
            continue;
        };
        let Some(s) = value.as_str() else {
            return Err(RecordError::invalid(format!(
                "{key} event is not a string: {value}"
            )));
        };
        let v = || {
            scheme.parse(s).ok_or_else(|| {
                RecordError::invalid(format!(
                    "{key} `{s}` is not a {} version",
                    scheme_name(scheme)
                ))
            })
        };
        events.push(match key.as_str() {
            "introduced" if s == "0" => Event::Introduced(None),
            "introduced" => Event::Introduced(Some(v()?)),
            "fixed" => Event::Fixed(v()?, s.to_string()),
            "last_affected" => Event::LastAffected(v()?),
            "limit" if s == "*" => continue,
            "limit" => Event::Limit(v()?),
            other => {
                return Err(RecordError::invalid(format!(
                    "unknown range event `{other}`"
                )))
            }
        });
    }
    Ok(Some(Range { scheme, events }))
}

fn scheme_name(s: Scheme) -> &'static str {
    match s {
        Scheme::Semver => "semver",
        Scheme::Pep440 => "PEP 440",
        Scheme::RubyGems => "RubyGems",
        Scheme::Maven => "Maven",
        Scheme::Generic => "dotted",
    }
}

impl Record {
    /// Parses and validates one record's JSON text.
    pub fn parse(text: &str) -> Result<Record, RecordError> {
        let raw: Raw = serde_json::from_str(text).map_err(|e| RecordError {
            line: Some(u32::try_from(e.line()).unwrap_or(u32::MAX)),
            message: e.to_string(),
        })?;
        if raw.id.trim().is_empty() {
            return Err(RecordError::invalid("empty `id`".to_string()));
        }
        let db = raw.database_specific.as_ref();
        let mut kind = Kind::Vulnerability;
        let mut categories = Vec::new();
        let mut affected = Vec::new();
        for a in raw.affected.iter().flatten() {
            // RustSec keeps its kind and categories per affected package.
            let adb = a.database_specific.as_ref();
            if let Some(i) = adb
                .and_then(|d| d.get("informational"))
                .and_then(|v| v.as_str())
            {
                kind = match i.trim() {
                    "unmaintained" => Kind::Unmaintained,
                    "unsound" => Kind::Unsound,
                    other => Kind::Notice(other.to_string()),
                };
            }
            categories.extend(strings(adb.and_then(|d| d.get("categories"))));
            let Some(p) = &a.package else { continue };
            let Some(eco) = Ecosystem::from_osv(p.ecosystem.trim()) else {
                continue;
            };
            let mut ranges = Vec::new();
            for r in a.ranges.iter().flatten() {
                if let Some(r) = parse_range(r, eco)
                    .map_err(|e| RecordError::invalid(format!("{} {}: {e}", eco, p.name)))?
                {
                    ranges.push(r);
                }
            }
            let affects = a.ecosystem_specific.as_ref().and_then(|e| e.get("affects"));
            affected.push(Affected {
                ecosystem: eco,
                name: eco.normalize_name(&p.name),
                display_name: p.name.trim().to_string(),
                ranges,
                versions: a.versions.clone().unwrap_or_default(),
                os: strings(affects.and_then(|x| x.get("os"))),
                arch: strings(affects.and_then(|x| x.get("arch"))),
            });
        }
        if raw.id.starts_with("MAL-") && !categories.iter().any(|c| c == "malicious") {
            categories.push("malicious".to_string());
        }
        categories.sort();
        categories.dedup();
        let (cvss_vector, cvss_score) = best_cvss(raw.severity.as_deref().unwrap_or_default());
        let refs = raw.references.unwrap_or_default();
        let url = refs
            .iter()
            .find(|r| r.kind == "ADVISORY")
            .or(refs.first())
            .map(|r| r.url.clone())
            .filter(|u| !u.is_empty());
        Ok(Record {
            id: raw.id.trim().to_string(),
            aliases: raw.aliases.unwrap_or_default(),
            summary: raw.summary.unwrap_or_default().trim().to_string(),
            details: raw.details.unwrap_or_default(),
            date: day(raw.published.as_deref().or(raw.modified.as_deref())),
            modified: day(raw.modified.as_deref()),
            withdrawn: raw.withdrawn.is_some(),
            cvss_vector,
            cvss_score,
            severity_word: db
                .and_then(|d| d.get("severity"))
                .and_then(|v| v.as_str())
                .map(str::to_string),
            kind,
            categories,
            url,
            affected,
        })
    }

    /// Whether `id` is this record's id or one of its aliases (case-insensitive).
    pub fn is_known_as(&self, id: &str) -> bool {
        self.id.eq_ignore_ascii_case(id) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }

    /// A title for messages: the summary, else the first line of the details.
    pub fn title(&self) -> String {
        if !self.summary.is_empty() {
            return self.summary.clone();
        }
        let first = self.details.lines().find(|l| !l.trim().is_empty());
        first
            .map(|l| l.trim().trim_start_matches('#').trim().to_string())
            .unwrap_or_else(|| format!("{} advisory", self.kind.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_record_with_cvss_and_ranges() {
        let r = Record::parse(
            r#"{"id":"GHSA-p6mc-m468-83gw","modified":"2024-01-01T00:00:00Z","published":"2020-07-15T19:15:48Z",
            "aliases":["CVE-2020-8203"],"summary":"Prototype Pollution in lodash",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}],
            "affected":[{"package":{"ecosystem":"npm","name":"lodash"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"3.7.0"},{"fixed":"4.17.19"}]},
                        {"type":"GIT","repo":"x","events":[{"introduced":"abc"}]}]},
              {"package":{"ecosystem":"Debian:11","name":"node-lodash"}}],
            "references":[{"type":"WEB","url":"https://example.org/w"},{"type":"ADVISORY","url":"https://example.org/a"}]}"#,
        )
        .unwrap();
        assert_eq!(r.date, "2020-07-15");
        assert_eq!(r.cvss_score, Some(7.4));
        assert_eq!(r.affected.len(), 1, "Debian is not ours");
        assert_eq!(r.affected[0].ranges.len(), 1, "GIT ranges are dropped");
        assert_eq!(r.url.as_deref(), Some("https://example.org/a"));
        assert!(r.is_known_as("cve-2020-8203"));
        assert_eq!(r.title(), "Prototype Pollution in lodash");
    }

    #[test]
    fn errors_name_the_line_or_the_event() {
        let e = Record::parse("{\n\"id\": 3\n}").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = Record::parse(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"fixed":"not a version"}]}]}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("PyPI a: fixed `not a version`"), "{e}");
        let e = Record::parse(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"broken":"1"}]}]}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown range event"), "{e}");
    }

    #[test]
    fn malicious_packages_and_rustsec_kinds() {
        let r = Record::parse(r#"{"id":"MAL-2022-1","affected":[]}"#).unwrap();
        assert_eq!(r.categories, ["malicious"]);
        let r = Record::parse(
            r#"{"id":"RUSTSEC-2020-0036","affected":[{"package":{"ecosystem":"crates.io","name":"failure"},
            "database_specific":{"informational":"unmaintained","categories":[]},
            "ecosystem_specific":{"affects":{"os":["windows"],"arch":[]}}}]}"#,
        )
        .unwrap();
        assert_eq!(r.kind, Kind::Unmaintained);
        assert_eq!(r.affected[0].os, ["windows"]);
    }
}
