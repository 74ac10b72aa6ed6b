//! Validated invocation: raw arguments + configuration file → the library's
//! [`stagegate::Plan`] (what to run) and where and how to write the report.

use std::io::IsTerminal;
use std::path::PathBuf;

use stagegate::config::FailOn;
use stagegate::dates::IsoDate;
use stagegate::error::Error;
use stagegate::finding::ScannerKind;
use stagegate::pipeline::BaselinePlan;
use stagegate::report::Format;
use stagegate::scanners::{AdvisoryOptions, ScanOptions, SecretsMode, SecretsOptions, ValidConfig};

use super::args::{AdvisoryArgs, ColorArg, Command, CommonArgs, ScannerArg, SecretArgs};

/// Everything `main` needs: the library plan plus the output side.
#[derive(Debug)]
pub struct Invocation {
    /// What the library runs.
    pub plan: stagegate::Plan,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub sarif: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    /// `automationDetails.id` for SARIF.
    pub automation_id: String,
}

impl CommonArgs {
    /// The common flags of `stagegate baseline`: scan quietly, write only the baseline.
    fn for_baseline(
        path: PathBuf,
        config: Option<PathBuf>,
        output: Option<PathBuf>,
        quiet: bool,
    ) -> CommonArgs {
        CommonArgs {
            path,
            format: Format::Text,
            output: None,
            sarif: None,
            fail_on: None,
            config,
            color: ColorArg::Never,
            quiet,
            baseline: output,
            update_baseline: true,
        }
    }
}

impl Invocation {
    /// Builds the invocation of a scanning subcommand.
    pub fn new(cmd: Command) -> Result<Invocation, Error> {
        let (common, scanners, explicit, adv, sec, name) = match cmd {
            Command::Scan(c) => {
                let explicit = !c.scanners.is_empty();
                let mut kinds: Vec<ScannerKind> = c
                    .scanners
                    .iter()
                    .map(|s| match s {
                        ScannerArg::Advisories => ScannerKind::Advisories,
                        ScannerArg::Secrets => ScannerKind::Secrets,
                        ScannerArg::Drift => ScannerKind::Drift,
                    })
                    .collect();
                if kinds.is_empty() {
                    kinds = ScannerKind::ALL.to_vec();
                }
                kinds.sort();
                kinds.dedup();
                (
                    c.common,
                    kinds,
                    explicit,
                    Some(c.advisories),
                    Some(c.secrets),
                    "scan",
                )
            }
            Command::Audit(c) => (
                c.common,
                vec![ScannerKind::Advisories],
                true,
                Some(c.advisories),
                None,
                "audit",
            ),
            Command::Secrets(c) => (
                c.common,
                vec![ScannerKind::Secrets],
                true,
                None,
                Some(c.secrets),
                "secrets",
            ),
            Command::Drift(c) => (
                c.common,
                vec![ScannerKind::Drift],
                true,
                None,
                None,
                "drift",
            ),
            Command::Baseline(c) => {
                let common = CommonArgs::for_baseline(c.path, c.config, c.output, c.quiet);
                (
                    common,
                    ScannerKind::ALL.to_vec(),
                    false,
                    Some(c.advisories),
                    None,
                    "baseline",
                )
            }
            Command::Init(_) | Command::Db(_) | Command::Explain(_) => {
                return Err(Error::Usage(
                    "internal: `init`, `db` and `explain` are not scanning commands".to_string(),
                ))
            }
        };
        Invocation::build(common, scanners, explicit, adv, sec, name)
    }

    fn build(
        common: CommonArgs,
        scanners: Vec<ScannerKind>,
        explicit: bool,
        adv: Option<AdvisoryArgs>,
        sec: Option<SecretArgs>,
        name: &str,
    ) -> Result<Invocation, Error> {
        let root = common.path.clone();
        if !root.exists() {
            return Err(Error::Usage(format!(
                "{}: no such file or directory (the scan root)",
                root.display()
            )));
        }
        if !root.is_dir() {
            return Err(Error::Usage(format!(
                "{}: the scan root must be a folder",
                root.display()
            )));
        }
        let config = ValidConfig::discover(&root, common.config.as_deref())?;
        let fail_on = match &common.fail_on {
            Some(s) => s.parse::<FailOn>().map_err(Error::Usage)?,
            None => config.fail_on.unwrap_or_default(),
        };
        let mut options = ScanOptions::default();
        if let Some(a) = adv {
            options.advisories = AdvisoryOptions {
                db: a.db,
                target: a.target,
                no_yanked: a.no_yanked,
                osv_db: a.osv_db,
            };
        }
        if let Some(s) = sec {
            let mode = if s.staged {
                SecretsMode::Staged
            } else if s.history {
                SecretsMode::History { since: s.since }
            } else {
                SecretsMode::Tree
            };
            options.secrets = SecretsOptions {
                mode,
                no_ignore: s.no_ignore,
                follow_symlinks: s.follow_symlinks,
            };
        }
        let color = match common.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
                    && common.output.is_none()
                    && std::io::stdout().is_terminal()
            }
        };
        let automation_id = format!("stagegate/{name}/");
        // `stagegate baseline` always writes one; `--update-baseline` creates the default file.
        let wants_file = name == "baseline" || common.update_baseline;
        let baseline = stagegate::baseline::resolve(&root, common.baseline.as_deref(), &config)
            .or_else(|| wants_file.then(|| root.join(stagegate::baseline::BASELINE_FILE_NAME)));
        let plan = stagegate::Plan {
            root,
            config,
            options,
            scanners,
            explicit,
            fail_on,
            today: IsoDate::today(),
            baseline: baseline.map(|path| BaselinePlan {
                path,
                update: common.update_baseline || name == "baseline",
                regenerate: name == "baseline",
            }),
        };
        Ok(Invocation {
            plan,
            format: common.format,
            output: common.output,
            sarif: common.sarif,
            color,
            quiet: common.quiet,
            automation_id,
        })
    }
}
