//! Key names: splitting a configuration key path into words, and whether the name says the
//! value is a credential (`DB_PASSWORD`, `apiKey`, `client.secret`).

use super::reference::is_reference_key;

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

/// Words (lowercase) that name a credential.
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

/// Words that, anywhere in the name, make it about a credential rather than one:
/// `public_key`, `key_id`, `token_file`, `password_length`, `secret_name`.
const NOT_SECRET_WORDS: &[&str] = &[
    "public", "id", "file", "path", "ref", "name", "length", "size", "ttl", "expiry", "timeout",
];

/// Last words that make a name describe a credential rather than hold one: `TOKEN_URL`,
/// `secret_name`, `password_length`, `api_key_id`, `token_type`, `password_hint`.
const DESCRIBING_LAST_WORDS: &[&str] = &[
    "url",
    "uri",
    "endpoint",
    "name",
    "length",
    "len",
    "id",
    "path",
    "file",
    "filename",
    "dir",
    "type",
    "label",
    "hint",
    "field",
    "prompt",
    "header",
    "param",
    "count",
    "size",
    "ttl",
    "timeout",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "format",
    "pattern",
    "regex",
    "version",
    "mode",
    "policy",
    "enabled",
    "required",
    "min",
    "max",
    "prefix",
    "suffix",
    "ssid",
    "user",
    "username",
    "login",
    "email",
    "host",
    "hostname",
    "port",
];

/// Words that make a name one of a value meant to be public or tied to a browser form:
/// `publicKey`, `NEXT_PUBLIC_…`, `publishable_key`, `csrf_token`, `xsrfToken`.
const PUBLIC_WORDS: &[&str] = &["public", "publishable", "csrf", "xsrf"];

/// Words of a name that make its token a page cursor, not a credential: `NextToken`,
/// `ContinuationToken`, `pageToken`, `cursor_token`.
const PAGINATION_WORDS: &[&str] = &["next", "continuation", "pagination", "page", "cursor"];

/// Words of a name that mark a sandbox or test credential: `SANDBOX_API_KEY`, `sbx_token`.
const SANDBOX_WORDS: &[&str] = &["sandbox", "sbx", "sdbx", "test", "testing"];

/// Words of a name that say its value stands in for a credential on purpose: test code names
/// the values it feeds a parser or a failing login `fakeToken`, `dummy_password`,
/// `invalidApiKey`, `wrongSecret`, `nonMatchingToken`.
const STAND_IN_WORDS: &[&str] = &[
    "fake",
    "dummy",
    "mock",
    "mocked",
    "bogus",
    "invalid",
    "wrong",
    "incorrect",
    "bad",
    "non",
    "not",
    "placeholder",
    "sample",
    "example",
];

/// Whether `name`, the identifier a heuristic (generic) secret rule matched, says its value is
/// not a credential: it describes one (`*_url`, `*_name`, `*_length`, `*_id`…), is public by
/// design (`public*`, `publishable*`), is a page cursor (`NextToken`, `ContinuationToken`), is a
/// form's anti-forgery token (`csrf*`, `xsrf*`,
/// `authenticity_token`), a sandbox/test credential (`SANDBOX_*`, `*_TEST_*`) or a stand-in
/// (`fakeToken`, `invalid_password`, `nonMatchingToken`).
///
/// Provider rules do not ask: a `ghp_` token is a token under any name.
pub fn names_no_credential(name: &str) -> bool {
    let words = key_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    DESCRIBING_LAST_WORDS.contains(&last.as_str())
        || words.iter().any(|w| {
            PUBLIC_WORDS.contains(&w.as_str())
                || SANDBOX_WORDS.contains(&w.as_str())
                || STAND_IN_WORDS.contains(&w.as_str())
                || PAGINATION_WORDS.contains(&w.as_str())
        })
        || name.to_ascii_lowercase().contains("authenticity_token")
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

/// Whether `seg` contains one of [`SECRET_HINTS`], case-insensitively: one Aho-Corasick pass,
/// the cheap prefilter that keeps 100 000-key comparisons fast (most keys name no credential).
pub fn has_secret_hint(seg: &str) -> bool {
    static AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let ac = AC.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(SECRET_HINTS)
            .ok()
    });
    match ac {
        Some(ac) => ac.is_match(seg),
        // Unreachable with these literal patterns; stay correct (no prefilter) if it happens.
        None => true,
    }
}

/// Whether the key's name says it holds a credential (`DB_PASSWORD`, `apiKey`,
/// `client.secret`). `public_key`, `key_id`, `*_file`/`*_path` (a reference to a file),
/// `keyRef` and keys under a reference (`secretKeyRef`, `existingSecret`: see
/// [`is_reference_key`]) are not.
pub fn is_credential_key(key_path: &str) -> bool {
    let last = last_segment(key_path);
    if !has_secret_hint(last) || is_reference_key(key_path) {
        return false;
    }
    let words = key_words(key_path);
    if words.iter().any(|w| NOT_SECRET_WORDS.contains(&w.as_str())) {
        return false;
    }
    if words.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) {
        return true;
    }
    let lower = last.to_ascii_lowercase();
    lower.contains("password") || lower.contains("secret")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_describe_publish_or_page_are_no_credentials() {
        for name in [
            "TOKEN_URL",
            "secret_name",
            "password_length",
            "api_key_id",
            "publicKey",
            "NEXT_PUBLIC_API_KEY",
            "csrf_token",
            "authenticity_token",
            "SANDBOX_API_KEY",
            "STRIPE_TEST_KEY",
            "NextContinuationToken",
            "pageToken",
            "nonMatchingToken",
            "fake_api_key",
            "invalidPassword",
            "DUMMY_SECRET",
        ] {
            assert!(names_no_credential(name), "{name}");
        }
        for name in [
            "DB_PASSWORD",
            "apiKey",
            "client_secret",
            "GITHUB_TOKEN",
            "NEXTAUTH_SECRET",
            "notification_token",
            "badge_secret",
            "mockingbird_api_key",
        ] {
            assert!(!names_no_credential(name), "{name}");
        }
    }

    #[test]
    fn credential_keys() {
        for k in [
            "/DB_PASSWORD",
            "/apiKey",
            "/spring.datasource.password",
            "/client_secret",
            "/AUTH_TOKEN",
            "/x/secretAccessKey",
            "/spec/containers/name=app/env/name=DB_PASSWORD/value",
        ] {
            assert!(is_credential_key(k), "{k}");
        }
        for k in [
            "/public_key",
            "/key_id",
            "/tokenFile",
            "/replicas",
            "/monkey",
            "/secretKeyRef/name",
            "/env/name=DB/valueFrom/secretKeyRef/key",
            "/auth/existingSecret",
            "/DB_HOST",
            "/spec/containers/name=app/env/name=LOG_LEVEL/value",
        ] {
            assert!(!is_credential_key(k), "{k}");
        }
    }

    #[test]
    fn words_split_camel_and_snake() {
        assert_eq!(
            key_words("/a/secretAccessKey"),
            vec!["secret", "access", "key"]
        );
        assert_eq!(key_words("/DB_PASSWORD"), vec!["db", "password"]);
        assert_eq!(last_segment("/env/name=API_TOKEN/value"), "API_TOKEN");
    }
}
