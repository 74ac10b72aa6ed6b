//! Production policies: rules as data in `rules/drift/*.toml`, compiled into the binary, each
//! carrying examples that must trigger and negative examples that must not (checked by
//! `cargo test`).
//!
//! ```toml
//! [[policy]]
//! id = "prod-debug-enabled"            # rule id `policy/prod-debug-enabled`
//! name = "ProdDebugEnabled"
//! severity = "high"
//! precision = "high"                   # optional, default high
//! key = '(^|/)[^/]*debug$'             # regex on the key path, case-insensitive
//! value = '^(true|1|yes|on)$'          # regex on the scalar value as text, case-insensitive
//! check = "plaintext-secret"           # optional built-in predicate instead of / with `value`:
//!                                      # plaintext-secret, placeholder-secret, insecure-url,
//!                                      # mutable-image
//! description = "One sentence."
//! help = """markdown: why it matters, how to fix"""
//! help_uri = "https://…"               # optional
//! tags = ["security"]                  # optional
//! examples = [{ key = "/DEBUG", value = "true" }]
//! negative_examples = [{ key = "/DEBUG", value = "false" }]
//! ```

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::finding::{Finding, Precision, RuleMeta, Severity};

use super::keys;
use super::mask::{self, show};
use super::model::FlatConfig;
use crate::classify::{conn_password, entropy, is_credential_key, is_placeholder, is_reference};

/// The built-in policy files, one `include_str!` per file.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/drift/debug.toml",
        include_str!("../../../rules/drift/debug.toml"),
    ),
    (
        "rules/drift/tls.toml",
        include_str!("../../../rules/drift/tls.toml"),
    ),
    (
        "rules/drift/endpoints.toml",
        include_str!("../../../rules/drift/endpoints.toml"),
    ),
    (
        "rules/drift/exposure.toml",
        include_str!("../../../rules/drift/exposure.toml"),
    ),
    (
        "rules/drift/containers.toml",
        include_str!("../../../rules/drift/containers.toml"),
    ),
    (
        "rules/drift/secrets.toml",
        include_str!("../../../rules/drift/secrets.toml"),
    ),
];

/// One example of a policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Key path.
    pub key: String,
    /// Value as text.
    pub value: String,
}

/// A built-in predicate a policy may use when a regex is not enough.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// [`plaintext_secret`].
    PlaintextSecret,
    /// A credential key whose value is empty or a known placeholder.
    PlaceholderSecret,
    /// A plain `http://` URL to a host outside the cluster ([`insecure_url`]).
    InsecureUrl,
    /// A production image that can change under the same reference: `latest` or no tag, no
    /// digest ([`super::image::is_mutable_image`]).
    MutableImage,
}

/// A policy as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Id without `policy/`.
    pub id: String,
    /// PascalCase name.
    pub name: String,
    /// Default severity.
    pub severity: Severity,
    /// Confidence.
    #[serde(default)]
    pub precision: Precision,
    /// Regex on the key path.
    pub key: String,
    /// Regex on the value text.
    #[serde(default)]
    pub value: Option<String>,
    /// Built-in predicate.
    #[serde(default)]
    pub check: Option<Check>,
    /// One sentence.
    pub description: String,
    /// Markdown help.
    pub help: String,
    /// Reference.
    #[serde(default)]
    pub help_uri: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Must trigger.
    pub examples: Vec<Example>,
    /// Must not trigger.
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    policy: Vec<PolicySpec>,
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// As written.
    pub spec: PolicySpec,
    value: Option<Regex>,
}

impl Policy {
    /// Qualified rule id.
    pub fn rule_id(&self) -> String {
        format!("policy/{}", self.spec.id)
    }

    /// Whether a value (key already matched) breaks the policy.
    fn value_matches(&self, key: &str, value: &str) -> bool {
        let by_regex = self.value.as_ref().is_none_or(|r| r.is_match(value));
        let by_check = match self.spec.check {
            None => true,
            Some(Check::PlaintextSecret) => plaintext_secret(key, value),
            Some(Check::PlaceholderSecret) => {
                is_credential_key(key)
                    && !super::refs::is_never_secret_key(key)
                    && (value.trim().is_empty() || is_placeholder(value))
            }
            Some(Check::InsecureUrl) => insecure_url(key, value),
            Some(Check::MutableImage) => super::image::is_mutable_image(key, value),
        };
        by_regex && by_check
    }

