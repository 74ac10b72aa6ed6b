//! The stable drift rule ids, their default severities and their help text.

use std::fmt;
use std::str::FromStr;

use crate::finding::{Precision, RuleMeta, Severity};

/// One kind of UAT ↔ production difference. `as_str` is the rule id without `drift/`, and the
/// name used in `allow = [{ kinds = [...] }]`. The structural kinds (missing, value, type,
/// list entry, resource) come from `compare.rs`; the others from the module named after them
/// (`image.rs`, `shared_endpoint.rs`, `sizing_inversion.rs`, `security_regression.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DriftKind {
    /// Key in UAT, absent in production.
    MissingInProd,
    /// Key in production, absent in UAT (untested in UAT).
    MissingInUat,
    /// Same key, different value.
    Value,
    /// Same key, different type.
    Type,
    /// A list item on one side only, or different.
    ListEntry,
    /// Different image tag/digest (a mutable production tag is `policy/prod-mutable-image`).
    Image,
    /// A Kubernetes object on one side only.
    Resource,
    /// UAT and production share a database, host or credential.
    SharedEndpoint,
    /// Production sized below UAT.
    SizingInversion,
    /// Hardened in UAT, not in production.
    SecurityRegression,
}

impl DriftKind {
    /// Every kind, in rule-id order.
    pub const ALL: [DriftKind; 10] = [
        DriftKind::Image,
        DriftKind::ListEntry,
        DriftKind::MissingInProd,
        DriftKind::MissingInUat,
        DriftKind::Resource,
        DriftKind::SecurityRegression,
        DriftKind::SharedEndpoint,
        DriftKind::SizingInversion,
        DriftKind::Type,
        DriftKind::Value,
    ];

