//! One RustSec advisory file: a ```` ```toml ```` front-matter block, then Markdown.
//!
//! Our own parser rather than the `rustsec` crate: it reads the same format with the `toml`,
//! `semver` and `cvss` crates we already build, avoiding `rustsec`'s `url`/`idna`/ICU stack and a
//! second `toml` major version, and it lets the database load only the advisories of the crates a
//! lockfile actually contains (see [`super::db`]). Unknown keys are ignored so that a newer
//! database still loads.

use std::str::FromStr;

use semver::VersionReq;
use serde::Deserialize;

use super::versions::{Versions, VersionsError};
use crate::dates::IsoDate;

/// What kind of problem an advisory describes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A security vulnerability.
    Vulnerability,
    /// The crate is no longer maintained.
    Unmaintained,
    /// Undefined behaviour reachable from safe code.
    Unsound,
    /// Any other informational advisory (`notice`, or a kind unknown to this version).
    Notice(String),
}

impl Kind {
    /// `vulnerability`, `unmaintained`, `unsound`, or the informational word as written.
    pub fn as_str(&self) -> &str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Unmaintained => "unmaintained",
            Kind::Unsound => "unsound",
            Kind::Notice(s) => s,
        }
    }
}

/// A parsed advisory.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// `RUSTSEC-YYYY-NNNN`.
    pub id: String,
    /// The crate it is about.
    pub package: String,
    /// Date reported.
    pub date: IsoDate,
    /// Other ids (CVE, GHSA).
    pub aliases: Vec<String>,
    /// Canonical link, if any.
    pub url: Option<String>,
    /// Categories (`memory-corruption`, `malicious`…).
    pub categories: Vec<String>,
    /// CVSS vector as written.
    pub cvss_vector: Option<String>,
    /// CVSS base score computed from the vector.
    pub cvss_score: Option<f64>,
    /// Vulnerability or an informational kind.
    pub kind: Kind,
    /// Set when the advisory was withdrawn (then it never matches).
    pub withdrawn: Option<IsoDate>,
    /// `[affected] os`: empty means every OS.
    pub os: Vec<String>,
    /// `[affected] arch`: empty means every architecture.
    pub arch: Vec<String>,
    /// Affected and patched versions.
    pub versions: Versions,
    /// First `# ` heading of the Markdown body.
    pub title: String,
    /// The Markdown body below the title.
    pub description: String,
}

impl Advisory {
    /// The link for humans: the advisory's own URL, else its rustsec.org page.
    pub fn help_uri(&self) -> String {
        self.url.clone().unwrap_or_else(|| self.rustsec_url())
    }

    /// `https://rustsec.org/advisories/ID`.
    pub fn rustsec_url(&self) -> String {
        format!("https://rustsec.org/advisories/{}", self.id)
    }

    /// Whether the `malicious` category is set (always critical).
    pub fn is_malicious(&self) -> bool {
        self.categories.iter().any(|c| c == "malicious")
    }

    /// Whether `id` is this advisory's id or one of its aliases (case-insensitive).
    pub fn is_known_as(&self, id: &str) -> bool {
        self.id.eq_ignore_ascii_case(id) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }
}

/// Why an advisory file could not be parsed; the caller adds the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// No ```` ```toml ```` block at the top.
    #[error("no ```toml front matter at the top of the file")]
    NoFrontMatter,
    /// The TOML is invalid or misses a required key.
    #[error("line {line}: {message}")]
    Toml {
        /// 1-based line in the file.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// A value is invalid.
    #[error("{0}")]
    Invalid(String),
}

impl From<VersionsError> for ParseError {
    fn from(e: VersionsError) -> Self {
        ParseError::Invalid(format!("[versions]: {e}"))
    }
}

#[derive(Deserialize)]
struct RawFile {
    advisory: RawAdvisory,
    #[serde(default)]
    affected: Option<RawAffected>,
    #[serde(default)]
    versions: Option<RawVersions>,
}

