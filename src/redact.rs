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

/// Finds credentials in free text. The secrets scanner's rule set implements it; `redact`
/// itself knows no token format, so it stays a leaf that every module may use.
pub trait Recogniser {
    /// Byte ranges of the credentials in `text` (any order, may overlap).
    fn credential_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>>;
}

/// `text` with every credential `recogniser` finds replaced by its [`redact`]ed form: the last
/// line of defence for messages that quote user input (a config value, a parser's snippet) on
/// their way to stderr or a report. The pipeline passes the built-in secret rules.
pub fn scrub<'t>(text: &'t str, recogniser: &dyn Recogniser) -> std::borrow::Cow<'t, str> {
    let mut ranges = recogniser.credential_ranges(text);
    if ranges.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    // Overlapping ranges merge, so no tail of a longer credential escapes redaction.
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in merged {
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

    /// Recognises one literal token, as a rule set would.
    struct OneToken(&'static str);

    impl Recogniser for OneToken {
        fn credential_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
            text.match_indices(self.0)
                .map(|(i, m)| i..i + m.len())
                .collect()
        }
    }

    #[test]
    fn scrub_redacts_what_the_recogniser_finds() {
        let tok = "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";
        let msg = format!("stagegate.toml:1: invalid fail-on `{tok}`: expected one of {tok}");
        let out = scrub(&msg, &OneToken(tok));
        assert!(!out.contains(tok), "{out}");
        assert!(!out.contains(&tok[..12]), "{out}");
        assert_eq!(
            out,
            "stagegate.toml:1: invalid fail-on `ghp_…(40)`: expected one of ghp_…(40)"
        );
        // Overlapping finds redact their union: no tail is left in clear.
        struct Overlap;
        impl Recogniser for Overlap {
            fn credential_ranges(&self, _: &str) -> Vec<std::ops::Range<usize>> {
                vec![5..20, 0..10]
            }
        }
        assert_eq!(
            scrub("abcdefghijklmnopqrstuvwxyz", &Overlap),
            "abcd…(20)uvwxyz"
        );
        assert!(matches!(
            scrub("plain message", &OneToken(tok)),
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
