//! Whether a value has the shape of a credential whatever its key is called: a known token
//! prefix followed by a random body, a JWT, a PEM block, a URL with a password, or a long
//! high-entropy word.
//!
//! The known prefixes are not a list of their own: [`TokenPrefixes::derive`] takes them from the
//! secret rules, as the rules' keywords that their regex puts at the start of the secret
//! (`ghp_` for `\b(ghp_[A-Za-z0-9]{36})\b`). A rule added for a new provider extends them.

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::entropy::entropy;
use super::reference::is_reference;
use super::regex_facts::{regex_facts, RegexFacts, StaticFacts};

/// Token prefixes (case-sensitive), matched at the start of a value, each with the format of
/// the secret it starts (the rule's secret group, matched against the whole value).
#[derive(Debug, Default)]
pub struct TokenPrefixes {
    prefixes: Vec<String>,
    /// For each prefix, the secret formats (regex source) of the rules it comes from.
    formats: Vec<Vec<Format>>,
    ac: Option<AhoCorasick>,
}

/// One rule's secret format, compiled on first use (most prefixes never occur in a config).
#[derive(Debug)]
struct Format {
    source: String,
    compiled: std::sync::OnceLock<Option<regex::bytes::Regex>>,
}

impl Format {
    /// Keywords in order, each with its formats (compiled on first use).
    fn by_keyword(
        found: std::collections::BTreeMap<String, Vec<String>>,
    ) -> (Vec<String>, Vec<Vec<Format>>) {
        found
            .into_iter()
            .map(|(k, sources)| {
                let formats = sources
                    .into_iter()
                    .map(|source| Format {
                        source,
                        compiled: std::sync::OnceLock::new(),
                    })
                    .collect();
                (k, formats)
            })
            .unzip()
    }

    fn matches_whole(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                regex::bytes::RegexBuilder::new(&format!("^(?:{})$", self.source))
                    .size_limit(1 << 22)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|r| r.is_match(value.as_bytes()))
    }
}

/// One rule as prefix derivation sees it.
#[derive(Debug, Clone, Copy)]
pub struct PrefixSource<'a> {
    /// The rule's keywords (the prefilter literals).
    pub keywords: &'a [String],
    /// The rule's regex (Rust syntax); the secret is group `secret`, else group 1, else all.
    pub regex: &'a str,
    /// The facts of `regex` computed at build time (built-in rules), so that deriving the
    /// tables parses no regex; `None`: parse `regex` now.
    pub facts: Option<&'a StaticFacts>,
}

impl PrefixSource<'_> {
    fn facts(&self) -> RegexFacts {
        match self.facts {
            Some(f) => f.into(),
            None => regex_facts(self.regex),
        }
    }
}

impl TokenPrefixes {
    /// The keywords of `sources` that begin the secret their regex captures: a keyword `K` is a
    /// token prefix when some literal prefix of the secret group starts with `K`. Keywords that
    /// only occur around the secret (`password`, `aws_secret`) or inside it (`T3BlbkFJ`) are
    /// not; a regex that does not parse contributes nothing.
    pub fn derive<'a>(sources: impl IntoIterator<Item = PrefixSource<'a>>) -> Self {
        let mut found: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for src in sources {
            let Some((literals, format)) = src.facts().prefix else {
                continue;
            };
            for k in src.keywords {
                if literals.iter().any(|l| l.starts_with(k.as_bytes())) {
                    found.entry(k.clone()).or_default().push(format.clone());
                }
            }
        }
        let (prefixes, formats) = Format::by_keyword(found);
        let ac = AhoCorasick::builder()
            .start_kind(StartKind::Anchored)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&prefixes)
            .ok();
        TokenPrefixes {
            prefixes,
            formats,
            ac,
        }
    }

    /// The prefixes, sorted.
    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    /// The longest prefix `value` starts with.
    pub fn prefix_of(&self, value: &str) -> Option<&str> {
        self.prefix_index(value)
            .and_then(|i| self.prefixes.get(i))
            .map(String::as_str)
    }

    fn prefix_index(&self, value: &str) -> Option<usize> {
        match &self.ac {
            Some(ac) => ac
                .find(Input::new(value).anchored(Anchored::Yes))
                .map(|m| m.pattern().as_usize()),
            None => (0..self.prefixes.len())
                .filter(|&i| value.starts_with(self.prefixes[i].as_str()))
                .max_by_key(|&i| self.prefixes[i].len()),
        }
    }

    /// Whether the whole of `value` is a token in the format of a rule whose prefix it starts
    /// with: `api-gateway-v2` starts with a prefix but is no token.
    pub fn is_token(&self, value: &str) -> bool {
        let Some(i) = self.prefix_index(value) else {
            return false;
        };
        // A shorter prefix may be the one whose format fits (`pat` and `pat-na1-`).
        self.prefixes
            .iter()
            .zip(&self.formats)
            .filter(|(p, _)| value.starts_with(p.as_str()) && p.len() <= self.prefixes[i].len())
            .any(|(_, fs)| fs.iter().any(|f| f.matches_whole(value)))
    }
}

