//! No leaks: over a tree full of (fake) credentials — every example of every built-in secrets
//! rule, secrets as drifting config values, secrets inside malformed files and in a bad config —
//! no secret value, nor its first 12 characters, appears in stdout, stderr, any report file of
//! any format, or the baseline file.

use crate::common::util;

use std::collections::BTreeSet;
use std::path::Path;

use stagegate::scanners::secrets::builtin_rules;

const FORMATS: &[&str] = &[
    "text",
    "json",
    "sarif",
    "markdown",
    "github",
    "junit",
    "gitlab-sast",
];

/// Secrets written by the test itself (beside the rule examples), in formats rules detect.
const OWN: &[&str] = &[
    "AKIAZ7Q2M4W6E3R5T2Y7",
    "ghp_Zq3xV9bN2mK8pL4wR7tY1uI6oP0aS5dF3gH1",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc9QwErT",
    "xoxb-2837465019-9182736450-QwErTyUiOpAsDfGhJkLzXcVb",
    "glpat-Zx8Cv7Bn6Mq5Wr4Et3Yu",
    "Pr0dDbP4ss!w0rd-9xQ7zL2k",
];

/// Passwords of connection strings and generator literals (no provider format: only the
/// drift scanner's own classification keeps them out of reports).
const CONN: &[&str] = &[
    "Stg7uAt-Qm4zR8wK2vX",
    "StgPwd9-Lk3jH6gF1dS",
    "Prd8pRd-Wn5xT3yB7cV",
    "PrdPwd2-Zu6iO4pA9sE",
    "KzStg4-Rv8nM1qW6tYx",
    "KzPrd7-Hb3cJ9eL2uGf",
    "CmpStg5-Xa2sD8fG4hJ",
    "CmpPrd3-Nq7wE1rT9yU",
];

fn distinctive(s: &str) -> bool {
    let distinct: BTreeSet<char> = s.chars().collect();
    s.len() >= 8 && distinct.len() >= 6
}

/// The secret values the engine extracts from `text` (what a report must never show).
fn secrets_in(text: &str) -> Vec<String> {
    builtin_rules()
        .find_in(text)
        .into_iter()
        .filter_map(|m| text.get(m.range.clone()).map(str::to_string))
        .filter(|s| distinctive(s))
        .collect()
}

