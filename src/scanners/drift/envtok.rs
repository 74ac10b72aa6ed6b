//! Environment-name tokens: `db-uat.internal` and `db-prod.internal` have the same shape.
//!
//! Values and key paths are compared after every whole environment token (delimited by
//! non-alphanumerics, case-insensitive) is replaced by `{env}`, so that the names of the
//! environments themselves never count as drift.

use std::borrow::Cow;

/// Tokens that name the pre-production environment.
pub const UAT_TOKENS: &[&str] = &["uat", "staging", "stage", "stg", "preprod", "pre-prod"];
/// Tokens that name production.
pub const PROD_TOKENS: &[&str] = &["prod", "production", "prd", "live"];
/// Tokens used to *discover* pairs by file and folder name (the conventional, unambiguous ones).
/// `pre-prod` is one token (see [`env_runs`]), never `pre` + `prod`.
pub const DISCOVER_UAT: &[&str] = &["uat", "staging", "stage", "stg", "preprod", "pre-prod"];
/// Production tokens used for discovery, in order of preference.
pub const DISCOVER_PROD: &[&str] = &["prod", "production", "prd", "live"];

/// What an environment token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    /// UAT / staging.
    Uat,
    /// Production.
    Prod,
}

/// The environment a single token names, case-insensitively.
pub fn env_of(token: &str) -> Option<Env> {
    if UAT_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(token)) {
        Some(Env::Uat)
    } else if PROD_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(token)) {
        Some(Env::Prod)
    } else {
        None
    }
}

/// Byte ranges of the maximal alphanumeric runs of `s`.
pub fn tokens(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut it = s.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = it.peek() {
            if c.is_alphanumeric() {
                break;
            }
            it.next();
        }
        let (start, _) = *it.peek()?;
        let mut end = start;
        while let Some(&(i, c)) = it.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            it.next();
        }
        Some((start, end))
    })
}

/// Byte ranges of the alphanumeric runs of `s`, with `pre-prod` / `pre_prod` joined into one
/// run: otherwise the `prod` of a pre-production name would read as production.
pub fn env_runs(s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (a, b) in tokens(s) {
        if let Some(&(pa, pb)) = out.last() {
            let sep = &s[pb..a];
            if (sep == "-" || sep == "_")
                && s[pa..pb].eq_ignore_ascii_case("pre")
                && s[a..b].eq_ignore_ascii_case("prod")
            {
                if let Some(last) = out.last_mut() {
                    *last = (pa, b);
                }
                continue;
            }
        }
        out.push((a, b));
    }
    out
}

/// Normalized environment token: `pre_prod` is written `pre-prod`.
fn canonical(token: &str) -> String {
    token.to_ascii_lowercase().replace('_', "-")
}

/// `s` with every whole environment token replaced by `{env}`; borrowed when there is none.
pub fn normalize(s: &str) -> Cow<'_, str> {
    // Fast path: every token is 3–10 ASCII letters; most strings contain none of their letters
    // in a standalone run, so scan once and only allocate on a hit.
    let mut out: Option<String> = None;
    let mut last = 0;
    for (a, b) in tokens(s) {
        let len = b - a;
        if !(3..=10).contains(&len) {
            continue;
        }
        if env_of(&s[a..b]).is_some() {
            // `pre-prod`: the `prod` run joined to a preceding `pre-` (byte-safe slicing: the
            // separator before a token may be any non-alphanumeric character).
            let joined_pre = a.checked_sub(4).filter(|&p| {
                p >= last
                    && s.get(p..a - 1)
                        .is_some_and(|w| w.eq_ignore_ascii_case("pre"))
                    && s.get(a - 1..a).is_some_and(|sep| sep == "-" || sep == "_")
                    && s[a..b].eq_ignore_ascii_case("prod")
                    && s.get(..p)
                        .is_some_and(|before| !before.ends_with(char::is_alphanumeric))
            });
            let start = joined_pre.unwrap_or(a);
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[last..start]);
            o.push_str("{env}");
            last = b;
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[last..]);
            Cow::Owned(o)
        }
    }
}

/// The environment an environment-name token (`pre_prod` included) stands for.
pub fn env_of_token(token: &str) -> Option<Env> {
    env_of(&canonical(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_tokens_only() {
        assert_eq!(normalize("db-uat.internal"), "db-{env}.internal");
        assert_eq!(normalize("db-prod.internal"), "db-{env}.internal");
        assert_eq!(
            normalize("https://api.staging.example.com"),
            "https://api.{env}.example.com"
        );
        assert_eq!(normalize("PRODUCTION"), "{env}");
        // Not whole tokens: untouched and borrowed.
        assert!(matches!(normalize("product-livestream"), Cow::Borrowed(_)));
        assert_eq!(normalize("livenessProbe"), "livenessProbe");
        assert_eq!(normalize("produce"), "produce");
    }

    #[test]
    fn every_alias_maps() {
        for t in UAT_TOKENS {
            assert_eq!(env_of(t), Some(Env::Uat));
        }
        for t in PROD_TOKENS {
            assert_eq!(env_of(t), Some(Env::Prod));
        }
        assert_eq!(env_of("dev"), None);
        assert_eq!(normalize("stg/prd/live/stage"), "{env}/{env}/{env}/{env}");
        assert_eq!(normalize("db.pre-prod.acme.io"), "db.{env}.acme.io");
        assert_eq!(normalize("db.pre_prod.acme.io"), "db.{env}.acme.io");
        assert_eq!(normalize("preprod"), "{env}");
        // Multi-byte separators before a token never split a character.
        assert_eq!(normalize("a—prod"), "a—{env}");
        assert_eq!(normalize("é-prod"), "é-{env}");
        assert_eq!(normalize("xpre-prod"), "xpre-{env}");
        assert_eq!(env_of_token("Pre_Prod"), Some(Env::Uat));
        let s = "values-pre-prod.yaml";
        let runs: Vec<&str> = env_runs(s).into_iter().map(|(a, b)| &s[a..b]).collect();
        assert_eq!(runs, vec!["values", "pre-prod", "yaml"]);
    }

    #[test]
    fn tokens_split_on_non_alphanumerics() {
        let s = "a-bc..déf";
        let t: Vec<&str> = tokens(s).map(|(a, b)| &s[a..b]).collect();
        assert_eq!(t, vec!["a", "bc", "déf"]);
    }
}
