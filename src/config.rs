//! `stagegate.toml`: schema, defaults, discovery and validation with errors that point at the line.
//!
//! Every key is optional. Unknown keys and wrong types are errors (not warnings): a typo in a
//! release gate's configuration must not silently widen what passes. Each scanner owns its own
//! section type in `scanners/<name>/cfg.rs`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{line_of_offset, Error};
use crate::finding::Severity;
use crate::scanners::advisories::cfg::AdvisoriesConfig;
use crate::scanners::drift::cfg::DriftConfig;
use crate::scanners::secrets::cfg::SecretsConfig;

/// File name looked up at the scan root when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "stagegate.toml";

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lowest severity that blocks (`--fail-on` wins over it). Default `high`.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Baseline file, relative to the scan root.
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// Glob patterns (gitignore-style, relative to the root) that no scanner looks at.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `[advisories]`.
    #[serde(default)]
    pub advisories: AdvisoriesConfig,
    /// `[secrets]`.
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// `[drift]`.
    #[serde(default)]
    pub drift: DriftConfig,
    /// Where it was read from (not a key of the file).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Config {
    /// Parses `text` as the content of `path`. Errors name the file, the line and, for unknown
    /// keys, the valid ones.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| toml_error(text, path, &e))?;
        cfg.source = Some(path.to_path_buf());
        cfg.validate(path, text)?;
        Ok(cfg)
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// `explicit` if given (must exist), else `root/stagegate.toml` if present, else defaults.
    pub fn discover(root: &Path, explicit: Option<&Path>) -> Result<Config, Error> {
        match explicit {
            Some(p) => Config::load(p),
            None => {
                let p = root.join(CONFIG_FILE_NAME);
                if p.is_file() {
                    Config::load(&p)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    /// Checks what serde cannot — glob syntax, drift allowance kinds — so a mistake is an
    /// error when the file is loaded, pointing at its line, not halfway through a scan.
    fn validate(&self, path: &Path, text: &str) -> Result<(), Error> {
        for pat in &self.exclude {
            globset::Glob::new(pat).map_err(|e| {
                Error::input(
                    path,
                    line_of_literal(text, pat),
                    format!("exclude: invalid glob `{pat}`: {e}"),
                )
            })?;
        }
        for pair in &self.drift.pair {
            crate::scanners::drift::expect::Expectations::new(&pair.allow, &pair.require_equal)
                .map_err(|msg| {
                    Error::input(
                        path,
                        line_of_literal(text, &pair.name),
                        format!("[[drift.pair]] `{}`: {msg}", pair.name),
                    )
                })?;
        }
        Ok(())
    }
}

/// 1-based line of the first quoted occurrence of `literal` in `text` (best effort: the
/// value's line, for errors found after deserialization).
fn line_of_literal(text: &str, literal: &str) -> Option<u32> {
    ["\"", "'"].iter().find_map(|q| {
        text.find(&format!("{q}{literal}{q}"))
            .map(|at| line_of_offset(text, at))
    })
}

/// Turns a TOML/serde error into one that names the file and line.
pub fn toml_error(text: &str, path: &Path, e: &toml::de::Error) -> Error {
    let line = e.span().map(|s| line_of_offset(text, s.start));
    let msg = e.message().trim().to_string();
    Error::input(path, line, msg)
}

/// `--fail-on` / `fail_on`: a severity, or `none` to never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailOn {
    /// Never block (report only).
    None,
    /// Block on findings at or above this severity.
    AtLeast(Severity),
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn::AtLeast(Severity::High)
    }
}

impl FailOn {
    /// Whether a finding of `severity` blocks.
    pub fn blocks(self, severity: Severity) -> bool {
        match self {
            FailOn::None => false,
            FailOn::AtLeast(min) => severity >= min,
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::None => f.write_str("none"),
            FailOn::AtLeast(s) => f.write_str(s.as_str()),
        }
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(FailOn::None);
        }
        s.parse::<Severity>().map(FailOn::AtLeast).map_err(|_| {
            format!(
                "invalid fail-on `{s}`: expected one of none, note, low, medium, high, critical"
            )
        })
    }
}

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_default() {
        let c = Config::parse("", Path::new("stagegate.toml")).unwrap();
        assert_eq!(c.fail_on, None);
        assert!(c.exclude.is_empty());
    }

    #[test]
    fn unknown_key_names_file_line_and_valid_keys() {
        let text = "fail_on = \"high\"\n\nfail_onn = \"low\"\n";
        let e = Config::parse(text, Path::new("x/stagegate.toml")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("x/stagegate.toml:3:"), "{s}");
        assert!(s.contains("fail_onn"), "{s}");
        assert!(s.contains("exclude"), "valid keys listed: {s}");
    }

    #[test]
    fn wrong_type_names_line() {
        let text = "exclude = 3\n";
        let e = Config::parse(text, Path::new("s.toml")).unwrap_err();
        assert!(e.to_string().starts_with("s.toml:1:"), "{e}");
    }

    #[test]
    fn fail_on_parses() {
        let c = Config::parse("fail_on = \"none\"", Path::new("s")).unwrap();
        assert_eq!(c.fail_on, Some(FailOn::None));
        assert!(Config::parse("fail_on = \"severe\"", Path::new("s")).is_err());
        assert!(FailOn::AtLeast(Severity::High).blocks(Severity::Critical));
        assert!(!FailOn::AtLeast(Severity::High).blocks(Severity::Medium));
        assert!(!FailOn::None.blocks(Severity::Critical));
    }

    #[test]
    fn bad_glob_is_an_error() {
        let e =
            Config::parse("fail_on = \"high\"\nexclude = [\"a/[\"]", Path::new("s")).unwrap_err();
        assert!(e.to_string().starts_with("s:2: exclude"), "{e}");
    }

    #[test]
    fn drift_allowance_mistakes_are_load_errors_at_the_pair() {
        let text = "[[drift.pair]]\nname = \"api\"\nuat = \"u\"\nprod = \"p\"\n\
                    allow = [{ paths = [\"/a\"], kinds = [\"valeu\"] }]\n";
        let e = Config::parse(text, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:2:"), "{e}");
        assert!(e.contains("valeu") && e.contains("missing-in-prod"), "{e}");
        let text = text.replace("valeu", "value").replace("\"/a\"", "\"/a/[\"");
        assert!(Config::parse(&text, Path::new("s.toml")).is_err());
    }
}