    /// Metadata for reports.
    pub fn meta(&self) -> RuleMeta {
        let s = &self.spec;
        let mut m = RuleMeta::new(self.rule_id(), &s.name, &s.description, s.severity);
        m.full_description = s.description.clone();
        m.help_markdown = s.help.trim().to_string();
        m.help_uri = s.help_uri.clone();
        m.precision = s.precision;
        let mut tags = vec!["policy".to_string(), "production".to_string()];
        tags.extend(s.tags.iter().cloned());
        m.tags = tags;
        m
    }
}

/// All policies, with one regex set over their key patterns for a single pass per key.
#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<Policy>,
    keys: RegexSet,
}

fn ci(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).case_insensitive(true).build()
}

impl PolicySet {
    /// Parses and compiles policy files `(name, text)`, dropping ids in `disabled`.
    pub fn from_sources(files: &[(&str, &str)], disabled: &[String]) -> Result<Self, String> {
        let mut policies = Vec::new();
        for (name, text) in files {
            let f: PolicyFile =
                toml::from_str(text).map_err(|e| format!("{name}: {}", e.message()))?;
            for spec in f.policy {
                if disabled
                    .iter()
                    .any(|d| d == &spec.id || d == &format!("policy/{}", spec.id))
                {
                    continue;
                }
                if policies.iter().any(|p: &Policy| p.spec.id == spec.id) {
                    return Err(format!("{name}: duplicate policy id `{}`", spec.id));
                }
                ci(&spec.key).map_err(|e| format!("{name}: policy `{}`: key: {e}", spec.id))?;
                let value = spec
                    .value
                    .as_deref()
                    .map(ci)
                    .transpose()
                    .map_err(|e| format!("{name}: policy `{}`: value: {e}", spec.id))?;
                policies.push(Policy { spec, value });
            }
        }
        let keys = RegexSetBuilder::new(policies.iter().map(|p| p.spec.key.as_str()))
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("policy key patterns: {e}"))?;
        Ok(PolicySet { policies, keys })
    }

    /// The built-in policies minus `disabled`.
    pub fn builtin(disabled: &[String]) -> Result<Self, String> {
        Self::from_sources(BUILTIN, disabled)
    }

    /// The compiled policies.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Ids of the policies that `(key, value)` breaks.
    pub fn matching(&self, key: &str, value: &str) -> Vec<&Policy> {
        self.keys
            .matches(key)
            .into_iter()
            .filter_map(|i| self.policies.get(i))
            .filter(|p| p.value_matches(key, value))
            .collect()
    }

    /// Findings for every production entry of `prod` that breaks a policy.
    pub fn evaluate(&self, pair: &str, prod: &FlatConfig) -> Vec<Finding> {
        let mut out = Vec::new();
        for (key, e) in &prod.entries {
            let pkey = keys::policy_key(key);
            let Some(text) = e.value.as_text() else {
                continue;
            };
            for p in self.matching(&pkey, &text) {
                let msg = format!(
                    "production breaks policy `{}`: `{key}` = {} — {} [pair {pair}]",
                    p.spec.id,
                    show(key, &e.value),
                    p.spec.description.trim_end_matches('.')
                );
                out.push(
                    Finding::new(
                        p.rule_id(),
                        p.spec.severity,
                        msg,
                        e.location.clone(),
                        &format!("{pair}\0{key}"),
                    )
                    .with_property("pair", pair)
                    .with_property("key", key.as_str())
                    .with_property("prod_value", show(key, &e.value)),
                );
            }
        }
        out
    }
}

