//! Container image references: same repository with a different tag or digest is image drift
//! (`drift/image`, in [`super::compare`]), and a mutable `latest` (or missing) tag in production
//! is the `prod-mutable-image` policy ([`is_mutable_image`], `rules/drift/containers.toml`),
//! whatever UAT runs.

use super::keys::key_words;

/// A parsed `registry/repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the tag and digest (`registry.example.com/team/api`).
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest (`sha256:…`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses an image reference; `None` for values that cannot be one (spaces, empty).
    pub fn parse(s: &str) -> Option<ImageRef> {
        let s = s.trim();
        if s.is_empty() || s.contains(char::is_whitespace) || s.contains("://") {
            return None;
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        // A ':' after the last '/' is a tag; before it, a registry port.
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        if repository.is_empty() {
            return None;
        }
        Some(ImageRef {
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// Whether production pulling this can get a different build tomorrow: `latest` or no tag,
    /// and no digest.
    pub fn is_mutable(&self) -> bool {
        self.digest.is_none()
            && self
                .tag
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("latest"))
    }

    /// `tag@digest` as shown in messages.
    pub fn version(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), Some(d)) => format!("{t}@{d}"),
            (Some(t), None) => t.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) => "(no tag)".to_string(),
        }
    }
}

/// Whether production pulling `value` at `key` can get a different build at any restart: a
/// full reference with `latest` or no tag and no digest (`nginx`, `reg.acme.io/api:latest`),
/// or an image tag key set to `latest`. References (`${IMAGE}`, `{{ .Values.image }}`) are
/// filled in elsewhere, and values that cannot be an image are not one: image repositories are
/// lowercase (`Logo.PNG`), file names end in an extension (`logo.png`), and `true`, `none` or
/// `42` are switches and counts under a key that happens to say `image`.
pub fn is_mutable_image(key: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || crate::classify::is_reference(v) {
        return false;
    }
    match image_key(key) {
        Some(ImageKey::Full) => ImageRef::parse(v)
            .is_some_and(|r| r.is_mutable() && plausible_repository(&r.repository)),
        Some(ImageKey::Tag) => v.eq_ignore_ascii_case("latest"),
        Some(ImageKey::Repository) | None => false,
    }
}

/// Whether `repo` can be an OCI image repository: lowercase path components of letters, digits
/// and `.`, `_`, `-` (a registry host may carry a `:port`), not a word that only switches
/// something, not a number, not a file name.
fn plausible_repository(repo: &str) -> bool {
    const NOT_IMAGES: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled",
    ];
    const FILE_EXTENSIONS: &[&str] = &[
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp", ".tif", ".tiff", ".img",
        ".iso", ".qcow2", ".vhd", ".vmdk", ".raw", ".tar", ".gz",
    ];
    let lower = repo.to_ascii_lowercase();
    repo.bytes().any(|b| b.is_ascii_lowercase())
        && repo.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'.' | b'_' | b'-' | b'/' | b':')
        })
        && !NOT_IMAGES.contains(&lower.as_str())
        && !FILE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// How a key relates to a container image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKey {
    /// The whole reference (`image: repo:tag`).
    Full,
    /// Only the tag or digest (Helm `image.tag`, `image.digest`).
    Tag,
    /// Only the repository (Helm `image.repository`).
    Repository,
}

/// The image role of a key path.
pub fn image_key(key_path: &str) -> Option<ImageKey> {
    let mut last_two = key_path.rsplit('/').take(2);
    if !last_two.any(|s| super::keys::hints(s) & super::keys::H_IMAGE != 0) {
        return None;
    }
    let words = key_words(key_path);
    let last = words.last().map(String::as_str).unwrap_or_default();
    let parent_is_image = key_path.rsplit('/').nth(1).is_some_and(|p| {
        p.eq_ignore_ascii_case("image") || p.to_ascii_lowercase().ends_with("image")
    });
    if last == "image" || words.concat() == "imageref" {
        return Some(ImageKey::Full);
    }
    if parent_is_image || words.first().is_some_and(|w| w == "image") {
        return match last {
            "tag" | "digest" | "version" => Some(ImageKey::Tag),
            "repository" | "repo" | "name" => Some(ImageKey::Repository),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("registry.example.com:5000/team/api:1.4.2").unwrap();
        assert_eq!(r.repository, "registry.example.com:5000/team/api");
        assert_eq!(r.tag.as_deref(), Some("1.4.2"));
        assert!(!r.is_mutable());
        let r = ImageRef::parse("nginx").unwrap();
        assert!(r.is_mutable());
        let r = ImageRef::parse("api:latest").unwrap();
        assert!(r.is_mutable());
        let r = ImageRef::parse("api@sha256:abc").unwrap();
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert!(!r.is_mutable());
        assert!(ImageRef::parse("not an image").is_none());
    }

    #[test]
    fn mutable_images() {
        let c = "/spec/template/spec/containers/name=app/image";
        for v in [
            "nginx",
            "reg.acme.io/api:latest",
            "reg.acme.io:5000/team/api",
            "redis:LATEST",
        ] {
            assert!(is_mutable_image(c, v), "{v}");
        }
        assert!(is_mutable_image("/image/tag", "latest"));
        assert!(is_mutable_image("/services/web/image", "postgres"));
        for v in [
            "nginx:1.27.1",
            "reg.acme.io/api@sha256:0123abcd",
            "reg.acme.io/api:latest@sha256:0123abcd",
            "${IMAGE}",
            "{{ .Values.image }}",
            "",
            "true",
            "42",
            "logo.png",
            "Logo",
        ] {
            assert!(!is_mutable_image(c, v), "{v}");
        }
        assert!(!is_mutable_image("/image/tag", "1.4.2"));
        assert!(!is_mutable_image("/image/repository", "reg.acme.io/api"));
        assert!(!is_mutable_image("/spec/replicas", "latest"));
        // An env var named IMAGE as policies see it (`/env/IMAGE`).
        assert!(is_mutable_image(
            "/spec/containers/name=x/env/IMAGE",
            "busybox"
        ));
    }

    #[test]
    fn image_keys() {
        assert_eq!(
            image_key("/spec/template/spec/containers/name=app/image"),
            Some(ImageKey::Full)
        );
        assert_eq!(image_key("/image/tag"), Some(ImageKey::Tag));
        assert_eq!(
            image_key("/api/image/repository"),
            Some(ImageKey::Repository)
        );
        assert_eq!(image_key("/IMAGE_TAG"), Some(ImageKey::Tag));
        assert_eq!(image_key("/imagePullPolicy"), None);
        assert_eq!(image_key("/tag"), None);
    }
}
