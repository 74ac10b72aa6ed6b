//! `stagegate` binary: parses arguments, runs the library, writes reports, maps the verdict to
//! the exit code. The only place that touches argv, stdout and the process exit code.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use stagegate::error::Error;
use stagegate::finding::{Location, Notification, NotificationLevel};
use stagegate::report::{self, Format, RenderOptions, Report};
use stagegate::scanners::{self, ScanContext};

use cli::args::{Cli, Command};
use cli::plan::Plan;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Errors may quote a config value: never print a credential in clear.
            eprintln!(
                "stagegate: error: {}",
                stagegate::redact::scrub(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let regenerate = match cli.command {
        Command::Init(c) => return init(c),
        Command::Db(cli::args::DbCmd::Fetch(c)) => return db_fetch(c),
        Command::Explain(c) => return explain(c),
        Command::Baseline(_) => true,
        _ => false,
    };
    let list_pairs = matches!(&cli.command, Command::Drift(d) if d.list_pairs);
    let mut plan = Plan::new(cli.command)?;
    if list_pairs {
        return list_drift_pairs(&plan);
    }
    let spinner = stagegate::progress::should_show(plan.quiet).then(|| {
        let progress = stagegate::progress::Progress::new();
        plan.options.progress = Some(progress.clone());
        stagegate::progress::Spinner::start(&progress, "scanning")
    });
    let ctx = ScanContext {
        root: &plan.root,
        config: &plan.config,
        options: &plan.options,
        explicit: plan.explicit,
    };
    let scanners: Vec<_> = plan
        .scanners
        .iter()
        .map(|k| scanners::builtin(*k))
        .collect();
    let mut result = stagegate::scan::run(&scanners, &ctx);
    if let Some(s) = spinner {
        s.finish();
    }
    if let Some(path) = &plan.baseline {
        let outcome = stagegate::baseline::run(
            &mut result,
            path,
            &plan.root,
            &plan.scanners,
            plan.update_baseline,
            regenerate,
        )?;
        if let (Some(u), false) = (&outcome.updated, plan.quiet) {
            eprintln!(
                "stagegate: baseline {}: {} entries ({} added, {} dropped as no longer found)",
                outcome.path.display(),
                u.total,
                u.added,
                u.dropped
            );
        }
    }
    if regenerate {
        return Ok(finish_baseline(&result));
    }
    let report = Report::new(result, plan.fail_on, plan.root.display().to_string());
    let opts = RenderOptions {
        text: report::text::TextOptions {
            color: plan.color,
            timings: false,
        },
        sarif: report::sarif::SarifOptions {
            src_root_uri: src_root_uri(&plan.root),
            automation_id: plan.automation_id.clone(),
        },
    };

    // Files first: if one cannot be written, stdout still gets the report and the run exits 2.
    let mut write_error = None;
    if let Some(path) = &plan.sarif {
        let bytes = report::render(&report, Format::Sarif, &opts);
        if let Err(e) = stagegate::output::write_atomic(path, &bytes) {
            write_error = Some(e);
        }
    }
    match &plan.output {
        Some(path) => {
            let bytes = report::render(&report, plan.format, &opts);
            if let Err(e) = stagegate::output::write_atomic(path, &bytes) {
                write_error.get_or_insert(e);
            }
        }
        None => {
            if !(plan.quiet && plan.format == Format::Text) {
                let bytes = report::render(&report, plan.format, &opts);
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error of the scan.
                let _ = out.write_all(&bytes).and_then(|_| out.flush());
            }
        }
    }
    // When the report goes to a file or is quiet, errors still reach the user on stderr.
    let text_on_stdout = plan.output.is_none() && plan.format == Format::Text && !plan.quiet;
    if !text_on_stdout {
        for n in &report.result.notifications {
            if n.level == NotificationLevel::Error {
                eprintln!("stagegate: error: {}", describe(n));
            }
        }
    }
    if let Some(e) = write_error {
        eprintln!(
            "stagegate: error: {}",
            stagegate::redact::scrub(&e.to_string())
        );
        return Ok(ExitCode::from(2));
    }
    let code = report.summary.verdict.exit_code();
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(2)))
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
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    Ok(ExitCode::SUCCESS)
}

/// `stagegate db fetch`: clone or update the advisory database where scans will look for it.
fn db_fetch(c: cli::args::DbFetchCmd) -> Result<ExitCode, Error> {
    let config = stagegate::config::Config::discover(&c.path, c.config.as_deref())?;
    if !c.osv.is_empty() {
        return osv_fetch(&c, &config);
    }
    let dest = scanners::advisories::db_path(&c.path, &config, c.db.as_deref());
    let outcome = scanners::advisories::fetch_db(&dest)?;
    let verb = match outcome {
        scanners::advisories::FetchOutcome::Cloned => "cloned",
        scanners::advisories::FetchOutcome::Updated => "updated",
    };
    eprintln!("stagegate: advisory database {verb} at {}", dest.display());
    Ok(ExitCode::SUCCESS)
}

/// `stagegate db fetch --osv LIST`: OSV archives into `--osv-db DIR` (or the first
/// `[advisories] osv` entry).
fn osv_fetch(
    c: &cli::args::DbFetchCmd,
    config: &stagegate::config::Config,
) -> Result<ExitCode, Error> {
    use scanners::advisories::osv::{audit::osv_paths, fetch};
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
        eprintln!(
            "stagegate: {} OSV archive: {} records ({} bytes) at {}",
            f.ecosystem,
            f.records,
            f.bytes,
            f.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `stagegate drift --list-pairs`: what would be compared, without comparing.
fn list_drift_pairs(plan: &Plan) -> Result<ExitCode, Error> {
    let ctx = ScanContext {
        root: &plan.root,
        config: &plan.config,
        options: &plan.options,
        explicit: true,
    };
    let plans = scanners::drift::pairs::discover_pairs(&ctx)?;
    let mut out = std::io::stdout().lock();
    let _ = out
        .write_all(scanners::drift::pairs::render_pairs(&plans).as_bytes())
        .and_then(|_| out.flush());
    Ok(ExitCode::SUCCESS)
}

/// `stagegate baseline`: the file is written; exit 2 (with the errors) if a scanner could not
/// complete, since its findings are then missing from the baseline.
fn finish_baseline(result: &stagegate::scan::ScanResult) -> ExitCode {
    let mut failed = false;
    for n in &result.notifications {
        if n.level == NotificationLevel::Error {
            eprintln!("stagegate: error: {}", describe(n));
            failed = true;
        }
    }
    ExitCode::from(if failed { 2 } else { 0 })
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
        eprintln!("stagegate: wrote {}", written.display());
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

fn describe(n: &Notification) -> String {
    let scanner = n.scanner.map(|s| format!("[{s}] ")).unwrap_or_default();
    match &n.location {
        Some(Location { path, .. }) if !n.message.contains(path.as_str()) => {
            format!("{scanner}{path}: {}", n.message)
        }
        _ => format!("{scanner}{}", n.message),
    }
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
