//! Package ecosystems as OSV names them, and how each one spells a package name.
//!
//! One enum shared by the lockfile parsers (which ecosystem a locked package belongs to), the
//! OSV loader (which records to keep) and the matcher (which version ordering applies).

use std::fmt;

/// An OSV ecosystem that stagegate reads lockfiles of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// Rust crates (`Cargo.lock`).
    CratesIo,
    /// JavaScript packages (npm, yarn, pnpm lockfiles).
    Npm,
    /// Python packages (poetry, uv, Pipfile, requirements.txt).
    PyPI,
    /// Go modules (`go.mod`, `go.sum`).
    Go,
    /// Ruby gems (`Gemfile.lock`).
    RubyGems,
    /// PHP packages (`composer.lock`).
    Packagist,
    /// Java artifacts (`pom.xml`), named `groupId:artifactId`.
    Maven,
}

impl Ecosystem {
    /// Every ecosystem, in a stable order.
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Maven,
    ];

    /// The OSV spelling (`affected[].package.ecosystem`, and the folder of OSV's archives).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
        }
    }

    /// Parses an OSV ecosystem. A suffix after `:` (`Debian:11` style) is not ours: `None`.
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Parses a user-written ecosystem (`db fetch --osv npm,pypi`), case-insensitively.
    pub fn from_user(s: &str) -> Option<Ecosystem> {
        let s = s.trim();
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .or(match s.to_ascii_lowercase().as_str() {
                "cargo" | "rust" | "crates" => Some(Ecosystem::CratesIo),
                "python" | "pip" => Some(Ecosystem::PyPI),
                "golang" => Some(Ecosystem::Go),
                "ruby" | "gem" => Some(Ecosystem::RubyGems),
                "php" | "composer" => Some(Ecosystem::Packagist),
                _ => None,
            })
    }

    /// The name under which two spellings of one package compare equal: PyPI names are
    /// case-insensitive with `-`, `_` and `.` interchangeable (PEP 503); Packagist names are
    /// case-insensitive; every other ecosystem compares names exactly.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                        continue;
                    }
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
                out
            }
            Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            _ => name.trim().to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_normalize() {
        for e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(e.as_str()), Some(e));
        }
        assert_eq!(Ecosystem::from_osv("Debian:11"), None);
        assert_eq!(Ecosystem::from_user("pypi"), Some(Ecosystem::PyPI));
        assert_eq!(Ecosystem::from_user("composer"), Some(Ecosystem::Packagist));
        assert_eq!(
            Ecosystem::PyPI.normalize_name("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(Ecosystem::PyPI.normalize_name("a--b"), "a-b");
        assert_eq!(
            Ecosystem::Packagist.normalize_name("Twig/Twig"),
            "twig/twig"
        );
        assert_eq!(Ecosystem::Npm.normalize_name("@Babel/core"), "@Babel/core");
    }
}
