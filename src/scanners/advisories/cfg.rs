//! `[advisories]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

use crate::dates::IsoDate;
use crate::finding::Severity;

/// Configuration of the advisories scanner.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdvisoriesConfig {
    /// Threshold for this scanner's findings, overriding the top-level `fail_on`. When unset, every vulnerability advisory blocks whatever its CVSS (cargo-audit's and cargo-deny's default).
    #[serde(default)]
    pub fail_on: Option<crate::config::FailOn>,
    /// Advisory database directory (RustSec layout), relative to the scan root (`~/` is the
    /// home directory). `--db` wins over it. Default `$CARGO_HOME/advisory-db`, i.e.
    /// `~/.cargo/advisory-db`, the copy cargo-audit users already have.
    #[serde(default)]
    pub db: Option<String>,
    /// Repository the database is fetched from (a mirror for air-gapped organisations; a URL
    /// or a local path). `--db-url` wins over it. Default RustSec's GitHub repository.
    #[serde(default)]
    pub db_url: Option<String>,
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
            fail_on: None,
            db: None,
            db_url: None,
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

/// One accepted advisory: `{ id, reason, until }`, or a plain id string (as in cargo-audit's
/// and cargo-deny's `ignore` lists), whose reason is then [`PLAIN_IGNORE_REASON`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdvisoryIgnore {
    /// Advisory id or alias (`RUSTSEC-2020-0071`, `CVE-…`, `GHSA-…`).
    pub id: String,
    /// Why it is acceptable; shown as the SARIF suppression justification.
    pub reason: String,
    /// After this date the ignore stops applying and becomes a finding itself.
    #[serde(default)]
    pub until: Option<IsoDate>,
}

/// Justification of an ignore given as a plain id.
pub const PLAIN_IGNORE_REASON: &str = "listed in [advisories] ignore without a reason";

/// The table form, with its strict keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreTable {
    id: String,
    reason: String,
    #[serde(default)]
    until: Option<IsoDate>,
}

impl<'de> Deserialize<'de> for AdvisoryIgnore {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = AdvisoryIgnore;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an advisory id string or a table { id, reason, until }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AdvisoryIgnore, E> {
                Ok(AdvisoryIgnore {
                    id: v.to_string(),
                    reason: PLAIN_IGNORE_REASON.to_string(),
                    until: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<AdvisoryIgnore, A::Error> {
                let t =
                    IgnoreTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(AdvisoryIgnore {
                    id: t.id,
                    reason: t.reason,
                    until: t.until,
                })
            }
        }
        d.deserialize_any(V)
    }
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
            // A plain id string is itself the entry.
            let entry = [Step::key("advisories"), Step::key("ignore"), Step::Index(i)];
            let id_value = doc.get(&at("id")).or_else(|| doc.get(&entry));
            ignore_at.push(id_value.map(|v| {
                let span = v.span();
                let (line, start) = doc.line_col(span.start);
                let (_, end) = doc.line_col(span.end);
                (line, start, end)
            }));
        }
        CompiledAdvisories { ignore_at }
    }
}

#[cfg(test)]
mod tests {
    use crate::scanners::ValidConfig as Config;
    use std::path::Path;

    #[test]
    fn ignores_are_plain_ids_or_tables() {
        let c = Config::parse(
            "[advisories]\nignore = [\"RUSTSEC-2020-0071\", { id = \"CVE-2022-24713\", reason = \"not reachable\" }]\n",
            Path::new("s.toml"),
        )
        .unwrap();
        let ig = &c.advisories.ignore;
        assert_eq!(ig[0].id, "RUSTSEC-2020-0071");
        assert_eq!(ig[0].reason, super::PLAIN_IGNORE_REASON);
        assert_eq!(ig[1].reason, "not reachable");
        let e = Config::parse(
            "[advisories]\nignore = [{ id = \"X\", reasn = \"typo\" }]\n",
            Path::new("s.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("s.toml:2:") && e.contains("reasn"), "{e}");
        assert!(Config::parse("[advisories]\nignore = [3]\n", Path::new("s.toml")).is_err());
    }
}
