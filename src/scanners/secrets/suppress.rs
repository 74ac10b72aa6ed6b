//! Suppressions: inline `stagegate:allow` comments and `[secrets] allow` entries.
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
];

/// The inline suppression for a secret starting at byte `offset` of `hay`, if the line of the
/// offset or the line before carries a marker. `stagegate:allow <rule-id>` only allows that rule
/// (`github-pat` or `secret/github-pat`).
///
/// This looks the lines up from the offset; a scan with many findings on few lines uses
/// [`LineMarkers`] instead, which reads each line once.
pub fn inline(hay: &[u8], offset: usize, rule_id: &str) -> Option<Suppression> {
    let offset = offset.min(hay.len());
    let line_start = memchr::memrchr(b'\n', &hay[..offset])
        .map(|i| i + 1)
        .unwrap_or(0);
    let prev_start = if line_start == 0 {
        None
    } else {
        Some(
            memchr::memrchr(b'\n', &hay[..line_start - 1])
                .map(|i| i + 1)
                .unwrap_or(0),
        )
    };
    let here = LineMarkers::of_line(hay, line_start);
    let before = prev_start.map(|p| LineMarkers::of_line(hay, p));
    here.allows(rule_id)
        .or_else(|| before.and_then(|b| b.allows(rule_id)))
}

/// The suppression markers on one line: for each marker, its first occurrence and, for
/// `stagegate:allow`, the rule id written right after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineMarkers {
    found: Vec<(&'static str, Option<String>)>,
}

impl LineMarkers {
    /// The markers on the line of `hay` that starts at `line_start`.
    pub fn of_line(hay: &[u8], line_start: usize) -> Self {
        let rest = hay.get(line_start..).unwrap_or(&[]);
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        Self::of(line)
    }

    /// The markers in `line`.
    pub fn of(line: &[u8]) -> Self {
        let mut found = Vec::new();
        // Every marker has a colon: lines without one (most) are not lowercased.
        if memchr::memchr(b':', line).is_none() {
            return LineMarkers { found };
        }
        let lower = line.to_ascii_lowercase();
        for marker in MARKERS {
            let Some(pos) = memchr::memmem::find(&lower, marker.as_bytes()) else {
                continue;
            };
            let mut named = None;
            if *marker == "stagegate:allow" {
                // An optional rule id right after the marker restricts it to that rule.
                let rest = String::from_utf8_lossy(&line[pos + marker.len()..]);
                let next = rest
                    .trim_start()
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .next()
                    .unwrap_or("");
                let id = next.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
                let looks_like_id = !id.is_empty()
                    && id.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'
                    })
                    && id.contains('-');
                if looks_like_id {
                    named = Some(id.strip_prefix("secret/").unwrap_or(id).to_string());
                }
            }
            found.push((*marker, named));
        }
        LineMarkers { found }
    }

    /// The suppression these markers give `rule_id`, if any.
    pub fn allows(&self, rule_id: &str) -> Option<Suppression> {
        let short = rule_id.strip_prefix("secret/").unwrap_or(rule_id);
        self.found.iter().find_map(|(marker, named)| {
            let ok = named.as_deref().is_none_or(|n| n == short);
            ok.then(|| Suppression {
                kind: SuppressionKind::InSource,
                justification: format!("inline `{marker}` comment"),
            })
        })
    }
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