    /// Kebab-case name (`missing-in-prod`).
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::MissingInProd => "missing-in-prod",
            DriftKind::MissingInUat => "missing-in-uat",
            DriftKind::Value => "value",
            DriftKind::Type => "type",
            DriftKind::ListEntry => "list-entry",
            DriftKind::Image => "image",
            DriftKind::Resource => "resource",
            DriftKind::SharedEndpoint => "shared-endpoint",
            DriftKind::SizingInversion => "sizing-inversion",
            DriftKind::SecurityRegression => "security-regression",
        }
    }

    /// Qualified rule id (`drift/missing-in-prod`).
    pub fn rule_id(self) -> String {
        format!("drift/{}", self.as_str())
    }

    /// Default severity (documented in the module doc of [`super`]).
    pub fn severity(self) -> Severity {
        match self {
            DriftKind::MissingInProd
            | DriftKind::Image
            | DriftKind::Resource
            | DriftKind::SharedEndpoint
            | DriftKind::SecurityRegression => Severity::High,
            DriftKind::MissingInUat
            | DriftKind::Value
            | DriftKind::Type
            | DriftKind::ListEntry
            | DriftKind::SizingInversion => Severity::Medium,
        }
    }

    /// Metadata for reports and `stagegate explain`.
    pub fn meta(self) -> RuleMeta {
        let (name, short, what, why, fix, precision) = match self {
            DriftKind::MissingInProd => (
                "DriftMissingInProduction",
                "A configuration key present in UAT is missing in production.",
                "A key (or a whole section) that UAT defines has no counterpart in the production configuration.",
                "What was tested in UAT is not what production will run: a feature flag, a timeout or a connection setting silently falls back to a default.",
                "Add the key to the production configuration, or remove it from UAT. If the difference is intended, declare it with `allow = [{ paths = [\"/the/key\"], kinds = [\"missing-in-prod\"], reason = \"…\" }]` on the `[[drift.pair]]`.",
                Precision::High,
            ),
            DriftKind::MissingInUat => (
                "DriftMissingInUat",
                "A configuration key present in production is missing in UAT.",
                "Production defines a key that UAT does not, so that setting was never exercised before release.",
                "A release gate assumes UAT is a faithful rehearsal of production; settings only production has are untested.",
                "Add the key to UAT with a UAT-appropriate value, or declare the difference with `allow` (kind `missing-in-uat`).",
                Precision::High,
            ),
            DriftKind::Value => (
                "DriftValue",
                "A configuration value differs between UAT and production.",
                "The same key has different values after environment names (`uat`/`staging` ↔ `prod`/`production`) are normalized. Hosts, URLs, credentials and sizes are expected to differ and are not reported unless listed in `require_equal`.",
                "Unexplained differences mean production behaves in a way UAT did not test.",
                "Align the values, or declare the difference with `allow = [{ paths = [...], kinds = [\"value\"], reason = \"…\", until = \"YYYY-MM-DD\" }]`.",
                Precision::Medium,
            ),
            DriftKind::Type => (
                "DriftType",
                "A configuration value has a different type in UAT and production.",
                "The same key is, for example, the number `3000` in one environment and the string `\"3000\"` in the other, or a map on one side and a list on the other.",
                "Typed consumers (Helm templates, Spring binding, JSON schema) can behave differently or fail only in production.",
                "Use the same type on both sides (quote both or neither).",
                Precision::High,
            ),
            DriftKind::ListEntry => (
                "DriftListEntry",
                "A list entry differs between UAT and production.",
                "A list item (a container, an env var, an argument, a host) exists on one side only, or differs.",
                "Sidecars, environment variables and arguments missing in production change behaviour that UAT validated.",
                "Make the lists match, or declare the difference with `allow` (kind `list-entry`).",
                Precision::High,
            ),
            DriftKind::Image => (
                "DriftImage",
                "Production runs a different image tag or digest than UAT.",
                "The same container image repository is deployed with a different tag or digest in UAT and production; the message says when production would run a build UAT never ran. A production `latest` / no tag is the `policy/prod-mutable-image` policy.",
                "Release parity: what passed UAT must be exactly what ships.",
                "Promote the exact tag (better: digest) that passed UAT. Pin production images to an immutable tag or `@sha256:` digest.",
                Precision::High,
            ),
            DriftKind::Resource => (
                "DriftResource",
                "A Kubernetes object exists in one environment only.",
                "An object (kind/namespace/name, with environment names normalized) is defined for UAT or production but not both.",
                "A missing NetworkPolicy, PodDisruptionBudget or ConfigMap in production changes security and availability in ways UAT never showed.",
                "Add the object to the other environment, or declare it with `allow` (kind `resource`).",
                Precision::High,
            ),
            DriftKind::SharedEndpoint => (
                "DriftSharedEndpoint",
                "UAT and production use the same database, host or credential.",
                "A connection string, database host or credential-like value is identical in UAT and production.",
                "UAT traffic then reaches production data, and a credential leaked from the less protected environment opens production.",
                "Give UAT its own database and credentials. Rotate a shared credential.",
                Precision::Medium,
            ),
            DriftKind::SizingInversion => (
                "DriftSizingInversion",
                "Production is sized below UAT.",
                "Production has fewer replicas, less CPU or memory (Kubernetes quantities such as `500m`, `512Mi`, `1Gi` are compared numerically) or a smaller instance class than UAT.",
                "Production usually carries more load than UAT; an inversion is most often a copy-paste mistake that shows up as an outage.",
                "Raise production to at least UAT's size, or declare it with `allow` (kind `sizing-inversion`).",
                Precision::Medium,
            ),
            DriftKind::SecurityRegression => (
                "DriftSecurityRegression",
                "A security setting hardened in UAT is weakened in production.",
                "A switch such as TLS verification, `runAsNonRoot`, `readOnlyRootFilesystem`, `allowPrivilegeEscalation`, `debug` or `sslmode` is hardened in UAT and not in production.",
                "Production is the environment attackers target; it must be at least as hardened as UAT.",
                "Apply the UAT setting to production.",
                Precision::High,
            ),
        };
        let mut m = RuleMeta::new(self.rule_id(), name, short, self.severity());
        m.full_description = format!("{short} {what}");
        m.help_markdown = format!(
            "## What it detects\n\n{what}\n\n## Why it matters\n\n{why}\n\n## How to fix\n\n{fix}\n"
        );
        // No external page documents these stagegate-specific rules: the help text is the doc.
        m.help_uri = None;
        m.tags = vec![
            "drift".to_string(),
            "configuration".to_string(),
            if matches!(
                self,
                DriftKind::SecurityRegression | DriftKind::SharedEndpoint
            ) {
                "security".to_string()
            } else {
                "reliability".to_string()
            },
        ];
        m.precision = precision;
        m
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DriftKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("drift/").unwrap_or(s);
        DriftKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = DriftKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown drift kind `{s}`: expected one of {}",
                    all.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_round_trip_and_documented() {
        let mut ids: Vec<String> = DriftKind::ALL.iter().map(|k| k.rule_id()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "ALL is in rule-id order");
        for k in DriftKind::ALL {
            assert_eq!(k.as_str().parse::<DriftKind>(), Ok(k));
            let m = k.meta();
            assert!(m.help_markdown.contains("## How to fix"));
            assert!(m.help_markdown.contains("## What it detects"));
        }
        assert!("drift/bogus".parse::<DriftKind>().is_err());
        assert_eq!(DriftKind::MissingInProd.severity(), Severity::High);
    }
}