/// Is `value` a plain `http://` URL to a host outside the cluster? Loopback, single-label
/// service names (`http://orders:8080`), `*.svc` / `*.svc.cluster.local` / `*.internal`
/// names, and XML namespace or schema identifiers (`xmlns`, `w3.org`, `schemas.*`) are not.
pub fn insecure_url(key: &str, value: &str) -> bool {
    let v = value.trim();
    let Some(rest) = v
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| &v[7..])
    else {
        return false;
    };
    let last = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    if last.starts_with("xmlns") || last.contains("schema") || last.contains("namespace") {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .unwrap_or_default()
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or_default()
    }
    .to_ascii_lowercase();
    if host.is_empty() || !host.contains('.') && !host.contains(':') {
        return false; // `localhost`, `orders`: loopback or an in-cluster service name
    }
    const LOCAL_SUFFIXES: &[&str] = &[
        ".svc",
        ".svc.cluster.local",
        ".cluster.local",
        ".internal",
        ".localhost",
    ];
    const SCHEMA_HOSTS: &[&str] = &[
        "www.w3.org",
        "w3.org",
        "json-schema.org",
        "xmlns.com",
        "purl.org",
    ];
    !(host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
        || host.starts_with("169.254.")
        || LOCAL_SUFFIXES.iter().any(|s| host.ends_with(s))
        || SCHEMA_HOSTS.contains(&host.as_str())
        || host.starts_with("schemas."))
}

/// Does `value` at `key` look like a credential committed in clear?
///
/// Two detectors, either suffices: the secrets scanner's rules (provider token formats with
/// checksums and entropy, run over `NAME=value` so assignment rules see the key name), and a
/// key-name heuristic for secrets no provider rule knows: a secret-like key name (`password`,
/// `token`, `api_key`…) with a literal value — not a reference (`${VAR}`, `vault:`…), not a
/// placeholder — of at least 12 characters and ≥ 3.0 bits/char of entropy, or a value with a
/// well-known credential shape whatever the key.
pub fn plaintext_secret(key: &str, value: &str) -> bool {
    secrets_engine_finds(key, value) || heuristic_secret(key, value)
}

/// The secrets scanner's built-in rules, on `NAME=value`. Only matches inside the value count,
/// and only real credentials: severity above note (identifiers such as bucket names are not)
/// and no doubt (a failing checksum or a placeholder body is the secrets scanner's low finding,
/// not a production secret).
fn secrets_engine_finds(key: &str, value: &str) -> bool {
    let name = key_name(key);
    let line = format!("{name}={value}");
    let value_start = name.len() + 1;
    crate::scanners::secrets::builtin_rules()
        .find_in(&line)
        .iter()
        .any(|m| m.severity > Severity::Note && m.doubt.is_none() && m.range.start >= value_start)
}

/// The name a human would give the key: the last path segment, or for Kubernetes-style
/// `env` lists (`…/name=DB_PASSWORD/value`) the entry's name.
fn key_name(key: &str) -> &str {
    let mut segs = key.rsplit('/');
    let last = segs.next().unwrap_or(key);
    match segs.next() {
        Some(prev) if last == "value" && prev.starts_with("name=") => &prev["name=".len()..],
        _ => last,
    }
}

