//! Values that stand in for a credential instead of being one: template syntax, documentation
//! filler, masks, stopwords, repeated or sequential characters, providers' published test
//! values, code references and identifier names.
//!
//! A release gate that cries wolf gets switched off, so the secrets engine drops every candidate
//! these recognise (unless a rule sets `allow_placeholders = true`), and drift treats a
//! production credential that is one as a policy problem rather than a leak.

/// Substrings (lowercase) of template or environment syntax: the value is filled in elsewhere.
const TEMPLATE_PARTS: &[&str] = &[
    "${",
    "#{",
    "{{",
    "}}",
    "%s",
    "%{",
    "<%",
    "@env:",
    "@keychain:",
    "process.env",
    "os.environ",
    "getenv(",
];

/// Substrings (lowercase) of documentation filler and masked values.
const FILLER_PARTS: &[&str] = &[
    "xxxx",
    "***",
    "•••",
    "…",
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
    "replace-me",
    "replaceme",
    "insert_",
    "_here",
    "-here",
    "notreal",
    "not_real",
    "not-a-real",
    "notakey",
    "not_a_key",
    "not-a-key",
    "notatoken",
    "not_a_token",
    "not-a-token",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "fake_",
    "fake-",
    "fakesecret",
    "fakepass",
    "faketoken",
    "fakekey",
    "fakeapi",
    "&lt;",
    "&gt;",
];

/// Whole values (lowercase, punctuation stripped) that name a type or no value at all
/// (`null`, `function`, `required`): with `WEAK_CREDENTIAL_WORDS`, the stopwords.
const NON_VALUE_WORDS: &[&str] = &[
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
    "value",
    "hidden",
    "masked",
    "unknown",
    "tbd",
    "na",
    "function",
    "object",
    "number",
    "boolean",
    "symbol",
    "bigint",
];

/// Whole values (lowercase, punctuation stripped) that are words, not secrets.
fn is_stopword_word(word: &str) -> bool {
    WEAK_CREDENTIAL_WORDS.contains(&word) || NON_VALUE_WORDS.contains(&word)
}

/// Whole configuration values that stand in for a credential although the secrets engine keeps
/// them: `postgres://app:secret@db` is a leaked (weak) password, `DB_PASSWORD=secret` in a
/// committed config is a placeholder someone must replace.
const PLACEHOLDER_WORDS: &[&str] = &["secret"];

/// Published example credentials (`rules/allowlist/published-examples.toml`): SDK and
/// documentation sample keys, each with the page that publishes it. Data rather than code, so
/// an entry carries its source and a reviewer can check it.
const PUBLISHED_EXAMPLES: &str = include_str!("../../rules/allowlist/published-examples.toml");

/// One published example value.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedExample {
    /// The value exactly as published.
    pub value: String,
    /// Whose sample it is and what kind of credential it imitates.
    pub provider: String,
    /// The page that publishes it.
    pub source: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishedFile {
    example: Vec<PublishedExample>,
}

/// The published example values (parsed once; the file is checked by a unit test, so a broken
/// file in a release cannot happen, and would only disable this allowlist, never panic).
pub fn published_examples() -> &'static [PublishedExample] {
    static LIST: std::sync::OnceLock<Vec<PublishedExample>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        toml::from_str::<PublishedFile>(PUBLISHED_EXAMPLES)
            .map(|f| f.example)
            .unwrap_or_default()
    })
}

/// Why a candidate is not a credential (for tests and debugging; never shown with the value).
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
    /// A code reference (`self.password`, `Config.DbPassword`, `arn:…`), not a value.
    CodeReference,
    /// Words of one case joined by `-`, `_` or `.` (`my-app-credentials`, `open_sesame`): a
    /// name or constant under a bare `name = value` heuristic, but a plausible literal where
    /// the surrounding syntax (a connection string, a command-line flag) makes it one. The
    /// secrets engine applies it to heuristic (`precision = "low"`) rules only.
    IdentifierWords,
    /// One capitalised or uncased word of letters (`Passwort`, `Contraseña`, `密码`): what a form
    /// label or its translation looks like in a locale file, far more often than a password.
    LabelWord,
}

