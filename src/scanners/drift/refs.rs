//! Drift-specific "this is not a secret" knowledge: values that *point to* a credential, tokens
//! a pipeline substitutes at deploy time, and Kubernetes keys whose name says `key` but whose
//! value is a label or a key name. And the one credential shape drift meets that no provider
//! rule knows: the `Password=` of a connection string.
//!
//! Deployment repositories are full of `existingSecret: shop-db`, `remoteRef: {key: prod/db}`
//! and `#{DbPassword}#`: reporting those as committed credentials is the noise that makes a
//! gate unusable; missing a clear-text `Password=` in a .NET connection string is the leak.

/// Whether a value is a token that a deployment pipeline replaces before it runs:
/// `__DB_PASSWORD__` (Azure DevOps "replace tokens"), `#{DbPassword}#` (Octopus), `${{ secrets.X }}`
/// (GitHub Actions), `#{X}`, SOPS-encrypted values `ENC[AES256_GCM,…]`, and Vault paths
/// (`vault:secret/data/…`, `secret/data/…#key`).
pub fn is_deploy_token(v: &str) -> bool {
    let v = v.trim();
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    };
    (v.len() > 4 && v.starts_with("__") && v.ends_with("__") && ident(&v[2..v.len() - 2]))
        || (v.starts_with("#{") && (v.ends_with("}#") || v.ends_with('}')))
        || v.starts_with("${{")
        || (v.starts_with("ENC[") && v.ends_with(']'))
        || v.starts_with("vault:")
        || ((v.starts_with("secret/") || v.starts_with("kv/")) && v.contains("/data/"))
}

/// Lowercase key segments that make every value below them a reference to a secret held
/// elsewhere: Kubernetes `secretKeyRef`/`secretRef`, Helm `existingSecret`, External Secrets
/// `remoteRef`/`dataFrom`, SealedSecret `encryptedData`, CSI `secretObjects`.
const REFERENCE_SEGMENTS: &[&str] = &[
    "secretkeyref",
    "secretref",
    "configmapkeyref",
    "existingsecret",
    "existingsecretname",
    "existingsecretkey",
    "existingsecretpasswordkey",
    "remoteref",
    "datafrom",
    "encrypteddata",
    "secretobjects",
    "secretstoreref",
    "secretkeys",
];

/// Whether the value at `key_path` is a reference to a secret (or encrypted), never the secret
/// itself, because of where it sits.
pub fn is_reference_key(key_path: &str) -> bool {
    key_path.split('/').any(|seg| {
        let s = seg.to_ascii_lowercase();
        let s = s.split('=').next().unwrap_or(&s);
        REFERENCE_SEGMENTS.contains(&s)
    }) || key_path.starts_with("/ExternalSecret/")
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
        || is_reference_key(key_path)
}

/// The password of an ADO.NET / ODBC / JDBC-style connection string (`Server=…;Password=…`,
/// `Pwd=…`), if it has one.
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

    #[test]
    fn deploy_tokens() {
        for t in [
            "__DB_PASSWORD__",
            "#{DbPassword}#",
            "${{ secrets.DB_PASSWORD }}",
            "ENC[AES256_GCM,data:Yk2w,iv:abc,tag:def,type:str]",
            "vault:secret/data/shop/db#password",
            "secret/data/shop/db",
        ] {
            assert!(is_deploy_token(t), "{t}");
        }
        for t in ["s3cr3t-Pa55word", "__init__.py x", "#comment", "ENC"] {
            assert!(!is_deploy_token(t), "{t}");
        }
    }

    #[test]
    fn reference_and_never_secret_keys() {
        assert!(is_reference_key(
            "/Deployment/-/api/spec/template/spec/containers/name=api/env/name=DB_PASSWORD/valueFrom/secretKeyRef/key"
        ));
        assert!(is_reference_key("/postgresql/auth/existingSecret"));
        assert!(is_reference_key(
            "/ExternalSecret/shop/db/spec/data/secretKey=password/remoteRef/key"
        ));
        assert!(is_reference_key(
            "/SealedSecret/shop/db/spec/encryptedData/password"
        ));
        assert!(!is_reference_key("/db/password"));
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
    }
}
