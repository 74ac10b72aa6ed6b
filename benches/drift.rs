//! Drift throughput and memory, one section per workload (pass section names to run only
//! those; `benches/drift.sh` runs each in its own process so the peak RSS it prints is the
//! section's own):
//!
//! * `pair`: a pair of 100 000-key configurations, compared in memory and end to end (read +
//!   parse + compare + policies) through the scanner;
//! * `layouts`: Kustomize and Helm trees of growing size rendered and compared end to end, to
//!   show the layouts stay linear;
//! * `corpus`: every repository of `tests/fixtures/drift-corpus` scanned end to end (MB/s over
//!   the bytes the scanner read);
//! * `large`: a Helm chart whose generated `values.yaml` is tens of MB, with per-environment
//!   values files overriding a tenth of it;
//! * `deep`: a pair of YAML files nested 200 levels deep (the parsers' default limit is 256).
//!
//! Prints one line per measurement (best of a few runs) and the process's peak RSS (`VmHWM`)
//! after each section. Target: < 1 s per pair.
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

/// A Kustomize tree: `n` Deployments in `base/`, and `overlays/{staging,production}` that patch
/// every one of them (strategic merge file + JSON 6902 file per Deployment) and set images.
fn kustomize_tree(root: &Path, n: usize) {
    let w = |p: &str, t: String| {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    };
    let mut base = String::from("resources:\n");
    for i in 0..n {
        base.push_str(&format!("  - svc{i}.yaml\n"));
        let mut env = String::new();
        for k in 0..20 {
            env.push_str(&format!(
                "            - name: SETTING_{k}\n              value: \"v{k}\"\n"
            ));
        }
        w(
            &format!("base/svc{i}.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc{i}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.acme.io/svc{i}:1.0.0\n          env:\n{env}          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n"
            ),
        );
    }
    w("base/kustomization.yaml", base);
    for (env, replicas, tag) in [("staging", 2, "1.2.0"), ("production", 4, "1.2.0")] {
        let mut k = format!("namespace: shop-{env}\nresources:\n  - ../../base\npatches:\n");
        for i in 0..n {
            k.push_str(&format!(
                "  - path: p{i}.yaml\n  - path: o{i}.yaml\n    target:\n      kind: Deployment\n      name: svc{i}\n"
            ));
            w(
                &format!("overlays/{env}/p{i}.yaml"),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: PUBLIC_URL\n              value: https://svc{i}.{env}.acme.io\n"
                ),
            );
            w(
                &format!("overlays/{env}/o{i}.yaml"),
                format!("- op: replace\n  path: /spec/replicas\n  value: {replicas}\n"),
            );
        }
        k.push_str("images:\n");
        for i in 0..n {
            k.push_str(&format!(
                "  - name: registry.acme.io/svc{i}\n    newTag: \"{tag}\"\n"
            ));
        }
        w(&format!("overlays/{env}/kustomization.yaml"), k);
    }
}

/// A Helm chart: `values.yaml` with `n` services of 25 keys and a list each, and per-environment
/// values files overriding every service (lists replaced).
fn helm_tree(root: &Path, n: usize) {
    let mut base = String::new();
    let mut envs = [String::new(), String::new()];
    for i in 0..n {
        base.push_str(&format!("svc{i}:\n  image:\n    repository: registry.acme.io/svc{i}\n    tag: \"1.0.0\"\n  hosts:\n    - a{i}.dev.acme.io\n    - b{i}.dev.acme.io\n"));
        for k in 0..20 {
            base.push_str(&format!("  setting_{k}: v{k}\n"));
        }
        for (e, env) in ["staging", "production"].iter().enumerate() {
            envs[e].push_str(&format!(
                "svc{i}:\n  image:\n    tag: \"1.2.0\"\n  hosts:\n    - a{i}.{env}.acme.io\n  replicaCount: {}\n",
                2 + e * 2
            ));
        }
    }
    std::fs::create_dir_all(root.join("chart")).expect("mkdir");
    std::fs::write(root.join("chart/values.yaml"), base).expect("write");
    std::fs::write(root.join("chart/values-staging.yaml"), &envs[0]).expect("write");
    std::fs::write(root.join("chart/values-production.yaml"), &envs[1]).expect("write");
}

