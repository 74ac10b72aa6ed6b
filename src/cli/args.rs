//! Raw command-line arguments (clap derive). Validation and defaults happen in `plan.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use stagegate::report::Format;

/// Release gate for Dev → UAT → Production: vulnerable dependencies, leaked credentials and
/// UAT/production configuration drift, in one run.
#[derive(Debug, Parser)]
#[command(name = "stagegate", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 = nothing at or above --fail-on; 1 = the gate blocks; \
2 = usage, configuration or input error (findings are still reported)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every applicable scanner (advisories, secrets, drift) in parallel.
    Scan(ScanCmd),
    /// Audit lockfiles against the advisory database.
    Audit(AuditCmd),
    /// Find committed credentials in the tree, the staged change or git history.
    Secrets(SecretsCmd),
    /// Compare UAT and production configuration, and check production policies.
    Drift(DriftCmd),
    /// Accept today's findings: write .stagegate-baseline.json so only new findings block.
    Baseline(BaselineCmd),
    /// Write a commented stagegate.toml for the lockfiles and UAT/production pairs found.
    Init(InitCmd),
    /// Show a rule's documentation, or list every built-in rule.
    Explain(ExplainCmd),
    /// Manage the advisory database (the only command that uses the network).
    #[command(subcommand)]
    Db(DbCmd),
}

/// `stagegate explain`.
#[derive(Debug, Args)]
pub struct ExplainCmd {
    /// Rule id (`secret/github-pat-classic`, `drift/image`, `prod-debug-enabled`); all rules when absent.
    pub rule: Option<String>,
}

/// `stagegate db …`.
#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Clone the RustSec advisory database, or update an existing clone (`git pull`); with
    /// `--osv`, download OSV archives of other ecosystems.
    Fetch(DbFetchCmd),
}

/// `stagegate db fetch`.
#[derive(Debug, Args)]
pub struct DbFetchCmd {
    /// Where to put it [default: `[advisories] db` of the config at PATH, else ~/.cargo/advisory-db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Repository whose stagegate.toml says where the database lives.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Configuration file [default: stagegate.toml at PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Download OSV archives for these ecosystems instead of the RustSec database
    /// (npm, PyPI, Go, RubyGems, Packagist, Maven, crates.io, or `all`).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub osv: Vec<String>,
    /// Folder for the OSV archives (`DIR/<ecosystem>/all.zip`) [default: the first
    /// `[advisories] osv` entry of the config at PATH].
    #[arg(long, value_name = "DIR", requires = "osv")]
    pub osv_db: Option<PathBuf>,
    /// Where OSV publishes its archives (a mirror) [default: OSV's public bucket].
    #[arg(long, value_name = "URL", requires = "osv")]
    pub osv_url: Option<String>,
}

/// `stagegate baseline`.
#[derive(Debug, Args)]
pub struct BaselineCmd {
    /// Repository to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Baseline file to write [default: `baseline` from the config, else
    /// PATH/.stagegate-baseline.json].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: stagegate.toml at the scan root].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub advisories: AdvisoryArgs,
}

/// `stagegate init`.
#[derive(Debug, Args)]
pub struct InitCmd {
    /// Repository to configure.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Replace an existing stagegate.toml.
    #[arg(long)]
    pub force: bool,
    /// Also scan and write .stagegate-baseline.json, and point the config at it.
    #[arg(long)]
    pub baseline: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `stagegate scan`.
#[derive(Debug, Args)]
pub struct ScanCmd {
    /// Scanners to run, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub scanners: Vec<ScannerArg>,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub advisories: AdvisoryArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
}

/// `stagegate audit`.
#[derive(Debug, Args)]
pub struct AuditCmd {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub advisories: AdvisoryArgs,
}

/// `stagegate secrets`.
#[derive(Debug, Args)]
pub struct SecretsCmd {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
}

/// `stagegate drift`.
#[derive(Debug, Args)]
pub struct DriftCmd {
    /// Print the UAT/production pairs (configured and discovered) and exit.
    #[arg(long)]
    pub list_pairs: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Flags every scanning subcommand takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Repository to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Report format written to stdout (or to --output).
    #[arg(long, value_parser = format_parser(), default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write SARIF 2.1.0 to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Lowest severity that blocks: none, note, low, medium, high, critical [default: high,
    /// or `fail_on` from the config file].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Configuration file [default: stagegate.toml at the scan root].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colours (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print nothing but errors (and the report when a machine format goes to stdout).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Accept the findings listed in FILE (see `stagegate baseline`): only new ones block
    /// [default: `baseline` from the config file, relative to the scan root].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline with the current findings (drops and counts stale entries).
    #[arg(long)]
    pub update_baseline: bool,
}

/// Advisories flags.
#[derive(Debug, Args)]
pub struct AdvisoryArgs {
    /// Advisory database directory [default: `[advisories] db`, else ~/.cargo/advisory-db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Only advisories that affect this target triple (honours `[affected] os/arch`).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Skip the yanked-version check (Cargo's local index cache).
    #[arg(long)]
    pub no_yanked: bool,
    /// OSV advisory data (a directory of OSV JSON records or an OSV `all.zip`) for npm, PyPI,
    /// Go, RubyGems, Packagist and Maven lockfiles; repeatable [default: `[advisories] osv`].
    #[arg(long, value_name = "PATH")]
    pub osv_db: Vec<PathBuf>,
}

/// Secrets flags.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Scan only the staged content of the git index (pre-commit).
    #[arg(long, conflicts_with = "history")]
    pub staged: bool,
    /// Scan every blob reachable from all refs.
    #[arg(long)]
    pub history: bool,
    /// With --history: only commits after REV.
    #[arg(long, value_name = "REV", requires = "history")]
    pub since: Option<String>,
    /// Do not honour .gitignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links.
    #[arg(long)]
    pub follow_symlinks: bool,
}

/// `--format` values: the library's [`Format`]s (the library does not depend on clap).
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(Format::ALL.map(|f| PossibleValue::new(f.as_str()).help(f.help())))
        // Only the listed values get here, and each parses; text is the documented default.
        .map(|s| s.parse::<Format>().unwrap_or(Format::Text))
}

/// `--scanners` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScannerArg {
    /// Lockfiles against vulnerability databases.
    Advisories,
    /// Committed credentials.
    Secrets,
    /// UAT ↔ production configuration.
    Drift,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
