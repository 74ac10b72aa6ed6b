//! The validated configuration a scan runs with: the file's top-level keys plus each scanner's
//! section, deserialized with spans and compiled once.
//!
//! [`crate::config::ConfigFile`] reads the file and keeps the sections unvalidated; here each
//! scanner's `cfg` module turns its section into typed values and compiled forms (exclude set,
//! allow globs, drift expectations per pair, policy set, ignore locations). Every mistake of
//! the file is collected at `file:line:column`. A mistake in a scanner's section disables only
//! that scanner: [`crate::scan::run`] reports its errors instead of running it (exit 2), and the
//! other scanners still run.

use std::path::{Path, PathBuf};

use crate::config::{ConfigFile, FailOn};
use crate::error::{ConfigError, Error};
use crate::finding::ScannerKind;
use crate::paths::ExcludeSet;

use super::advisories::cfg::{AdvisoriesConfig, CompiledAdvisories};
use super::drift::cfg::{CompiledDrift, DriftConfig};
use super::secrets::cfg::{CompiledSecrets, SecretsConfig};

/// `stagegate.toml`, validated and compiled.
#[derive(Debug, Clone)]
pub struct ValidConfig {
    /// Lowest severity that blocks (`--fail-on` wins over it). Default `high`.
    pub fail_on: Option<FailOn>,
    /// Baseline file, relative to the scan root.
    pub baseline: Option<PathBuf>,
    /// `exclude`, compiled once: no scanner looks at what it matches.
    pub exclude: ExcludeSet,
    /// `exclude` as written.
    pub exclude_patterns: Vec<String>,
    /// Where it was read from (`None`: built-in defaults).
    pub source: Option<PathBuf>,
    /// `[advisories]`.
    pub advisories: AdvisoriesConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[drift]`.
    pub drift: DriftConfig,
    /// `[advisories]`, compiled.
    pub advisories_compiled: CompiledAdvisories,
    /// `[secrets]`, compiled.
    pub secrets_compiled: CompiledSecrets,
    /// `[drift]`, compiled.
    pub drift_compiled: CompiledDrift,
    /// Errors of each invalid section: that scanner does not run (see [`Self::section_errors`]).
    pub invalid: Vec<(ScannerKind, Vec<ConfigError>)>,
}

impl Default for ValidConfig {
    /// The configuration of a repository without `stagegate.toml`.
    fn default() -> Self {
        ValidConfig::from_file(&ConfigFile::default())
    }
}

impl ValidConfig {
    /// Validates every section of `file`. Never fails: file-level errors stay in
    /// `file.errors`, section errors in [`Self::section_errors`].
    pub fn from_file(file: &ConfigFile) -> ValidConfig {
        let doc = file.doc();
        let mut adv_errors = Vec::new();
        let advisories: AdvisoriesConfig = doc.section("advisories", &mut adv_errors);
        let advisories_compiled = advisories.compile(&doc, &mut adv_errors);
        let mut sec_errors = Vec::new();
        let secrets: SecretsConfig = doc.section("secrets", &mut sec_errors);
        let secrets_compiled = secrets.compile(&doc, &mut sec_errors);
        let mut drift_errors = Vec::new();
        let drift: DriftConfig = doc.section("drift", &mut drift_errors);
        let drift_compiled = drift.compile(&doc, &mut drift_errors);
        let invalid = [
            (ScannerKind::Advisories, adv_errors),
            (ScannerKind::Secrets, sec_errors),
            (ScannerKind::Drift, drift_errors),
        ]
        .into_iter()
        .filter(|(_, e)| !e.is_empty())
        .map(|(k, mut e)| {
            e.sort();
            (k, e)
        })
        .collect();
        ValidConfig {
            fail_on: file.fail_on,
            baseline: file.baseline.clone(),
            exclude: file.exclude.clone(),
            exclude_patterns: file.exclude_patterns.clone(),
            source: file.source.clone(),
            advisories,
            secrets,
            drift,
            advisories_compiled,
            secrets_compiled,
            drift_compiled,
            invalid,
        }
    }

    /// Parses `text` as the content of `path`, strictly: any mistake anywhere is an error, and
    /// the error lists all of them.
    pub fn parse(text: &str, path: &Path) -> Result<ValidConfig, Error> {
        let file = ConfigFile::parse(text, path);
        let config = ValidConfig::from_file(&file);
        let all = config.all_errors(&file);
        if all.is_empty() {
            Ok(config)
        } else {
            Err(Error::Config(all))
        }
    }

    /// Parses `text` for a scan: syntax errors and mistakes in the top-level keys are an error
    /// (listing every mistake of the file); a mistake in a scanner's section only disables that
    /// scanner ([`Self::section_errors`]).
    pub fn parse_lenient(text: &str, path: &Path) -> Result<ValidConfig, Error> {
        ValidConfig::lenient(&ConfigFile::parse(text, path))
    }

    /// Reads `path` strictly (see [`Self::parse`]).
    pub fn load(path: &Path) -> Result<ValidConfig, Error> {
        let file = ConfigFile::load(path)?;
        let config = ValidConfig::from_file(&file);
        let all = config.all_errors(&file);
        if all.is_empty() {
            Ok(config)
        } else {
            Err(Error::Config(all))
        }
    }

    /// For a scan of `root`: `explicit` if given (must exist), else `root/stagegate.toml` if
    /// present, else defaults; lenient about sections (see [`Self::parse_lenient`]).
    pub fn discover(root: &Path, explicit: Option<&Path>) -> Result<ValidConfig, Error> {
        ValidConfig::lenient(&ConfigFile::discover(root, explicit)?)
    }

    fn lenient(file: &ConfigFile) -> Result<ValidConfig, Error> {
        let config = ValidConfig::from_file(file);
        if file.errors.is_empty() {
            Ok(config)
        } else {
            Err(Error::Config(config.all_errors(file)))
        }
    }

    fn all_errors(&self, file: &ConfigFile) -> Vec<ConfigError> {
        let mut all = file.errors.clone();
        for (_, e) in &self.invalid {
            all.extend(e.iter().cloned());
        }
        all.sort();
        all
    }

    /// The mistakes in `kind`'s section; empty when it is valid. A scanner with errors here
    /// does not run.
    pub fn section_errors(&self, kind: ScannerKind) -> &[ConfigError] {
        self.invalid
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, e)| e.as_slice())
            .unwrap_or_default()
    }

    /// The file errors are reported under.
    pub fn path(&self) -> PathBuf {
        self.source
            .clone()
            .unwrap_or_else(|| PathBuf::from(crate::config::CONFIG_FILE_NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_compiled() {
        let c = ValidConfig::default();
        for k in ScannerKind::ALL {
            assert!(c.section_errors(k).is_empty());
        }
        assert!(c.drift_compiled.policies().is_ok());
        assert!(!c.exclude.is_excluded("src/lib.rs"));
    }

    #[test]
    fn all_errors_of_all_sections_at_once() {
        let text = "\
fail_on = \"high\"
[advisories]
max_age_days = \"ninety\"
ignore = [{ id = \"RUSTSEC-2020-0071\", reason = \"\", until = \"someday\" }]
[secrets]
allow = [{ path = \"a/[\" }]
colour = 1
[[drift.pair]]
name = \"api\"
uat = \"u\"
prod = \"p\"
allow = [{ paths = [\"/a\"], kinds = [\"valeu\"] }]
require_equal = [\"/b/[\"]
";
        let e = ValidConfig::parse(text, Path::new("s.toml")).unwrap_err();
        let Error::Config(list) = &e else {
            panic!("{e:?}")
        };
        let s: Vec<String> = list.iter().map(ToString::to_string).collect();
        let at: Vec<&str> = s
            .iter()
            .map(|e| e.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            at,
            [
                "s.toml:3:16",
                "s.toml:4:48",
                "s.toml:4:60",
                "s.toml:6:19",
                "s.toml:7:1",
                "s.toml:12:36",
                "s.toml:13:18"
            ],
            "{s:#?}"
        );
        assert!(
            s[0].contains("\"ninety\"") && s[0].contains("u32"),
            "{s:#?}"
        );
        assert!(s[1].contains("give a `reason`"), "{s:#?}");
        assert!(s[2].contains("invalid date `someday`"), "{s:#?}");
        assert!(
            s[3].contains("[secrets] allow") && s[3].contains("a/["),
            "{s:#?}"
        );
        assert!(s[4].contains("unknown field `colour`"), "{s:#?}");
        assert!(s[5].contains("`api`") && s[5].contains("valeu"), "{s:#?}");
        assert!(s[6].contains("`api`") && s[6].contains("/b/["), "{s:#?}");
    }

    #[test]
    fn invalid_section_disables_only_its_scanner() {
        let text = "exclude = [\"vendor\"]\n[drift]\ndiscover = \"yes\"\n";
        let c =
            ValidConfig::parse_lenient(text, Path::new("s.toml")).expect("sections are lenient");
        assert_eq!(c.section_errors(ScannerKind::Drift).len(), 1);
        assert!(c.section_errors(ScannerKind::Secrets).is_empty());
        assert!(c.exclude.is_excluded("vendor/x"));
        assert!(ValidConfig::parse(text, Path::new("s.toml")).is_err());
        let bad_top = "exclude = 3\n[drift]\ndiscover = \"yes\"\n";
        let e = ValidConfig::parse_lenient(bad_top, Path::new("s.toml")).unwrap_err();
        assert_eq!(e.to_string().lines().count(), 2, "{e}");
    }
}