fn heuristic_secret(key: &str, value: &str) -> bool {
    let v = value.trim();
    if v.len() < 8 || super::refs::is_never_secret_key(key) {
        return false;
    }
    if let Some(pw) = conn_password(v) {
        // A connection string: its password decides, whatever the key is called.
        return !is_reference(pw) && !is_placeholder(pw);
    }
    let shaped = mask::looks_secret_value(v) && !v.contains(' ');
    if !shaped && (v.chars().count() < 12 || !is_credential_key(key)) {
        return false;
    }
    if is_reference(v) || is_placeholder(v) || super::image::image_key(key).is_some() {
        return false;
    }
    shaped || entropy(v) >= 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_tokens_are_plaintext_secrets_whatever_the_key() {
        // A GitHub token with a valid checksum (the demo sample's) under a key name no
        // heuristic would flag; the same shape with a broken checksum is not a GitHub token.
        let token = "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";
        assert!(secrets_engine_finds("/integrations/upstream", token));
        assert!(!secrets_engine_finds(
            "/integrations/upstream",
            "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM"
        ));
        assert!(plaintext_secret(
            "/Deployment/-/api/spec/template/spec/containers/name=api/env/name=GH_TOKEN/value",
            token
        ));
        assert!(!plaintext_secret("/GH_TOKEN", "${GH_TOKEN}"));
    }

    #[test]
    fn key_name_of_kubernetes_env_entries() {
        assert_eq!(key_name("/a/env/name=DB_PASSWORD/value"), "DB_PASSWORD");
        assert_eq!(
            key_name("/spring.datasource.password"),
            "spring.datasource.password"
        );
        assert_eq!(key_name("value"), "value");
    }

    #[test]
    fn every_policy_example_triggers_and_no_negative_does() {
        let set = PolicySet::builtin(&[]).unwrap();
        assert!(set.policies().len() >= 10, "{}", set.policies().len());
        for p in set.policies() {
            assert!(!p.spec.examples.is_empty(), "{} has no example", p.spec.id);
            assert!(
                !p.spec.negative_examples.is_empty(),
                "{} has no negative example",
                p.spec.id
            );
            for ex in &p.spec.examples {
                let hits: Vec<_> = set
                    .matching(&ex.key, &ex.value)
                    .iter()
                    .map(|x| x.spec.id.clone())
                    .collect();
                assert!(
                    hits.contains(&p.spec.id),
                    "{}: example {} = {:?} does not trigger (got {hits:?})",
                    p.spec.id,
                    ex.key,
                    ex.value
                );
            }
            for ex in &p.spec.negative_examples {
                let hits: Vec<_> = set
                    .matching(&ex.key, &ex.value)
                    .iter()
                    .map(|x| x.spec.id.clone())
                    .collect();
                assert!(
                    !hits.contains(&p.spec.id),
                    "{}: negative example {} = {:?} triggers",
                    p.spec.id,
                    ex.key,
                    ex.value
                );
            }
            let m = p.meta();
            assert!(m.help_markdown.len() > 40, "{} help too short", p.spec.id);
        }
    }

    #[test]
    fn required_policies_exist() {
        let set = PolicySet::builtin(&[]).unwrap();
        let ids: Vec<&str> = set.policies().iter().map(|p| p.spec.id.as_str()).collect();
        for id in [
            "prod-debug-enabled",
            "prod-verbose-logging",
            "prod-tls-verify-disabled",
            "prod-sslmode-disable",
            "prod-insecure-endpoint",
            "prod-cors-wildcard",
            "prod-admin-endpoints-exposed",
            "prod-privileged-container",
            "prod-root-container",
            "prod-placeholder-secret",
            "prod-plaintext-secret",
            "prod-unresolved-variable",
        ] {
            assert!(ids.contains(&id), "missing policy {id}");
        }
    }

    #[test]
    fn disable_and_bad_sources() {
        let set = PolicySet::builtin(&["prod-debug-enabled".into()]).unwrap();
        assert!(set
            .matching("/DEBUG", "true")
            .iter()
            .all(|p| p.spec.id != "prod-debug-enabled"));
        assert!(
            PolicySet::from_sources(&[("x.toml", "[[policy]]\nid = 1")], &[])
                .unwrap_err()
                .starts_with("x.toml")
        );
        let bad = "[[policy]]\nid='a'\nname='A'\nseverity='high'\nkey='('\ndescription='d'\nhelp='h'\nexamples=[]\n";
        assert!(PolicySet::from_sources(&[("y.toml", bad)], &[])
            .unwrap_err()
            .contains("key"));
    }

    #[test]
    fn plaintext_secret_heuristic() {
        assert!(plaintext_secret("/DB_PASSWORD", "q8Xz!fP2mR7vLw"));
        assert!(plaintext_secret(
            "/anything",
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
        ));
        assert!(!plaintext_secret("/DB_PASSWORD", "${DB_PASSWORD}"));
        assert!(!plaintext_secret("/DB_PASSWORD", "changeme"));
        assert!(!plaintext_secret("/DB_HOST", "q8Xz!fP2mR7vLw"));
        assert!(!plaintext_secret("/DB_PASSWORD", "aaaaaaaaaaaaaa"));
    }

    #[test]
    fn findings_mask_secret_values() {
        let set = PolicySet::builtin(&[]).unwrap();
        let mut c = FlatConfig::default();
        let secret = "q8Xz!fP2mR7vLw9K";
        c.insert(
            "/DB_PASSWORD".into(),
            super::super::model::Value::String(secret.into()),
            crate::finding::Location::line(".env.prod", 3),
        );
        let f = set.evaluate("p", &c);
        assert!(
            f.iter()
                .any(|f| f.rule_id == "policy/prod-plaintext-secret"),
            "{f:?}"
        );
        let all = serde_json::to_string(&f).unwrap();
        assert!(!all.contains(secret));
    }
}
