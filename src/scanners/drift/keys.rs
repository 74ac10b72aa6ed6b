//! What a configuration key names: a location, a size, an image or a credential (the cheap
//! one-pass prefilter [`hints`]), and the key path as policies read it.
//!
//! Whether a name or value is a *credential* is [`crate::classify`]'s job, shared with the
//! secrets scanner; this module keeps the drift-only kinds.

pub use crate::classify::key::{key_words, last_segment, SECRET_HINTS};

/// Words of every segment of a key path (`/spring/cloud/config/uri` → spring, cloud, config,
/// uri): what a value is often shows only in a parent segment (`/redis/host`).
pub fn path_words(key: &str) -> Vec<String> {
    key.split('/')
        .filter(|s| !s.is_empty())
        .flat_map(|seg| key_words(&format!("/{seg}")))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_locations() {
        assert!(is_endpoint_key("/DB_HOST"));
        assert!(is_endpoint_key("/spring.datasource.url"));
        assert!(is_endpoint_key("/apiBaseUrl"));
        assert!(is_endpoint_key("/env/name=DATABASE_HOST/value"));
        assert!(!is_endpoint_key("/replicas"));
        assert!(looks_like_location("https://x.example.com/a"));
        assert!(looks_like_location("db.internal.example.com:5432"));
        assert!(looks_like_location("jdbc:postgresql://h/db"));
        assert!(!looks_like_location("1.2.3"));
        assert!(!looks_like_location("hello world"));
        assert!(!looks_like_location("v1.4"));
    }

    #[test]
    fn path_words_read_every_segment() {
        assert_eq!(
            path_words("/spring/cloud/config/uri"),
            ["spring", "cloud", "config", "uri"]
        );
        assert_eq!(path_words("/redis/hostName"), ["redis", "host", "name"]);
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
    fn policy_keys_take_the_entry_name() {
        assert_eq!(
            policy_key("/c/name=app/env/name=DEBUG/value"),
            "/c/name=app/env/DEBUG"
        );
        assert_eq!(policy_key("/a/DEBUG"), "/a/DEBUG");
    }
}
