//! `[secrets]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

/// Configuration of the secrets scanner.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Threshold for this scanner's findings, overriding the top-level `fail_on`.
    #[serde(default)]
    pub fail_on: Option<crate::config::FailOn>,
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
    /// Files larger than this (bytes) are skipped with a notification. Default 10 MiB.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            fail_on: None,
            rules: Vec::new(),
            disable: Vec::new(),
            allow: Vec::new(),
            max_file_size: default_max_file_size(),
        }
    }
}

fn default_max_file_size() -> u64 {
    10 * 1024 * 1024
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
