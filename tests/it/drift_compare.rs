//! One test per finding kind, run through the scanner on small generated trees.

use crate::common::drift::*;
use stagegate::finding::Severity;

#[test]
fn missing_keys_both_ways() {
    let t = tree(&[
        (".env.uat", "A=1\nFEATURE_X=on\n"),
        (".env.prod", "A=1\nONLY_PROD=yes\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let m = of(&out, "drift/missing-in-prod");
    assert_eq!(m.len(), 1, "{d}");
    assert_eq!(key(m[0]), "/FEATURE_X");
    assert_eq!(m[0].severity, Severity::High);
    assert_eq!(m[0].location.path, ".env.prod");
    assert_eq!(
        (m[0].related[0].path.as_str(), m[0].related[0].start_line),
        (".env.uat", 2)
    );
    let u = of(&out, "drift/missing-in-uat");
    assert_eq!(u.len(), 1, "{d}");
    assert_eq!(
        (u[0].location.path.as_str(), u[0].location.start_line),
        (".env.prod", 2)
    );
}

#[test]
fn missing_section_reported_once() {
    let t = tree(&[
        (
            "values-uat.yaml",
            "cache:\n  ttl: 30\n  size: 100\n  nested:\n    a: 1\nport: 80\n",
        ),
        ("values-prod.yaml", "port: 80\n"),
    ]);
    let out = scan(t.path(), "");
    let m = of(&out, "drift/missing-in-prod");
    assert_eq!(m.len(), 1, "{}", dump(&out));
    assert_eq!(key(m[0]), "/cache");
}

#[test]
fn value_drift_but_not_environment_names() {
    let t = tree(&[
        (
            ".env.uat",
            "TIMEOUT=30\nDB_HOST=db-uat.internal\nENV=staging\nQUEUE=orders-stg\n",
        ),
        (
            ".env.prod",
            "TIMEOUT=10\nDB_HOST=db-prod.internal\nENV=production\nQUEUE=orders-prd\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let v = of(&out, "drift/value");
    assert_eq!(v.len(), 1, "{d}");
    assert_eq!(key(v[0]), "/TIMEOUT");
    assert_eq!(v[0].severity, Severity::Medium);
    assert!(
        v[0].message.contains("\"30\"") && v[0].message.contains("\"10\""),
        "{d}"
    );
    assert_eq!(v[0].properties["uat_value"], "\"30\"");
}

#[test]
fn hosts_and_credentials_may_differ_by_default() {
    let t = tree(&[
        (
            ".env.uat",
            "API_URL=https://api.test-a.acme.io\nDB_PASSWORD=uat-pass-1\n",
        ),
        (
            ".env.prod",
            "API_URL=https://api.acme.io\nDB_PASSWORD=prod-pass-2\n",
        ),
    ]);
    let out = scan(t.path(), "");
    assert!(of(&out, "drift/value").is_empty(), "{}", dump(&out));
}

#[test]
fn type_drift_scalar_and_container() {
    let t = tree(&[
        (
            "config.uat.json",
            r#"{"port": 3000, "hosts": {"a": "x"}, "name": "svc"}"#,
        ),
        (
            "config.prod.json",
            r#"{"port": "3000", "hosts": ["x"], "name": "svc"}"#,
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let ty = of(&out, "drift/type");
    let keys: Vec<&str> = ty.iter().map(|f| key(f)).collect();
    assert_eq!(keys.len(), 2, "{d}");
    assert!(keys.contains(&"/port") && keys.contains(&"/hosts"), "{d}");
    let port = ty.iter().find(|f| key(f) == "/port").expect("port");
    assert!(
        port.message.contains("integer") && port.message.contains("string"),
        "{d}"
    );
}

#[test]
fn list_entries() {
    let uat = "containers:\n  - name: app\n    image: a:1\n  - name: sidecar\n    image: s:1\nargs:\n  - --verbose\n";
    let prod = "containers:\n  - name: app\n    image: a:1\nargs:\n  - --quiet\n";
    let t = tree(&[("values-uat.yaml", uat), ("values-prod.yaml", prod)]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let l = of(&out, "drift/list-entry");
    assert!(l.iter().any(|f| key(f).contains("name=sidecar")), "{d}");
    assert!(l.iter().any(|f| key(f).starts_with("/args")), "{d}");
    assert!(of(&out, "drift/missing-in-prod").is_empty(), "{d}");
}

#[test]
fn image_tag_digest_and_latest() {
    let uat = "api:\n  image: reg.acme.io/api:1.4.2\nweb:\n  image: reg.acme.io/web@sha256:aaaa\nworker:\n  image: reg.acme.io/worker:2.0\n";
    let prod = "api:\n  image: reg.acme.io/api:1.4.1\nweb:\n  image: reg.acme.io/web@sha256:bbbb\nworker:\n  image: reg.acme.io/worker:latest\n";
    let t = tree(&[("values-uat.yaml", uat), ("values-prod.yaml", prod)]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let i = of(&out, "drift/image");
    assert_eq!(i.len(), 3, "{d}");
    assert!(
        i.iter()
            .any(|f| f.message.contains("1.4.2") && f.message.contains("1.4.1")),
        "{d}"
    );
    assert!(i.iter().any(|f| f.message.contains("sha256:bbbb")), "{d}");
    assert!(
        i.iter()
            .any(|f| key(f) == "/worker/image" && f.message.contains("mutable")),
        "{d}"
    );
    assert!(i.iter().all(|f| f.severity == Severity::High));
}

#[test]
fn latest_in_production_even_when_uat_matches() {
    let t = tree(&[
        (
            "values-uat.yaml",
            "image:\n  repository: reg/api\n  tag: latest\n",
        ),
        (
            "values-prod.yaml",
            "image:\n  repository: reg/api\n  tag: latest\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    // Not a drift (both sides agree) but a production policy: `latest` can change under it.
    assert!(of(&out, "drift/image").is_empty(), "{d}");
    let m = of(&out, "policy/prod-mutable-image");
    assert_eq!(m.len(), 1, "{d}");
    assert_eq!(key(m[0]), "/image/tag");
    assert_eq!(m[0].severity, Severity::High);
    assert_eq!(m[0].location.start_line, 3, "{d}");
}

#[test]
fn mutable_production_images_are_one_finding_with_the_drift() {
    // compose: an untagged image in production only; Kubernetes: a changed tag to `latest`
    // (one finding with both reasons); a Helm image whose tag is pinned; a `logo.png` "image".
    let uat = "services:\n  db:\n    image: postgres:16.4\n  web:\n    image: reg.acme.io/web:2.0\n  cache:\n    image: redis:7.2\nbranding:\n  image: logo.png\n";
    let prod = "services:\n  db:\n    image: postgres\n  web:\n    image: reg.acme.io/web:latest\n  cache:\n    image: redis:7.2\nbranding:\n  image: logo.png\n";
    let t = tree(&[("values-uat.yaml", uat), ("values-prod.yaml", prod)]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let db = out
        .findings
        .iter()
        .find(|f| key(f) == "/services/db/image")
        .expect(&d);
    // UAT's postgres:16.4 → production's `postgres`: drift and policy on one value.
    assert_eq!(db.rule_id, "drift/image", "{d}");
    assert_eq!(also(db), vec!["policy/prod-mutable-image"], "{d}");
    let web = out
        .findings
        .iter()
        .find(|f| key(f) == "/services/web/image")
        .expect(&d);
    assert_eq!(also(web), vec!["policy/prod-mutable-image"], "{d}");
    assert!(web.message.contains("mutable"), "{d}");
    assert!(
        out.findings
            .iter()
            .all(|f| !key(f).starts_with("/services/cache") && !key(f).starts_with("/branding")),
        "{d}"
    );
    assert_eq!(out.findings.len(), 2, "{d}");
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop-ENV\nspec:\n  replicas: REPLICAS\n  template:\n    spec:\n      containers:\n        - name: api\n          image: reg/api:1.0\n          resources:\n            requests:\n              cpu: CPU\n          securityContext:\n            runAsNonRoot: NONROOT\n";

fn deploy(env: &str, replicas: &str, cpu: &str, nonroot: &str) -> String {
    DEPLOY
        .replace("ENV", env)
        .replace("REPLICAS", replicas)
        .replace("CPU", cpu)
        .replace("NONROOT", nonroot)
}

#[test]
fn kubernetes_objects_match_across_files_and_namespaces() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n  namespace: shop-prod\nspec:\n  minAvailable: 1\n";
    let t = tree(&[
        ("overlays/uat/all.yaml", &deploy("uat", "2", "500m", "true")),
        (
            "overlays/production/deploy.yaml",
            &deploy("prod", "3", "1", "true"),
        ),
        ("overlays/production/pdb.yaml", pdb),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    // Same Deployment in differently named files: compared by identity, no drift.
    let r = of(&out, "drift/resource");
    assert_eq!(r.len(), 1, "{d}");
    assert!(r[0].message.contains("PodDisruptionBudget"), "{d}");
    assert_eq!(r[0].severity, Severity::Medium, "only in production");
    assert_eq!(r[0].location.path, "overlays/production/pdb.yaml");
    assert!(of(&out, "drift/missing-in-prod").is_empty(), "{d}");
    assert!(of(&out, "drift/missing-in-uat").is_empty(), "{d}");
    assert!(
        of(&out, "drift/sizing-inversion").is_empty(),
        "bigger prod is fine: {d}"
    );
}

#[test]
fn sizing_inversion_and_security_regression() {
    let t = tree(&[
        ("deploy/uat/d.yaml", &deploy("uat", "3", "1", "true")),
        ("deploy/prod/d.yaml", &deploy("prod", "2", "500m", "false")),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let s = of(&out, "drift/sizing-inversion");
    let keys: Vec<&str> = s.iter().map(|f| key(f)).collect();
    assert_eq!(keys.len(), 2, "{d}");
    assert!(keys.iter().any(|k| k.ends_with("/replicas")), "{d}");
    assert!(keys.iter().any(|k| k.ends_with("/cpu")), "{d}");
    let r = of(&out, "drift/security-regression");
    assert_eq!(r.len(), 1, "{d}");
    assert!(key(r[0]).ends_with("runAsNonRoot"));
    assert_eq!(r[0].location.start_line, 17);
    assert_eq!(r[0].related[0].path, "deploy/uat/d.yaml");
}

#[test]
fn instance_class_inversion() {
    let t = tree(&[
        (
            "db.uat.json",
            r#"{"db_instance_class": "db.r6g.xlarge", "engine": "postgres"}"#,
        ),
        (
            "db.prod.json",
            r#"{"db_instance_class": "db.r6g.large", "engine": "postgres"}"#,
        ),
    ]);
    let out = scan(t.path(), "");
    assert_eq!(
        of(&out, "drift/sizing-inversion").len(),
        1,
        "{}",
        dump(&out)
    );
}

#[test]
fn shared_database_and_credential() {
    let t = tree(&[
        (".env.uat", "DATABASE_URL=postgres://app@db1.acme.io:5432/app\nAPI_TOKEN=Zx9vQ2mL7pR4tY8wK3nB\nSMTP_HOST=smtp.mailer.io\n"),
        (".env.prod", "DATABASE_URL=postgres://app@db1.acme.io:5432/app\nAPI_TOKEN=Zx9vQ2mL7pR4tY8wK3nB\nSMTP_HOST=smtp.mailer.io\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let s = of(&out, "drift/shared-endpoint");
    let mut keys: Vec<&str> = s.iter().map(|f| key(f)).collect();
    keys.sort();
    assert_eq!(keys, vec!["/API_TOKEN", "/DATABASE_URL"], "{d}");
    assert!(!everything(&out).contains("Zx9vQ2mL7pR4tY8wK3nB"), "{d}");
}

#[test]
fn policies_in_production_only() {
    let t = tree(&[
        (
            ".env.uat",
            "DATABASE_URL=postgres://db/app?sslmode=disable\nAPI_URL=http://localhost:8080\n",
        ),
        (
            ".env.prod",
            "DATABASE_URL=postgres://db/app?sslmode=disable\nAPI_URL=http://localhost:8080\nPARTNER_CALLBACK=http://hooks.acme-partner.com/orders\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    // Plain http:// is flagged for hosts outside the machine and the cluster, whatever the key
    // is called, and not for loopback (that is `prod-local-endpoint`'s job).
    let insecure = of(&out, "policy/prod-insecure-endpoint");
    assert_eq!(insecure.len(), 1, "{d}");
    assert_eq!(insecure[0].location.start_line, 3, "{d}");
    for rule in [
        "policy/prod-sslmode-disable",
        "policy/prod-insecure-endpoint",
        "policy/prod-local-endpoint",
    ] {
        let f = of(&out, rule);
        assert_eq!(f.len(), 1, "{rule}: {d}");
        assert_eq!(f[0].location.path, ".env.prod");
    }
    let meta = out
        .rules
        .iter()
        .find(|r| r.id == "policy/prod-sslmode-disable")
        .expect("meta");
    assert!(meta.help_markdown.contains("How to fix"));
}

#[test]
fn disabled_policy_is_not_reported() {
    let t = tree(&[(".env.uat", "DEBUG=true\n"), (".env.prod", "DEBUG=true\n")]);
    let out = scan(t.path(), "[drift]\ndisable = [\"prod-debug-enabled\"]\n");
    assert!(
        of(&out, "policy/prod-debug-enabled").is_empty(),
        "{}",
        dump(&out)
    );
    let out = scan(t.path(), "");
    assert_eq!(of(&out, "policy/prod-debug-enabled").len(), 1);
}

#[test]
fn base_overlay_gives_effective_configuration() {
    let t = tree(&[
        (".env", "DEBUG=true\nSHARED=1\nTIMEOUT=5\n"),
        (".env.uat", "DEBUG=false\nTIMEOUT=5\n"),
        (".env.prod", "DEBUG=false\nTIMEOUT=9\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(
        of(&out, "policy/prod-debug-enabled").is_empty(),
        "prod overrides base: {d}"
    );
    assert!(
        of(&out, "drift/missing-in-prod").is_empty(),
        "base keys are on both sides: {d}"
    );
    assert_eq!(of(&out, "drift/value").len(), 1, "{d}");
    assert_eq!(out.stats.files, 3, "{d}");
}

#[test]
fn uat_pointing_at_a_production_host() {
    let t = tree(&[
        (
            ".env.uat",
            "PAYMENTS_API=https://payments.prod.acme.io/v2\nSTRIPE_API=https://api.stripe.com\n",
        ),
        (
            ".env.prod",
            "PAYMENTS_API=https://payments.prod.acme.io/v2\nSTRIPE_API=https://api.stripe.com\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let s = of(&out, "drift/shared-endpoint");
    assert_eq!(s.len(), 1, "{}", dump(&out));
    assert_eq!(key(s[0]), "/PAYMENTS_API");
    assert!(s[0].message.contains("production host"));
}

#[test]
fn kubernetes_env_vars_are_checked_and_masked_by_name() {
    let d = |debug: &str, pw: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DEBUG\n              value: \"{debug}\"\n            - name: DB_PASSWORD\n              value: {pw}\n"
        )
    };
    let t = tree(&[
        ("deploy/uat/d.yaml", &d("false", "uatPassw0rd-123")),
        ("deploy/prod/d.yaml", &d("true", "prodPassw0rd-456")),
    ]);
    let cfg = "[[drift.pair]]\nname = \"k\"\nuat = \"deploy/uat\"\nprod = \"deploy/prod\"\nrequire_equal = [\"**/name=DB_PASSWORD/value\"]\n";
    let out = scan(t.path(), cfg);
    let d = dump(&out);
    assert_eq!(of(&out, "policy/prod-debug-enabled").len(), 1, "{d}");
    assert_eq!(of(&out, "policy/prod-plaintext-secret").len(), 1, "{d}");
    let all = everything(&out);
    assert!(!all.contains("Passw0rd"), "{all}");
    assert!(
        out.findings
            .iter()
            .any(|f| key(f).ends_with("name=DB_PASSWORD/value") && f.message.contains("sha256:")),
        "{d}"
    );
}

#[test]
fn type_change_of_a_section_is_one_finding() {
    let t = tree(&[
        ("values-uat.yaml", "cache:\n  ttl: 30\n  size: 100\n"),
        ("values-prod.yaml", "cache: redis://cache.acme.io\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert_eq!(of(&out, "drift/type").len(), 1, "{d}");
    assert!(of(&out, "drift/missing-in-prod").is_empty(), "{d}");
}
