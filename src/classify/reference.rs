//! Values that point at a credential kept elsewhere, and keys whose values are such pointers.
//!
//! A reference is what a well-run repository commits instead of a secret, so it must never be
//! reported, masked as a credential, or compared as one: `${DB_PASSWORD}`, `{{ .Values.pw }}`,
//! `__DB_PASSWORD__`, `#{DbPassword}#`, `${{ secrets.DB }}`, SOPS `ENC[AES256_GCM,…]`,
//! `vault:secret/data/app#pw`, `op://vault/item/field`, `@Microsoft.KeyVault(…)`, and the
//! Kubernetes `secretKeyRef`/`existingSecret` family of keys.

/// Prefixes of secret-store locators (documented URI schemes and reference syntaxes).
const STORE_PREFIXES: &[&str] = &[
    "vault:",
    "ref+",
    "secretsmanager:",
    "ssm:",
    "arn:aws:secretsmanager",
    "arn:aws:ssm:",
    "@microsoft.keyvault",
    "op://",
    "sm://",
    "berglas://",
];

/// Whether `value` points elsewhere rather than holding a literal.
///
/// Recognised whole-value shapes: `${VAR}` and `${{ secrets.X }}`, `$(VAR)`, `$VAR`, any value
/// containing `{{` (Helm, Jinja, CloudFormation `{{resolve:…}}`) or `<%` (ERB), deploy-time
/// replace tokens `__NAME__` and `#{Name}#`/`#{Name}`, SOPS `ENC[…]`, secret-store locators
/// (`vault:`, `ref+`, `op://`, `secretsmanager:`, `ssm:`, `@Microsoft.KeyVault`,
/// `projects/…/secrets/…`).
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    if v.starts_with("${") || v.starts_with("$(") || v.contains("{{") || v.contains("<%") {
        return true;
    }
    if v.len() > 1 && v.starts_with('$') && v[1..].bytes().all(is_name_byte) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if STORE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if lower.starts_with("projects/") && lower.contains("/secrets/") {
        return true;
    }
    // SOPS encrypts each value in place as `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`.
    if v.starts_with("ENC[") && v.ends_with(']') {
        return true;
    }
    is_replace_token(v) || is_vault_kv_path(v)
}

/// A Vault KV v2 path as External Secrets, the Vault agent and CSI drivers write it
/// (`secret/data/shop/db`, `kv/data/app#password`): a location in the store, no literal.
fn is_vault_kv_path(v: &str) -> bool {
    (v.starts_with("secret/") || v.starts_with("kv/"))
        && v.contains("/data/")
        && !v.contains(char::is_whitespace)
}

/// Deploy-time replace tokens: `__DB_PASSWORD__` (Octopus, Azure DevOps "replace tokens"),
/// `#{DbPassword}#` and `#{DbPassword}` (Azure DevOps, Octopus variables). Names may hold `.`
/// and `-` (`#{Octopus.Db.Password}`, `__db-password__`).
fn is_replace_token(v: &str) -> bool {
    let name_ok =
        |s: &str| !s.is_empty() && s.bytes().all(|b| is_name_byte(b) || b == b'.' || b == b'-');
    if let Some(inner) = v.strip_prefix("__").and_then(|r| r.strip_suffix("__")) {
        return name_ok(inner.trim_matches('_')) && inner.bytes().any(|b| b.is_ascii_alphabetic());
    }
    if let Some(rest) = v.strip_prefix("#{") {
        let inner = rest.strip_suffix("}#").or_else(|| rest.strip_suffix('}'));
        return inner.is_some_and(|i| name_ok(i.trim()));
    }
    false
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Key segments (lowercase, `-`/`_` removed) under which values name or locate a secret that
/// lives elsewhere: Kubernetes `secretKeyRef`, `secretRef`, `valueFrom`, Helm charts'
/// `existingSecret` (and the keys naming entries in it, `existingSecretPasswordKey`,
/// `secretKeys`), External Secrets `remoteRef`/`dataFrom`/`secretStoreRef`, SealedSecrets
/// `encryptedData` (ciphertext that only the cluster can open), CSI `secretObjects`.
const REFERENCE_SEGMENTS: &[&str] = &[
    "secretkeyref",
    "configmapkeyref",
    "secretref",
    "valuefrom",
    "existingsecret",
    "existingsecretname",
    "existingsecretkey",
    "existingsecretpasswordkey",
    "secretkeys",
    "remoteref",
    "datafrom",
    "secretstoreref",
    "encrypteddata",
    "secretobjects",
    "secretname",
];

/// Whether a key path names or locates a secret kept elsewhere rather than holding one
/// (`/env/name=DB/valueFrom/secretKeyRef/key`, `/auth/existingSecret`,
/// `/spec/data/remoteRef/key`, `/spec/encryptedData/password`).
pub fn is_reference_key(key_path: &str) -> bool {
    key_path.split(['/', '.']).any(|seg| {
        // A list entry addressed by name (`secretKey=password`) is read by its field.
        let seg = seg.split('=').next().unwrap_or(seg);
        if seg.len() < 8 {
            return false;
        }
        let norm: String = seg
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        REFERENCE_SEGMENTS.contains(&norm.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_not_literals() {
        for r in [
            "${DB_PASSWORD}",
            "${{ secrets.DB_PASSWORD }}",
            "$(DB_PASSWORD)",
            "$DB_PASSWORD",
            "{{ .Values.secret }}",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "<%= ENV['DB_PASSWORD'] %>",
            "__DB_PASSWORD__",
            "#{DbPassword}#",
            "#{Octopus.Db.Password}",
            "ENC[AES256_GCM,data:Zm9vYmFy,iv:aXY=,tag:dGFn,type:str]",
            "vault:secret/data/app#password",
            "ref+vault://secret/app#/password",
            "op://Production/db/password",
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)",
            "projects/acme/secrets/db-password/versions/latest",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "secret/data/shop/db",
            "kv/data/app#password",
            "__db-password__",
        ] {
            assert!(is_reference(r), "{r}");
        }
        for v in [
            "hunter2hunter2",
            "Zx9vQ2mL7pR4",
            "__init__x",
            "____",
            "#{not closed",
            "ENC[",
            "a${b}",
            "secret/shop",
            "kv/app data/x",
        ] {
            assert!(!is_reference(v), "{v}");
        }
    }

    #[test]
    fn reference_keys_locate_secrets() {
        for k in [
            "/spec/containers/name=api/env/name=DB/valueFrom/secretKeyRef/key",
            "/auth/existingSecret",
            "/postgresql/auth/existing-secret",
            "/spec/data/0/remoteRef/key",
            "/spec/encryptedData/password",
            "/tls/secretName",
            "/postgresql/auth/secretKeys/userPasswordKey",
            "/redis/auth/existingSecretPasswordKey",
            "/ExternalSecret/shop/db/spec/dataFrom/0/extract/key",
            "/ExternalSecret/shop/db/spec/secretStoreRef/name",
        ] {
            assert!(is_reference_key(k), "{k}");
        }
        for k in ["/DB_PASSWORD", "/client_secret", "/secret", "/secrets/db"] {
            assert!(!is_reference_key(k), "{k}");
        }
    }
}
