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
    "requirehttpsmetadata",
    "usehttpsredirection",
    "trustservercertificatedisabled",
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
    "detailederrors",
    "developerexceptionpage",
    "trustservercertificate",
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

/// The value of parameter `name` (case-insensitive) of a `k=v;k=v` connection string.
fn conn_param<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// If production is less hardened than UAT at this key, a short description of how.
pub fn regression(key_path: &str, uat: &Value, prod: &Value) -> Option<String> {
    let joined: String = key_words(key_path).concat();
    // `/redis/ssl/enabled` is `sslenabled`: the switch's name spans the last two segments.
    let two: String = key_path
        .rsplit('/')
        .nth(1)
        .map(|p| format!("{}{joined}", key_words(&format!("/{p}")).concat()))
        .unwrap_or_default();
    let lookup = |j: &str| {
        if HARDENED_TRUE.contains(&j) {
            Some(true)
        } else if HARDENED_FALSE.contains(&j) {
            Some(false)
        } else {
            None
        }
    };
    let hardened = lookup(&joined).or_else(|| lookup(&two));
    if let Some(h) = hardened {
        let (u, p) = (truthy(uat)?, truthy(prod)?);
        return (u == h && p != h)
            .then(|| format!("`{u}` in UAT (hardened) but `{p}` in production"));
    }
    if let (Value::String(u), Value::String(p)) = (uat, prod) {
        // SQL Server connection strings: `Encrypt=True` in UAT, `Encrypt=False` in production.
        if let (Some(eu), Some(ep)) = (conn_param(u, "encrypt"), conn_param(p, "encrypt")) {
            let (tu, tp) = (
                truthy(&Value::String(eu.into())),
                truthy(&Value::String(ep.into())),
            );
            let strict =
                |v: &str| v.eq_ignore_ascii_case("strict") || v.eq_ignore_ascii_case("mandatory");
            let on = |v: &str, t: Option<bool>| t == Some(true) || strict(v);
            if on(eu, tu) && !on(ep, tp) {
                return Some(format!(
                    "`Encrypt={eu}` in UAT but `Encrypt={ep}` in production"
                ));
            }
        }
        // `sslmode`, `DB_SSLMODE`, `database.sslmode`: the value itself is the mode.
        let mode_key = key_words(key_path).last().is_some_and(|w| w == "sslmode");
        let (u, p) = if mode_key {
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
    fn switches_spanning_segments_and_connection_strings() {
        let b = Value::Bool;
        let s = |t: &str| Value::String(t.into());
        assert!(regression("/spring/redis/ssl/enabled", &b(true), &b(false)).is_some());
        assert!(regression("/kafka/tls/enabled", &b(true), &b(false)).is_some());
        assert!(regression("/Authentication/RequireHttpsMetadata", &b(true), &b(false)).is_some());
        assert!(regression("/DetailedErrors", &b(false), &b(true)).is_some());
        assert!(regression("/DetailedErrors", &b(true), &b(false)).is_none());
        let u = s("Server=sql-stg;Database=shop;Encrypt=True;User Id=app");
        let p = s("Server=sql-prd;Database=shop;Encrypt=False;User Id=app");
        assert!(regression("/ConnectionStrings/Shop", &u, &p)
            .is_some_and(|m| m.contains("Encrypt=False")));
        assert!(regression("/ConnectionStrings/Shop", &p, &u).is_none());
    }

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
        assert!(regression(
            "/services/api/environment/DB_SSLMODE",
            &Value::String("verify-full".into()),
            &Value::String("disable".into())
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
