//! Suppressions: inline `stagegate:allow` (and gitleaks', detect-secrets' and trufflehog's
//! markers) comments and `[secrets] allow` entries.
//!
//! Suppressed findings are kept (with [`Suppression`]) rather than dropped, so SARIF shows them
//! as suppressed and a reviewer can see what was accepted and why.

use globset::{Glob, GlobMatcher};

use super::cfg::SecretAllow;
use crate::finding::{Suppression, SuppressionKind};

/// Inline markers honoured on the line of the secret or the line before.
const MARKERS: &[&str] = &[
    "stagegate:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
    "trufflehog:ignore",
];

/// The inline suppression for a secret starting at byte `offset` of `hay`, if the line of the
/// offset or the line before carries a marker. `stagegate:allow <rule-id>` only allows that rule
/// (`github-pat` or `secret/github-pat`).
pub fn inline(hay: &[u8], offset: usize, rule_id: &str) -> Option<Suppression> {
    let offset = offset.min(hay.len());
    let line_start = memchr::memrchr(b'\n', &hay[..offset])
        .map(|i| i + 1)
        .unwrap_or(0);
    let line_end = memchr::memchr(b'\n', &hay[offset..])
        .map(|i| offset + i)
        .unwrap_or(hay.len());
    let prev_start = if line_start == 0 {
        None
    } else {
        Some(
            memchr::memrchr(b'\n', &hay[..line_start - 1])
                .map(|i| i + 1)
                .unwrap_or(0),
        )
    };
    let mut lines = vec![&hay[line_start..line_end]];
    if let Some(ps) = prev_start {
        lines.push(&hay[ps..line_start - 1]);
    }
    let short = rule_id.strip_prefix("secret/").unwrap_or(rule_id);
    for line in lines {
        // Lines can be huge (minified files); markers sit in comments, so cap the search.
        let line = &line[..line.len().min(64 * 1024)];
        let lower = line.to_ascii_lowercase();
        for marker in MARKERS {
            let Some(pos) = memchr::memmem::find(&lower, marker.as_bytes()) else {
                continue;
            };
            let rest = String::from_utf8_lossy(&line[pos + marker.len()..]);
            if *marker == "stagegate:allow" {
                // An optional rule id right after the marker restricts it to that rule.
                let next = rest
                    .trim_start()
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .next()
                    .unwrap_or("");
                let named = next.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
                let looks_like_id = !named.is_empty()
                    && named.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'
                    })
                    && named.contains('-');
                if looks_like_id {
                    let named_short = named.strip_prefix("secret/").unwrap_or(named);
                    if named_short != short {
                        continue;
                    }
                }
            }
            return Some(Suppression {
                kind: SuppressionKind::InSource,
                justification: format!("inline `{marker}` comment"),
            });
        }
    }
    None
}

/// Compiled `[secrets] allow` entries.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    entries: Vec<(Option<String>, Option<GlobMatcher>, String)>,
}

impl AllowList {
    /// Compiles entries; an invalid glob is returned as an error message naming it.
    pub fn new(allow: &[SecretAllow]) -> Result<Self, String> {
        let mut entries = Vec::new();
        for a in allow {
            let glob = match &a.path {
                Some(p) => Some(
                    Glob::new(p.trim_start_matches("./"))
                        .map_err(|e| format!("[secrets] allow: invalid path glob `{p}`: {e}"))?
                        .compile_matcher(),
                ),
                None => None,
            };
            let rule = a
                .rule
                .as_ref()
                .map(|r| r.strip_prefix("secret/").unwrap_or(r).to_string());
            let why = a
                .reason
                .clone()
                .unwrap_or_else(|| "allowed in [secrets] allow of stagegate.toml".to_string());
            entries.push((rule, glob, why));
        }
        Ok(AllowList { entries })
    }

    /// The external suppression for `rule_id` at relative `path`, if an entry allows it.
    pub fn check(&self, rule_id: &str, path: &str) -> Option<Suppression> {
        let short = rule_id.strip_prefix("secret/").unwrap_or(rule_id);
        self.entries.iter().find_map(|(rule, glob, why)| {
            let rule_ok = rule.as_deref().is_none_or(|r| r == short);
            let path_ok = glob.as_ref().is_none_or(|g| g.is_match(path));
            (rule_ok && path_ok).then(|| Suppression {
                kind: SuppressionKind::External,
                justification: why.clone(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_on_same_or_previous_line() {
        let t = b"a\n# stagegate:allow\nkey = X\nkey2 = Y // gitleaks:allow\nz = W\n";
        let off = |s: &str| {
            let s = s.as_bytes();
            t.windows(s.len()).position(|w| w == s).unwrap()
        };
        assert!(inline(t, off("X"), "secret/a").is_some());
        assert!(inline(t, off("Y"), "secret/a").is_some());
        assert!(
            inline(t, off("W"), "secret/a").is_some(),
            "line before has a marker"
        );
        assert!(inline(t, off("a"), "secret/a").is_none());
    }

    #[test]
    fn marker_with_rule_id_only_allows_that_rule() {
        let t = b"k = V  # stagegate:allow github-pat-classic\n";
        assert!(inline(t, 4, "secret/github-pat-classic").is_some());
        assert!(inline(t, 4, "secret/aws-access-key").is_none());
        let t = b"k = V  # trufflehog:ignore\n";
        assert_eq!(
            inline(t, 4, "secret/x").map(|s| s.justification),
            Some("inline `trufflehog:ignore` comment".to_string())
        );
        let t = b"k = V  # pragma: allowlist secret\n";
        assert_eq!(
            inline(t, 4, "secret/x").map(|s| s.kind),
            Some(SuppressionKind::InSource)
        );
    }

    #[test]
    fn allow_list_by_rule_and_path() {
        let a = AllowList::new(&[SecretAllow {
            rule: Some("generic-password".into()),
            path: Some("tests/fixtures/**".into()),
            reason: Some("fixtures".into()),
        }])
        .unwrap();
        let s = a
            .check("secret/generic-password", "tests/fixtures/x.env")
            .unwrap();
        assert_eq!(s.kind, SuppressionKind::External);
        assert_eq!(s.justification, "fixtures");
        assert!(a.check("secret/generic-password", "src/x.env").is_none());
        assert!(a.check("secret/other", "tests/fixtures/x.env").is_none());
        assert!(AllowList::new(&[SecretAllow {
            rule: None,
            path: Some("a/[".into()),
            reason: None
        }])
        .is_err());
    }
}