fn build(p: &Path) -> BTreeSet<String> {
    let mut secrets = BTreeSet::new();
    std::fs::create_dir_all(p.join("src/examples")).unwrap();
    for (i, rule) in builtin_rules().rules().iter().enumerate() {
        let mut body = String::new();
        for ex in &rule.def.examples {
            body.push_str(ex);
            body.push('\n');
            secrets.extend(secrets_in(ex));
        }
        std::fs::write(p.join(format!("src/examples/r{i:03}.txt")), body).unwrap();
    }
    // Our own tokens, in code.
    let mut code = String::new();
    for (i, s) in OWN.iter().enumerate() {
        code.push_str(&format!("TOKEN_{i} = \"{s}\"\npassword = \"{s}\"\n"));
        secrets.insert(s.to_string());
    }
    std::fs::write(p.join("src/settings.py"), code).unwrap();
    // Secrets as config values that drift between UAT and production.
    std::fs::write(
        p.join(".env.uat"),
        format!(
            "DB_PASSWORD={}\nAPI_TOKEN={}\nDEBUG=false\n",
            OWN[5], OWN[1]
        ),
    )
    .unwrap();
    std::fs::write(
        p.join(".env.production"),
        format!(
            "DB_PASSWORD={}x\nAPI_TOKEN={}\nDEBUG=true\n",
            OWN[5], OWN[3]
        ),
    )
    .unwrap();
    secrets.insert(format!("{}x", OWN[5]));
    // Connection strings (`Password=`, `Pwd=`) in .NET appsettings, a Kustomize
    // secretGenerator literal and compose `environment:` lists: every drift layout.
    for (i, s) in CONN.iter().enumerate() {
        assert!(distinctive(s), "CONN[{i}]");
        secrets.insert(s.to_string());
    }
    std::fs::create_dir_all(p.join("api")).unwrap();
    std::fs::write(
        p.join("api/appsettings.json"),
        "{ \"ConnectionStrings\": { \"Shop\": \"Server=localhost;Database=shop\" } }\n",
    )
    .unwrap();
    for (env, pw, pwd) in [
        ("Staging", CONN[0], CONN[1]),
        ("Production", CONN[2], CONN[3]),
    ] {
        std::fs::write(
            p.join(format!("api/appsettings.{env}.json")),
            format!(
                "{{ \"ConnectionStrings\": {{ \"Shop\": \"Server=sql-{env}.acme.internal;Database=shop;User Id=shop;Password={pw};Encrypt=True\", \"Reports\": \"Driver={{ODBC Driver 18 for SQL Server}};Server=rpt-{env};Uid=rpt;Pwd={pwd};\" }} }}\n"
            ),
        )
        .unwrap();
    }
    std::fs::create_dir_all(p.join("k8s/base")).unwrap();
    std::fs::write(p.join("k8s/base/kustomization.yaml"), "resources: []\n").unwrap();
    for (env, pw) in [("staging", CONN[4]), ("production", CONN[5])] {
        let d = p.join(format!("k8s/overlays/{env}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("kustomization.yaml"),
            format!(
                "resources:\n  - ../../base\nsecretGenerator:\n  - name: db\n    literals:\n      - DB_PASSWORD={pw}\n      - DATABASE_URL=postgres://shop:{pw}@db-{env}:5432/shop\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(
        p.join("docker-compose.yml"),
        "services:\n  api:\n    image: ghcr.io/acme/api:1.0.0\n",
    )
    .unwrap();
    for (env, pw) in [("staging", CONN[6]), ("prod", CONN[7])] {
        std::fs::write(
            p.join(format!("docker-compose.{env}.yml")),
            format!("services:\n  api:\n    environment:\n      - SMTP_PASSWORD={pw}\n      - REDIS_URL=redis://:{pw}@cache-{env}:6379/0\n"),
        )
        .unwrap();
    }
    // Secrets inside malformed files: the parse errors must not quote them.
    for (env, body) in [
        (
            "uat",
            format!("{{\"password\": \"{}\" \"token\": 1}}", OWN[2]),
        ),
        ("prod", format!("{{\"password\": \"{}\",", OWN[4])),
    ] {
        let d = p.join(format!("deploy/{env}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("app.json"), body).unwrap();
        std::fs::write(d.join("vars.tfvars"), format!("api_key = {}\n", OWN[0])).unwrap();
        std::fs::write(
            d.join("app.yaml"),
            format!("password: \"{}\n  bad: [\n", OWN[1]),
        )
        .unwrap();
        std::fs::write(d.join("app.toml"), format!("password = {}\n", OWN[3])).unwrap();
    }
    std::fs::write(
        p.join("Cargo.lock"),
        format!(
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"{}\"\n",
            OWN[1]
        ),
    )
    .unwrap();
    secrets
}

thread_local! {
    static PROBLEMS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Text every rule publishes (names, descriptions, patterns, references): a secret's first 12
/// characters found there are its documented format prefix (`AGE-SECRET-K`), not secret.
fn public_text() -> String {
    let mut t = String::new();
    for r in builtin_rules().rules() {
        let mut def = r.def.clone();
        def.examples.clear();
        def.negative_examples.clear();
        t.push_str(&format!("{def:?}\n"));
    }
    t
}

/// One automaton over every secret and every secret's (non-public) first 12 characters.
struct Needles {
    ac: aho_corasick::AhoCorasick,
    labels: Vec<String>,
}

fn needles(secrets: &BTreeSet<String>) -> Needles {
    let public = public_text();
    let mut pats = Vec::new();
    let mut labels = Vec::new();
    for s in secrets {
        pats.push(s.clone());
        labels.push(format!("secret {} in clear", redact(s)));
        let head: String = s.chars().take(12).collect();
        if head.chars().count() == 12 && !public.contains(&head) {
            pats.push(head);
            labels.push(format!("first 12 characters of {} shown", redact(s)));
        }
    }
    Needles {
        ac: aho_corasick::AhoCorasick::new(&pats).expect("automaton"),
        labels,
    }
}

fn assert_clean(what: &str, text: &str, secrets: &BTreeSet<String>) {
    static CACHE: std::sync::Mutex<Option<(BTreeSet<String>, std::sync::Arc<Needles>)>> =
        std::sync::Mutex::new(None);
    let n = {
        let mut c = CACHE.lock().unwrap();
        match c.as_ref() {
            Some((k, n)) if k == secrets => n.clone(),
            _ => {
                let n = std::sync::Arc::new(needles(secrets));
                *c = Some((secrets.clone(), n.clone()));
                n
            }
        }
    };
    let found: BTreeSet<usize> =
        n.ac.find_overlapping_iter(text)
            .map(|m| m.pattern().as_usize())
            .collect();
    for i in found {
        PROBLEMS.with(|p| p.borrow_mut().push(format!("{what}: {}", n.labels[i])));
    }
}

fn finish() {
    let problems = PROBLEMS.with(|p| p.take());
    assert!(
        problems.is_empty(),
        "{} leak(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// For failure messages: never print the secret we are looking for either.
fn redact(s: &str) -> String {
    let head: String = s.chars().take(4).collect();
    format!("{head}…({})", s.chars().count())
}

#[test]
fn no_secret_reaches_any_output() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let secrets = build(p);
    assert!(secrets.len() > 50, "only {} secrets planted", secrets.len());
    let db = util::fixture_db().to_string_lossy().into_owned();
    let mut found_any = false;
    for fmt in FORMATS {
        let report = p.join(format!("out/report.{fmt}"));
        let sarif = p.join("out/also.sarif");
        std::fs::create_dir_all(p.join("out")).unwrap();
        let args = [
            "scan",
            ".",
            "--format",
            fmt,
            "--db",
            &db,
            "--color",
            "never",
            "--output",
            report.to_str().unwrap(),
            "--sarif",
            sarif.to_str().unwrap(),
        ];
        let out = util::run_in(p, args, &[]);
        out.assert_sane(fmt);
        assert_eq!(
            out.code,
            Some(2),
            "{fmt}: malformed files must make the run exit 2: {}",
            out.stderr
        );
        assert_clean(&format!("{fmt} stdout"), &out.stdout, &secrets);
        assert_clean(&format!("{fmt} stderr"), &out.stderr, &secrets);
        let written = std::fs::read_to_string(&report).unwrap();
        assert_clean(&format!("{fmt} --output"), &written, &secrets);
        assert_clean(
            "--sarif",
            &std::fs::read_to_string(&sarif).unwrap(),
            &secrets,
        );
        found_any |= written.contains("secret/");
        std::fs::remove_dir_all(p.join("out")).unwrap();
    }
    assert!(
        found_any,
        "no secret finding at all: the test checks nothing"
    );
    // The reports did mention the malformed files (so their errors were exercised).
    let out = util::run_in(p, ["scan", ".", "--format", "json", "--db", &db], &[]);
    for f in [
        "deploy/uat/app.json",
        "deploy/prod/vars.tfvars",
        "deploy/uat/app.yaml",
        "Cargo.lock",
    ] {
        assert!(out.stdout.contains(f), "{f} not reported as malformed");
    }
    // History mode and the other subcommands.
    let mut runs = vec![vec!["secrets", ".", "--format", "sarif"]];
    for fmt in FORMATS {
        runs.push(vec!["drift", ".", "--format", fmt]);
    }
    runs.push(vec!["drift", ".", "--list-pairs"]);
    let drift_json = util::run_in(p, ["drift", ".", "--format", "json"], &[]);
    for layout in [
        "api/appsettings.Production.json",
        "k8s/overlays/production/kustomization.yaml",
        "docker-compose.prod.yml",
    ] {
        assert!(
            drift_json.stdout.contains(layout),
            "{layout}: no drift finding there, so its secrets were never at risk of showing"
        );
    }
    for args in runs {
        let out = util::run_in(p, &args, &[]);
        out.assert_sane(args[0]);
        assert_clean(&format!("{args:?} stdout"), &out.stdout, &secrets);
        assert_clean(&format!("{args:?} stderr"), &out.stderr, &secrets);
    }
    // The baseline file.
    let bl = p.join("baseline.json");
    let out = util::run_in(
        p,
        ["baseline", ".", "--db", &db, "-o", bl.to_str().unwrap()],
        &[],
    );
    out.assert_sane("baseline");
    assert_clean("baseline stderr", &out.stderr, &secrets);
    assert_clean("baseline stdout", &out.stdout, &secrets);
    let text = std::fs::read_to_string(&bl).unwrap();
    assert!(text.contains("secret/"), "baseline has no secret entries");
    assert_clean("baseline file", &text, &secrets);
    finish();
}

#[test]
fn error_paths_do_not_echo_secrets() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    // A token the built-in rules recognise (what the scrubber can know to hide): the secret of
    // the GitHub classic PAT rule's first example.
    let rule = builtin_rules().rule("github-pat-classic");
    let example = &rule.expect("github-pat-classic rule").def.examples[0];
    let tok_owned = secrets_in(example)
        .into_iter()
        .next()
        .expect("example secret");
    let tok = tok_owned.as_str();
    let mut secrets = BTreeSet::new();
    secrets.insert(tok.to_string());
    util::write_canaries(p);
    let cases: Vec<(&str, String)> = vec![
        ("stagegate.toml", format!("fail_on = \"{tok}\"\n")),
        ("stagegate.toml", format!("fial_on = \"{tok}\"\n")),
        ("stagegate.toml", format!("exclude = \"{tok}\"\n")),
        ("stagegate.toml", format!("[advisories]\nignore = [{{ id = \"{tok}\", reason = \"r\", until = \"{tok}\" }}]\n")),
        ("stagegate.toml", format!("[[drift.pair]]\nname = \"{tok}\"\nuat = \"{tok}\"\nprod = \"p\"\n")),
        ("stagegate.toml", format!("password = {tok}\n")),
        ("ci/rules.toml", format!("[[rule]]\nid = \"x\"\nname = \"{tok}\"\nseverity = \"high\"\ndescription = \"d\"\nkeywords = [\"{tok}\"]\nregex = \"({tok}\"\n")),
        (".stagegate-baseline.json", format!("{{\"version\": 1, \"entries\": [{{\"fingerprint\": {tok}}}]}}")),
    ];
    for (file, body) in cases {
        let _ = std::fs::remove_file(p.join("stagegate.toml"));
        std::fs::create_dir_all(p.join("ci")).unwrap();
        std::fs::write(p.join(file), &body).unwrap();
        if file == "ci/rules.toml" {
            std::fs::write(
                p.join("stagegate.toml"),
                "[secrets]\nrules = [\"ci/rules.toml\"]\n",
            )
            .unwrap();
        }
        if file == ".stagegate-baseline.json" {
            std::fs::write(
                p.join("stagegate.toml"),
                "baseline = \".stagegate-baseline.json\"\n",
            )
            .unwrap();
        }
        for fmt in ["text", "json"] {
            let out = util::run_in(
                p,
                ["scan", ".", "--format", fmt, "--scanners", "secrets,drift"],
                &[],
            );
            out.assert_sane(file);
            assert_eq!(out.code, Some(2), "{file}: {}", out.stderr);
            // The pair case is reported against the pair (its folders), not the file.
            let name = if body.contains("drift.pair") {
                "pair"
            } else {
                file.rsplit('/').next().unwrap()
            };
            assert!(
                out.stderr.contains(name) || out.stdout.contains(name),
                "{file}: the error does not name the file: {}",
                out.stderr
            );
            assert_clean(&format!("{file} ({fmt}) stderr"), &out.stderr, &secrets);
            assert_clean(&format!("{file} ({fmt}) stdout"), &out.stdout, &secrets);
        }
        std::fs::remove_file(p.join(file)).unwrap();
    }
    finish();
}
