//! `drift/security-regression`: security switches whose hardened value is known, so "hardened
//! in UAT, not in production" is a security regression rather than ordinary value drift.

use super::keys::key_words;
use super::model::Value;

/// Keys (words of the last segment, joined) whose hardened value is `true`.
const HARDENED_TRUE: &[&str] = &[
    "runasnonroot",
    "readonlyrootfilesystem",
    "verify",
    "sslverify",
    "tlsverify",
    "verifyssl",
    "verifytls",
    "verifycert",
    "verifycerts",
    "verifycertificate",
    "verifycertificates",
    "sslenabled",
    "tlsenabled",
    "requiressl",
    "requiretls",
    "forcessl",
    "forcehttps",
    "securecookies",
    "cookiesecure",
    "sessioncookiesecure",
    "httponly",
    "csrfenabled",
    "csrfprotection",
    "hstsenabled",
    "authenabled",
    "authenticationenabled",
    "encrypt",
    "encrypted",
    "encryptionenabled",
    "storageencrypted",
    "deletionprotection",
    "automountserviceaccounttokendisabled",
];

/// Keys whose hardened value is `false`.
const HARDENED_FALSE: &[&str] = &[
    "debug",
    "debugmode",
    "appdebug",
    "flaskdebug",
    "djangodebug",
    "insecureskipverify",
    "skiptlsverify",
    "skipverify",
    "tlsinsecure",
    "insecure",
    "allowinsecure",
    "allowprivilegeescalation",
    "privileged",
    "hostnetwork",
    "hostpid",
    "hostipc",
    "disablessl",
    "disabletls",
    "devmode",
    "allowanonymous",
    "anonymousaccess",
    "publiclyaccessible",
    "automountserviceaccounttoken",
];

/// A boolean as configs spell it: `true`, `"yes"`, `"on"`, `"1"`…
pub fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Int(1) => Some(true),
        Value::Int(0) => Some(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "enabled" => Some(true),
            "false" | "no" | "off" | "0" | "disabled" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Rank of a PostgreSQL `sslmode` (higher is stricter).
fn sslmode_rank(s: &str) -> Option<u8> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "disable" => 0,
        "allow" => 1,
        "prefer" => 2,
        "require" => 3,
        "verify-ca" => 4,
        "verify-full" => 5,
        _ => return None,
    })
}

/// The `sslmode=` parameter of a connection string.
fn sslmode_param(s: &str) -> Option<&str> {
    let i = s.find("sslmode=")?;
    s[i + 8..].split(['&', ' ', ';']).next()
}

/// If production is less hardened than UAT at this key, a short description of how.
pub fn regression(key_path: &str, uat: &Value, prod: &Value) -> Option<String> {
    let joined: String = key_words(key_path).concat();
    let hardened = if HARDENED_TRUE.contains(&joined.as_str()) {
        Some(true)
    } else if HARDENED_FALSE.contains(&joined.as_str()) {
        Some(false)
    } else {
        None
    };
    if let Some(h) = hardened {
        let (u, p) = (truthy(uat)?, truthy(prod)?);
        return (u == h && p != h)
            .then(|| format!("`{u}` in UAT (hardened) but `{p}` in production"));
    }
    if let (Value::String(u), Value::String(p)) = (uat, prod) {
        let (u, p) = if joined == "sslmode" {
            (u.as_str(), p.as_str())
        } else {
            (sslmode_param(u)?, sslmode_param(p)?)
        };
        let (ru, rp) = (sslmode_rank(u)?, sslmode_rank(p)?);
        return (rp < ru).then(|| format!("sslmode `{u}` in UAT but `{p}` in production"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_regressions() {
        let b = Value::Bool;
        assert!(regression("/x/securityContext/runAsNonRoot", &b(true), &b(false)).is_some());
        assert!(regression(
            "/x/securityContext/readOnlyRootFilesystem",
            &b(true),
            &b(false)
        )
        .is_some());
        assert!(regression(
            "/DEBUG",
            &Value::String("false".into()),
            &Value::String("true".into())
        )
        .is_some());
        assert!(regression("/tls/insecureSkipVerify", &b(false), &b(true)).is_some());
        assert!(regression(
            "/DATABASE_URL",
            &Value::String("postgres://h/db?sslmode=require".into()),
            &Value::String("postgres://h/db?sslmode=disable".into())
        )
        .is_some());
        assert!(
            regression(
                "/PGSSLMODE",
                &Value::String("verify-full".into()),
                &Value::String("prefer".into())
            )
            .is_none(),
            "key not sslmode"
        );
        assert!(regression(
            "/sslmode",
            &Value::String("verify-full".into()),
            &Value::String("prefer".into())
        )
        .is_some());
    }

    #[test]
    fn hardening_in_prod_is_fine() {
        let b = Value::Bool;
        assert!(regression("/runAsNonRoot", &b(false), &b(true)).is_none());
        assert!(regression("/DEBUG", &b(true), &b(false)).is_none());
        assert!(regression("/replicas", &b(true), &b(false)).is_none());
        assert!(regression(
            "/sslmode",
            &Value::String("disable".into()),
            &Value::String("require".into())
        )
        .is_none());
    }
}
