//! Lockfiles of ecosystems other than Rust: discovery by file name, and one parser per format,
//! each giving the locked (name, version) pairs with the lines of their entries so findings
//! point at them in SARIF.
//!
//! Formats: `package-lock.json` (v1–v3) and `npm-shrinkwrap.json`, `yarn.lock` (classic and
//! berry), `pnpm-lock.yaml`, `poetry.lock`, `uv.lock`, `Pipfile.lock`, `requirements*.txt`
//! (pinned `==` lines; others become notes), `go.mod` and `go.sum` (only where no `go.mod`
//! sits beside it: `go.mod` lists every module of the build since Go 1.17), `Gemfile.lock`,
//! `composer.lock`, and Maven `pom.xml` (explicit and property versions). A malformed file is
//! an error naming its line; the other files are still audited.

mod composer;
mod gemfile;
mod golang;
mod json;
mod maven;
mod npm;
mod pipfile;
mod pnpm;
mod python_toml;
mod requirements;
mod yarn;

use std::path::{Path, PathBuf};

use super::ecosystem::Ecosystem;
use super::lockfile::{read_text, LockError};
use crate::finding::Location;
use crate::paths::{relative, ExcludeSet};

/// A lockfile format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `package-lock.json` / `npm-shrinkwrap.json`.
    NpmLock,
    /// `yarn.lock`.
    YarnLock,
    /// `pnpm-lock.yaml`.
    PnpmLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `requirements*.txt`.
    Requirements,
    /// `go.mod`.
    GoMod,
    /// `go.sum`.
    GoSum,
    /// `Gemfile.lock`.
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// `pom.xml`.
    MavenPom,
}

impl Format {
    /// The format of a file name, if it is a lockfile we read.
    pub fn from_file_name(name: &str) -> Option<Format> {
        Some(match name {
            "package-lock.json" | "npm-shrinkwrap.json" => Format::NpmLock,
            "yarn.lock" => Format::YarnLock,
            "pnpm-lock.yaml" => Format::PnpmLock,
            "poetry.lock" => Format::PoetryLock,
            "uv.lock" => Format::UvLock,
            "Pipfile.lock" => Format::PipfileLock,
            "go.mod" => Format::GoMod,
            "go.sum" => Format::GoSum,
            "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
            "composer.lock" => Format::ComposerLock,
            "pom.xml" => Format::MavenPom,
            n if n.starts_with("requirements") && n.ends_with(".txt") => Format::Requirements,
            _ => return None,
        })
    }

    /// The ecosystem of its packages.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::NpmLock | Format::YarnLock | Format::PnpmLock => Ecosystem::Npm,
            Format::PoetryLock | Format::UvLock | Format::PipfileLock | Format::Requirements => {
                Ecosystem::PyPI
            }
            Format::GoMod | Format::GoSum => Ecosystem::Go,
            Format::GemfileLock => Ecosystem::RubyGems,
            Format::ComposerLock => Ecosystem::Packagist,
            Format::MavenPom => Ecosystem::Maven,
        }
    }
}

/// One locked package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// Name as written (Maven: `groupId:artifactId`).
    pub name: String,
    /// Version as written (without `==`, `v` kept for Go).
    pub version: String,
    /// 1-based first line of its entry.
    pub line: u32,
    /// 1-based last line of its entry (≥ `line`).
    pub end_line: u32,
}

/// A note about a line that was not audited (an unpinned requirement, a managed version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// 1-based line.
    pub line: u32,
    /// What and why.
    pub message: String,
}

/// What a parser returns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Locked packages, in file order (duplicates kept: one finding per entry).
    pub packages: Vec<Locked>,
    /// Lines that were not audited.
    pub notes: Vec<Note>,
}

/// A parsed lockfile with its path.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// Path relative to the scan root.
    pub rel: String,
    /// Its format.
    pub format: Format,
    /// What it locks.
    pub parsed: Parsed,
    line_ends: Vec<u32>,
}

impl Lockfile {
    /// Where `p` is: its entry's lines, to the end of the last one.
    pub fn location(&self, p: &Locked) -> Location {
        let end_line = p.end_line.max(p.line);
        let end_col = self
            .line_ends
            .get((end_line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(1);
        Location {
            path: self.rel.clone(),
            start_line: p.line.max(1),
            start_column: 1,
            end_line: end_line.max(1),
            end_column: end_col.max(1),
            commit: None,
        }
    }
}

/// Every lockfile of another ecosystem under `root`, honouring `.gitignore` and `exclude`,
/// sorted. `node_modules/` and `vendor/` hold installed copies, not the project's lockfiles.
pub fn discover(root: &Path, exclude: &ExcludeSet) -> Vec<(PathBuf, Format)> {
    let mut out: Vec<(PathBuf, Format)> =
        crate::paths::project_files(root, exclude, &["node_modules", "vendor", "target"])
            .filter_map(|e| {
                let f = Format::from_file_name(e.file_name().to_str()?)?;
                Some((e.into_path(), f))
            })
            .filter(|(p, f)| *f != Format::GoSum || !p.with_file_name("go.mod").is_file())
            .collect();
    out.sort();
    out
}

/// Reads and parses `path` as `format`.
pub fn load(root: &Path, path: &Path, format: Format) -> Result<Lockfile, LockError> {
    let text = read_text(path)?;
    parse(relative(root, path), format, &text)
}

/// Parses `text` as `format`.
pub fn parse(rel: String, format: Format, text: &str) -> Result<Lockfile, LockError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match format {
        Format::NpmLock => npm::parse(text),
        Format::YarnLock => yarn::parse(text),
        Format::PnpmLock => pnpm::parse(text),
        Format::PoetryLock => python_toml::parse(text, python_toml::Flavour::Poetry),
        Format::UvLock => python_toml::parse(text, python_toml::Flavour::Uv),
        Format::PipfileLock => pipfile::parse(text),
        Format::Requirements => Ok(requirements::parse(text)),
        Format::GoMod => golang::parse_mod(text),
        Format::GoSum => golang::parse_sum(text),
        Format::GemfileLock => gemfile::parse(text),
        Format::ComposerLock => composer::parse(text),
        Format::MavenPom => maven::parse(text),
    }?;
    let line_ends = text
        .lines()
        .map(|l| u32::try_from(l.chars().count() + 1).unwrap_or(u32::MAX))
        .collect();
    Ok(Lockfile {
        rel,
        format,
        parsed,
        line_ends,
    })
}

/// An error at `line`.
fn at(line: u32, message: impl Into<String>) -> LockError {
    LockError {
        line: Some(line.max(1)),
        message: message.into(),
    }
}

/// The lines of `text` with their 1-based numbers, for the line-oriented formats.
fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, raw)| (u32::try_from(i + 1).unwrap_or(u32::MAX), raw))
}

/// A line of an indentation-structured lockfile (yarn, pnpm) that carries content.
struct Indented<'a> {
    /// 1-based line number.
    n: u32,
    /// Leading whitespace, in bytes.
    indent: usize,
    /// The text without surrounding whitespace.
    text: &'a str,
}

/// The lines of `text` that are neither blank nor `#` comments, with their indentation.
fn indented_lines(text: &str) -> impl Iterator<Item = Indented<'_>> {
    numbered_lines(text).filter_map(|(n, raw)| {
        let line = raw.trim_end();
        let t = line.trim_start();
        (!t.is_empty() && !t.starts_with('#')).then(|| Indented {
            n,
            indent: line.len() - t.len(),
            text: t,
        })
    })
}

/// 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> u32 {
    crate::error::line_of_offset(text, offset.min(text.len()))
}
