//! Drift-specific "this is not a secret" knowledge: Kubernetes objects whose data only points
//! to a credential, and keys whose name says `key` but whose value is a label or a key name.
//! What a *value* that points elsewhere looks like (`#{DbPassword}#`, `${{ secrets.X }}`,
//! `ENC[…]`), which keys locate a secret (`secretKeyRef`, `existingSecret`) and the
//! `Password=` of a connection string are [`crate::classify`]'s, shared with the secrets
//! scanner and redaction.
//!
//! Deployment repositories are full of `existingSecret: shop-db`, `remoteRef: {key: prod/db}`
//! and `#{DbPassword}#`: reporting those as committed credentials is the noise that makes a
//! gate unusable; missing a clear-text `Password=` in a .NET connection string is the leak.

use crate::classify::is_reference_key;

/// Whether the value at `key_path` is a reference to a secret (or encrypted), never the secret
/// itself, because of where it sits: under a reference key ([`is_reference_key`]: shared with
/// the secrets scanner) or anywhere in an ExternalSecret, SealedSecret or SecretProviderClass
/// object, whose data only names or encrypts what the cluster fetches.
pub fn is_reference_path(key_path: &str) -> bool {
    is_reference_key(key_path)
        || key_path.starts_with("/ExternalSecret/")
        || key_path.starts_with("/SealedSecret/")
        || key_path.starts_with("/SecretProviderClass/")
}

/// Keys whose values are names, kinds, images or label keys whatever their name says:
/// `apiVersion`, `kind`, `topologyKey`, the `key` of a toleration, a selector expression or a
/// key reference, and paths.
pub fn is_never_secret_key(key_path: &str) -> bool {
    let mut segs = key_path.rsplit('/');
    let last = segs.next().unwrap_or_default();
    let parent = segs.next().unwrap_or_default().to_ascii_lowercase();
    let l = last.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "apiversion" | "kind" | "topologykey" | "image" | "path" | "mountpath" | "subpath"
    ) || l.ends_with("passwordkey")
        || (l == "key"
            && (parent.chars().all(|c| c.is_ascii_digit())
                || parent.contains('=')
                || parent.ends_with("keyref")))
        || is_reference_path(key_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_and_never_secret_keys() {
        assert!(is_reference_path(
            "/Deployment/-/api/spec/template/spec/containers/name=api/env/name=DB_PASSWORD/valueFrom/secretKeyRef/key"
        ));
        assert!(is_reference_path("/postgresql/auth/existingSecret"));
        assert!(is_reference_path(
            "/ExternalSecret/shop/db/spec/data/secretKey=password/remoteRef/key"
        ));
        assert!(is_reference_path(
            "/SealedSecret/shop/db/spec/encryptedData/password"
        ));
        assert!(!is_reference_path("/db/password"));
        assert!(is_never_secret_key(
            "/Deployment/-/web/spec/template/spec/topologySpreadConstraints/0/topologyKey"
        ));
        assert!(is_never_secret_key(
            "/Deployment/-/web/spec/template/spec/tolerations/0/key"
        ));
        assert!(is_never_secret_key("/Secret/-/x/apiVersion"));
        assert!(!is_never_secret_key("/stripe/key"));
        assert!(is_never_secret_key(
            "/postgresql/auth/secretKeys/userPasswordKey"
        ));
        assert!(is_never_secret_key("/redis/auth/existingSecretPasswordKey"));
    }
}
