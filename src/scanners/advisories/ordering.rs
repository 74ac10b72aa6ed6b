//! Version orderings, one per ecosystem: OSV `ECOSYSTEM` ranges are compared with the
//! ecosystem's own rules, `SEMVER` ranges with semver precedence.
//!
//! Each ordering parses a version string into a key whose `Ord` is that ecosystem's order, so a
//! range is evaluated by parsing its bounds once and comparing keys. Keys of different
//! orderings never meet: [`Version`] compares only within one [`Scheme`].

mod generic;
mod maven;
mod pep440;
mod rubygems;
mod semver_like;

use std::cmp::Ordering;

use super::ecosystem::Ecosystem;

pub use generic::GenericVersion;
pub use maven::MavenVersion;
pub use pep440::Pep440Version;
pub use rubygems::GemVersion;

/// Which ordering to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0 precedence; a leading `v` is accepted, so Go modules
    /// (`v1.2.3`, pseudo-versions `v0.0.0-20210101000000-abcdef123456`) and npm versions use it.
    Semver,
    /// PEP 440 (PyPI).
    Pep440,
    /// `Gem::Version` (RubyGems).
    RubyGems,
    /// Maven's `ComparableVersion`.
    Maven,
    /// Dotted numbers with PHP-style pre-release words (Packagist, and anything else).
    Generic,
}

impl Scheme {
    /// The ordering of `ECOSYSTEM` ranges of `eco`.
    pub fn for_ecosystem(eco: Ecosystem) -> Scheme {
        match eco {
            Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Go => Scheme::Semver,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::Packagist => Scheme::Generic,
        }
    }

    /// Parses `s` in this ordering (`None`: not a version of this scheme).
    pub fn parse(self, s: &str) -> Option<Version> {
        match self {
            Scheme::Semver => semver_like::parse(s).map(Version::Semver),
            Scheme::Pep440 => s.parse().ok().map(Version::Pep440),
            Scheme::RubyGems => s.parse().ok().map(Version::Gem),
            Scheme::Maven => Some(Version::Maven(MavenVersion::new(s))),
            Scheme::Generic => s.parse().ok().map(Version::Generic),
        }
    }
}

/// A parsed version of one [`Scheme`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// [`Scheme::Semver`].
    Semver(semver::Version),
    /// [`Scheme::Pep440`].
    Pep440(Pep440Version),
    /// [`Scheme::RubyGems`].
    Gem(GemVersion),
    /// [`Scheme::Maven`].
    Maven(MavenVersion),
    /// [`Scheme::Generic`].
    Generic(GenericVersion),
}

impl Version {
    /// The order of `self` and `other`; `None` when they come from different schemes.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => semver_like::cmp(a, b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Gem(a), Version::Gem(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::Generic(a), Version::Generic(b)) => a.cmp(b),
            _ => return None,
        })
    }

    /// Whether moving from `self` to `to` stays inside one compatible release line (same
    /// major, or same minor for 0.x): `Some` only for semver versions.
    pub fn semver_compatible(&self, to: &Version) -> Option<bool> {
        match (self, to) {
            (Version::Semver(a), Version::Semver(b)) => {
                Some(super::versions::semver_compatible(a, b))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod props;
