//! GitHub code scanning's upload limits, applied by the SARIF writer so an upload is never
//! rejected: at most [`MAX_RESULTS`] results per run, [`MAX_LOCATIONS`] locations per result,
//! and [`MAX_GZIP_BYTES`] of gzipped log.
//!
//! When a log would exceed a limit the most severe results are kept (unsuppressed before
//! suppressed, then severity, then the report's own order) and a notification in the log says
//! how many were dropped; the JSON report still has every finding. `--sarif-omit-suppressed`
//! leaves accepted findings (baseline, ignores, inline allows) out before any cap applies.
//!
//! The gzipped size is *measured*: the log is serialized into a gzip encoder (flate2, fastest
//! level) that only counts bytes. The fastest level compresses no better than the default level
//! `upload-sarif` uses, so the measure errs on the large side; a 5 % margin covers the rest.

use std::io::{self, Write};

use crate::finding::Finding;

/// Results per run GitHub accepts.
pub const MAX_RESULTS: usize = 25_000;

/// Locations (and, to be safe, related locations) per result GitHub accepts.
pub const MAX_LOCATIONS: usize = 1_000;

/// Gzipped upload size GitHub accepts (10 MB).
pub const MAX_GZIP_BYTES: u64 = 10 * 1024 * 1024;

/// What the writer aims below: [`MAX_GZIP_BYTES`] minus a 5 % margin.
pub const GZIP_TARGET: u64 = MAX_GZIP_BYTES / 20 * 19;

/// Which findings become results, in report order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Indices into the findings, ascending.
    pub keep: Vec<usize>,
    /// Suppressed findings left out on request.
    pub omitted_suppressed: usize,
    /// Findings dropped to stay within a limit.
    pub dropped: usize,
}

/// Keeps at most `cap` findings, the most severe first, after leaving out suppressed findings
/// when `omit_suppressed`.
pub fn select(findings: &[Finding], omit_suppressed: bool, cap: usize) -> Selection {
    let mut candidates: Vec<usize> = (0..findings.len())
        .filter(|&i| !(omit_suppressed && findings[i].is_suppressed()))
        .collect();
    let omitted_suppressed = findings.len() - candidates.len();
    let mut dropped = 0;
    if candidates.len() > cap {
        candidates.sort_by_key(|&i| {
            let f = &findings[i];
            (f.is_suppressed(), std::cmp::Reverse(f.severity), i)
        });
        dropped = candidates.len() - cap;
        candidates.truncate(cap);
        candidates.sort_unstable();
    }
    Selection {
        keep: candidates,
        omitted_suppressed,
        dropped,
    }
}

/// A smaller cap for a log of `kept` results that measured `size` gzipped bytes: proportional,
/// with 10 % headroom, and always smaller than `kept` so the loop ends.
pub fn shrink(kept: usize, size: u64) -> usize {
    let ratio = GZIP_TARGET as f64 / size.max(1) as f64;
    let next = (kept as f64 * ratio * 0.9) as usize;
    next.min(kept.saturating_sub(1))
}

/// Bytes a `Write` received.
#[derive(Debug, Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serialized size of `value` (pretty JSON, as written) and, when that alone could exceed the
/// target, its gzipped size; `None` for the second means "small enough uncompressed".
pub fn measure<T: serde::Serialize>(value: &T) -> (u64, Option<u64>) {
    let mut plain = Counter::default();
    let _ = serde_json::to_writer_pretty(&mut plain, value);
    if plain.0 <= GZIP_TARGET {
        return (plain.0, None);
    }
    let mut gz = flate2::write::GzEncoder::new(Counter::default(), flate2::Compression::fast());
    let _ = serde_json::to_writer_pretty(&mut gz, value);
    let size = gz.finish().map(|c| c.0).unwrap_or(u64::MAX);
    (plain.0, Some(size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity, Suppression, SuppressionKind};

    fn f(i: usize, sev: Severity, suppressed: bool) -> Finding {
        let mut f = Finding::new(
            "secret/x",
            sev,
            "m",
            Location::line(format!("f{i}"), 1),
            &i.to_string(),
        );
        if suppressed {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: "baseline".into(),
            });
        }
        f
    }

    #[test]
    fn keeps_the_most_severe_in_report_order() {
        let fs = vec![
            f(0, Severity::Low, false),
            f(1, Severity::Critical, true),
            f(2, Severity::High, false),
            f(3, Severity::Critical, false),
            f(4, Severity::Note, false),
        ];
        let s = select(&fs, false, 3);
        assert_eq!(s.keep, vec![0, 2, 3]);
        assert_eq!(s.dropped, 2);
        let s = select(&fs, true, 10);
        assert_eq!(s.keep, vec![0, 2, 3, 4]);
        assert_eq!(s.omitted_suppressed, 1);
        assert_eq!(s.dropped, 0);
    }

    #[test]
    fn shrink_always_makes_progress() {
        assert!(shrink(100, MAX_GZIP_BYTES * 2) < 50);
        assert_eq!(shrink(1, MAX_GZIP_BYTES + 1), 0);
        assert!(shrink(1000, GZIP_TARGET + 1) < 1000);
    }

    #[test]
    fn gzip_is_measured_only_for_large_logs() {
        let small = vec!["x"; 10];
        assert!(measure(&small).1.is_none());
        let big: Vec<String> = (0..800_000).map(|i| format!("value-{i}")).collect();
        let (plain, gz) = measure(&big);
        let gz = gz.expect("measured");
        assert!(plain > GZIP_TARGET && gz < plain / 3, "{plain} {gz}");
    }
}
