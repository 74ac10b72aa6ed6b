//! Drift throughput: a pair of 100 000-key configurations, compared in memory and end to end
//! (read + parse + compare + policies) through the scanner; then Kustomize and Helm trees of
//! growing size rendered and compared end to end, to show the layouts stay linear. Run with
//! `benches/drift.sh` or `cargo bench --bench drift`. Prints one line per measurement; the
//! target is < 1 s per pair.
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

    for n in [250, 500, 1000, 2000] {
        scan_tree("kustomize", n, kustomize_tree);
    }
    for n in [1000, 2000, 4000] {
        scan_tree("helm", n, helm_tree);
    }
}