#[derive(Deserialize)]
struct RawAdvisory {
    id: String,
    package: String,
    date: IsoDate,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    withdrawn: Option<IsoDate>,
    // Older advisories carried title/description in the TOML.
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawAffected {
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    arch: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RawVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Splits ```` ```toml\n…\n``` ```` from the Markdown that follows. Returns the TOML, the body
/// and the 1-based line the TOML starts on.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.trim_start().strip_prefix("```toml")?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let end = if rest.starts_with("```") {
        0
    } else {
        rest.find("\n```")? + 1
    };
    let toml = &rest[..end];
    let body = &rest[end..];
    let body = body.get(3..).unwrap_or_default();
    Some((toml, body))
}

fn title_and_description(body: &str) -> (Option<String>, String) {
    let mut title = None;
    let mut desc = String::new();
    let mut lines = body.lines();
    for line in lines.by_ref() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(h) = t.strip_prefix("# ") {
            title = Some(h.trim().to_string());
        } else {
            desc.push_str(line);
            desc.push('\n');
        }
        break;
    }
    for line in lines {
        desc.push_str(line);
        desc.push('\n');
    }
    (title, desc.trim().to_string())
}

fn parse_reqs(list: &[String], what: &str) -> Result<Vec<VersionReq>, ParseError> {
    list.iter()
        .map(|s| {
            VersionReq::parse(s).map_err(|e| {
                ParseError::Invalid(format!("[versions] {what}: invalid requirement `{s}`: {e}"))
            })
        })
        .collect()
}