/// Why `secret`, a candidate a secret rule matched, is not a credential: a placeholder, a
/// stopword, a pattern, a documented test value, a code reference or identifier words.
pub fn placeholder_reason(secret: &str) -> Option<Rejection> {
    if is_known_test_value(secret) {
        return Some(Rejection::KnownTestValue);
    }
    let lower = secret.to_ascii_lowercase();
    if TEMPLATE_PARTS.iter().any(|p| lower.contains(p))
        || has_filler(&lower)
        || is_encoded_filler(secret)
    {
        return Some(Rejection::Placeholder);
    }
    let t = lower.trim();
    if has_template_field(t) {
        return Some(Rejection::Placeholder);
    }
    if let Some(i) = t.find("%(") {
        // Python `%(name)s` formatting.
        if t[i..].contains(")s") {
            return Some(Rejection::Placeholder);
        }
    }
    if is_bracketed(t)
        || (t.starts_with('{') && t.ends_with('}') && is_identifier(t))
        || (t.starts_with('$') && t.len() > 1 && is_identifier(&t[1..]))
        || (t.starts_with('%') && t.ends_with('%'))
    {
        return Some(Rejection::Placeholder);
    }
    if is_stopword(t) {
        return Some(Rejection::Stopword);
    }
    if is_pattern(secret.as_bytes()) || is_dotted_number(t) {
        return Some(Rejection::Pattern);
    }
    if is_code_reference(t) || t.starts_with("arn:") {
        return Some(Rejection::CodeReference);
    }
    if is_identifier_words(secret) {
        return Some(Rejection::IdentifierWords);
    }
    if is_label_word(secret) {
        return Some(Rejection::LabelWord);
    }
    // `user:password` (Basic credentials, `curl -u`, URL user info): the password part decides.
    password_part(secret).and_then(password_reason)
}

/// Why `pw`, the password of a `user:password` pair, is a stand-in, if it is: what
/// [`placeholder_reason`] says of it, except the reasons that speak of a bare value's context.
/// Inside a pair a dotted word, identifier words or a capitalised word are the password
/// itself, not code or a label. One answer for every pair, so a Basic header, `curl -u` and a
/// URL's user info judge the same password alike.
pub fn password_reason(pw: &str) -> Option<Rejection> {
    match placeholder_reason(pw) {
        None
        | Some(Rejection::IdentifierWords)
        | Some(Rejection::CodeReference)
        | Some(Rejection::LabelWord) => None,
        r => r,
    }
}

/// Whether a candidate that [`placeholder_reason`] rejected for `reason` is still a value worth
/// a look under a rule that names a format or a structure: a stand-in *body* — runs and
/// repeats (`A3T0ABCDEFGHIJKLMNOP`, `aaaa…NRAL`) or a weak or default credential word
/// (`password`, `guest`, `admin`) — as opposed to no value at all.
///
/// Why the split: a provider rule whose exact format matches (prefix, length, alphabet), or a
/// structure rule (a Gradle `credentials { }` block, `psexec -p`) whose slot is filled, has found
/// text written to be that credential. It may be a documentation example, but it may also be a
/// real key someone chose badly, a default password that works (`guest:guest`), or a real key
/// an example was pasted over, so the secrets engine reports it at low severity with the
/// reason (never blocking at the default threshold) instead of dropping it. Heuristic rules,
/// which know no format, still drop it.
///
/// Not stand-ins, dropped by every rule: template and reference syntax (`${X}`, `$X`, `%X%`,
/// `<token>`), masks and fill (`xxxx`, `***`, `•••`, `…`, `0000`: someone blanked the value),
/// documentation words (`your_key_here`, `changeme`, `example`: they say they are not a
/// value), words that are no credential (`null`, `true`, `function`), code references, dotted
/// numbers (versions, OIDs) and published examples.
pub fn is_stand_in(reason: Rejection, value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    match reason {
        Rejection::Pattern => !is_dotted_number(&lower) && !lower.contains("0000"),
        Rejection::Stopword => {
            // For `user:password`, the password part is the stopword.
            let part = password_part(&lower).unwrap_or(&lower);
            WEAK_CREDENTIAL_WORDS.contains(&fold_leetspeak(part).as_str())
        }
        // `Password=Welcome;` in a connection string is a (weak) password; the same word
        // under a bare `password:` name is a label.
        Rejection::LabelWord => true,
        Rejection::Placeholder
        | Rejection::KnownTestValue
        | Rejection::CodeReference
        | Rejection::IdentifierWords => false,
    }
}

