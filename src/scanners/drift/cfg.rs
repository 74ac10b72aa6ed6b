//! `[drift]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

use crate::dates::IsoDate;

/// Configuration of the drift scanner.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DriftConfig {
    /// Threshold for this scanner's findings, overriding the top-level `fail_on`.
    #[serde(default)]
    pub fail_on: Option<crate::config::FailOn>,
    /// Explicit UAT/production pairs. When empty, pairs are discovered by naming convention.
    #[serde(default)]
    pub pair: Vec<DriftPair>,
    /// Discover pairs by convention in addition to the explicit ones. Default true.
    #[serde(default = "default_true")]
    pub discover: bool,
    /// Policy rule ids (without `policy/`) to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            fail_on: None,
            pair: Vec::new(),
            discover: true,
            disable: Vec::new(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// One UAT ↔ production pair: files or folders, relative to the scan root.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DriftPair {
    /// Name shown in reports.
    pub name: String,
    /// UAT file or folder.
    pub uat: String,
    /// Production file or folder.
    pub prod: String,
    /// Base applied under both (Helm `values.yaml`, Spring `application.yml`, `.env`).
    #[serde(default)]
    pub base: Option<String>,
    /// Declared expected differences.
    #[serde(default)]
    pub allow: Vec<DriftAllow>,
    /// Key path globs that must be equal (release parity), overriding default expectations.
    #[serde(default)]
    pub require_equal: Vec<String>,
}

/// A declared expected difference.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DriftAllow {
    /// Key path globs (`/replicaCount`, `/ingress/hosts/**`).
    pub paths: Vec<String>,
    /// Finding kinds it covers (`value`, `missing-in-prod`, …); all when empty.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Why the difference is expected.
    #[serde(default)]
    pub reason: Option<String>,
    /// After this date the allowance stops applying.
    #[serde(default)]
    pub until: Option<IsoDate>,
}

/// `[drift]`, compiled: each pair's expectations and the policy set.
#[derive(Debug, Clone)]
pub struct CompiledDrift {
    /// Expectations of each `[[drift.pair]]`, by pair name.
    pub expectations: std::collections::BTreeMap<String, super::expect::Expectations>,
    /// `[drift] disable`, for [`CompiledDrift::policies`].
    disable: Vec<String>,
    /// The policy set, compiled on first use: its TOML and case-insensitive regexes cost
    /// milliseconds that a secrets or advisories run (a pre-commit hook) does not need to pay.
    policies: std::sync::Arc<
        std::sync::OnceLock<Result<std::sync::Arc<super::policy::PolicySet>, String>>,
    >,
}

impl CompiledDrift {
    /// Built-in policies minus `disable`, compiled now if needed (`disable` only removes
    /// policies, so an error means the built-in policy files are broken; a test rules it out).
    pub fn policies(&self) -> Result<&super::policy::PolicySet, &str> {
        self.policies
            .get_or_init(|| {
                super::policy::PolicySet::builtin(&self.disable)
                    .map(std::sync::Arc::new)
                    .map_err(|e| format!("drift policies: {e}"))
            })
            .as_deref()
            .map_err(String::as_str)
    }
}

impl DriftConfig {
    /// Compiles every pair's `allow` and `require_equal` (the policy set is compiled on first
    /// use, [`CompiledDrift::policies`]); every mistake
    /// (bad glob, unknown kind, duplicate pair name) is an error at its line and column.
    pub fn compile(
        &self,
        doc: &crate::config::Doc<'_>,
        errors: &mut Vec<crate::error::ConfigError>,
    ) -> CompiledDrift {
        use super::expect::Expectations;
        use crate::config::spans::Step;
        let mut expectations = std::collections::BTreeMap::new();
        for (i, pair) in self.pair.iter().enumerate() {
            let at = |rest: &[Step]| {
                let mut p = vec![Step::key("drift"), Step::key("pair"), Step::Index(i)];
                p.extend_from_slice(rest);
                p
            };
            let before = errors.len();
            for (j, a) in pair.allow.iter().enumerate() {
                // Globs and kinds separately, so a bad glob and a bad kind are both reported.
                let at_allow = |k: &str| at(&[Step::key("allow"), Step::Index(j), Step::key(k)]);
                if let Err(msg) = super::expect::KeyGlobs::new(&a.paths) {
                    errors.push(doc.error_at(
                        &at_allow("paths"),
                        format!("[[drift.pair]] `{}`: allow: {msg}", pair.name),
                    ));
                }
                let kinds_only = DriftAllow {
                    paths: Vec::new(),
                    ..a.clone()
                };
                if let Err(msg) = Expectations::new(std::slice::from_ref(&kinds_only), &[]) {
                    errors.push(doc.error_at(
                        &at_allow("kinds"),
                        format!("[[drift.pair]] `{}`: {msg}", pair.name),
                    ));
                }
            }
            for (j, g) in pair.require_equal.iter().enumerate() {
                if let Err(msg) = Expectations::new(&[], std::slice::from_ref(g)) {
                    errors.push(doc.error_at(
                        &at(&[Step::key("require_equal"), Step::Index(j)]),
                        format!("[[drift.pair]] `{}`: {msg}", pair.name),
                    ));
                }
            }
            if expectations.contains_key(&pair.name) {
                errors.push(doc.error_at(
                    &at(&[Step::key("name")]),
                    format!(
                        "[[drift.pair]]: two pairs are named `{}`; names must be unique",
                        pair.name
                    ),
                ));
                continue;
            }
            if errors.len() == before {
                match Expectations::new(&pair.allow, &pair.require_equal) {
                    Ok(e) => {
                        expectations.insert(pair.name.clone(), e);
                    }
                    Err(msg) => errors.push(
                        doc.error_at(&at(&[]), format!("[[drift.pair]] `{}`: {msg}", pair.name)),
                    ),
                }
            }
        }
        CompiledDrift {
            expectations,
            disable: self.disable.clone(),
            policies: Default::default(),
        }
    }
}
