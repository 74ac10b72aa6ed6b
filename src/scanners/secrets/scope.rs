//! What the secrets scanner reads besides the rules' texts: files it must skip (stagegate's own
//! baseline and reports) and files that are credentials by their name alone.
//!
//! Skipping our own outputs matters because a baseline or a SARIF report lists every finding
//! (redacted, fingerprinted): scanning them again makes `stagegate baseline` followed by
//! `stagegate scan --baseline` fail on the baseline itself. Credential files by name matter
//! because a PKCS#12 bundle is binary (never read as text) and an `.npmrc` or `.pypirc` holds
//! a password in a shape no provider prefix identifies.

use crate::finding::{Finding, Location, RuleMeta, Severity};
use crate::paths::BASELINE_FILE_NAME;

/// How many leading bytes identify a stagegate report or baseline.
const HEAD: usize = 4096;

/// Whether `content` (its first bytes suffice) is a file stagegate wrote: a baseline, or a
/// JSON, SARIF, GitLab SAST or JUnit report. Text and Markdown reports hold only redacted
/// values and are scanned like any file.
pub fn is_own_output(path: &str, content: &[u8]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == BASELINE_FILE_NAME {
        return true;
    }
    let head = &content[..content.len().min(HEAD)];
    let has = |s: &str| memchr::memmem::find(head, s.as_bytes()).is_some();
    // Only JSON and XML files can be ours: most files are rejected on their first byte.
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {
            has("\"stagegate-report\"")
                || has("\"stagegate-baseline\"")
                || (has("sarif") && has("\"name\": \"stagegate\""))
                || (has("\"vendor\"") && has("\"id\": \"stagegate\""))
        }
        Some(b'<') => has("<testsuites name=\"stagegate\""),
        _ => false,
    }
}

/// Finds the 1-based line of an auth entry in a config file's content.
type EntryFinder = fn(&[u8]) -> Option<u32>;

/// A rule that fires on a file's name (and, for config files, on an auth entry in it).
struct PathRule {
    id: &'static str,
    name: &'static str,
    severity: Severity,
    description: &'static str,
    /// Whether `file_name` (lowercase) is such a file.
    by_name: fn(&str) -> bool,
    /// For config files: the 1-based line of an auth entry, or `None` when it has none.
    /// `None` here means the name alone is enough.
    entry: Option<EntryFinder>,
}

const PATH_RULES: &[PathRule] = &[
    PathRule {
        id: "pkcs12-file",
        name: "PKCS#12 key store",
        severity: Severity::High,
        description: "A PKCS#12 file (`.p12`, `.pfx`) bundles a private key with its certificate, usually protected by a short or empty password that is easy to brute-force. Revoke the certificate, issue a new key pair, and keep key stores in a secret store.",
        by_name: |n| n.ends_with(".p12") || n.ends_with(".pfx"),
        entry: None,
    },
    PathRule {
        id: "ssh-private-key-file",
        name: "SSH private key file",
        severity: Severity::High,
        description: "A file named like an SSH private key (`id_rsa`, `id_ecdsa`, `id_ed25519`, `id_dsa`). Whoever has it can log in wherever its public key is authorized: remove the public key from every `authorized_keys` and generate a new pair.",
        by_name: |n| matches!(n, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"),
        entry: None,
    },
    PathRule {
        id: "npmrc-auth",
        name: "npm registry credential in .npmrc",
        severity: Severity::High,
        description: "An `.npmrc` with an `_authToken`, `_auth` or `_password` entry: a registry credential that can publish packages. Revoke it at the registry and inject it in CI from a secret (`${NPM_TOKEN}`).",
        by_name: |n| n == ".npmrc",
        entry: Some(npmrc_auth_line),
    },
    PathRule {
        id: "pypirc-password",
        name: "Package index password in .pypirc",
        severity: Severity::High,
        description: "A `.pypirc` with a `password` entry: an upload credential for PyPI or a private index. Revoke the token at the index and use a keyring or CI secret instead.",
        by_name: |n| n == ".pypirc",
        entry: Some(pypirc_password_line),
    },
    PathRule {
        id: "gcp-service-account-file",
        name: "Google Cloud service-account key file",
        severity: Severity::Critical,
        description: "A service-account key file (`\"type\": \"service_account\"` with a `private_key`): it authenticates as the service account with all of its roles. Delete the key in IAM and use workload identity or a secret store.",
        by_name: |n| n.ends_with(".json"),
        entry: Some(service_account_line),
    },
];

/// A value that is set and is not a variable reference (`${NPM_TOKEN}`, `$TOKEN`).
fn literal_value(v: &str) -> bool {
    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
    !v.is_empty() && !v.starts_with('$') && !v.contains("${")
}

fn lines(content: &[u8]) -> impl Iterator<Item = (u32, String)> + '_ {
    content.split(|&b| b == b'\n').enumerate().map(|(i, l)| {
        (
            u32::try_from(i + 1).unwrap_or(u32::MAX),
            String::from_utf8_lossy(l).into_owned(),
        )
    })
}

