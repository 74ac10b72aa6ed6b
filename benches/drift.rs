//! Drift throughput: a pair of 100 000-key configurations, compared in memory and end to end
//! (read + parse + compare + policies) through the scanner. Run with `benches/drift.sh` or
//! `cargo bench --bench drift`. Prints one line per measurement; the target is < 1 s per pair.
// A measurement program: printing its numbers is its output.
#![allow(clippy::disallowed_macros)]

use std::path::Path;
use std::time::Instant;

use stagegate::finding::{Location, ScannerKind};
use stagegate::scanners::drift::compare::{compare, Side};
use stagegate::scanners::drift::expect::Expectations;
use stagegate::scanners::drift::model::{FlatConfig, Value};
use stagegate::scanners::drift::policy::PolicySet;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{self, ScanContext, ScanOptions};

const KEYS: usize = 100_000;

/// `KEYS` keys in 1000 sections; every 100th value differs between the environments.
fn yaml(env: &str) -> String {
    let mut s = String::with_capacity(KEYS * 40);
    for section in 0..KEYS / 100 {
        s.push_str(&format!("service{section}:\n"));
        for k in 0..99 {
            let v = if k == 7 && env == "prod" { 2 } else { 1 };
            s.push_str(&format!("  setting_{k}: \"value-{v}-{section}-{k}\"\n"));
        }
        s.push_str(&format!("  url: https://svc{section}.{env}.acme.io\n"));
    }
    s
}

fn flat(env: &str) -> FlatConfig {
    let mut c = FlatConfig::default();
    let path = format!("values-{env}.yaml");
    for i in 0..KEYS {
        let v = if i % 100 == 7 && env == "prod" { 2 } else { 1 };
        c.insert(
            format!("/service{}/setting_{}", i / 100, i % 100),
            Value::String(format!("value-{v}-{i}")),
            Location::line(path.as_str(), (i + 1) as u32),
        );
    }
    c
}

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("n > 0"))
}

fn main() {
    let (u, p) = (flat("uat"), flat("prod"));
    let expect = Expectations::none();
    let (secs, findings) = best_of(5, || {
        compare(
            "bench",
            Side {
                config: &u,
                file: "values-uat.yaml",
                root: "values-uat.yaml",
            },
            Side {
                config: &p,
                file: "values-prod.yaml",
                root: "values-prod.yaml",
            },
            &expect,
        )
    });
    println!(
        "drift compare (in memory): {KEYS} keys per side, {} findings, {:.1} ms, {:.2} M keys/s",
        findings.len(),
        secs * 1e3,
        2.0 * KEYS as f64 / secs / 1e6
    );
    let policies = PolicySet::builtin(&[]).expect("policies");
    let (secs, f) = best_of(5, || policies.evaluate("bench", &p));
    println!(
        "drift policies (in memory): {KEYS} keys, {} findings, {:.1} ms",
        f.len(),
        secs * 1e3
    );

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("values-uat.yaml"), yaml("uat")).expect("write");
    std::fs::write(dir.path().join("values-prod.yaml"), yaml("prod")).expect("write");
    let root: &Path = dir.path();
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, &config, &options).explicit(true);
    let scanner = scanners::builtin(ScannerKind::Drift);
    let (secs, out) = best_of(3, || scanner.scan(&ctx));
    assert!(out.notifications.is_empty(), "{:?}", out.notifications);
    println!(
        "drift scan (read+parse+compare+policies, YAML): {} keys per side, {} bytes, {} findings, {:.1} ms",
        out.stats.keys / 2,
        out.stats.bytes,
        out.findings.len(),
        secs * 1e3
    );
}
