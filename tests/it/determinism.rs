//! Determinism: the same input gives byte-identical output in every format across runs and
//! thread counts (`RAYON_NUM_THREADS=1` vs 4; the secrets walker follows the same budget).

use crate::common::util;

use std::path::Path;
use std::process::Command;

const FORMATS: &[&str] = &[
    "text",
    "json",
    "sarif",
    "markdown",
    "github",
    "junit",
    "gitlab-sast",
];

/// A tree with many files, findings from all three scanners, and a few bad files.
fn build_tree(p: &Path) {
    util::write_canaries(p);
    for i in 0..300 {
        let dir = p.join(format!("src/m{}", i % 17));
        std::fs::create_dir_all(&dir).unwrap();
        let body = if i % 7 == 0 {
            format!(
                "// file {i}\nconst KEY: &str = \"AKIA{:0>16}\";\n",
                format!("Q{}", i * 7919 % 100000)
                    .replace('0', "X")
                    .replace('1', "Y")
            )
        } else if i % 11 == 0 {
            format!("password = \"s3cr3t-{i}-Zx9!vQ7#pL\"\n")
        } else {
            format!("fn f{i}() -> u32 {{ {i} }}\n")
        };
        std::fs::write(dir.join(format!("f{i}.rs")), body).unwrap();
    }
    for (env, debug, replicas) in [("uat", "false", 2), ("prod", "true", 5)] {
        let d = p.join(format!("deploy/{env}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("app.yaml"),
            format!("app:\n  debug: {debug}\n  replicas: {replicas}\n  image: acme/api:1.{replicas}\n  url: http://localhost\n"),
        )
        .unwrap();
        std::fs::write(d.join("broken.json"), "{\"a\": ").unwrap();
    }
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        p.join("Cargo.lock"),
    )
    .unwrap();
}

fn outputs(dir: &Path, threads: &str, args: &[&str], formats: &[&str]) -> Vec<(String, Vec<u8>)> {
    let db = util::fixture_db();
    let mut all = Vec::new();
    for fmt in formats {
        let sarif = dir.join(".out.sarif");
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend([
            "--format".into(),
            fmt.to_string(),
            "--color".into(),
            "never".into(),
        ]);
        if args[0] == "scan" {
            a.extend(["--db".into(), db.to_string_lossy().into_owned()]);
        }
        a.extend(["--sarif".into(), sarif.to_string_lossy().into_owned()]);
        let out = util::run_in(dir, &a, &[("RAYON_NUM_THREADS", threads)]);
        out.assert_sane(fmt);
        assert!(
            matches!(out.code, Some(1) | Some(2)),
            "{fmt}: {}",
            out.stderr
        );
        all.push((format!("{fmt} stdout"), out.stdout.into_bytes()));
        all.push((format!("{fmt} stderr"), out.stderr.into_bytes()));
        all.push((format!("{fmt} --sarif"), std::fs::read(&sarif).unwrap()));
        std::fs::remove_file(&sarif).unwrap();
    }
    all
}

fn assert_same(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)], what: &str) {
    assert_eq!(a.len(), b.len());
    for ((name, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let xs = String::from_utf8_lossy(x);
            let ys = String::from_utf8_lossy(y);
            let line = xs.lines().zip(ys.lines()).position(|(l, r)| l != r);
            panic!(
                "{what}: {name} differs (first differing line {line:?}):\n--- a\n{xs}\n--- b\n{ys}"
            );
        }
    }
}

#[test]
fn scan_output_is_identical_across_runs_and_thread_counts() {
    let d = tempfile::tempdir().unwrap();
    build_tree(d.path());
    let args = ["scan", "."];
    let one = outputs(d.path(), "1", &args, FORMATS);
    let four = outputs(d.path(), "4", &args, FORMATS);
    assert_same(&one, &four, "1 vs 4 threads");
    // A second run with the same budget: JSON and SARIF are enough to see a race.
    let four_again = outputs(d.path(), "4", &args, &["json", "sarif"]);
    let four_subset: Vec<_> = four
        .iter()
        .filter(|(n, _)| n.starts_with("json ") || n.starts_with("sarif "))
        .cloned()
        .collect();
    assert_same(&four_subset, &four_again, "two runs with 4 threads");
    // The tree really exercised all three scanners.
    let json = &one.iter().find(|(n, _)| n == "json stdout").unwrap().1;
    let report: serde_json::Value = serde_json::from_slice(json).unwrap();
    let findings = report["findings"].as_array().unwrap();
    for prefix in ["secret/", "drift/", "advisory/", "policy/"] {
        assert!(
            findings
                .iter()
                .any(|f| f["rule_id"].as_str().unwrap().starts_with(prefix)),
            "no {prefix} finding"
        );
    }
    assert!(findings.len() > 30, "{} findings", findings.len());
}

#[test]
fn history_scan_is_identical_across_thread_counts() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .args(args)
            .current_dir(p)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", p)
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .status()
            .unwrap();
        assert!(st.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "user.email", "t@example.com"]);
    git(&["config", "user.name", "t"]);
    build_tree(p);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "one"]);
    std::fs::write(p.join("canary.py"), "# rotated\n").unwrap();
    std::fs::write(
        p.join("later.env"),
        "GITHUB_TOKEN=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\n",
    )
    .unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "two"]);
    let args = ["secrets", ".", "--history"];
    let one = outputs(p, "1", &args, FORMATS);
    let four = outputs(p, "4", &args, FORMATS);
    assert_same(&one, &four, "history 1 vs 4 threads");
    let json = &one.iter().find(|(n, _)| n == "json stdout").unwrap().1;
    let text = String::from_utf8_lossy(json);
    assert!(
        text.contains("canary.py") && text.contains("later.env"),
        "{text}"
    );
}