fn npmrc_auth_line(content: &[u8]) -> Option<u32> {
    lines(content).find_map(|(n, l)| {
        let l = l.trim();
        if l.starts_with('#') || l.starts_with(';') {
            return None;
        }
        let (key, value) = l.split_once('=')?;
        let key = key.trim();
        let is_auth = ["_authToken", "_auth", "_password"]
            .iter()
            .any(|k| key == *k || key.ends_with(&format!(":{k}")));
        (is_auth && literal_value(value)).then_some(n)
    })
}

fn pypirc_password_line(content: &[u8]) -> Option<u32> {
    lines(content).find_map(|(n, l)| {
        let l = l.trim();
        let (key, value) = l.split_once(['=', ':'])?;
        (key.trim().eq_ignore_ascii_case("password") && literal_value(value)).then_some(n)
    })
}

fn service_account_line(content: &[u8]) -> Option<u32> {
    let head = &content[..content.len().min(64 * 1024)];
    let has = |s: &str| memchr::memmem::find(head, s.as_bytes());
    let sa = has("\"service_account\"")?;
    has("\"type\"")?;
    has("\"private_key\"")?;
    let line = head[..sa].iter().filter(|&&b| b == b'\n').count() + 1;
    u32::try_from(line).ok()
}

/// Findings of the path rules for the file at `path` with `content` (`None`: not read, e.g.
/// binary). A config-file rule needs the auth entry in the content.
pub fn path_findings(path: &str, content: Option<&[u8]>) -> Vec<Finding> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let mut out = Vec::new();
    for rule in PATH_RULES {
        if !(rule.by_name)(&name) {
            continue;
        }
        let line = match (rule.entry, content) {
            (None, _) => 1,
            (Some(f), Some(c)) => match f(c) {
                Some(l) => l,
                None => continue,
            },
            (Some(_), None) => continue,
        };
        let qualified = format!("secret/{}", rule.id);
        let message = format!(
            "{} `{name}` is committed: a credential by its name and shape; revoke or rotate it, then remove the file and keep it in a secret store",
            rule.name
        );
        // The identity is the file itself: one finding per file however it changes.
        out.push(
            Finding::new(
                qualified,
                rule.severity,
                message,
                Location::line(path.to_string(), line),
                &format!("path:{path}"),
            )
            .with_property("path_rule", true),
        );
    }
    out
}

/// `findings` of a file's content, completed by the path rules when the content rules found
/// nothing (a key file the private-key rule already reports is not reported twice).
pub fn with_path_rules(
    path: &str,
    content: Option<&[u8]>,
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    if findings.is_empty() {
        findings = path_findings(path, content);
    }
    findings
}

