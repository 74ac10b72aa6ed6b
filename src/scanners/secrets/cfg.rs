//! `[secrets]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

/// Configuration of the secrets scanner.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Extra rule files (same format as `rules/secrets/*.toml`), relative to the scan root.
    /// A rule with the id of a built-in rule replaces it.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Built-in rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Accepted findings by rule and/or path glob.
    #[serde(default)]
    pub allow: Vec<SecretAllow>,
    /// Files larger than this (bytes) are skipped with a warning. No limit by default: large
    /// files are scanned in bounded-memory chunks, because a size limit is a way for a
    /// credential in a big dump or bundle to pass the gate unseen.
    #[serde(default)]
    pub max_file_size: Option<u64>,
}

/// An accepted secret finding: by rule id, by path glob, or both.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretAllow {
    /// Rule id without the `secret/` prefix (`generic-high-entropy`); all rules when absent.
    #[serde(default)]
    pub rule: Option<String>,
    /// Path glob relative to the scan root; all paths when absent.
    #[serde(default)]
    pub path: Option<String>,
    /// Why; shown as the suppression justification.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `[secrets]`, compiled: the `allow` globs (checked at load, with their line).
#[derive(Debug, Clone, Default)]
pub struct CompiledSecrets {
    /// `[secrets] allow`.
    pub allow: super::suppress::AllowList,
}

impl SecretsConfig {
    /// Compiles `allow`; each invalid path glob is an error at its line and column.
    pub fn compile(
        &self,
        doc: &crate::config::Doc<'_>,
        errors: &mut Vec<crate::error::ConfigError>,
    ) -> CompiledSecrets {
        use crate::config::spans::Step;
        let mut ok = true;
        for (i, a) in self.allow.iter().enumerate() {
            if let Err(msg) = super::suppress::AllowList::new(std::slice::from_ref(a)) {
                ok = false;
                let at = [
                    Step::key("secrets"),
                    Step::key("allow"),
                    Step::Index(i),
                    Step::key("path"),
                ];
                errors.push(doc.error_at(&at, msg));
            }
        }
        let allow = if ok {
            super::suppress::AllowList::new(&self.allow).unwrap_or_default()
        } else {
            super::suppress::AllowList::default()
        };
        CompiledSecrets { allow }
    }
}
