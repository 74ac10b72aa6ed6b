//! Showing drift values without leaking them.
//!
//! Every value that reaches a message or a property goes through [`show`]: values that are
//! credentials by name or by shape ([`crate::classify`]) become `sha256:1f2e…`
//! ([`crate::redact::short_hash`]) so a reader still sees that two of them differ, and never
//! sees either.

use crate::classify::{is_credential_key, is_reference, looks_like_credential};
use crate::redact::short_hash;

use super::model::Value;

/// Longest value shown in clear; longer ones are cut with `…`.
pub const MAX_SHOWN: usize = 80;

/// Whether a value has a credential's shape whatever its key, with the token prefixes of the
/// built-in secret rules.
pub fn looks_secret_value(v: &str) -> bool {
    looks_like_credential(v, crate::scanners::secrets::token_prefixes())
}

/// Whether the value at `key` must never be shown in clear.
pub fn is_sensitive(key: &str, value: &Value) -> bool {
    match value {
        Value::String(s) => {
            (is_credential_key(key) && !s.is_empty() && !is_reference(s)) || looks_secret_value(s)
        }
        Value::Int(_) | Value::Float(_) => is_credential_key(key),
        _ => false,
    }
}

/// The value as a reader may see it: strings quoted (so `"3000"` and `3000` differ visibly),
/// secrets as `sha256:…`, long values cut.
pub fn show(key: &str, value: &Value) -> String {
    if is_sensitive(key, value) {
        let text = value.as_text().unwrap_or_default();
        return short_hash(&text);
    }
    match value {
        Value::String(s) => {
            let cut: String = s.chars().take(MAX_SHOWN).collect();
            let ell = if s.chars().count() > MAX_SHOWN {
                "…"
            } else {
                ""
            };
            format!("\"{}{ell}\"", cut.escape_debug())
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_masks_and_quotes() {
        let s = Value::String("Zx9vQ2mL7pR4tY8wK3nB6cF1".into());
        let shown = show("/NOT_A_NAME", &s);
        assert!(shown.starts_with("sha256:"), "{shown}");
        let pw = Value::String("hunter2".into());
        assert!(show("/DB_PASSWORD", &pw).starts_with("sha256:"));
        assert_ne!(
            show("/DB_PASSWORD", &pw),
            show("/DB_PASSWORD", &Value::String("hunter3".into()))
        );
        assert_eq!(show("/PORT", &Value::String("3000".into())), "\"3000\"");
        assert_eq!(show("/PORT", &Value::Int(3000)), "3000");
        let long = Value::String("a".repeat(200));
        assert!(show("/x", &long).ends_with("…\""));
    }

    #[test]
    fn provider_tokens_are_masked_under_any_name() {
        let tok = Value::String("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789".into());
        assert!(show("/integrations/upstream", &tok).starts_with("sha256:"));
        let glpat = Value::String("glpat-Xk9vQ2mLp7zR4tY8wK3n".into());
        assert!(show("/notes", &glpat).starts_with("sha256:"));
    }

    #[test]
    fn named_list_entries_take_their_name() {
        let shown = show(
            "/env/name=API_TOKEN/value",
            &Value::String("hunter2hunter2".into()),
        );
        assert!(shown.starts_with("sha256:"), "{shown}");
        // A reference under a credential name is shown as it is.
        assert_eq!(
            show("/DB_PASSWORD", &Value::String("${DB_PASSWORD}".into())),
            "\"${DB_PASSWORD}\""
        );
    }

    #[test]
    fn connection_strings_and_referenced_url_passwords() {
        // A connection string's password is masked whatever the key is called.
        let conn = Value::String("Server=sql.acme.io;Database=shop;Pwd=pw1".into());
        assert!(show("/ConnectionStrings/Shop", &conn).starts_with("sha256:"));
        // A URL whose password is a variable shows as it is.
        let url = Value::String("postgres://app:${DB_PASSWORD}@db.acme.io/app".into());
        assert_eq!(
            show("/DATABASE_URL", &url),
            "\"postgres://app:${DB_PASSWORD}@db.acme.io/app\""
        );
    }
}
