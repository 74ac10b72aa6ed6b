//! Checksum and structure validators: offline checks that a token is well-formed, which turn a
//! pattern match into a near-certain credential (and a failing checksum into a non-finding).

use super::rule::ValidatorKind;
use crate::classify::base64::decode as decode_base64;

/// Outcome of a validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// The token passes its checksum or structure check.
    Valid,
    /// The token fails it: not a real token (typo, truncated, made up).
    Invalid,
    /// The format has no documented check for this token (e.g. `github_pat_`).
    NotApplicable,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Runs `kind` on `secret`.
pub fn validate(kind: ValidatorKind, secret: &str) -> Validation {
    match kind {
        ValidatorKind::GithubChecksum => {
            let prefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"];
            match prefixes.iter().find(|p| secret.starts_with(*p)) {
                Some(p) => crc32_base62_suffix(&secret[p.len()..]),
                None => Validation::NotApplicable,
            }
        }
        ValidatorKind::NpmChecksum => match secret.strip_prefix("npm_") {
            Some(body) => crc32_base62_suffix(body),
            None => Validation::NotApplicable,
        },
        ValidatorKind::Jwt => bool_validation(is_jwt(secret)),
        ValidatorKind::Base64PrivateKey => bool_validation(is_base64_private_key(secret)),
        ValidatorKind::BasicAuth => basic_auth(secret),
        ValidatorKind::Base64Jwt => bool_validation(is_base64_jwt(secret)),
        ValidatorKind::DerPrivateKey => bool_validation(is_der_private_key(secret)),
    }
}

/// HTTP Basic credentials (RFC 7617): base64 of `user:password`. Text that does not decode to a
/// `user:password` pair is no credential; a pair whose password is a placeholder or a test word
/// (`foo:bar`, `user:password`, `admin:changeme`) is a test value. A real-looking pair passes
/// as not applicable: decoding proves the shape, not that the password is live.
fn basic_auth(secret: &str) -> Validation {
    let Some(bytes) = decode_base64(secret) else {
        return Validation::Invalid;
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Validation::Invalid;
    };
    let Some((user, pw)) = text.split_once(':') else {
        return Validation::Invalid;
    };
    let placeholder = crate::classify::password_reason(pw).is_some();
    if user.chars().any(char::is_control) || pw.is_empty() || placeholder {
        Validation::Invalid
    } else {
        Validation::NotApplicable
    }
}

fn bool_validation(ok: bool) -> Validation {
    if ok {
        Validation::Valid
    } else {
        Validation::Invalid
    }
}

/// GitHub's scheme (also npm's): 30 random base62 characters followed by the CRC32 of those 30
/// characters, base62-encoded and left-padded with `0` to 6 characters. Bodies of another
/// length have no documented checksum.
fn crc32_base62_suffix(body: &str) -> Validation {
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Validation::NotApplicable;
    }
    let (random, check) = body.split_at(30);
    let mut n = crc32fast::hash(random.as_bytes());
    let mut enc = [b'0'; 6];
    for slot in enc.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    bool_validation(enc == check.as_bytes())
}

/// Three dot-separated base64url parts whose header decodes to a JSON object naming an `alg`.
fn is_jwt(s: &str) -> bool {
    let mut parts = s.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if p.is_empty() || sig.is_empty() {
        return false;
    }
    let Some(header) = decode_base64(h) else {
        return false;
    };
    let Some(payload) = decode_base64(p) else {
        return false;
    };
    let header_ok = match serde_json::from_slice::<serde_json::Value>(&header) {
        Ok(v) => v.get("alg").is_some(),
        // Tolerate a header with a corrupted byte after the `alg` field (seen in the wild).
        Err(_) => header.starts_with(b"{\"alg\"") || header.starts_with(b"{ \"alg\""),
    };
    header_ok && payload.first() == Some(&b'{')
}

/// Base64 text whose decoded bytes, trimmed, are a JWT ([`is_jwt`]).
fn is_base64_jwt(s: &str) -> bool {
    decode_base64(s)
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|t| is_jwt(t.trim()))
}

fn is_base64_private_key(s: &str) -> bool {
    // Only the first few hundred characters matter: the PEM header is at the start.
    let head: String = s.chars().filter(|c| !c.is_whitespace()).take(200).collect();
    let head = &head[..head.len() - head.len() % 4];
    match decode_base64(head) {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            text.starts_with("-----BEGIN") && text.contains("PRIVATE KEY")
        }
        None => false,
    }
}