/// Whether a path rule for a file at `path` reads its content (an `.npmrc`, `.pypirc` or JSON
/// file). The history scan decodes blobs before it knows their paths, and keeps only this much
/// of a blob the rules found nothing in: see [`may_have_entry`].
pub fn name_needs_content(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    PATH_RULES
        .iter()
        .any(|r| r.entry.is_some() && (r.by_name)(&name))
}

/// `false` only when no path rule's entry finder can find anything in `content` (each needs a
/// `password` key, an `_auth…`/`_password` key or a `"service_account"` near the start): then
/// `path_findings(path, None)` equals `path_findings(path, Some(content))` whatever the path.
/// A few `memchr` passes, since it runs on every blob of a history.
pub fn may_have_entry(content: &[u8]) -> bool {
    use memchr::memmem;
    let head = &content[..content.len().min(64 * 1024)];
    memmem::find(content, b"_auth").is_some()
        || memmem::find(content, b"_password").is_some()
        || memmem::find(head, b"\"service_account\"").is_some()
        // `password` in any case, found by its rarer `w`.
        || memchr::memchr2_iter(b'w', b'W', content).any(|i| {
            i >= 5
                && content
                    .get(i - 5..i + 3)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"password"))
        })
}

/// SARIF/explain metadata of the path rule `qualified_id` (`secret/npmrc-auth`), if it is one.
pub fn path_rule_meta(qualified_id: &str) -> Option<RuleMeta> {
    let id = qualified_id.strip_prefix("secret/")?;
    let rule = PATH_RULES.iter().find(|r| r.id == id)?;
    let pascal: String = id
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let mut m = RuleMeta::new(
        qualified_id.to_string(),
        pascal,
        rule.name.to_string(),
        rule.severity,
    );
    m.full_description = rule.description.to_string();
    m.help_markdown = format!("**{}** — {}", rule.name, rule.description);
    m.tags = vec![
        "security".to_string(),
        "secret".to_string(),
        "external/cwe/cwe-798".to_string(),
    ];
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_outputs_are_recognised() {
        assert!(is_own_output(".stagegate-baseline.json", b"anything"));
        assert!(is_own_output(
            "out/r.json",
            b"{\n  \"format\": \"stagegate-report\",\n  \"version\": 1"
        ));
        assert!(is_own_output(
            "r.sarif",
            b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [{\"tool\": {\"driver\": {\"name\": \"stagegate\""
        ));
        assert!(!is_own_output("package.json", b"{\"name\": \"stagegate\"}"));
        assert!(!is_own_output("notes.md", b"the stagegate-report format"));
    }

    #[test]
    fn credential_files_by_name_and_entry() {
        let ids = |p: &str, c: Option<&[u8]>| -> Vec<String> {
            path_findings(p, c).into_iter().map(|f| f.rule_id).collect()
        };
        assert_eq!(ids("certs/Prod.PFX", None), ["secret/pkcs12-file"]);
        assert_eq!(
            ids("home/.ssh/id_ed25519", Some(b"x")),
            ["secret/ssh-private-key-file"]
        );
        assert!(ids("home/.ssh/id_ed25519.pub", Some(b"x")).is_empty());
        let npmrc = b"registry=https://r.example/\n//r.example/:_authToken=Zx81kQ0pL2\n";
        let f = path_findings(".npmrc", Some(npmrc));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.start_line, 2);
        assert!(ids(".npmrc", Some(b"//r/:_authToken=${NPM_TOKEN}\n")).is_empty());
        assert!(ids(".npmrc", None).is_empty());
        assert_eq!(
            ids(
                ".pypirc",
                Some(b"[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n")
            ),
            ["secret/pypirc-password"]
        );
        let sa = b"{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN\"\n}";
        assert_eq!(
            ids("keys/credentials.json", Some(sa)),
            ["secret/gcp-service-account-file"]
        );
        assert!(ids("package.json", Some(b"{\"type\": \"module\"}")).is_empty());
        assert!(path_rule_meta("secret/npmrc-auth").is_some());
        assert!(path_rule_meta("secret/aws-access-key").is_none());
    }
}
