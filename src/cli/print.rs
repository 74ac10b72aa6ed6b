//! Everything the binary writes to stdout and stderr. The one module allowed to use
//! `println!`/`eprintln!` (`clippy.toml` bans them elsewhere).
#![allow(clippy::disallowed_macros)]

use std::io::Write;

use stagegate::baseline::Outcome;
use stagegate::finding::{Location, Notification, NotificationLevel, ScannerKind};
use stagegate::report::Report;
use stagegate::scanners::ValidConfig;

/// Writes a report (or a listing) to stdout. A closed pipe (`| head`) is not an error of the
/// scan.
pub fn stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|_| out.flush());
}

/// `stagegate: error: …`, one line per line of the error. Errors may quote a config value:
/// never print a credential in clear.
pub fn error(e: &dyn std::fmt::Display) {
    for line in stagegate::scan::scrub(&e.to_string()).lines() {
        eprintln!("stagegate: error: {line}");
    }
}

/// `stagegate: …` progress information on stderr.
pub fn info(message: &str) {
    eprintln!("stagegate: {message}");
}

/// What `--update-baseline` / `stagegate baseline` did.
pub fn baseline_outcome(b: &Outcome) {
    if let Some(u) = &b.updated {
        info(&format!(
            "baseline {}: {} entries ({} added, {} dropped as no longer found)",
            b.path.display(),
            u.total,
            u.added,
            u.dropped
        ));
    }
}

/// Every error notification of `report` on stderr; whether there was one.
pub fn error_notifications(report: &Report) -> bool {
    let mut any = false;
    for n in &report.result.notifications {
        if n.level == NotificationLevel::Error {
            eprintln!("stagegate: error: {}", describe(n));
            any = true;
        }
    }
    any
}

/// The mistakes of invalid configuration sections, on stderr.
pub fn config_errors(config: &ValidConfig) {
    for kind in ScannerKind::ALL {
        for e in config.section_errors(kind) {
            error(&format!("{e} (the {kind} scanner did not run)"));
        }
    }
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