/// The stopwords that are used *as* credentials (weak and default ones, metasyntactic pairs
/// such as `foo:bar`), unlike those that name a type or no value (`null`, `function`).
const WEAK_CREDENTIAL_WORDS: &[&str] = &[
    // SNMP's default communities.
    "public",
    "private",
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
    "test",
    "testing",
    "sample",
    "default",
    "username",
    "user",
    "admin",
    "guest",
    "root",
    "foo",
    "bar",
    "baz",
    "qux",
    "quux",
    "foobar",
];

/// `p@ssw0rd` → `password`: letters and digits only, common leetspeak folded back.
fn fold_leetspeak(lower: &str) -> String {
    let word: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if is_stopword_word(&word) {
        return word;
    }
    lower
        .chars()
        .filter_map(|c| match c {
            '0' => Some('o'),
            '1' => Some('i'),
            '3' => Some('e'),
            '4' | '@' => Some('a'),
            '5' | '$' => Some('s'),
            '7' => Some('t'),
            c if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

/// The password of a `user:password` pair: one `:`, a user name of name characters before it
/// (no `/`, so neither a URL nor a path), a non-empty password after it.
fn password_part(s: &str) -> Option<&str> {
    let (user, pw) = s.split_once(':')?;
    let user_ok = !user.is_empty()
        && user.len() <= 64
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@' | b'\\'));
    (user_ok && !pw.is_empty() && !pw.contains(':') && !pw.starts_with('/')).then_some(pw)
}

/// Whether the whole value is a stand-in rather than a value: documentation filler
/// (`changeme`, `<password>`, `your_token_here`), a mask (`xxx`, `***`), a stopword
/// (`password`, `test`, `none`) or a documented test value.
///
/// Unlike [`placeholder_reason`] it does not count template syntax (`${VAR}`: see
/// [`super::is_reference`]), code references, identifier names or sequential runs: a
/// configuration value such as `my-app-credentials` is a name, and a token whose random body
/// happens to contain `0123456789` is still a token. A reference is never a placeholder, even
/// when its name is a stopword (`__API_KEY__`, `${PASSWORD}`): a pipeline fills it in.
pub fn is_placeholder(value: &str) -> bool {
    if super::reference::is_reference(value) {
        return false;
    }
    let lower = value.trim().to_ascii_lowercase();
    is_known_test_value(value)
        || has_filler(&lower)
        || is_bracketed(&lower)
        || is_stopword(&lower)
        || PLACEHOLDER_WORDS.contains(&lower.as_str())
}

fn is_known_test_value(s: &str) -> bool {
    published_examples()
        .iter()
        .any(|k| s.contains(k.value.as_str()))
}

/// Filler substrings, or a short mask (`xxx`, `XXX`, `***`) that the substrings miss.
fn has_filler(lower: &str) -> bool {
    FILLER_PARTS.iter().any(|p| lower.contains(p))
        || (lower.trim().chars().count() >= 3
            && lower.trim().chars().all(|c| matches!(c, 'x' | '*' | '•')))
}

/// Base64 whose decoding is a sentence of documentation filler (`ZXhhbXBsZSBrZXk=`, "example
/// key"): an example someone encoded so that it would look like a key. A real secret decodes to
/// random bytes or to structured data; a decoded `user:password` pair is left to the Basic-auth
/// checks, which judge its password part.
fn is_encoded_filler(secret: &str) -> bool {
    let t = secret.trim();
    if t.len() < 16
        || !t
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return false;
    }
    let Some(text) = super::base64::decode(t) else {
        return false;
    };
    text.len() >= 12
        && text.iter().all(|&b| (0x20..0x7f).contains(&b))
        && !text.contains(&b':')
        && has_filler(&String::from_utf8_lossy(&text).to_ascii_lowercase())
}

/// Whether a value carries a sandbox or test marker (`…_test_…`, `…_sandbox_…`, `sbx_…`,
/// `sdbx`): providers mark their sandbox credentials this way, and a heuristic rule with no
/// format to check should not block a release on one. Provider rules decide themselves (a
/// Stripe `sk_test_` rule may well want to report).
pub fn has_sandbox_marker(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["_test_", "-test-", "_sandbox_", "-sandbox-", "sdbx"]
        .iter()
        .any(|m| lower.contains(m))
        || ["sbx_", "sbx-", "test_", "sandbox_", "sandbox-"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// A template field inside a value: a format field `{name}`, `{0}`, `{user.pw:>8}` (Python,
/// C#, Rust) or an angle-bracket stand-in `<environment>` (the syntaxes with an opener of
/// their own, `${`, `%{`, `<%`, are [`TEMPLATE_PARTS`]). The value is built from parts at run
/// time or still waits for its text; a generated password whose symbols happen to include
/// braces (`Kx9{mP2]qL7`) has no such well-formed field.
fn has_template_field(t: &str) -> bool {
    let field = |open: char, close: char, allow: &dyn Fn(char) -> bool| {
        t.match_indices(open).any(|(i, _)| {
            let rest = &t[i + 1..];
            rest.find(close).is_some_and(|end| {
                let inner = &rest[..end];
                !inner.is_empty() && inner.len() <= 48 && inner.chars().all(allow)
            })
        })
    };
    let name_or_spec =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '>' | '<' | '^');
    let words = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.');
    field('{', '}', &name_or_spec) || field('<', '>', &words)
}

/// `<token>`, `[password]`.
fn is_bracketed(t: &str) -> bool {
    (t.starts_with('<') && t.ends_with('>')) || (t.starts_with('[') && t.ends_with(']'))
}

fn is_stopword(lower: &str) -> bool {
    // Letters and digits only (`Password:`), or leetspeak of a stopword (`p@ssw0rd`).
    is_stopword_word(&fold_leetspeak(lower))
}

/// `self.password`, `config.db.password`, `Settings.DbPassword`: dotted identifiers without
/// digits are attribute accesses, not secrets.
fn is_code_reference(lower: &str) -> bool {
    // A call or an index at the end (`config.get_password()`, `settings.secrets[0]`) and the
    // other member operators (`->`, `::`, `?.`, `!.`) are still a reference.
    let t = lower
        .trim_end_matches(';')
        .trim_end_matches("()")
        .replace("->", ".")
        .replace("::", ".")
        .replace("?.", ".")
        .replace("!.", ".");
    let t = match t.find('[') {
        Some(i) if t.ends_with(']') => t[..i].to_string(),
        _ => t,
    };
    let mut parts = 0;
    for seg in t.split('.') {
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

/// `my-app-credentials`, `open_sesame`, `cms/sites/edit`, `CLIENT_TRAFFIC_SECRET`,
/// `TLS13_AES_128_GCM_SHA256`: words of one case joined by `-`, `_`, `.` or `/` are names,
/// constants and paths.
fn is_identifier_words(s: &str) -> bool {
    if is_camel_case_words(s) || is_qualified_type_name(s) {
        return true;
    }
    // In a path, `#fragment` and `:param` parts are names too (`cms/sites/passwords#edit`).
    let words: Vec<&str> = if s.contains('/') {
        s.split(['-', '_', '.', '/', '#', ':']).collect()
    } else {
        s.split(['-', '_', '.']).collect()
    };
    let all = |f: fn(&u8) -> bool| {
        words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|c| f(&c)))
    };
    // Constants carry numbers (`TLS13_CHACHA20_POLY1305_SHA256`, `AES_128_GCM`): each word is
    // letters then digits, or a number, and two or more have letters. The segments of a random
    // token interleave them (`X7K2_9QPL`).
    let upper_with_digits = || {
        let shape = |w: &&str| {
            let letters = w.bytes().take_while(u8::is_ascii_uppercase).count();
            !w.is_empty() && w.bytes().skip(letters).all(|c| c.is_ascii_digit())
        };
        words.iter().all(shape)
            && words
                .iter()
                .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                .count()
                >= 2
    };
    words.len() >= 2 && (all(u8::is_ascii_lowercase) || upper_with_digits())
}

/// `Passwort`, `Contraseña`, `Wachtwoord`, `パスワード`: 2 to 32 letters (any script), the first
/// capitalised and no other, or none cased at all. Form labels and their translations in locale
/// files (`password: Passwort`, `<string name="password">Contraseña</string>`) have this shape;
/// generated and chosen passwords almost never do (they mix case, digits or symbols, or are
/// lowercase phrases such as `open_sesame`, which stay candidates).
fn is_label_word(s: &str) -> bool {
    let count = s.chars().count();
    if !(2..=32).contains(&count) || !s.chars().all(char::is_alphabetic) {
        return false;
    }
    let mut chars = s.chars();
    let first_capital =
        chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase());
    first_capital || s.chars().all(|c| !c.is_uppercase() && !c.is_lowercase())
}

/// `xsd:AgencyIdentificationCodeContentType`, `clm5:CodeType`: an XML qualified name, a short
/// lowercase namespace prefix (letters, then letters or digits) and a camel-case local name.
fn is_qualified_type_name(s: &str) -> bool {
    s.split_once(':').is_some_and(|(prefix, local)| {
        (1..=16).contains(&prefix.len())
            && prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && is_camel_case_words(local)
    })
}

/// `SecondsPerRetainedAudioEvent`: letters only, three or more capitalised words.
fn is_camel_case_words(s: &str) -> bool {
    s.len() >= 12
        && s.bytes().all(|b| b.is_ascii_alphabetic())
        && s.bytes().filter(u8::is_ascii_uppercase).count() >= 3
        && s.as_bytes()
            .windows(2)
            .all(|w| !(w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()))
}

fn is_identifier(s: &str) -> bool {
    let s = s.trim_start_matches('{').trim_end_matches('}');
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `1.2.840.113549.1.9.7`, `10.0.3.7`, `2.5.8`: object identifiers, addresses and versions.
fn is_dotted_number(t: &str) -> bool {
    t.matches('.').count() >= 2 && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Repeated or sequential characters: a value of at most two distinct characters, or one whose
/// runs of a repeated character or of ascending/descending letters or digits (`0000`, `1234`,
/// `abcd`, each 4+ long) cover more than half of it.
///
/// Only coverage counts: a real key's random body may hold `0123456` somewhere, and a check on
/// any run of 7 used to drop it; a value that is mostly runs (`12345678`, `AKIA0000000000000000`,
/// `NRAK-12345678ABCDEFGHIJKLMNOPQR`) is a stand-in.
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
    // Mark every byte inside a run of 4+ (same, up or down); count the marked bytes.
    const MIN_RUN: usize = 4;
    let mut covered = vec![false; len];
    for kind in 0..3u8 {
        let mut start = 0;
        for i in 1..=len {
            let continues = i < len && {
                let (a, b) = (s[i - 1], s[i]);
                let alnum = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
                match kind {
                    0 => a == b,
                    1 => alnum && b == a.wrapping_add(1),
                    _ => alnum && a == b.wrapping_add(1),
                }
            };
            if !continues {
                if i - start >= MIN_RUN {
                    covered[start..i].iter_mut().for_each(|c| *c = true);
                }
                start = i;
            }
        }
    }
    let n = covered.iter().filter(|&&c| c).count();
    n * 2 > len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pairs_password_is_judged_alike_everywhere() {
        // Inside a pair, dotted words, identifier words and a capitalised word are passwords.
        for pw in ["correct.horse.battery", "open_sesame", "Sommerwind"] {
            assert_eq!(password_reason(pw), None, "{pw}");
            assert_eq!(placeholder_reason(&format!("ci:{pw}")), None, "{pw}");
        }
        for pw in ["changeme", "${DB_PASSWORD}", "xxxxxxxx", "password"] {
            assert!(password_reason(pw).is_some(), "{pw}");
            assert_eq!(
                placeholder_reason(&format!("ci:{pw}")),
                password_reason(pw),
                "{pw}"
            );
        }
    }

    #[test]
    fn placeholders_are_rejected() {
        for p in [
            "xxxxxxxxxxxxxxxxxxxx",
            "xxx",
            "<token>",
            "${GH_TOKEN}",
            "$GH_TOKEN",
            "{{ api_key }}",
            "%s",
            "changeme",
            "replace-me",
            "your_api_key_here",
            "REDACTED",
            "***",
            "&lt;YOURPASSWORD&gt;",
            "%(password)s",
            "@env:AC_PASSWORD",
            "{encoded_password}",
            "fakesecret",
            "my-fake-token-123",
            "53d49dnotakeyata9bac57a3d86c517ded974b19",
            "prefix-{password}",
            "tr0ub4dor-{0}",
            "pw-<environment>-01",
            "abc-%{db_pass}",
        ] {
            assert_eq!(placeholder_reason(p), Some(Rejection::Placeholder), "{p}");
        }
        assert_eq!(placeholder_reason("Password:"), Some(Rejection::Stopword));
        // A weak password, not a placeholder, inside a connection string.
        assert_eq!(placeholder_reason("secret"), None);
        assert_eq!(placeholder_reason("null"), Some(Rejection::Stopword));
        // Leetspeak of a stopword.
        for p in ["p@ssw0rd", "P4ssw0rd!", "t0k3n"] {
            assert_eq!(placeholder_reason(p), Some(Rejection::Stopword), "{p}");
        }
        // A weak password is not a placeholder.
        assert_eq!(placeholder_reason("super$ecret"), None);
        // Generated passwords with brackets and braces but no well-formed template field.
        for p in ["Kx9{mP2]qL7<w", "a}b{c9Z!x<<", "Qz7>rT{m2v"] {
            assert_eq!(placeholder_reason(p), None, "{p}");
        }
        assert_eq!(
            placeholder_reason("AKIAIOSFODNN7EXAMPLE"),
            Some(Rejection::KnownTestValue)
        );
        for c in ["self.password", "Config.DbPassword", "arn:aws:iam::1:x"] {
            assert_eq!(placeholder_reason(c), Some(Rejection::CodeReference), "{c}");
        }
        for c in [
            "my-app-credentials",
            "open_sesame",
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "TLS13_CHACHA20_POLY1305_SHA256_INTERNAL",
            "AES_128_GCM",
        ] {
            assert_eq!(
                placeholder_reason(c),
                Some(Rejection::IdentifierWords),
                "{c}"
            );
        }
        // Base64 of an example phrase is filler; of random bytes or a Basic pair it is not.
        assert_eq!(
            placeholder_reason("Ym9va21hcmsgZXhhbXBsZSBpbnN0YWJvdCBrZXkgMDE="),
            Some(Rejection::Placeholder)
        );
        for v in [
            "q8W3nB7vL2kX9mZ4pR6tY1sDk2Lm",
            "YWRtaW5AZXhhbXBsZS5jb206UzNjcjN0IQ==",
        ] {
            assert_ne!(placeholder_reason(v), Some(Rejection::Placeholder), "{v}");
        }
        // Random segments interleave letters and digits; one lettered word is not a name.
        for t in ["X7K2_9QPL_M3ZT", "AB12_3456", "Q8W3NB7VL2KX_9MZ4PR6TY1SD"] {
            assert_ne!(
                placeholder_reason(t),
                Some(Rejection::IdentifierWords),
                "{t}"
            );
        }
        // Form labels and their translations; lowercase phrases and mixed values stay.
        for l in [
            "Passwort",
            "Contraseña",
            "Wachtwoord",
            "Lösenord",
            "パスワード",
            "Пароль",
        ] {
            assert_eq!(placeholder_reason(l), Some(Rejection::LabelWord), "{l}");
            assert!(is_stand_in(Rejection::LabelWord, l), "{l}");
        }
        for v in [
            "goodspec",
            "Welcome1",
            "WhiteDuke",
            "PASSWORT",
            "Mot de passe",
            "X",
        ] {
            assert_ne!(placeholder_reason(v), Some(Rejection::LabelWord), "{v}");
        }
        // In a `user:password` pair the capitalised word is the password.
        assert_eq!(placeholder_reason("admin:Welcome"), None);
        assert_eq!(placeholder_reason("db.Xk9vQ2mLp7zR"), None);
        assert_eq!(
            placeholder_reason("SecondsPerRetainedAudioEvent"),
            Some(Rejection::IdentifierWords)
        );
        assert_eq!(
            placeholder_reason("clm49484:AgencyIdentificationCodeContentType"),
            Some(Rejection::IdentifierWords)
        );
        assert_eq!(
            placeholder_reason("clm49484:AgencyIdeNTificat1onCode"),
            None
        );
        assert_eq!(
            placeholder_reason("1.2.840.113549.1.9.7"),
            Some(Rejection::Pattern)
        );
        // Mixed case with digits, or capitals in a row, is no identifier.
        assert_eq!(placeholder_reason("tu2iXW7GboIRoL"), None);
        assert_eq!(placeholder_reason("BkDaUqGWlGgOtOhbV"), None);
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

    #[test]
    fn stand_in_bodies_are_told_from_no_value() {
        let stand_in = |v: &str| placeholder_reason(v).is_some_and(|r| is_stand_in(r, v));
        // Must be stand-ins: a value a format or structure rule reports at low severity.
        for v in [
            "A3T0ABCDEFGHIJKLMNOP",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "NRAK-123456788ABCDEFGHIJKLMNOPQR",
            "00-aaaaaaaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaa",
            "password",
            "PASSWORD",
            "p@ssw0rd",
            "guest",
            "user:password",
        ] {
            assert!(stand_in(v), "{v}");
        }
        // Must not be: templates, references, masks and fill, documentation words, words
        // that are no credential, code, versions, published examples.
        for v in [
            "${GH_TOKEN}",
            "$Password",
            "%nothing%",
            "<token>",
            "{{ api_key }}",
            "xoxb-0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
            "tvly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AKIAXXXXXXXXXXXXXXXX",
            "AKIA0000000000000000",
            "00000000-0000-0000-0000-000000000000:fx",
            "***",
            "user:*****",
            "your_meili_api_key_here",
            "changeme",
            "00DE0X0A0M0PeLE!AQcAQH0dMHEXAMPLEzmpkb58",
            "function",
            "null",
            "self.password",
            "1.2.840.113549.1.9.7",
            "AKIAIOSFODNN7EXAMPLE",
            "open_sesame",
        ] {
            assert!(!stand_in(v), "{v}");
        }
    }

    #[test]
    fn whole_value_placeholders_exclude_templates_and_names() {
        for p in [
            "changeme",
            "CHANGE-ME",
            "password",
            "secret",
            "TODO",
            "none",
            "xxx",
            "XXXX",
            "***",
            "<db-password>",
            "your_token_here",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in [
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            // Pipeline tokens whose names are stopwords are references, not stand-ins.
            "__API_KEY__",
            "#{Password}#",
            "${PASSWORD}",
            "my-app-credentials",
            "Zx9vQ2mL7pR4",
            "",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }
}
