//! What a key or value *is* (secret, endpoint, reference) and how to show it without leaking it.
//!
//! Every value that reaches a message or a property goes through [`show`]: secret-looking values
//! become `sha256:1f2e…` ([`crate::redact::short_hash`]) so a reader still sees that two of them
//! differ, and never sees either.

use crate::redact::short_hash;

use super::model::Value;

/// Longest value shown in clear; longer ones are cut with `…`.
pub const MAX_SHOWN: usize = 80;

/// Words (lowercase) of the last key segment, split on non-alphanumerics and camelCase humps.
pub fn key_words(key_path: &str) -> Vec<String> {
    let last = last_segment(key_path);
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in last.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether `seg` contains one of the lowercase `needles`, ASCII case-insensitively, without
/// allocating: a cheap prefilter before splitting a key into words.
pub fn mentions(seg: &str, needles: &[&str]) -> bool {
    let b = seg.as_bytes();
    needles.iter().any(|n| {
        let n = n.as_bytes();
        b.len() >= n.len() && b.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    })
}

/// Hint bit: the name may be a credential.
pub const H_SECRET: u32 = 1;
/// Hint bit: the name may be a location.
pub const H_ENDPOINT: u32 = 2;
/// Hint bit: the name may be a size.
pub const H_SIZE: u32 = 4;
/// Hint bit: the name may be about a container image.
pub const H_IMAGE: u32 = 8;

/// Substrings that make a name worth splitting into words to check for a credential.
pub const SECRET_HINTS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "cred",
    "auth",
    "sas",
    "signature",
    "salt",
];

/// Substrings of location-like names.
pub const ENDPOINT_HINTS: &[&str] = &[
    "host", "url", "uri", "endpoint", "domain", "dsn", "addr", "server", "origin", "callback",
    "redirect", "bucket", "broker", "fqdn", "ip", "issuer", "audience",
];

/// Substrings of size-like names.
pub const SIZE_HINTS: &[&str] = &[
    "replica",
    "instance",
    "node",
    "size",
    "capacity",
    "worker",
    "concurrency",
    "cpu",
    "memory",
    "storage",
    "machine",
    "vm",
    "shard",
];

/// Which kinds a key segment may be, from one case-insensitive multi-substring pass: the cheap
/// prefilter that keeps 100 000-key comparisons fast (most keys are none of them).
pub fn hints(seg: &str) -> u32 {
    static AC: std::sync::OnceLock<Option<(aho_corasick::AhoCorasick, Vec<u32>)>> =
        std::sync::OnceLock::new();
    let ac = AC.get_or_init(|| {
        let mut pats: Vec<&str> = Vec::new();
        let mut bits = Vec::new();
        for (list, bit) in [
            (SECRET_HINTS, H_SECRET),
            (ENDPOINT_HINTS, H_ENDPOINT),
            (SIZE_HINTS, H_SIZE),
            (&["image"][..], H_IMAGE),
        ] {
            for p in list {
                pats.push(p);
                bits.push(bit);
            }
        }
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&pats)
            .ok()
            .map(|a| (a, bits))
    });
    let Some((ac, bits)) = ac else {
        // Unreachable with these literal patterns; stay correct (no prefilter) if it happens.
        return u32::MAX;
    };
    ac.find_overlapping_iter(seg)
        .filter_map(|m| bits.get(m.pattern().as_usize()))
        .fold(0, |acc, b| acc | b)
}

/// The last `/` segment of a key path, unescaped enough for word matching.
///
/// For a list entry addressed by name, the name is the subject: the value of
/// `/env/name=DB_PASSWORD/value` is a password, so its "last segment" is `DB_PASSWORD`.
pub fn last_segment(key_path: &str) -> &str {
    let mut it = key_path.rsplit('/');
    let last = it.next().unwrap_or(key_path);
    if last.eq_ignore_ascii_case("value") || last.eq_ignore_ascii_case("val") {
        if let Some(name) = it
            .next()
            .and_then(|p| p.strip_prefix("name=").or_else(|| p.strip_prefix("key=")))
        {
            return name;
        }
    }
    last
}

/// The key as policies see it: `/…/env/name=DEBUG/value` reads as `/…/env/DEBUG`, so a
/// Kubernetes environment variable is checked like a dotenv line.
pub fn policy_key(key_path: &str) -> std::borrow::Cow<'_, str> {
    let subject = last_segment(key_path);
    let last = key_path.rsplit('/').next().unwrap_or(key_path);
    if subject.len() == last.len() && subject == last {
        return std::borrow::Cow::Borrowed(key_path);
    }
    // Drop `/name=X/value`, append `/X`.
    let cut = key_path.len() - last.len() - 1;
    let parent_start = key_path[..cut].rfind('/').unwrap_or(0);
    std::borrow::Cow::Owned(format!("{}/{subject}", &key_path[..parent_start]))
}

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "key",
    "apikey",
    "credential",
    "credentials",
    "creds",
    "passphrase",
    "privatekey",
    "secretkey",
    "accesskey",
    "auth",
    "sas",
    "signature",
    "salt",
];

