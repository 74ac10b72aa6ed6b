//! `[drift]` section of `stagegate.toml`.

use serde::{Deserialize, Serialize};

use crate::dates::IsoDate;

/// Configuration of the drift scanner.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DriftConfig {
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
