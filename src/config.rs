//! `stagegate.toml` as a file: TOML with spans, the top-level keys, and every mistake at its
//! `file:line:column`.
//!
//! This module sits *below* the scanners: it never names a scanner's section type. Each section
//! (`[advisories]`, `[secrets]`, `[drift]`) stays an unvalidated, spanned TOML value here;
//! `scanners::<name>::cfg` deserializes and compiles it, and [`crate::scanners::ValidConfig`]
//! gathers the results (the shape of cargo-deny's `UnvalidatedConfig` → `ValidConfig`). That
//! way a section can compile itself with scanner code (drift expectations, policy sets) without
//! an import cycle between `config` and `scanners`.
//!
//! Every key is optional. Unknown keys and wrong types are errors, not warnings: a typo in a
//! release gate's configuration must not silently widen what passes. Deserialization does not
//! stop at the first error ([`spans::deserialize_all`]), so one run lists everything to fix.

pub mod spans;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{ConfigError, Error};
use crate::finding::Severity;
use crate::paths::ExcludeSet;
use spans::Step;

/// File name looked up at the scan root when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "stagegate.toml";

/// The scanner sections, in the order the file documents them.
pub const SECTIONS: [&str; 3] = ["advisories", "secrets", "drift"];

const TOP_KEYS: [&str; 6] = [
    "fail_on",
    "baseline",
    "exclude",
    "advisories",
    "secrets",
    "drift",
];

/// A read configuration file: top-level keys validated and compiled, scanner sections kept
/// unvalidated for their scanner, and the mistakes found so far.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// Where it was read from; `None` for the built-in defaults (no file).
    pub source: Option<PathBuf>,
    text: String,
    /// Lowest severity that blocks (`--fail-on` wins over it). Default `high`.
    pub fail_on: Option<FailOn>,
    /// Baseline file, relative to the scan root.
    pub baseline: Option<PathBuf>,
    /// `exclude` glob patterns as written.
    pub exclude_patterns: Vec<String>,
    /// `exclude`, compiled once for every scanner.
    pub exclude: ExcludeSet,
    /// Syntax errors and mistakes in the top-level keys: the file cannot be used at all.
    pub errors: Vec<ConfigError>,
}

impl ConfigFile {
    /// Parses `text` as the content of `path`. Never fails: problems are in [`Self::errors`].
    pub fn parse(text: &str, path: &Path) -> ConfigFile {
        let mut file = ConfigFile {
            source: Some(path.to_path_buf()),
            text: text.to_string(),
            ..ConfigFile::default()
        };
        let (root, syntax) = DeTable::parse_recoverable(text);
        for e in syntax {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            file.errors.push(file.error(at, e.message().trim()));
        }
        let doc = Doc {
            file: &file,
            root: Spanned::new(root.span(), DeValue::Table(root.into_inner())),
        };
        let mut errors = Vec::new();
        doc.unknown_keys(&[], &TOP_KEYS, "", &mut errors);
        let fail_on = doc.key::<FailOn>("fail_on", &mut errors);
        let baseline = doc.key::<PathBuf>("baseline", &mut errors);
        let exclude = doc.key::<Vec<String>>("exclude", &mut errors);
        let exclude_set = exclude
            .as_deref()
            .map(|pats| doc.exclude_set(pats, &mut errors));
        file.errors.extend(errors);
        file.fail_on = fail_on;
        file.baseline = baseline;
        file.exclude_patterns = exclude.unwrap_or_default();
        file.exclude = exclude_set.unwrap_or_default();
        file.errors.sort();
        file
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<ConfigFile, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(ConfigFile::parse(&text, path))
    }

    /// `explicit` if given (must exist), else `root/stagegate.toml` if present, else defaults.
    pub fn discover(root: &Path, explicit: Option<&Path>) -> Result<ConfigFile, Error> {
        match explicit {
            Some(p) => ConfigFile::load(p),
            None => {
                let p = root.join(CONFIG_FILE_NAME);
                if p.is_file() {
                    ConfigFile::load(&p)
                } else {
                    Ok(ConfigFile::default())
                }
            }
        }
    }

    /// The file name errors are reported under.
    pub fn path(&self) -> &Path {
        self.source
            .as_deref()
            .unwrap_or_else(|| Path::new(CONFIG_FILE_NAME))
    }

    /// A spanned view of the document, for sections to deserialize and point at.
    pub fn doc(&self) -> Doc<'_> {
        let (root, _) = DeTable::parse_recoverable(&self.text);
        Doc {
            file: self,
            root: Spanned::new(root.span(), DeValue::Table(root.into_inner())),
        }
    }

    /// An error at byte `offset` of the file.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        ConfigError::at_offset(self.path(), &self.text, offset, message)
    }

    /// 1-based `(line, column)` of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        crate::error::line_col_of_offset(&self.text, offset)
    }
}

/// The parsed document of a [`ConfigFile`], with a span on every key and value.
pub struct Doc<'a> {
    file: &'a ConfigFile,
    root: Spanned<DeValue<'a>>,
}

