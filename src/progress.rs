//! Feedback during long scans: counters scanners bump, and a spinner on stderr that shows them.
//!
//! Scanners get a [`Progress`] through [`crate::scanners::ScanOptions::progress`] and call
//! [`Progress::inc_files`] / [`Progress::inc_bytes`] / [`Progress::inc_blobs`] as they go: a
//! relaxed atomic add, cheap enough to call per file from every rayon worker. Only `main` decides
//! whether a [`Spinner`] draws them, and never in CI logs, when stderr is not a terminal or with
//! `--quiet` ([`should_show`]), so machine output and logs stay clean.

use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Default)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    blobs: AtomicU64,
}

/// Shared progress counters; cloning shares them (an `Arc`).
#[derive(Clone, Default)]
pub struct Progress {
    counters: Arc<Counters>,
}

/// A point-in-time reading of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Files read so far.
    pub files: u64,
    /// Bytes read so far.
    pub bytes: u64,
    /// Git blobs scanned so far.
    pub blobs: u64,
}

impl Progress {
    /// Fresh counters at zero.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// `n` more files read.
    pub fn inc_files(&self, n: u64) {
        self.counters.files.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` more bytes read.
    pub fn inc_bytes(&self, n: u64) {
        self.counters.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` more git blobs scanned.
    pub fn inc_blobs(&self, n: u64) {
        self.counters.blobs.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            files: self.counters.files.load(Ordering::Relaxed),
            bytes: self.counters.bytes.load(Ordering::Relaxed),
            blobs: self.counters.blobs.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Progress({:?})", self.snapshot())
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} files, {}", self.files, human_bytes(self.bytes))?;
        if self.blobs > 0 {
            write!(f, ", {} blobs", self.blobs)?;
        }
        Ok(())
    }
}

/// `1.5 MiB`-style sizes for the spinner line.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Whether to draw a spinner: not with `--quiet`, not in CI (`CI` set to anything but
/// `false`/`0`/empty), and only when stderr is a terminal.
pub fn should_show(quiet: bool) -> bool {
    should_show_with(
        quiet,
        std::env::var_os("CI").as_deref(),
        std::io::stderr().is_terminal(),
    )
}

fn should_show_with(quiet: bool, ci: Option<&std::ffi::OsStr>, stderr_tty: bool) -> bool {
    let in_ci = ci.is_some_and(|v| !(v.is_empty() || v == "false" || v == "0"));
    !quiet && !in_ci && stderr_tty
}

/// A spinner on stderr redrawn from a [`Progress`] ten times a second until [`Spinner::finish`].
pub struct Spinner {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts drawing `progress` with the label `what` (`scanning`).
    pub fn start(progress: &Progress, what: &str) -> Spinner {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_prefix(what.to_string());
        bar.set_message(progress.snapshot().to_string());
        let stop = Arc::new(AtomicBool::new(false));
        let (b, p, s) = (bar.clone(), progress.clone(), stop.clone());
        let ticker = std::thread::Builder::new()
            .name("stagegate-progress".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    b.set_message(p.snapshot().to_string());
                    b.tick();
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
            .ok();
        Spinner { bar, stop, ticker }
    }

    /// Stops and erases the spinner (the report's closing line says what was scanned).
    pub fn finish(mut self) {
        self.stop_ticker();
    }

    fn stop_ticker(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop_ticker();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_shared_across_clones_and_threads() {
        let p = Progress::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                let q = p.clone();
                s.spawn(move || {
                    for _ in 0..1000 {
                        q.inc_files(1);
                        q.inc_bytes(10);
                    }
                    q.inc_blobs(2);
                });
            }
        });
        assert_eq!(
            p.snapshot(),
            Snapshot {
                files: 4000,
                bytes: 40_000,
                blobs: 8
            }
        );
        assert_eq!(p.snapshot().to_string(), "4000 files, 39.1 KiB, 8 blobs");
    }

    #[test]
    fn hidden_in_ci_when_quiet_or_not_a_terminal() {
        use std::ffi::OsStr;
        assert!(should_show_with(false, None, true));
        assert!(!should_show_with(true, None, true));
        assert!(!should_show_with(false, Some(OsStr::new("true")), true));
        assert!(should_show_with(false, Some(OsStr::new("false")), true));
        assert!(!should_show_with(false, None, false));
    }

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn spinner_starts_and_stops_without_a_terminal() {
        let p = Progress::new();
        let s = Spinner::start(&p, "scanning");
        p.inc_files(1);
        s.finish();
    }
}
