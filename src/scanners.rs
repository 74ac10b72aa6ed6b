//! The three scanners and the contract they share with the frame.
//!
//! A scanner reads the repository, and pushes [`Finding`]s, the [`RuleMeta`] of every rule that
//! produced one, and [`Notification`]s for problems it met. It never formats output and never
//! decides the exit code: that is the job of [`crate::report`] and [`crate::gate`].

pub mod advisories;
pub mod drift;
pub mod secrets;
pub mod valid;

pub use valid::ValidConfig;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dates::IsoDate;
use crate::finding::{Finding, Notification, RuleMeta, ScannerKind};

/// What a scanner is given.
#[derive(Debug, Clone, Copy)]
pub struct ScanContext<'a> {
    /// Scan root; every [`crate::finding::Location::path`] is relative to it.
    pub root: &'a Path,
    /// The validated, compiled configuration.
    pub config: &'a ValidConfig,
    /// Command-line options.
    pub options: &'a ScanOptions,
    /// True when the user asked for this scanner by name (`stagegate audit`, `--scanners`):
    /// then having nothing to scan is an error, not a quiet pass.
    pub explicit: bool,
    /// The date `until` expiries and database age are measured against. An explicit input,
    /// so tests pin it without touching the process environment.
    pub today: IsoDate,
}

impl<'a> ScanContext<'a> {
    /// A context for scanning `root`: not explicit, today from [`IsoDate::today`] (the clock,
    /// or `STAGEGATE_TODAY`).
    pub fn new(root: &'a Path, config: &'a ValidConfig, options: &'a ScanOptions) -> Self {
        ScanContext {
            root,
            config,
            options,
            explicit: false,
            today: IsoDate::today(),
        }
    }

    /// With `explicit` set: the scanners were asked for by name.
    pub fn explicit(mut self, explicit: bool) -> Self {
        self.explicit = explicit;
        self
    }

    /// With `today` pinned.
    pub fn today(mut self, today: IsoDate) -> Self {
        self.today = today;
        self
    }
}

/// Command-line options of every scanner.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Advisories options.
    pub advisories: AdvisoryOptions,
    /// Secrets options.
    pub secrets: SecretsOptions,
    /// Drift options.
    pub drift: DriftOptions,
    /// Counters to bump as files, bytes and blobs are read (`inc_files(n)`…); `None` when no
    /// one is watching.
    pub progress: Option<crate::progress::Progress>,
}

/// Options of the advisories scanner.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryOptions {
    /// `--db PATH`: advisory database directory (wins over the config file).
    pub db: Option<PathBuf>,
    /// `--target TRIPLE`: honour `[affected] os/arch` for this target.
    pub target: Option<String>,
    /// `--no-yanked`: skip the yanked-version check (it reads Cargo's index cache).
    pub no_yanked: bool,
    /// `--osv-db PATH` (repeatable): OSV records or archives (win over `[advisories] osv`).
    pub osv_db: Vec<PathBuf>,
}

/// What the secrets scanner reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SecretsMode {
    /// The files of the working tree (default; works outside git).
    #[default]
    Tree,
    /// The staged content of the git index (pre-commit).
    Staged,
    /// Every blob reachable from all refs, optionally only commits after `since`.
    History {
        /// `--since REV`.
        since: Option<String>,
    },
}

/// Options of the secrets scanner.
#[derive(Debug, Clone, Default)]
pub struct SecretsOptions {
    /// Tree, staged or history.
    pub mode: SecretsMode,
    /// `--no-ignore`: do not honour .gitignore.
    pub no_ignore: bool,
    /// `--follow-symlinks`.
    pub follow_symlinks: bool,
}

/// Options of the drift scanner.
#[derive(Debug, Clone, Default)]
pub struct DriftOptions {}

/// Counts of what a scanner looked at, so an empty scan never looks like a clean one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lockfiles audited.
    pub lockfiles: u64,
    /// Locked packages checked.
    pub packages: u64,
    /// Advisories loaded.
    pub advisories: u64,
    /// UAT/production pairs compared.
    pub pairs: u64,
    /// Configuration keys compared.
    pub keys: u64,
    /// Git blobs scanned.
    pub blobs: u64,
    /// Git commits walked.
    pub commits: u64,
}

impl ScanStats {
    /// Adds another scanner's counts.
    pub fn add(&mut self, o: &ScanStats) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.lockfiles += o.lockfiles;
        self.packages += o.packages;
        self.advisories += o.advisories;
        self.pairs += o.pairs;
        self.keys += o.keys;
        self.blobs += o.blobs;
        self.commits += o.commits;
    }
}

/// What a scanner returns. Problems are notifications, not `Err`: one bad file never hides the
/// findings of the others.
#[derive(Debug, Clone, Default)]
pub struct ScanOutput {
    /// Findings, in any order (the frame sorts).
    pub findings: Vec<Finding>,
    /// Metadata of every rule that has a finding (duplicates are merged by id).
    pub rules: Vec<RuleMeta>,
    /// Errors and warnings met.
    pub notifications: Vec<Notification>,
    /// What was looked at.
    pub stats: ScanStats,
}

/// One scanner.
pub trait Scanner: Send + Sync {
    /// Which one.
    fn kind(&self) -> ScannerKind;
    /// Runs it. Must not panic on any input; the frame still catches panics as a last resort.
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput;
}

/// The built-in scanner of each kind.
pub fn builtin(kind: ScannerKind) -> Box<dyn Scanner> {
    match kind {
        ScannerKind::Advisories => Box::new(advisories::AdvisoriesScanner),
        ScannerKind::Secrets => Box::new(secrets::SecretsScanner),
        ScannerKind::Drift => Box::new(drift::DriftScanner),
    }
}
