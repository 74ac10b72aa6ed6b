//! Declared expectations (`allow`, `require_equal`), masking of secret values, explicit pairs.

use crate::common::drift::*;
use stagegate::finding::{Severity, SuppressionKind};

fn pair_tree() -> tempfile::TempDir {
    tree(&[
        ("deploy/a-uat.yaml", "replicaCount: 4\ntimeout: 30\nversion: 1.2.0\ningress:\n  hosts:\n    - host: a.uat.acme.io\nextra: 1\n"),
        ("deploy/a-prod.yaml", "replicaCount: 2\ntimeout: 10\nversion: 1.2.1\ningress:\n  hosts:\n    - host: b.acme.io\n"),
    ])
}

#[test]
fn allowances_suppress_but_keep_findings() {
    let t = pair_tree();
    let cfg = r#"
[drift]
discover = false
[[drift.pair]]
name = "api"
uat = "deploy/a-uat.yaml"
prod = "deploy/a-prod.yaml"
allow = [
  { paths = ["/replicaCount"], kinds = ["sizing-inversion"], reason = "prod autoscales", until = "2999-12-31" },
  { paths = ["/timeout", "/extra"], reason = "tuned per env" },
]
"#;
    let out = scan(t.path(), cfg);
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    let sizing: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "drift/sizing-inversion")
        .collect();
    assert_eq!(sizing.len(), 1, "{d}");
    let s = sizing[0].suppression.as_ref().expect("suppressed");
    assert_eq!(s.kind, SuppressionKind::External);
    assert_eq!(s.justification, "prod autoscales");
    let timeout = out
        .findings
        .iter()
        .find(|f| key(f) == "/timeout")
        .expect("timeout kept");
    assert_eq!(
        timeout
            .suppression
            .as_ref()
            .map(|s| s.justification.as_str()),
        Some("tuned per env")
    );
    assert!(
        out.findings
            .iter()
            .any(|f| key(f) == "/extra" && f.is_suppressed()),
        "{d}"
    );
    // `version` is not allowed: reported.
    assert!(
        of(&out, "drift/value").iter().any(|f| key(f) == "/version"),
        "{d}"
    );
}

#[test]
fn expired_allowance_stops_suppressing_and_warns() {
    let t = pair_tree();
    let cfg = r#"
[drift]
discover = false
[[drift.pair]]
name = "api"
uat = "deploy/a-uat.yaml"
prod = "deploy/a-prod.yaml"
allow = [{ paths = ["/timeout"], kinds = ["value"], reason = "temporary", until = "2001-01-01" }]
"#;
    let out = scan(t.path(), cfg);
    let f = of(&out, "drift/value");
    let timeout = f
        .iter()
        .find(|f| key(f) == "/timeout")
        .expect("reported again");
    assert_eq!(timeout.properties["allowance_expired"], "2001-01-01");
    assert!(
        out.notifications
            .iter()
            .any(|n| n.message.contains("expired on 2001-01-01")),
        "{}",
        dump(&out)
    );
}

#[test]
fn require_equal_reports_differences_defaults_would_hide() {
    let t = pair_tree();
    let base = r#"
[drift]
discover = false
[[drift.pair]]
name = "api"
uat = "deploy/a-uat.yaml"
prod = "deploy/a-prod.yaml"
"#;
    let out = scan(t.path(), base);
    assert!(
        !out.findings
            .iter()
            .any(|f| key(f).contains("/ingress/hosts")),
        "hosts differ by default: {}",
        dump(&out)
    );
    let cfg = format!("{base}require_equal = [\"/ingress/hosts/**\", \"/version\"]\n");
    let out = scan(t.path(), &cfg);
    let d = dump(&out);
    let hosts: Vec<_> = out
        .findings
        .iter()
        .filter(|f| key(f).starts_with("/ingress/hosts"))
        .collect();
    assert_eq!(hosts.len(), 1, "{d}");
    assert_eq!(hosts[0].severity, Severity::High);
    assert!(hosts[0].message.contains("require_equal"), "{d}");
    let version = out
        .findings
        .iter()
        .find(|f| key(f) == "/version")
        .expect("version");
    assert_eq!(version.severity, Severity::High);
}

#[test]
fn bad_allowance_is_a_config_error_for_that_pair_only() {
    let t = tree(&[
        ("a/.env.uat", "X=1\n"),
        ("a/.env.prod", "X=2\n"),
        ("b/x-uat.json", r#"{"n": 1}"#),
        ("b/x-prod.json", r#"{"n": 2}"#),
    ]);
    let cfg = r#"
[[drift.pair]]
name = "a"
uat = "a/.env.uat"
prod = "a/.env.prod"
allow = [{ paths = ["/X"], kinds = ["valu"] }]
"#;
    // Loading the file rejects it at the `kinds` of the allowance (line and column)…
    let load = stagegate::scanners::ValidConfig::parse(cfg, &t.path().join("stagegate.toml"))
        .expect_err("unknown kind is a config error");
    assert!(load.to_string().contains("stagegate.toml:6:36: "), "{load}");
    assert!(load.to_string().contains("valu"), "{load}");
    // …and a configuration built without that check still fails only that pair.
    #[derive(serde::Deserialize)]
    struct File {
        drift: stagegate::scanners::drift::cfg::DriftConfig,
    }
    let config = stagegate::scanners::ValidConfig {
        drift: toml::from_str::<File>(cfg).expect("well-typed").drift,
        ..Default::default()
    };
    let out = scan_with(t.path(), &config);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].contains("valu") && e[0].contains("`a`"), "{e:?}");
    assert!(
        of(&out, "drift/value").iter().any(|f| key(f) == "/n"),
        "discovered pair still compared"
    );
}

