//! Baseline throughput at GitHub's per-run ceiling (25 000 results): write, parse, apply and
//! update. `cargo bench --bench baseline`; prints milliseconds per phase (best of 5).
// A measurement program: printing its numbers is its output.
#![allow(clippy::disallowed_macros)]

use std::time::{Duration, Instant};

use stagegate::baseline::{self, Baseline};
use stagegate::finding::{Finding, Location, ScannerKind, Severity};
use stagegate::scan::ScanResult;

const N: usize = 25_000;

fn findings(offset: usize) -> Vec<Finding> {
    (0..N)
        .map(|i| {
            Finding::new(
                "secret/github-pat",
                Severity::Critical,
                format!("GitHub token ghp_…(40) committed in file {}", i % 500),
                Location::line(
                    format!("src/dir{}/file{}.rs", i % 50, i % 500),
                    (i % 900) as u32 + 1,
                ),
                &format!("token-{}", i + offset),
            )
        })
        .collect()
}

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..5 {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("ran"))
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(".stagegate-baseline.json");
    let old = findings(0);
    let (t_build, base) = best(|| Baseline::from_findings(&old));
    let (t_write, ()) = best(|| base.write(&path).expect("write"));
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let (t_load, loaded) = best(|| Baseline::load(&path).expect("load"));
    // Half the findings are still there, half are new.
    let now: Vec<Finding> = findings(N / 2);
    let (t_apply, applied) = best(|| {
        let mut r = ScanResult {
            findings: now.clone(),
            ..ScanResult::default()
        };
        baseline::apply(
            &mut r,
            &loaded,
            &[ScannerKind::Secrets],
            ".stagegate-baseline.json",
        )
    });
    let (t_update, (_, stats)) = best(|| {
        let r = ScanResult {
            findings: now.clone(),
            ..ScanResult::default()
        };
        baseline::update(Some(&loaded), &r, &[ScannerKind::Secrets])
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "baseline, {N} entries ({:.1} MiB on disk):",
        bytes as f64 / 1048576.0
    );
    println!("  build     {:8.1} ms", ms(t_build));
    println!("  write     {:8.1} ms", ms(t_write));
    println!("  load      {:8.1} ms", ms(t_load));
    println!(
        "  apply     {:8.1} ms  ({} unchanged, {} new, {} unmatched notes)",
        ms(t_apply),
        applied.unchanged,
        applied.new,
        applied.unmatched
    );
    println!(
        "  update    {:8.1} ms  ({} added, {} dropped)",
        ms(t_update),
        stats.added,
        stats.dropped
    );
}