/// Whether base64 `s` decodes to a DER private key: an ASN.1 SEQUENCE whose declared length
/// matches the decoded length (a key is the whole blob), opening with a version INTEGER of 0 or 1
/// (PKCS#1, PKCS#8, SEC1). Random text after a well-known prefix fails the length.
fn is_der_private_key(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(der) = decode_base64(&t) else {
        return false;
    };
    let (len, head) = match (der.first(), der.get(1)) {
        (Some(0x30), Some(&l)) if l < 0x80 => (usize::from(l), 2),
        (Some(0x30), Some(0x81)) => (der.get(2).map_or(0, |&l| usize::from(l)), 3),
        (Some(0x30), Some(0x82)) => match (der.get(2), der.get(3)) {
            (Some(&a), Some(&b)) => ((usize::from(a) << 8) | usize::from(b), 4),
            _ => return false,
        },
        _ => return false,
    };
    let version = der.get(head..head + 3);
    len > 32
        && der.len() == head + len
        && matches!(version, Some([0x02, 0x01, 0x00]) | Some([0x02, 0x01, 0x01]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum() {
        // Generated with a random body and its CRC32 (see rules/secrets/README.md).
        let good = "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";
        assert_eq!(
            validate(ValidatorKind::GithubChecksum, good),
            Validation::Valid
        );
        let bad = "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM";
        assert_eq!(
            validate(ValidatorKind::GithubChecksum, bad),
            Validation::Invalid
        );
        let fine_grained = "github_pat_11AAAAAAA0abcdefghijkl_mnopqrstuvwxyz";
        assert_eq!(
            validate(ValidatorKind::GithubChecksum, fine_grained),
            Validation::NotApplicable
        );
    }

    #[test]
    fn npm_checksum() {
        let good = "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";
        assert_eq!(
            validate(ValidatorKind::NpmChecksum, good),
            Validation::Valid
        );
        let bad = "npm_CN6Zj4a3dDVhYRnKTbxTNJFoBinF5a42GyMz";
        assert_eq!(
            validate(ValidatorKind::NpmChecksum, bad),
            Validation::Invalid
        );
    }

    #[test]
    fn jwt_structure() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJsb2dnZWRJbkFzIjoiYWRtaW4iLCJpYXQiOjE0MjI3Nzk2Mzh9.gzSraSYS8EXBxLN_oWnFSRgCzcmEmMjLiuyu5CSpyHI";
        assert_eq!(validate(ValidatorKind::Jwt, jwt), Validation::Valid);
        // Header without `alg`.
        let no_alg = "eyJ0eXAiOiAiVENWMiJ9.eyJhIjoxfQ.c2lnbmF0dXJl";
        assert_eq!(validate(ValidatorKind::Jwt, no_alg), Validation::Invalid);
        assert_eq!(validate(ValidatorKind::Jwt, "a.b"), Validation::Invalid);
        assert_eq!(validate(ValidatorKind::Jwt, "e!.e.e"), Validation::Invalid);
    }

    #[test]
    fn base64_jwt() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        let encoded = "ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUl4SW4wLmMybG5ibUYwZFhKbA==";
        assert_eq!(decode_base64(encoded).as_deref(), Some(jwt.as_bytes()));
        assert_eq!(
            validate(ValidatorKind::Base64Jwt, encoded),
            Validation::Valid
        );
        // base64 of "eyJhbGciOiJIUzI1NiJ9" alone: no payload, no signature.
        assert_eq!(
            validate(ValidatorKind::Base64Jwt, "ZXlKaGJHY2lPaUpJVXpJMU5pSjk="),
            Validation::Invalid
        );
        assert_eq!(
            validate(ValidatorKind::Base64Jwt, "not base64!"),
            Validation::Invalid
        );
    }

    #[test]
    fn der_private_keys_declare_their_length() {
        // SEQUENCE (2-byte length 0x0100), INTEGER 0, then filler: 260 bytes in all.
        let mut der = vec![0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00];
        der.extend((0..253u32).map(|i| (i * 37 % 251) as u8));
        let ok = encode_base64(&der);
        assert_eq!(
            validate(ValidatorKind::DerPrivateKey, &ok),
            Validation::Valid
        );
        // Three bytes short, or a SEQUENCE opening with another SEQUENCE (a certificate).
        let short = encode_base64(&der[..der.len() - 3]);
        assert_eq!(
            validate(ValidatorKind::DerPrivateKey, &short),
            Validation::Invalid
        );
        der[4] = 0x30;
        let cert = encode_base64(&der);
        assert_eq!(
            validate(ValidatorKind::DerPrivateKey, &cert),
            Validation::Invalid
        );
        assert_eq!(
            validate(ValidatorKind::DerPrivateKey, "MII!"),
            Validation::Invalid
        );
    }

    /// Standard padded base64, for building test inputs.
    fn encode_base64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..=c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        while out.len() % 4 != 0 {
            out.push('=');
        }
        out
    }

    #[test]
    fn base64_private_key() {
        let pem =
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb2dJQkFBS0NBUUVBb3kxWFh1VkFRcHFIYlFF";
        assert_eq!(
            validate(ValidatorKind::Base64PrivateKey, pem),
            Validation::Valid
        );
        // "-----BEGIN CERTIFICATE-----"
        let cert = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=";
        assert_eq!(
            validate(ValidatorKind::Base64PrivateKey, cert),
            Validation::Invalid
        );
    }

    #[test]
    fn basic_auth_needs_a_real_looking_password() {
        let v = |s: &str| validate(ValidatorKind::BasicAuth, &encode_base64(s.as_bytes()));
        assert_eq!(v("svc-billing:Zq8xR2mK9pLw"), Validation::NotApplicable);
        // A capitalised word is a password here, not a label.
        assert_eq!(v("deploy:Welcome"), Validation::NotApplicable);
        for test_value in [
            "foo:bar",
            "user:password",
            "admin:changeme",
            "ci:${TOKEN}",
            "x:",
        ] {
            assert_eq!(v(test_value), Validation::Invalid, "{test_value}");
        }
        assert_eq!(v("no colon here"), Validation::Invalid);
        assert_eq!(
            validate(ValidatorKind::BasicAuth, "not base64!"),
            Validation::Invalid
        );
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert!(decode_base64("a b").is_none());
    }
}
