//! One advisories audit of a directory's lockfiles, for `benches/advisories.sh` to time as a
//! process beside `cargo audit`.
//!
//! `advisories --db DIR --root DIR [--full] [--iters N]`: with `--iters`, also times N in-process
//! runs and prints the median to stderr.
// A measurement program: printing its numbers is its output.
#![allow(clippy::disallowed_macros)]

use std::path::PathBuf;
use std::time::Instant;

use stagegate::scanners::advisories::{audit, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions};

fn main() {
    let mut db = None;
    let mut root = None;
    let mut full = false;
    let mut iters = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => db = args.next().map(PathBuf::from),
            "--root" => root = args.next().map(PathBuf::from),
            "--full" => full = true,
            "--iters" => iters = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    let (Some(db), Some(root)) = (db, root) else {
        eprintln!("usage: advisories --db DIR --root DIR [--full] [--iters N]");
        std::process::exit(2);
    };
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(&root, &config, &options).explicit(true);
    let sources = Sources {
        db,
        cargo_home: None,
        full_load: full,
    };
    let out = audit(&ctx, &sources);
    if iters > 0 {
        let mut times: Vec<f64> = (0..iters)
            .map(|_| {
                let t = Instant::now();
                let o = audit(&ctx, &sources);
                std::hint::black_box(o.findings.len());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        eprintln!(
            "in-process ({}): median {:.2} ms over {iters} runs; {} packages, {} advisories loaded, {} findings",
            if full { "full load" } else { "selective load" },
            times[times.len() / 2],
            out.stats.packages,
            out.stats.advisories,
            out.findings.len()
        );
    }
    if out.findings.is_empty() {
        std::process::exit(1);
    }
}
