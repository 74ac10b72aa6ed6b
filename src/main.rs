//! `stagegate` binary: arguments → plan → [`stagegate::run`] → reports → exit code. The only
//! place that touches argv, stdout, stderr and the process exit code; what is printed lives in
//! [`cli::print`].

mod cli;

use std::process::ExitCode;

use clap::Parser;
use stagegate::error::Error;
use stagegate::report::{self, Format, RenderOptions};
use stagegate::scanners::ValidConfig;

use cli::args::{Cli, Command};
use cli::plan::Invocation;
use cli::print;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            print::error(&e);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Init(c) => return init(c),
        Command::Db(cli::args::DbCmd::Fetch(c)) => return db_fetch(c),
        Command::Explain(c) => return explain(c),
        _ => {}
    }
    let list_pairs = matches!(&cli.command, Command::Drift(d) if d.list_pairs);
    let mut inv = Invocation::new(cli.command)?;
    if list_pairs {
        let ctx = inv.plan.context().explicit(true);
        let pairs = stagegate::scanners::drift::pairs::discover_pairs(&ctx)?;
        print::stdout(stagegate::scanners::drift::pairs::render_pairs(&pairs).as_bytes());
        return Ok(ExitCode::SUCCESS);
    }
    let spinner = stagegate::progress::should_show(inv.quiet).then(|| {
        let progress = stagegate::progress::Progress::new();
        inv.plan.options.progress = Some(progress.clone());
        stagegate::progress::Spinner::start(&progress, "scanning")
    });
    let outcome = stagegate::run(&inv.plan);
    if let Some(s) = spinner {
        s.finish();
    }
    let outcome = outcome?;
    if let (Some(b), false) = (&outcome.baseline, inv.quiet) {
        print::baseline_outcome(b);
    }
    if inv.plan.baseline.as_ref().is_some_and(|b| b.regenerate) {
        // `stagegate baseline`: the file is written; exit 2 (with the errors) if a scanner could
        // not complete, since its findings are then missing from the baseline.
        let failed = print::error_notifications(&outcome.report);
        return Ok(ExitCode::from(if failed { 2 } else { 0 }));
    }
    Ok(write_reports(&inv, &outcome.report))
}

/// Files first: if one cannot be written, stdout still gets the report and the run exits 2.
fn write_reports(inv: &Invocation, report: &report::Report) -> ExitCode {
    let opts = RenderOptions {
        text: report::text::TextOptions {
            color: inv.color,
            timings: false,
        },
        sarif: report::sarif::SarifOptions {
            src_root_uri: src_root_uri(&inv.plan.root),
            automation_id: inv.automation_id.clone(),
        },
    };
    let mut write_error = None;
    if let Some(path) = &inv.sarif {
        let bytes = report::render(report, Format::Sarif, &opts);
        if let Err(e) = stagegate::output::write_atomic(path, &bytes) {
            write_error = Some(e);
        }
    }
    match &inv.output {
        Some(path) => {
            let bytes = report::render(report, inv.format, &opts);
            if let Err(e) = stagegate::output::write_atomic(path, &bytes) {
                write_error.get_or_insert(e);
            }
        }
        None if !(inv.quiet && inv.format == Format::Text) => {
            print::stdout(&report::render(report, inv.format, &opts));
        }
        None => {}
    }
    // When the report goes to a file or is quiet, errors still reach the user on stderr.
    let text_on_stdout = inv.output.is_none() && inv.format == Format::Text && !inv.quiet;
    if !text_on_stdout {
        print::error_notifications(report);
    } else {
        // The text report lists them too; a broken configuration also belongs on stderr.
        print::config_errors(&inv.plan.config);
    }
    if let Some(e) = write_error {
        print::error(&e);
        return ExitCode::from(2);
    }
    ExitCode::from(u8::try_from(report.summary.verdict.exit_code()).unwrap_or(2))
}