impl Doc<'_> {
    /// Deserializes section `name` (its default when absent), pushing *every* mistake in it
    /// (unknown keys, wrong types, bad dates…) to `errors`. Returns the value with the bad
    /// parts left out, so later checks can still run and report more; the caller treats the
    /// section as invalid when `errors` grew.
    pub fn section<T: DeserializeOwned + Default>(
        &self,
        name: &str,
        errors: &mut Vec<ConfigError>,
    ) -> T {
        let Some(value) = self.get(&[Step::key(name)]) else {
            return T::default();
        };
        let mut found = Vec::new();
        let out = spans::deserialize_all::<T>(value.clone(), &mut found);
        errors.extend(found.into_iter().map(|(at, msg)| self.file.error(at, msg)));
        out.unwrap_or_default()
    }

    /// The value at `path` (`["drift", "pair", 2, "allow"]`).
    pub fn get(&self, path: &[Step]) -> Option<&Spanned<DeValue<'_>>> {
        spans::get(&self.root, path)
    }

    /// An error at the value at `path`, or at the nearest parent that exists.
    pub fn error_at(&self, path: &[Step], message: impl Into<String>) -> ConfigError {
        let mut p = path;
        loop {
            if let Some(v) = self.get(p) {
                return self.file.error(v.span().start, message);
            }
            match p.split_last() {
                Some((_, parent)) => p = parent,
                None => return self.file.error(0, message),
            }
        }
    }

    /// 1-based `(line, column)` of byte `offset` of the file.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        self.file.line_col(offset)
    }

    fn key<T: DeserializeOwned>(&self, name: &str, errors: &mut Vec<ConfigError>) -> Option<T> {
        let value = self.get(&[Step::key(name)])?;
        let mut found = Vec::new();
        let out = spans::deserialize_all::<T>(value.clone(), &mut found);
        errors.extend(found.into_iter().map(|(at, msg)| self.file.error(at, msg)));
        out
    }

    fn unknown_keys(
        &self,
        path: &[Step],
        known: &[&str],
        prefix: &str,
        errors: &mut Vec<ConfigError>,
    ) {
        let Some(DeValue::Table(t)) = self.get(path).map(|v| v.get_ref()) else {
            return;
        };
        for (k, _) in t.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                errors.push(self.file.error(
                    k.span().start,
                    format!(
                        "unknown key `{prefix}{}`, expected one of {}",
                        k.get_ref(),
                        expected.join(", ")
                    ),
                ));
            }
        }
    }

    fn exclude_set(&self, patterns: &[String], errors: &mut Vec<ConfigError>) -> ExcludeSet {
        let mut ok = true;
        for (i, pat) in patterns.iter().enumerate() {
            if let Err(e) = ExcludeSet::new(std::slice::from_ref(pat)) {
                ok = false;
                errors.push(self.error_at(
                    &[Step::key("exclude"), Step::Index(i)],
                    format!("exclude: invalid glob `{pat}`: {}", e.kind()),
                ));
            }
        }
        if !ok {
            return ExcludeSet::none();
        }
        match ExcludeSet::new(patterns) {
            Ok(set) => set,
            Err(e) => {
                errors.push(self.error_at(&[Step::key("exclude")], format!("exclude: {e}")));
                ExcludeSet::none()
            }
        }
    }
}

/// Turns a TOML/serde error into one that names the file, line and column.
pub fn toml_error(text: &str, path: &Path, e: &toml::de::Error) -> Error {
    let at = e.span().map(|s| s.start).unwrap_or(0);
    Error::Config(vec![ConfigError::at_offset(
        path,
        text,
        at,
        e.message().trim(),
    )])
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

    fn errors(text: &str) -> Vec<String> {
        ConfigFile::parse(text, Path::new("s.toml"))
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn empty_config_is_default() {
        let c = ConfigFile::parse("", Path::new("stagegate.toml"));
        assert!(c.errors.is_empty());
        assert_eq!(c.fail_on, None);
        assert!(c.exclude_patterns.is_empty());
        assert!(!c.exclude.is_excluded("src/main.rs"));
    }

    #[test]
    fn unknown_key_names_file_line_column_and_valid_keys() {
        let text = "fail_on = \"high\"\n\nfail_onn = \"low\"\n";
        let c = ConfigFile::parse(text, Path::new("x/stagegate.toml"));
        let s = c.errors[0].to_string();
        assert!(s.starts_with("x/stagegate.toml:3:1: "), "{s}");
        assert!(s.contains("fail_onn"), "{s}");
        assert!(s.contains("exclude"), "valid keys listed: {s}");
    }

    #[test]
    fn every_top_level_mistake_is_reported() {
        let e = errors(
            "fail_on = \"severe\"\nexclude = [\"ok/**\", \"a/[\"]\nbaseline = 3\nwhat = 1\n",
        );
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(
            e[0].starts_with("s.toml:1:11: ") && e[0].contains("severe"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("s.toml:2:21: exclude: invalid glob `a/[`"),
            "{e:?}"
        );
        assert!(e[2].starts_with("s.toml:3:12: "), "{e:?}");
        assert!(e[3].starts_with("s.toml:4:1: unknown key `what`"), "{e:?}");
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let e = errors("fail_on = \"high\"\nexclude = [\n");
        assert!(!e.is_empty());
        assert!(e[0].starts_with("s.toml:2:"), "{e:?}");
    }

    #[test]
    fn fail_on_parses() {
        let c = ConfigFile::parse("fail_on = \"none\"", Path::new("s"));
        assert_eq!(c.fail_on, Some(FailOn::None));
        assert!(!ConfigFile::parse("fail_on = \"severe\"", Path::new("s"))
            .errors
            .is_empty());
        assert!(FailOn::AtLeast(Severity::High).blocks(Severity::Critical));
        assert!(!FailOn::AtLeast(Severity::High).blocks(Severity::Medium));
        assert!(!FailOn::None.blocks(Severity::Critical));
    }

    #[test]
    fn excludes_compile_once() {
        let c = ConfigFile::parse("exclude = [\"target\", \"*.min.js\"]", Path::new("s"));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(c.exclude.is_excluded("target/debug/x"));
        assert!(c.exclude.is_excluded("web/a.min.js"));
        assert!(!c.exclude.is_excluded("src/lib.rs"));
    }
}
