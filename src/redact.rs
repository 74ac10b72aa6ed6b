//! Keeping secret values out of every output by construction.
//!
//! A [`SecretValue`] can be held, compared and hashed, but its `Display` and `Debug` only ever
//! show the redacted form `ghp_…(40)`: the first four characters, an ellipsis and the length in
//! characters. Code that needs a message about a secret formats the `SecretValue`, so there is no
//! way to print the clear value by accident.

use std::fmt;

use sha2::{Digest, Sha256};

/// How many leading characters a redaction keeps. Four show the token family (`ghp_`, `AKIA`,
/// `sk_l`) without giving away entropy.
pub const SHOWN_PREFIX: usize = 4;

/// The redacted form of `value`: first four characters, `…`, and the length in characters.
///
/// Values of 8 characters or fewer show no prefix at all, because four characters would be half
/// the secret.
pub fn redact(value: &str) -> String {
    let len = value.chars().count();
    if len <= 2 * SHOWN_PREFIX {
        return format!("…({len})");
    }
    let prefix: String = value
        .chars()
        .take(SHOWN_PREFIX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}…({len})")
}

/// `sha256:` and the first 8 hex digits of the SHA-256 of `value`: lets a reader see that two
/// secret values differ (drift) without seeing either.
pub fn short_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("sha256:{}…", hex::encode(&digest[..4]))
}

/// `text` with every credential the built-in secrets rules recognise replaced by its
/// [`redact`]ed form: the last line of defence for messages that quote user input (a config
/// value, a parser's snippet) on their way to stderr or a report.
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    let matches = crate::scanners::secrets::builtin_rules().find_in(text);
    if matches.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut ranges: Vec<std::ops::Range<usize>> = matches.into_iter().map(|m| m.range).collect();
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            continue; // inside a range already redacted
        }
        let (Some(before), Some(secret)) = (text.get(at..r.start), text.get(r.clone())) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&redact(secret));
        at = r.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    std::borrow::Cow::Owned(out)
}

/// A secret whose clear value cannot be formatted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a clear value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretValue(value.into())
    }

    /// The clear value, for hashing, validation and fingerprints only — never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted display form.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretValue({})", redact(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_redacts_credentials_in_free_text() {
        let tok = "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";
        let msg = format!("stagegate.toml:1: invalid fail-on `{tok}`: expected one of none");
        let out = scrub(&msg);
        assert!(!out.contains(tok), "{out}");
        assert!(!out.contains(&tok[..12]), "{out}");
        assert!(out.contains("invalid fail-on `ghp_…(40)`"), "{out}");
        assert!(matches!(
            scrub("plain message"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn redaction_keeps_prefix_and_length_only() {
        let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        assert_eq!(redact(token), "ghp_…(40)");
        let s = SecretValue::new(token);
        assert_eq!(format!("{s}"), "ghp_…(40)");
        assert!(!format!("{s:?}").contains("0123456789"));
    }

    #[test]
    fn short_values_show_no_prefix() {
        assert_eq!(redact("hunter2"), "…(7)");
        assert_eq!(redact(""), "…(0)");
    }

    #[test]
    fn hash_is_stable_and_differs() {
        assert_eq!(short_hash("a"), short_hash("a"));
        assert_ne!(short_hash("a"), short_hash("b"));
        assert!(short_hash("a").starts_with("sha256:"));
    }
}