/// Whether the key's name says it holds a credential (`DB_PASSWORD`, `apiKey`, `client.secret`).
/// `public_key`, `key_id`, `*_file`/`*_path` (a reference to a file) and `keyRef` are not.
pub fn is_secret_key(key_path: &str) -> bool {
    if hints(last_segment(key_path)) & H_SECRET == 0 {
        return false;
    }
    let words = key_words(key_path);
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "public"
                | "id"
                | "file"
                | "path"
                | "ref"
                | "name"
                | "length"
                | "size"
                | "ttl"
                | "expiry"
                | "timeout"
        )
    }) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || last_segment(key_path)
            .to_ascii_lowercase()
            .contains("password")
        || last_segment(key_path)
            .to_ascii_lowercase()
            .contains("secret")
}

/// Whether the key's name says it is a location: host, URL, endpoint, DSN, bucket…
pub fn is_endpoint_key(key_path: &str) -> bool {
    if hints(last_segment(key_path)) & H_ENDPOINT == 0 {
        return false;
    }
    key_words(key_path).iter().any(|w| {
        matches!(
            w.as_str(),
            "host"
                | "hostname"
                | "hosts"
                | "url"
                | "urls"
                | "uri"
                | "endpoint"
                | "endpoints"
                | "domain"
                | "domains"
                | "dsn"
                | "address"
                | "addr"
                | "server"
                | "servers"
                | "origin"
                | "origins"
                | "callback"
                | "redirect"
                | "bucket"
                | "brokers"
                | "broker"
                | "baseurl"
                | "fqdn"
                | "ip"
                | "issuer"
                | "audience"
        )
    })
}