/// Names that provider rules own: keywords a rule expects *before* its secret
/// (`secret_access_key` of the AWS rule), each with the secret formats of those rules. A
/// heuristic rule that finds a value under such a name which fits none of the owners' formats
/// defers to them: the rule that knows the format has already declined the value.
#[derive(Debug, Default)]
pub struct NameOwners {
    keywords: Vec<String>,
    formats: Vec<Vec<Format>>,
    ac: Option<AhoCorasick>,
}

impl NameOwners {
    /// Owner keywords of `sources` (each keyword of 8+ characters that does not start the
    /// secret), with the rule's secret group as its format.
    pub fn derive<'a>(sources: impl IntoIterator<Item = PrefixSource<'a>>) -> Self {
        let mut found: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for src in sources {
            let facts = src.facts();
            if fixed_prefix_in(src.keywords, &facts) {
                continue;
            }
            let Some(format) = facts.format else {
                continue;
            };
            for k in src
                .keywords
                .iter()
                .filter(|k| k.len() >= 8 && names_a_provider(k))
            {
                found
                    .entry(k.to_ascii_lowercase())
                    .or_default()
                    .push(format.clone());
            }
        }
        let (keywords, formats) = Format::by_keyword(found);
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .ok();
        NameOwners {
            keywords,
            formats,
            ac,
        }
    }

    /// Whether `name` contains an owned keyword and `value` fits none of its owners' formats.
    ///
    /// A name that speaks of a credential the owner's token is not (`TELEGRAM_WEBHOOK_SECRET`,
    /// `GITHUB_APP_PRIVATE_KEY`, `STRIPE_DB_PASSWORD`) is not owned: its value is whatever its
    /// owner chose, in no provider's format.
    pub fn declines(&self, name: &str, value: &str) -> bool {
        let Some(ac) = &self.ac else {
            return false;
        };
        // Split the name into words only once a keyword is found in it: most names hold none.
        let mut words: Option<Vec<String>> = None;
        let mut owned = false;
        for m in ac.find_overlapping_iter(name) {
            let keyword = self
                .keywords
                .get(m.pattern().as_usize())
                .map_or("", String::as_str);
            if words
                .get_or_insert_with(|| super::key::key_words(name))
                .iter()
                .any(|w| OTHER_ROLE_WORDS.contains(&w.as_str()) && !keyword.contains(w.as_str()))
            {
                continue;
            }
            owned = true;
            let fits = self
                .formats
                .get(m.pattern().as_usize())
                .is_some_and(|fs| fs.iter().any(|f| f.matches_whole(value)));
            if fits {
                return false;
            }
        }
        owned && !self.keywords.is_empty()
    }
}