/// Scans a generated tree end to end; prints keys, files, findings and time.
fn scan_tree(label: &str, n: usize, build: fn(&Path, usize)) {
    let dir = tempfile::tempdir().expect("tempdir");
    build(dir.path(), n);
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(dir.path(), &config, &options).explicit(true);
    let scanner = scanners::builtin(ScannerKind::Drift);
    let (secs, out) = best_of(3, || scanner.scan(&ctx));
    assert!(out.notifications.is_empty(), "{:?}", out.notifications);
    assert_eq!(out.stats.pairs, 1);
    println!(
        "drift {label} (render+compare+policies): {n} services, {} files, {} keys per side, {} findings, {:.1} ms, {:.1} µs per key",
        out.stats.files,
        out.stats.keys / 2,
        out.findings.len(),
        secs * 1e3,
        secs * 1e6 / out.stats.keys as f64
    );
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

/// Peak resident set size of this process so far, in MiB (Linux `VmHWM`; `None` elsewhere).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn print_peak(section: &str) {
    match peak_rss_mib() {
        Some(m) => println!("drift {section}: peak RSS {m:.1} MiB (process so far)"),
        None => println!("drift {section}: peak RSS unavailable on this platform"),
    }
}

/// CPU seconds (user + system, all threads) this process has used: `/proc/self/stat` fields
/// 14–15 in clock ticks, at Linux's fixed 100 ticks per second. A fairer figure than wall time
/// on a machine shared with other builds; `0.0` where `/proc` is missing.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Scans `root` end to end `runs` times; returns (best wall seconds, mean CPU seconds per
/// run, last output).
fn scan_dir(root: &Path, runs: usize) -> (f64, f64, stagegate::scanners::ScanOutput) {
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, &config, &options).explicit(true);
    let scanner = scanners::builtin(ScannerKind::Drift);
    let cpu = cpu_secs();
    let (wall, out) = best_of(runs, || scanner.scan(&ctx));
    (wall, (cpu_secs() - cpu) / runs as f64, out)
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

fn section_pair() {
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
    let (secs, cpu, out) = scan_dir(dir.path(), 3);
    assert!(out.notifications.is_empty(), "{:?}", out.notifications);
    println!(
        "drift scan (read+parse+compare+policies, YAML): {} keys per side, {} bytes, {} findings, {:.1} ms, {:.1} MB/s, {:.2} CPU s",
        out.stats.keys / 2,
        out.stats.bytes,
        out.findings.len(),
        secs * 1e3,
        mb_per_s(out.stats.bytes, secs),
        cpu
    );
}

fn section_layouts() {
    for n in [250, 500, 1000, 2000] {
        scan_tree("kustomize", n, kustomize_tree);
    }
    for n in [1000, 2000, 4000] {
        scan_tree("helm", n, helm_tree);
    }
}

/// Every corpus repository, scanned as a user would (`stagegate drift REPO`).
fn section_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drift-corpus");
    let mut repos: Vec<_> = std::fs::read_dir(&corpus)
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let (mut secs, mut cpu, mut bytes, mut files, mut findings, mut keys) = (0.0, 0.0, 0, 0, 0, 0);
    for repo in &repos {
        let (s, c, out) = scan_dir(repo, 20);
        secs += s;
        cpu += c;
        bytes += out.stats.bytes;
        files += out.stats.files;
        keys += out.stats.keys;
        findings += out.findings.len();
    }
    println!(
        "drift corpus (render+compare+policies): {} repositories, {files} files, {bytes} bytes, {keys} keys, {findings} findings, {:.2} ms per pass, {:.1} MB/s, {:.0} µs per repository, {:.1} CPU ms per pass",
        repos.len(),
        secs * 1e3,
        mb_per_s(bytes, secs),
        secs * 1e6 / repos.len() as f64,
        cpu * 1e3
    );
}