#[test]
fn secret_values_never_in_clear() {
    let secrets = [
        "s3cr3t-UAT-value",
        "s3cr3t-PROD-value",
        "Zx9vQ2mL7pR4tY8wK3nBq1",
        "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8",
    ];
    let t = tree(&[
        (".env.uat", "DB_PASSWORD=s3cr3t-UAT-value\nOPAQUE=Zx9vQ2mL7pR4tY8wK3nBq1\nMODE=a\n"),
        (".env.prod", "DB_PASSWORD=s3cr3t-PROD-value\nOPAQUE=Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8\nNEW_TOKEN=Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8\n"),
    ]);
    let cfg = "[[drift.pair]]\nname = \"env\"\nuat = \".env.uat\"\nprod = \".env.prod\"\nrequire_equal = [\"/DB_PASSWORD\", \"/OPAQUE\"]\n";
    let out = scan(t.path(), cfg);
    let d = dump(&out);
    let pw = out
        .findings
        .iter()
        .find(|f| key(f) == "/DB_PASSWORD")
        .expect("password drift under require_equal");
    assert!(pw.message.contains("sha256:"), "{d}");
    assert_ne!(
        pw.properties["uat_value"], pw.properties["prod_value"],
        "hashes show that they differ"
    );
    assert!(out.findings.iter().any(|f| key(f) == "/NEW_TOKEN"), "{d}");
    let all = everything(&out);
    for s in secrets {
        assert!(!all.contains(s), "{s} leaked: {all}");
    }
}

#[test]
fn readme_style_allow_matches_inside_kubernetes_objects() {
    let d = |env: &str, n: u32| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: {env}\nspec:\n  replicas: {n}\n")
    };
    let t = tree(&[
        ("deploy/uat/d.yaml", &d("uat", 3)),
        ("deploy/prod/d.yaml", &d("prod", 2)),
    ]);
    let cfg = r#"
[[drift.pair]]
name = "api"
uat = "deploy/uat"
prod = "deploy/prod"
allow = [{ paths = ["/spec/replicas"], kinds = ["value"], reason = "sized per env", until = 2999-06-30 }]
"#;
    let out = scan(t.path(), cfg);
    let f: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "drift/sizing-inversion")
        .collect();
    assert_eq!(f.len(), 1, "{}", dump(&out));
    assert_eq!(
        f[0].suppression.as_ref().map(|s| s.justification.as_str()),
        Some("sized per env")
    );
}

#[test]
fn base_of_explicit_pair_is_applied_and_must_exist() {
    let t = tree(&[
        ("cfg/base.toml", "[server]\nport = 8080\ndebug = true\n"),
        ("cfg/uat.toml", "[server]\ndebug = false\n"),
        ("cfg/prod.toml", "[server]\ndebug = false\nport = 9090\n"),
    ]);
    let cfg = "[drift]\ndiscover = false\n[[drift.pair]]\nname = \"svc\"\nuat = \"cfg/uat.toml\"\nprod = \"cfg/prod.toml\"\nbase = \"cfg/base.toml\"\n";
    let out = scan(t.path(), cfg);
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    let v = of(&out, "drift/value");
    assert_eq!(v.len(), 1, "{d}");
    assert_eq!(key(v[0]), "/server/port");
    assert_eq!(
        v[0].related[0].path, "cfg/base.toml",
        "UAT value comes from the base"
    );
    assert!(of(&out, "policy/prod-debug-enabled").is_empty(), "{d}");
    let missing = cfg.replace("cfg/base.toml", "cfg/nope.toml");
    let out = scan(t.path(), &missing);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(
        e[0].contains("base") && e[0].contains("cfg/nope.toml"),
        "{e:?}"
    );
}

#[test]
fn file_paired_with_folder_is_an_error() {
    let t = tree(&[("a/.env.uat", "A=1\n"), ("b/x.env", "A=1\n")]);
    let cfg = "[drift]\ndiscover = false\n[[drift.pair]]\nname = \"odd\"\nuat = \"a/.env.uat\"\nprod = \"b\"\n";
    let out = scan(t.path(), cfg);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].contains("folder") && e[0].contains("file"), "{e:?}");
}

#[test]
fn tfvars_pairs_compare() {
    let t = tree(&[
        (
            "infra/net.uat.tfvars",
            "instance_type = \"m5.2xlarge\"\nenable_waf = true\nregion = \"eu-west-1\"\n",
        ),
        (
            "infra/net.prod.tfvars",
            "instance_type = \"m5.large\"\nregion = \"eu-west-1\"\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(of(&out, "drift/sizing-inversion").len(), 1, "{d}");
    assert_eq!(of(&out, "drift/missing-in-prod").len(), 1, "{d}");
}