/// Words of a name for credentials that users choose or generate themselves, in no provider's
/// token format: webhook and signing secrets, passwords, encryption keys, private keys.
const OTHER_ROLE_WORDS: &[&str] = &[
    "webhook",
    "webhooks",
    "hook",
    "signing",
    "hmac",
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "encryption",
    "encrypt",
    "private",
    "privatekey",
    "session",
    "cookie",
    "jwt",
    "salt",
];

/// Whether a keyword names something beyond generic credential words: `aws_secret` does,
/// `client_secret` and `access_token` (which any provider may use) do not.
fn names_a_provider(keyword: &str) -> bool {
    const GENERIC: &[&str] = &[
        "password", "passwd", "secret", "refresh", "private", "access", "client", "bearer",
        "token", "oauth", "auth", "api", "app", "key", "id",
    ];
    let mut rest: String = keyword
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    for w in GENERIC {
        rest = rest.replace(w, "");
    }
    rest.len() >= 3
}

/// Whether every secret `regex` captures starts with one of `keywords` (ASCII case ignored): a
/// fixed-structure prefixed token (`ghp_…`, `AGE-SECRET-KEY-1…`, `xoxb-…`). Such a token's
/// structure is its evidence; a rule's entropy floor is meant for unprefixed bodies.
pub fn has_fixed_prefix(keywords: &[String], regex: &str) -> bool {
    fixed_prefix_in(keywords, &regex_facts(regex))
}

/// [`has_fixed_prefix`] on a regex's facts.
fn fixed_prefix_in(keywords: &[String], facts: &RegexFacts) -> bool {
    let Some((literals, _)) = &facts.prefix else {
        return false;
    };
    !literals.is_empty()
        && literals.iter().all(|l| {
            keywords.iter().any(|k| {
                k.len() >= 3
                    && l.len() >= k.len()
                    && l[..k.len()].eq_ignore_ascii_case(k.as_bytes())
            })
        })
}

/// Whether a value has the shape of a credential regardless of its key: a token in the format
/// of a rule with a known prefix, a JWT, a PEM block, a URL with a password, or a long word that
/// mixes letters and digits with high entropy (hex checksums, commit ids and UUIDs excluded).
pub fn looks_like_credential(value: &str, prefixes: &TokenPrefixes) -> bool {
    let v = value.trim();
    if v.len() < 8 {
        return false;
    }
    if prefixes.is_token(v) {
        return true;
    }
    if v.starts_with("-----BEGIN") && v.len() >= 12 {
        return true;
    }
    if v.starts_with("eyJ") && v.matches('.').count() == 2 {
        return true;
    }
    // `postgres://app:${DB_PASSWORD}@db` commits the place of a password, not a password.
    if url_password(v).is_some_and(|p| !is_reference(p)) {
        return true;
    }
    // `Server=…;Password=…`: a literal password makes the whole connection string a secret.
    if conn_password(v).is_some_and(|p| !is_reference(p)) {
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
    has_digit && has_alpha && !is_word_like(v) && entropy(v) >= 3.7
}

/// Host names and identifiers (`svc12.production.acme.io`, `value-3-production-0`,
/// `orders_db_2024`): every alphanumeric run is one case and switches between letters and digits
/// at most once (`svc12`, `v2`, `2024`). Their entropy can reach a token's, but a random body
/// interleaves letters and digits (`k8x2m9q4`) or mixes cases.
fn is_word_like(v: &str) -> bool {
    v.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
        .all(|run| {
            let b = run.as_bytes();
            let one_case =
                !(b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase));
            let switches = b
                .windows(2)
                .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
                .count();
            one_case && switches <= 1
        })
}

/// The password of `scheme://user:password@host`, if any.
pub fn url_password(v: &str) -> Option<&str> {
    let rest = &v[v.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, pw) = userinfo.split_once(':')?;
    (!pw.is_empty()).then_some(pw)
}