/// A Helm chart with `services` services of 60 keys (maps, a list, a nested map) in
/// `values.yaml`; staging and production override every tenth service.
fn large_tree(root: &Path, services: usize) {
    use std::fmt::Write as _;
    let mut base = String::with_capacity(services * 2600);
    let mut envs = [String::new(), String::new()];
    for i in 0..services {
        let _ = write!(
            base,
            "svc{i}:\n  enabled: true\n  image:\n    repository: registry.acme.io/team/svc{i}\n    tag: \"1.0.{i}\"\n  replicaCount: 2\n  resources:\n    requests:\n      cpu: 250m\n      memory: 256Mi\n    limits:\n      cpu: \"1\"\n      memory: 512Mi\n  hosts:\n    - svc{i}.dev.acme.io\n    - svc{i}-admin.dev.acme.io\n  env:\n"
        );
        for k in 0..40 {
            let _ = writeln!(base, "    SETTING_{k}: \"value-{k}-for-service-{i}\"");
        }
        let _ = write!(
            base,
            "  probes:\n    liveness:\n      path: /healthz\n      periodSeconds: 10\n    readiness:\n      path: /ready\n      periodSeconds: 5\n"
        );
        if i % 10 == 0 {
            for (e, env) in ["staging", "production"].iter().enumerate() {
                let _ = write!(
                    envs[e],
                    "svc{i}:\n  replicaCount: {}\n  hosts:\n    - svc{i}.{env}.acme.io\n  env:\n    SETTING_3: \"value-3-{env}-{i}\"\n",
                    2 + 2 * e
                );
            }
        }
    }
    std::fs::create_dir_all(root.join("chart")).expect("mkdir");
    std::fs::write(root.join("chart/values.yaml"), base).expect("write");
    std::fs::write(root.join("chart/values-staging.yaml"), &envs[0]).expect("write");
    std::fs::write(root.join("chart/values-production.yaml"), &envs[1]).expect("write");
}

fn section_large() {
    for services in [2_000, 10_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        large_tree(dir.path(), services);
        let base = std::fs::metadata(dir.path().join("chart/values.yaml"))
            .map(|m| m.len())
            .unwrap_or(0);
        let (secs, cpu, out) = scan_dir(dir.path(), 2);
        assert!(out.notifications.is_empty(), "{:?}", out.notifications);
        assert_eq!(out.stats.pairs, 1);
        println!(
            "drift large Helm values (render+compare+policies): values.yaml {:.1} MB, {} bytes read, {} keys per side, {} findings, {:.0} ms, {:.1} MB/s, {:.2} CPU s",
            base as f64 / 1e6,
            out.stats.bytes,
            out.stats.keys / 2,
            out.findings.len(),
            secs * 1e3,
            mb_per_s(out.stats.bytes, secs),
            cpu
        );
    }
}

/// `chains` chains of maps nested `depth` levels, each ending in four scalars; production
/// changes one leaf in ten chains.
fn deep_yaml(env: &str, chains: usize, depth: usize) -> String {
    let mut s = String::new();
    for c in 0..chains {
        for d in 0..depth {
            s.push_str(&" ".repeat(d));
            s.push_str(&format!("c{c}l{d}:\n"));
        }
        let pad = " ".repeat(depth);
        let v = if c % 10 == 0 && env == "prod" { 2 } else { 1 };
        s.push_str(&format!(
            "{pad}timeout: {v}\n{pad}name: chain-{c}\n{pad}url: https://c{c}.{env}.acme.io\n{pad}flag: true\n"
        ));
    }
    s
}

fn section_deep() {
    let (chains, depth) = (500, 200);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("values-uat.yaml"),
        deep_yaml("uat", chains, depth),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("values-prod.yaml"),
        deep_yaml("prod", chains, depth),
    )
    .expect("write");
    let (secs, cpu, out) = scan_dir(dir.path(), 3);
    assert!(out.notifications.is_empty(), "{:?}", out.notifications);
    println!(
        "drift deep nesting (YAML, depth {depth}, {chains} chains): {} bytes read, {} keys per side, {} findings, {:.1} ms, {:.1} MB/s, {:.2} CPU s",
        out.stats.bytes,
        out.stats.keys / 2,
        out.findings.len(),
        secs * 1e3,
        mb_per_s(out.stats.bytes, secs),
        cpu
    );
}

const SECTIONS: &[(&str, fn())] = &[
    ("pair", section_pair),
    ("layouts", section_layouts),
    ("corpus", section_corpus),
    ("large", section_large),
    ("deep", section_deep),
];

fn main() {
    // `cargo bench` passes `--bench`; everything else names sections.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(bad) = wanted
        .iter()
        .find(|w| !SECTIONS.iter().any(|(n, _)| n == w))
    {
        eprintln!(
            "unknown section `{bad}`; sections: {}",
            SECTIONS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        );
        std::process::exit(2);
    }
    for (name, run) in SECTIONS {
        if wanted.is_empty() || wanted.iter().any(|w| w == name) {
            run();
            print_peak(name);
        }
    }
}
