//! `[advisories]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

use crate::dates::IsoDate;
use crate::finding::Severity;

/// Configuration of the advisories scanner.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdvisoriesConfig {
    /// Advisory database directory (RustSec layout), relative to the scan root (`~/` is the
    /// home directory). `--db` wins over it. Default `$CARGO_HOME/advisory-db`, i.e.
    /// `~/.cargo/advisory-db`, the copy cargo-audit users already have.
    #[serde(default)]
    pub db: Option<String>,
    /// OSV advisory data for the lockfiles of other ecosystems (npm, PyPI, Go, RubyGems,
    /// Packagist, Maven; crates.io too): directories of OSV JSON records or OSV's `all.zip`
    /// archives, relative to the scan root (`~/` is the home directory). `--osv-db` wins.
    /// Default: none (those lockfiles are listed as not audited).
    #[serde(default)]
    pub osv: Vec<String>,
    /// Accepted advisories: an id or any alias, with a reason and an optional expiry.
    #[serde(default)]
    pub ignore: Vec<AdvisoryIgnore>,
    /// A database older than this many days is itself a finding (`advisory/stale-database`,
    /// high). Age: git HEAD commit date of a checkout, else the newest advisory date.
    #[serde(default = "default_max_age_days")]
    pub max_age_days: u32,
    /// Severity of `unsound` advisories.
    #[serde(default = "default_unsound")]
    pub unsound: Severity,
    /// Severity of `unmaintained` advisories.
    #[serde(default = "default_unmaintained")]
    pub unmaintained: Severity,
    /// Severity of `notice` advisories.
    #[serde(default = "default_notice")]
    pub notice: Severity,
    /// Severity of yanked versions (`advisory/yanked`, from Cargo's local index cache).
    #[serde(default = "default_yanked")]
    pub yanked: Severity,
}

impl Default for AdvisoriesConfig {
    fn default() -> Self {
        AdvisoriesConfig {
            db: None,
            osv: Vec::new(),
            ignore: Vec::new(),
            max_age_days: default_max_age_days(),
            unsound: default_unsound(),
            unmaintained: default_unmaintained(),
            notice: default_notice(),
            yanked: default_yanked(),
        }
    }
}

fn default_max_age_days() -> u32 {
    90
}
fn default_unsound() -> Severity {
    Severity::Medium
}
fn default_unmaintained() -> Severity {
    Severity::Low
}
fn default_notice() -> Severity {
    Severity::Note
}
fn default_yanked() -> Severity {
    super::rules::AdvisoryRule::Yanked.default_severity()
}

/// One accepted advisory.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryIgnore {
    /// Advisory id or alias (`RUSTSEC-2020-0071`, `CVE-…`, `GHSA-…`).
    pub id: String,
    /// Why it is acceptable; shown as the SARIF suppression justification.
    pub reason: String,
    /// After this date the ignore stops applying and becomes a finding itself.
    #[serde(default)]
    pub until: Option<IsoDate>,
}

/// `[advisories]`, validated: where each `ignore` entry is written, for findings about it
/// (expired, unused) to point at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompiledAdvisories {
    /// `(line, first column, last column + 1)` of each `ignore` entry's `id`, in order.
    pub ignore_at: Vec<Option<(u32, u32, u32)>>,
}

impl AdvisoriesConfig {
    /// Checks what serde cannot (empty ids and reasons) and records where each ignore is.
    pub fn compile(
        &self,
        doc: &crate::config::Doc<'_>,
        errors: &mut Vec<crate::error::ConfigError>,
    ) -> CompiledAdvisories {
        use crate::config::spans::Step;
        let mut ignore_at = Vec::new();
        for (i, ig) in self.ignore.iter().enumerate() {
            let at = |k: &str| {
                [
                    Step::key("advisories"),
                    Step::key("ignore"),
                    Step::Index(i),
                    Step::key(k),
                ]
            };
            if ig.id.trim().is_empty() {
                errors.push(doc.error_at(&at("id"), "[advisories] ignore: `id` is empty"));
            }
            if ig.reason.trim().is_empty() {
                errors.push(doc.error_at(
                    &at("reason"),
                    format!("[advisories] ignore of `{}`: give a `reason`", ig.id),
                ));
            }
            ignore_at.push(doc.get(&at("id")).map(|v| {
                let span = v.span();
                let (line, start) = doc.line_col(span.start);
                let (_, end) = doc.line_col(span.end);
                (line, start, end)
            }));
        }
        CompiledAdvisories { ignore_at }
    }
}