/// `stagegate explain [RULE]`.
fn explain(c: cli::args::ExplainCmd) -> Result<ExitCode, Error> {
    let text = match &c.rule {
        None => stagegate::explain::render_list(&stagegate::explain::all_rules()),
        Some(id) => match stagegate::explain::find(id) {
            Some(rule) => stagegate::explain::render(&rule),
            None if id.starts_with("advisory/") || id.starts_with("RUSTSEC-") => {
                let bare = id.trim_start_matches("advisory/");
                // RustSec ids have rustsec.org pages; every other OSV id (GHSA, PYSEC, GO…)
                // has one on osv.dev.
                let url = if bare.starts_with("RUSTSEC-") {
                    format!("https://rustsec.org/advisories/{bare}")
                } else {
                    format!("https://osv.dev/vulnerability/{bare}")
                };
                format!("{id}: advisory rules are documented by the advisory database: {url}\n")
            }
            None => {
                return Err(Error::Usage(format!(
                    "unknown rule `{id}`: `stagegate explain` lists every rule"
                )))
            }
        },
    };
    print::stdout(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `stagegate db fetch`: clone or update the advisory database where scans will look for it.
fn db_fetch(c: cli::args::DbFetchCmd) -> Result<ExitCode, Error> {
    let config = ValidConfig::discover(&c.path, c.config.as_deref())?;
    if !c.osv.is_empty() {
        return osv_fetch(&c, &config);
    }
    let dest = stagegate::scanners::advisories::db_path(&c.path, &config, c.db.as_deref());
    let outcome = stagegate::scanners::advisories::fetch_db(&dest)?;
    let verb = match outcome {
        stagegate::scanners::advisories::FetchOutcome::Cloned => "cloned",
        stagegate::scanners::advisories::FetchOutcome::Updated => "updated",
    };
    print::info(&format!("advisory database {verb} at {}", dest.display()));
    Ok(ExitCode::SUCCESS)
}

/// `stagegate db fetch --osv LIST`: OSV archives into `--osv-db DIR` (or the first
/// `[advisories] osv` entry).
fn osv_fetch(c: &cli::args::DbFetchCmd, config: &ValidConfig) -> Result<ExitCode, Error> {
    use stagegate::scanners::advisories::osv::{audit::osv_paths, fetch};
    let ecosystems = fetch::parse_ecosystems(&c.osv)?;
    let dest = match &c.osv_db {
        Some(d) => d.clone(),
        None => osv_paths(&c.path, config, &[])
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::Usage(
                    "db fetch --osv: say where to put the archives: --osv-db DIR, or \
                     `[advisories] osv = [\"DIR\"]` in stagegate.toml"
                        .to_string(),
                )
            })?,
    };
    let base = c.osv_url.as_deref().unwrap_or(fetch::OSV_BASE_URL);
    for f in fetch::fetch_osv(base, &ecosystems, &dest)? {
        print::info(&format!(
            "{} OSV archive: {} records ({} bytes) at {}",
            f.ecosystem,
            f.records,
            f.bytes,
            f.path.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `stagegate init`: write the config, then (with `--baseline`) the baseline it points at.
fn init(c: cli::args::InitCmd) -> Result<ExitCode, Error> {
    if !c.path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: the folder to configure must exist",
            c.path.display()
        )));
    }
    let baseline = c
        .baseline
        .then_some(stagegate::baseline::BASELINE_FILE_NAME);
    let written = stagegate::init::write_config(&c.path, c.force, baseline)?;
    if !c.quiet {
        print::info(&format!("wrote {}", written.display()));
    }
    if !c.baseline {
        return Ok(ExitCode::SUCCESS);
    }
    let cmd = Command::Baseline(cli::args::BaselineCmd {
        path: c.path,
        output: None,
        config: None,
        quiet: c.quiet,
        advisories: cli::args::AdvisoryArgs {
            db: None,
            target: None,
            no_yanked: false,
            osv_db: Vec::new(),
        },
    });
    run(Cli { command: cmd })
}

/// `file:///abs/root/` for SARIF's `originalUriBaseIds`.
fn src_root_uri(root: &std::path::Path) -> Option<String> {
    let abs = std::fs::canonicalize(root).ok()?;
    let s = abs.to_str()?;
    let mut uri = String::from("file://");
    uri.push_str(&report::sarif::encode_uri_path(s));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}
