//! OSV timings for `benches/osv.sh`: loading OSV records (every record of a directory, e.g.
//! `../shared/osv/rustsec`), and whole audits through the OSV path (lockfile parsing, selective
//! load, matching). Plain `main`, no harness.
//!
//! `osv load DIR [--iters N]` — parse every record, median ms.
//! `osv audit --osv DIR --root DIR [--iters N]` — the audit of ROOT's lockfiles, median ms.
//! `osv gen-npm N DIR` — writes DIR/package-lock.json with N packages and DIR/osv/ with one
//! record per 10 packages (synthetic names), for a large-lockfile benchmark.

// A benchmark prints its measurements.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use stagegate::scanners::advisories::osv::OsvDb;
use stagegate::scanners::advisories::{audit, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn time<T>(iters: usize, mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..iters.max(1))
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

fn gen_npm(n: usize, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("osv/npm"))?;
    let mut lock = String::from("{\n  \"name\": \"big\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"big\" }");
    for i in 0..n {
        lock.push_str(&format!(
            ",\n    \"node_modules/pkg-{i}\": {{\n      \"version\": \"1.{}.{}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.0.tgz\",\n      \"integrity\": \"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"\n    }}",
            i % 7,
            i % 13
        ));
        if i % 10 == 0 {
            std::fs::write(
                dir.join(format!("osv/npm/GHSA-bench-{i}.json")),
                format!(
                    r#"{{"id":"GHSA-bench-{i}","modified":"2024-01-01T00:00:00Z","summary":"synthetic","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],"affected":[{{"package":{{"ecosystem":"npm","name":"pkg-{i}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.3.0"}}]}}]}}]}}"#
                ),
            )?;
        }
    }
    lock.push_str("\n  }\n}\n");
    std::fs::write(dir.join("package-lock.json"), lock)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let iters: usize = flag("--iters").and_then(|n| n.parse().ok()).unwrap_or(10);
    match args.first().map(String::as_str) {
        Some("load") => {
            let Some(dir) = args.get(1).map(PathBuf::from) else {
                eprintln!("usage: osv load DIR [--iters N]");
                std::process::exit(2);
            };
            let db = OsvDb::load(std::slice::from_ref(&dir), None).expect("load");
            let ms = time(iters, || {
                OsvDb::load(std::slice::from_ref(&dir), None).map(|d| d.len())
            });
            println!(
                "load {}: {} records, {} problems: median {ms:.1} ms over {iters} runs",
                dir.display(),
                db.parsed(),
                db.problems().len()
            );
        }
        Some("audit") => {
            let (Some(osv), Some(root)) = (flag("--osv"), flag("--root")) else {
                eprintln!("usage: osv audit --osv DIR --root DIR [--iters N]");
                std::process::exit(2);
            };
            let root = PathBuf::from(root);
            let config = Config::default();
            let mut options = ScanOptions::default();
            options.advisories.osv_db = vec![PathBuf::from(osv)];
            options.advisories.no_yanked = true;
            let ctx = ScanContext::new(&root, &config, &options).explicit(true);
            let sources = Sources {
                db: root.join("no-rustsec-database"),
                cargo_home: None,
                full_load: false,
            };
            let out = audit(&ctx, &sources);
            let ms = time(iters, || audit(&ctx, &sources).findings.len());
            let mb = out.stats.bytes as f64 / 1e6;
            println!(
                "audit {}: {} lockfile(s), {} packages, {} records kept, {} findings: median {ms:.1} ms over {iters} runs ({:.1} MB/s of lockfile)",
                root.display(),
                out.stats.lockfiles,
                out.stats.packages,
                out.stats.advisories,
                out.findings.len(),
                if ms > 0.0 { mb / (ms / 1000.0) } else { 0.0 }
            );
        }
        Some("gen-npm") => {
            let (Some(n), Some(dir)) = (
                args.get(1).and_then(|n| n.parse().ok()),
                args.get(2).map(PathBuf::from),
            ) else {
                eprintln!("usage: osv gen-npm N DIR");
                std::process::exit(2);
            };
            gen_npm(n, &dir).expect("write");
        }
        _ => {
            eprintln!("usage: osv load DIR | audit --osv DIR --root DIR | gen-npm N DIR");
            std::process::exit(2);
        }
    }
}