impl FromStr for Advisory {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (front, body) = split_front_matter(text).ok_or(ParseError::NoFrontMatter)?;
        let raw: RawFile = toml::from_str(front).map_err(|e| ParseError::Toml {
            // +1: the ```toml fence line.
            line: e
                .span()
                .map(|s| crate::error::line_of_offset(front, s.start) + 1)
                .unwrap_or(1),
            message: e.message().trim().to_string(),
        })?;
        let a = raw.advisory;
        let versions = raw.versions.unwrap_or_default();
        let versions = Versions::new(
            parse_reqs(&versions.patched, "patched")?,
            parse_reqs(&versions.unaffected, "unaffected")?,
        )?;
        let (cvss_vector, cvss_score) = match a.cvss {
            None => (None, None),
            Some(v) => {
                let score = cvss::Cvss::from_str(v.trim())
                    .map_err(|e| ParseError::Invalid(format!("cvss `{v}`: {e}")))?
                    .score();
                (Some(v), Some(score))
            }
        };
        let kind = match a.informational.as_deref().map(str::trim) {
            None => Kind::Vulnerability,
            Some("unmaintained") => Kind::Unmaintained,
            Some("unsound") => Kind::Unsound,
            Some(other) => Kind::Notice(other.to_string()),
        };
        let (md_title, md_desc) = title_and_description(body);
        let title = md_title
            .or(a.title)
            .unwrap_or_else(|| format!("{} advisory for {}", kind.as_str(), a.package));
        let description = if md_desc.is_empty() {
            a.description.unwrap_or_default()
        } else {
            md_desc
        };
        let affected = raw.affected.unwrap_or_default();
        Ok(Advisory {
            id: a.id,
            package: a.package,
            date: a.date,
            aliases: a.aliases,
            url: a.url.filter(|u| !u.trim().is_empty()),
            categories: a.categories,
            cvss_vector,
            cvss_score,
            kind,
            withdrawn: a.withdrawn,
            os: affected.os,
            arch: affected.arch,
            versions,
            title,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYPER: &str = r#"```toml
[advisory]
id = "RUSTSEC-2021-0078"
package = "hyper"
date = "2021-07-07"
url = "https://github.com/hyperium/hyper/security/advisories/GHSA-f3pg-qwvg-p99c"
aliases = ["CVE-2021-32715", "GHSA-f3pg-qwvg-p99c"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"
some_future_key = true

[versions]
patched = [">= 0.14.10"]
```

# Lenient `hyper` header parsing of `Content-Length` could allow request smuggling

`hyper`'s HTTP header parser accepted illegal contents.

Second paragraph.
"#;

    #[test]
    fn parses_front_matter_and_markdown() {
        let a: Advisory = HYPER.parse().unwrap();
        assert_eq!(a.id, "RUSTSEC-2021-0078");
        assert_eq!(a.package, "hyper");
        assert_eq!(a.date.to_string(), "2021-07-07");
        assert_eq!(a.kind, Kind::Vulnerability);
        assert_eq!(a.cvss_score, Some(5.3));
        assert!(a.title.starts_with("Lenient `hyper` header"));
        assert!(a.description.starts_with("`hyper`'s HTTP"));
        assert!(a.description.ends_with("Second paragraph."));
        assert!(a.is_known_as("cve-2021-32715"));
        assert!(!a.is_known_as("CVE-2021-0000"));
        assert!(a.versions.is_vulnerable(&"0.14.9".parse().unwrap()));
        assert_eq!(a.help_uri(), a.url.clone().unwrap());
    }

    #[test]
    fn informational_kinds_and_affected() {
        let t = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\npackage = \"x\"\ndate = \"2020-01-01\"\ninformational = \"unsound\"  \ncategories = [\"malicious\"]\n[affected]\nos = [\"windows\"]\n[versions]\npatched = []\n```\n\n# T\n";
        let a: Advisory = t.parse().unwrap();
        assert_eq!(a.kind, Kind::Unsound);
        assert!(a.is_malicious());
        assert_eq!(a.os, vec!["windows".to_string()]);
        assert_eq!(a.url, None);
        assert_eq!(
            a.help_uri(),
            "https://rustsec.org/advisories/RUSTSEC-2020-0001"
        );
        let t2 = t.replace("unsound", "notice");
        let b: Advisory = t2.parse().unwrap();
        assert_eq!(b.kind, Kind::Notice("notice".into()));
    }

    #[test]
    fn errors_are_clear() {
        assert_eq!(
            "# hello".parse::<Advisory>().unwrap_err(),
            ParseError::NoFrontMatter
        );
        let bad = "```toml\n[advisory]\nid = \"X\"\n```\n";
        match bad.parse::<Advisory>().unwrap_err() {
            ParseError::Toml { message, .. } => assert!(message.contains("package"), "{message}"),
            e => panic!("unexpected {e:?}"),
        }
        let bad_ver = HYPER.replace(">= 0.14.10", "not a version");
        let e = bad_ver.parse::<Advisory>().unwrap_err().to_string();
        assert!(e.contains("not a version"), "{e}");
        let bad_cvss = HYPER.replace("CVSS:3.1/AV:N", "CVSS:3.1/AV:Q");
        assert!(bad_cvss.parse::<Advisory>().is_err());
        let line = "```toml\n[advisory]\nid = \"X\"\npackage = 3\n```\n";
        match line.parse::<Advisory>().unwrap_err() {
            ParseError::Toml { line, .. } => assert_eq!(line, 4),
            e => panic!("unexpected {e:?}"),
        }
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every prefix, and every single-byte corruption, of an advisory parses or fails cleanly.
    #[test]
    fn damaged_advisories_never_panic() {
        let text =
            include_str!("../../../tests/fixtures/advisories/db/crates/tokio/RUSTSEC-2021-0124.md");
        let mut parsed = 0;
        for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            parsed += usize::from(text[..cut].parse::<Advisory>().is_ok());
        }
        assert!(parsed > 0, "the full text parses");
        for (i, _) in text.char_indices().step_by(3) {
            for repl in ["\"", "[", "\n", "=", "9"] {
                let mut t = String::with_capacity(text.len());
                t.push_str(&text[..i]);
                t.push_str(repl);
                t.push_str(text[i..].get(1..).unwrap_or_default());
                let _ = t.parse::<Advisory>();
            }
        }
    }
}