/// The password of an ADO.NET / ODBC / JDBC-style connection string (`Server=…;Password=…`,
/// `Pwd=…`, `User Password=…`), if it has one: the credential .NET and ODBC configurations
/// carry inside an otherwise harmless value, whatever the key is called.
pub fn conn_password(v: &str) -> Option<&str> {
    if !v.contains('=') || !v.contains(';') && !v.to_ascii_lowercase().contains("password=") {
        return None;
    }
    v.split(';').find_map(|part| {
        let (k, val) = part.split_once('=')?;
        let k = k.trim().to_ascii_lowercase();
        let val = val.trim();
        (matches!(k.as_str(), "password" | "pwd" | "user password") && !val.is_empty())
            .then_some(val)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive(rules: &[(&[&str], &str)]) -> TokenPrefixes {
        let owned: Vec<(Vec<String>, &str)> = rules
            .iter()
            .map(|(k, r)| (k.iter().map(|s| s.to_string()).collect(), *r))
            .collect();
        TokenPrefixes::derive(owned.iter().map(|(k, r)| PrefixSource {
            keywords: k,
            regex: r,
            facts: None,
        }))
    }

    #[test]
    fn prefixes_are_keywords_that_start_the_secret() {
        let p = derive(&[
            (&["ghp_"], r"\b(ghp_[A-Za-z0-9]{36})\b"),
            (&["AKIA", "ASIA"], r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"),
            // Context keyword before the secret: not a prefix.
            (&["password"], r#"password\s*=\s*"(?P<secret>[^"]{8,})""#),
            // Keyword inside the secret: not a prefix.
            (
                &["T3BlbkFJ"],
                r"\b(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})\b",
            ),
            // A regex that does not parse contributes nothing.
            (&["bad_"], r"(bad_"),
        ]);
        assert_eq!(p.prefixes(), ["AKIA", "ASIA", "ghp_"]);
        assert_eq!(p.prefix_of("ghp_abc"), Some("ghp_"));
        assert_eq!(p.prefix_of("xghp_abc"), None);
    }

    #[test]
    fn secret_values_have_shapes() {
        let p = derive(&[
            (&["ghp_"], r"\b(ghp_[A-Za-z0-9]{36})\b"),
            (&["API-"], r"\b(API-[A-Z0-9]{26})\b"),
        ]);
        assert!(looks_like_credential(
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            &p
        ));
        assert!(!looks_like_credential("API-Gateway-Prod", &p));
        assert!(!looks_like_credential("API-GATEWAY-V2-PROD", &p));
        assert!(looks_like_credential("API-Q8W7E6R5T4Y3U2I1O0PZ9X8C7V", &p));
        // The prefix alone does not make a token: the rule's format must fit the whole value.
        assert!(!looks_like_credential("ghp_tooShort123", &p));
        assert!(looks_like_credential("Zx9vQ2mL7pR4tY8wK3nB6cF1", &p));
        assert!(looks_like_credential(
            "postgres://app:s3cr3t@db:5432/app",
            &p
        ));
        assert!(looks_like_credential(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            &p
        ));
        assert!(!looks_like_credential(
            "registry.example.com/api@sha256:0123456789abcdef0123456789",
            &p
        ));
        assert!(!looks_like_credential(
            "https://api.example.com/v1/things",
            &p
        ));
        assert!(!looks_like_credential("info", &p));
        assert!(!looks_like_credential(
            "0123456789abcdef0123456789abcdef01234567",
            &p
        ));
    }

    #[test]
    fn owned_names_decline_values_of_another_format() {
        let kw = vec!["aws_secret".to_string()];
        let owners = NameOwners::derive([PrefixSource {
            keywords: &kw,
            regex: r"(?i)aws_secret\w*\s*=\s*([A-Za-z0-9/+]{40})\b",
            facts: None,
        }]);
        // Must not match: the owner's format is 40 base64 characters.
        assert!(owners.declines(
            "AWS_SECRET_ACCESS_KEY",
            "ded7db27a4558e2ea9bbf0bf36ae0e8521618f366c"
        ));
        // Must match: a value in the owner's format, or a name nobody owns.
        assert!(!owners.declines(
            "AWS_SECRET_ACCESS_KEY",
            "Zq8xR2mK9pLwtu2iXW7GboIRoLBkDa9U4UqGWlG6"
        ));
        assert!(!owners.declines(
            "BILLING_SECRET",
            "ded7db27a4558e2ea9bbf0bf36ae0e8521618f366c"
        ));
        // Must match: a name for another kind of credential under the owner's word.
        assert!(!owners.declines(
            "AWS_SECRET_WEBHOOK_SIGNING",
            "ded7db27a4558e2ea9bbf0bf36ae0e8521618f366c"
        ));
    }

    #[test]
    fn fixed_prefixes() {
        let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(has_fixed_prefix(
            &kw(&["ghp_"]),
            r"\b(ghp_[A-Za-z0-9]{36})\b"
        ));
        assert!(has_fixed_prefix(
            &kw(&["xoxb-", "xoxp-"]),
            r"\b((?:xoxb|xoxp)-[0-9]{10,13}-[A-Za-z0-9-]{20,})"
        ));
        // The keyword is a name before the secret, not its start.
        assert!(!has_fixed_prefix(
            &kw(&["password"]),
            r#"password\s*=\s*"(?P<secret>[^"]{8,})""#
        ));
        // Only some alternatives are prefixed.
        assert!(!has_fixed_prefix(
            &kw(&["key-"]),
            r"\b((?:key-)?[a-f0-9]{32})\b"
        ));
    }

    #[test]
    fn host_names_and_identifiers_are_not_credentials() {
        let p = derive(&[]);
        for v in [
            "svc0.production.acme.io",
            "svc1234.production.acme.io",
            "value-3-production-1234",
            "orders_db_2024_replica",
        ] {
            assert!(!looks_like_credential(v, &p), "{v}");
        }
        for v in ["k8x2m9q4z7w1p3r6t5y0", "Zx9vQ2mL7pR4tY8wK3nB6cF1"] {
            assert!(looks_like_credential(v, &p), "{v}");
        }
    }

    #[test]
    fn url_passwords() {
        assert_eq!(url_password("redis://:pw1@h:6379"), Some("pw1"));
        assert_eq!(url_password("https://user@h/"), None);
        assert_eq!(url_password("no url"), None);
    }

    #[test]
    fn referenced_url_passwords_are_not_credentials() {
        let p = derive(&[]);
        assert!(!looks_like_credential(
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            &p
        ));
        assert!(!looks_like_credential(
            "amqp://svc:#{RabbitPassword}#@mq.acme.io",
            &p
        ));
        assert!(looks_like_credential(
            "postgres://app:hunter22@db:5432/app",
            &p
        ));
    }

    #[test]
    fn connection_string_passwords() {
        assert_eq!(
            conn_password(
                "Server=sql.acme.io;Database=shop;User Id=shop;Password=Tr0ub4dor&3;Encrypt=True"
            ),
            Some("Tr0ub4dor&3")
        );
        assert_eq!(
            conn_password("Host=db;Username=app;Pwd=hunter22"),
            Some("hunter22")
        );
        assert_eq!(
            conn_password("Server=sql.acme.io;Database=shop;Integrated Security=true"),
            None
        );
        assert_eq!(conn_password("https://example.com/?a=b"), None);
        let p = derive(&[]);
        // Always a credential, however weak or short the password is…
        assert!(looks_like_credential("Host=db;Username=app;Pwd=pw1", &p));
        // …unless it is a reference.
        assert!(!looks_like_credential(
            "Server=sql;Database=shop;Password=#{DbPassword}#",
            &p
        ));
        assert!(!looks_like_credential(
            "Server=sql;Database=shop;Integrated Security=true",
            &p
        ));
    }
}
