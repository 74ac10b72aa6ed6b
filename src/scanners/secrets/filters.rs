//! Precision filters applied to every candidate secret: placeholders, stopwords, repeated or
//! sequential characters, documented test values, and entropy.
//!
//! A release gate that cries wolf gets switched off, so these run on every rule unless the rule
//! sets `allow_placeholders = true`.

/// Shannon entropy of `s` in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Substrings (lowercase) that mark a value as a placeholder rather than a credential.
const PLACEHOLDER_PARTS: &[&str] = &[
    "xxxx",
    "***",
    "•••",
    "…",
    "${",
    "{{",
    "}}",
    "%s",
    "changeme",
    "change_me",
    "change-me",
    "example",
    "dummy",
    "your_",
    "your-",
    "yourapi",
    "yourtoken",
    "yoursecret",
    "yourpass",
    "redacted",
    "placeholder",
    "replace_me",
    "replaceme",
    "insert_",
    "_here",
    "-here",
    "notreal",
    "not_real",
    "not-a-real",
    "fake_",
    "&lt;",
    "&gt;",
];

/// Whole values (lowercase, punctuation stripped) that are words, not secrets.
const STOPWORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "secrets",
    "token",
    "apikey",
    "key",
    "privatekey",
    "accesstoken",
    "accesskey",
    "clientsecret",
    "null",
    "nil",
    "none",
    "undefined",
    "true",
    "false",
    "string",
    "required",
    "optional",
    "empty",
    "todo",
    "fixme",
    "test",
    "testing",
    "sample",
    "value",
    "default",
    "username",
    "user",
    "admin",
    "hidden",
    "masked",
    "unknown",
    "tbd",
    "na",
    "guest",
    "root",
];

/// Documented test credentials published by providers; never real.
const KNOWN_TEST_VALUES: &[&str] = &[
    // AWS documentation.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ASIAIOSFODNN7EXAMPLE",
    // Stripe documentation test key.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    // jwt.io default token signature part.
    "SflKxwRJSFMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Why a candidate was dropped (for tests and debugging; never shown with the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Template variable, masked value or documentation filler.
    Placeholder,
    /// A word such as `password` or `null`.
    Stopword,
    /// `aaaaaaaa`, `12345678`, `abcdefgh`.
    Pattern,
    /// A provider's documented test value.
    KnownTestValue,
    /// A code reference or identifier (`self.password`, `my-app-credentials`), not a value.
    CodeReference,
}

/// Whether `secret` looks like a placeholder, a stopword, a pattern or a documented test value.
pub fn placeholder_reason(secret: &str) -> Option<Rejection> {
    if KNOWN_TEST_VALUES.iter().any(|k| secret.contains(k)) {
        return Some(Rejection::KnownTestValue);
    }
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p)) {
        return Some(Rejection::Placeholder);
    }
    let t = lower.trim();
    if let Some(i) = t.find("%(") {
        // Python `%(name)s` formatting.
        if t[i..].contains(")s") {
            return Some(Rejection::Placeholder);
        }
    }
    if (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with('[') && t.ends_with(']'))
        || (t.starts_with('$') && t.len() > 1 && is_identifier(&t[1..]))
        || (t.starts_with('%') && t.ends_with('%'))
    {
        return Some(Rejection::Placeholder);
    }
    let word: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if STOPWORDS.contains(&word.as_str()) {
        return Some(Rejection::Stopword);
    }
    if is_pattern(secret.as_bytes()) {
        return Some(Rejection::Pattern);
    }
    if is_code_reference(t) || is_identifier_words(secret) || t.starts_with("arn:") {
        return Some(Rejection::CodeReference);
    }
    None
}

/// `self.password`, `config.db.password`, `Settings.DbPassword`: dotted identifiers without
/// digits are attribute accesses, not secrets.
fn is_code_reference(lower: &str) -> bool {
    let mut parts = 0;
    for seg in lower.split('.') {
        let mut b = seg.bytes();
        let first_ok = b
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_');
        if !first_ok || !b.all(|c| c.is_ascii_alphabetic() || c == b'_') {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// `my-app-credentials`, `open_sesame`, `cms/sites/edit`: lowercase words joined by `-`, `_`,
/// `.` or `/` are names and paths.
fn is_identifier_words(s: &str) -> bool {
    let words: Vec<&str> = s.split(['-', '_', '.', '/']).collect();
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_lowercase()))
}

fn is_identifier(s: &str) -> bool {
    let s = s.trim_start_matches('{').trim_end_matches('}');
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Repeated or sequential characters: a run of one character of 8+, a value made of at most
/// two distinct characters, or an ascending/descending run (`12345678`, `abcdefgh`) that is
/// 7+ long or covers at least half of a short value.
fn is_pattern(s: &[u8]) -> bool {
    let len = s.len();
    if len == 0 {
        return true;
    }
    let mut distinct = [false; 256];
    for &b in s {
        distinct[usize::from(b)] = true;
    }
    let n_distinct = distinct.iter().filter(|&&d| d).count();
    if len >= 6 && n_distinct <= 2 {
        return true;
    }
    let (mut same, mut up, mut down) = (1usize, 1usize, 1usize);
    let (mut max_same, mut max_seq) = (1usize, 1usize);
    for w in s.windows(2) {
        let (a, b) = (w[0], w[1]);
        same = if a == b { same + 1 } else { 1 };
        let alnum = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
        up = if alnum && b == a.wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if alnum && a == b.wrapping_add(1) {
            down + 1
        } else {
            1
        };
        max_same = max_same.max(same);
        max_seq = max_seq.max(up).max(down);
    }
    max_same >= 8 || max_seq >= 7 || (max_seq >= 5 && max_seq * 2 >= len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"q8W7e6R5t4Y3u2I1o0Pz") > 4.0);
    }

    #[test]
    fn placeholders_are_rejected() {
        for p in [
            "xxxxxxxxxxxxxxxxxxxx",
            "<token>",
            "${GH_TOKEN}",
            "$GH_TOKEN",
            "{{ api_key }}",
            "%s",
            "changeme",
            "your_api_key_here",
            "REDACTED",
            "***",
            "&lt;YOURPASSWORD&gt;",
            "%(password)s",
        ] {
            assert_eq!(placeholder_reason(p), Some(Rejection::Placeholder), "{p}");
        }
        assert_eq!(placeholder_reason("Password:"), Some(Rejection::Stopword));
        assert_eq!(placeholder_reason("null"), Some(Rejection::Stopword));
        assert_eq!(
            placeholder_reason("AKIAIOSFODNN7EXAMPLE"),
            Some(Rejection::KnownTestValue)
        );
        for c in [
            "self.password",
            "Config.DbPassword",
            "my-app-credentials",
            "open_sesame",
        ] {
            assert_eq!(placeholder_reason(c), Some(Rejection::CodeReference), "{c}");
        }
        assert_eq!(placeholder_reason("db.Xk9vQ2mLp7zR"), None);
    }

    #[test]
    fn patterns_are_rejected_but_random_values_pass() {
        for p in [
            "aaaaaaaaaa",
            "12345678",
            "abcdefgh",
            "zyxwvuts",
            "abababab",
            "ab12345",
        ] {
            assert_eq!(placeholder_reason(p), Some(Rejection::Pattern), "{p}");
        }
        for ok in [
            "q8W7e6R5t4Y3u2I1o0Pz",
            "D1fficultP%40ssw0rd",
            "52VeZqtHDCdAr5yM",
            "s3cr3t-Pa55!",
        ] {
            assert_eq!(placeholder_reason(ok), None, "{ok}");
        }
    }
}