/// Whether the value is a URL, a JDBC/connection string or a dotted host name.
pub fn looks_like_location(v: &str) -> bool {
    let v = v.trim();
    if v.contains("://") || v.starts_with("jdbc:") {
        return true;
    }
    // host or host:port with at least one dot and a letter, no spaces.
    let host = v.split(':').next().unwrap_or_default();
    !v.contains(char::is_whitespace)
        && host.contains('.')
        && host.chars().any(|c| c.is_ascii_alphabetic())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        && !host.ends_with('.')
        && host
            .split('.')
            .next_back()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Whether the value points elsewhere rather than holding a literal: `${VAR}`, `{{ .Values.x }}`,
/// `vault:…`, `secretsmanager:…`, `ref+…`, `@Microsoft.KeyVault(…)`, `$(VAR)`.
pub fn is_reference(v: &str) -> bool {
    let v = v.trim();
    v.starts_with("${")
        || v.starts_with("$(")
        || v.contains("{{")
        || v.starts_with("vault:")
        || v.starts_with("ref+")
        || v.starts_with("secretsmanager:")
        || v.starts_with("ssm:")
        || v.starts_with("arn:aws:secretsmanager")
        || v.starts_with("@Microsoft.KeyVault")
        || super::refs::is_deploy_token(v)
        || v.starts_with("projects/") && v.contains("/secrets/")
        || (v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Well-known token prefixes (from the providers' public docs).
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "AKIA",
    "ASIA",
    "sk_live_",
    "rk_live_",
    "sk-",
    "AIza",
    "-----BEGIN",
    "npm_",
    "pypi-",
    "SG.",
];

/// Whether a value has the shape of a credential regardless of its key: a known token prefix,
/// a JWT, a PEM block, or a long high-entropy word.
pub fn looks_secret_value(v: &str) -> bool {
    let v = v.trim();
    if v.len() < 8 {
        return false;
    }
    if TOKEN_PREFIXES.iter().any(|p| v.starts_with(p)) && v.len() >= 12 {
        return true;
    }
    if v.starts_with("eyJ") && v.matches('.').count() == 2 {
        return true;
    }
    if url_password(v).is_some_and(|p| !is_reference(p)) {
        return true;
    }
    if v.len() < 20 || v.contains(char::is_whitespace) || v.contains("://") || v.contains("sha256:")
    {
        return false;
    }
    // Checksums, commit ids and UUIDs are hex: high entropy but not credentials by shape.
    if v.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return false;
    }
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
    has_digit && has_alpha && entropy(v) >= 3.7
}

/// The password of `scheme://user:password@host`, if any.
pub fn url_password(v: &str) -> Option<&str> {
    let rest = &v[v.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, pw) = userinfo.split_once(':')?;
    (!pw.is_empty()).then_some(pw)
}

/// Whether the value at `key` must never be shown in clear.
pub fn is_sensitive(key: &str, value: &Value) -> bool {
    match value {
        Value::String(s) => {
            (is_secret_key(key) && !s.is_empty() && !is_reference(s))
                || looks_secret_value(s)
                || super::refs::conn_password(s).is_some_and(|p| !is_reference(p))
        }
        Value::Int(_) | Value::Float(_) => is_secret_key(key),
        _ => false,
    }
}

/// The value as a reader may see it: strings quoted (so `"3000"` and `3000` differ visibly),
/// secrets as `sha256:…`, long values cut.
pub fn show(key: &str, value: &Value) -> String {
    if is_sensitive(key, value) {
        let text = value.as_text().unwrap_or_default();
        return short_hash(&text);
    }
    match value {
        Value::String(s) => {
            let cut: String = s.chars().take(MAX_SHOWN).collect();
            let ell = if s.chars().count() > MAX_SHOWN {
                "…"
            } else {
                ""
            };
            format!("\"{}{ell}\"", cut.escape_debug())
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "/DB_PASSWORD",
            "/apiKey",
            "/spring.datasource.password",
            "/client_secret",
            "/AUTH_TOKEN",
            "/x/secretAccessKey",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "/public_key",
            "/key_id",
            "/tokenFile",
            "/replicas",
            "/monkey",
            "/secretKeyRef/name",
            "/DB_HOST",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn endpoints_and_locations() {
        assert!(is_endpoint_key("/DB_HOST"));
        assert!(is_endpoint_key("/spring.datasource.url"));
        assert!(is_endpoint_key("/apiBaseUrl"));
        assert!(!is_endpoint_key("/replicas"));
        assert!(looks_like_location("https://x.example.com/a"));
        assert!(looks_like_location("db.internal.example.com:5432"));
        assert!(looks_like_location("jdbc:postgresql://h/db"));
        assert!(!looks_like_location("1.2.3"));
        assert!(!looks_like_location("hello world"));
        assert!(!looks_like_location("v1.4"));
    }

    #[test]
    fn references_are_not_literals() {
        assert!(is_reference("${DB_PASSWORD}"));
        assert!(is_reference("{{ .Values.secret }}"));
        assert!(is_reference("vault:secret/data/x#pw"));
        assert!(!is_reference("hunter2hunter2"));
    }

    #[test]
    fn secret_values_have_shapes() {
        assert!(looks_secret_value(
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
        ));
        assert!(looks_secret_value("Zx9vQ2mL7pR4tY8wK3nB6cF1"));
        assert!(looks_secret_value("postgres://app:s3cr3t@db:5432/app"));
        assert!(!looks_secret_value(
            "registry.example.com/api@sha256:0123456789abcdef0123456789"
        ));
        assert!(!looks_secret_value("https://api.example.com/v1/things"));
        assert!(!looks_secret_value("info"));
    }

    #[test]
    fn show_masks_and_quotes() {
        let s = Value::String("Zx9vQ2mL7pR4tY8wK3nB6cF1".into());
        let shown = show("/NOT_A_NAME", &s);
        assert!(shown.starts_with("sha256:"), "{shown}");
        let pw = Value::String("hunter2".into());
        assert!(show("/DB_PASSWORD", &pw).starts_with("sha256:"));
        assert_ne!(
            show("/DB_PASSWORD", &pw),
            show("/DB_PASSWORD", &Value::String("hunter3".into()))
        );
        assert_eq!(show("/PORT", &Value::String("3000".into())), "\"3000\"");
        assert_eq!(show("/PORT", &Value::Int(3000)), "3000");
        let long = Value::String("a".repeat(200));
        assert!(show("/x", &long).ends_with("…\""));
    }

    #[test]
    fn hints_are_case_insensitive_bits() {
        assert_eq!(hints("DB_PASSWORD") & H_SECRET, H_SECRET);
        assert_eq!(hints("apiBaseUrl"), H_ENDPOINT);
        assert_eq!(hints("replicaCount") & H_SIZE, H_SIZE);
        assert_eq!(hints("Image"), H_IMAGE);
        assert_eq!(hints("timeout"), 0);
    }

    #[test]
    fn named_list_entries_take_their_name() {
        assert!(is_secret_key(
            "/spec/containers/name=app/env/name=DB_PASSWORD/value"
        ));
        assert!(!is_secret_key(
            "/spec/containers/name=app/env/name=LOG_LEVEL/value"
        ));
        assert!(is_endpoint_key("/env/name=DATABASE_HOST/value"));
        assert_eq!(
            policy_key("/c/name=app/env/name=DEBUG/value"),
            "/c/name=app/env/DEBUG"
        );
        assert_eq!(policy_key("/a/DEBUG"), "/a/DEBUG");
        let shown = show(
            "/env/name=API_TOKEN/value",
            &Value::String("hunter2hunter2".into()),
        );
        assert!(shown.starts_with("sha256:"), "{shown}");
    }

    #[test]
    fn words_split_camel_and_snake() {
        assert_eq!(
            key_words("/a/secretAccessKey"),
            vec!["secret", "access", "key"]
        );
        assert_eq!(key_words("/DB_PASSWORD"), vec!["db", "password"]);
    }
}
