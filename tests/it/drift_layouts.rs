//! Effective-configuration layouts end to end: each is discovered, rebuilt, compared, and its
//! findings land on the source line that sets the value.

use crate::common::drift::*;
use stagegate::finding::Severity;

fn line_of(f: &stagegate::finding::Finding) -> (&str, u32) {
    (f.location.path.as_str(), f.location.start_line)
}

const BASE_DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          args: [\"--port\", \"8080\", \"--verbose\"]
          env:
            - name: MODE
              value: standard
            - name: LEGACY_FLAG
              value: \"on\"
        - name: sidecar
          image: ghcr.io/acme/sidecar:2.0.0
";

#[test]
fn kustomize_patches_generators_and_transformers_are_rendered_and_located() {
    let uat_k = "namespace: shop-pre-prod
namePrefix: pre-prod-
resources:
  - ../../base
patchesStrategicMerge:
  - patch.yaml
configMapGenerator:
  - name: api
    envs:
      - api.env
images:
  - name: ghcr.io/acme/api
    newTag: 1.4.0
";
    let prod_k = "namespace: shop-live
namePrefix: live-
resources:
  - ../../base
patchesStrategicMerge:
  - patch.yaml
patches:
  - path: ops.yaml
    target:
      kind: Deployment
      name: api
configMapGenerator:
  - name: api
    envs:
      - api.env
    literals:
      - EXTRA=1
images:
  - name: ghcr.io/acme/api
    digest: sha256:4b8c1d9e7a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d
";
    let patch = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          args: [\"--port\", \"8080\"]
          env:
            - name: LEGACY_FLAG
              $patch: delete
        - name: sidecar
          $patch: delete
";
    let ops = "- op: replace
  path: /spec/replicas
  value: 1
- op: add
  path: /spec/template/spec/containers/0/env/-
  value:
    name: TRACE
    value: \"true\"
";
    let t = tree(&[
        (
            "k8s/base/kustomization.yaml",
            "resources:\n  - deploy.yaml\n",
        ),
        ("k8s/base/deploy.yaml", BASE_DEPLOY),
        ("k8s/overlays/pre-prod/kustomization.yaml", uat_k),
        ("k8s/overlays/pre-prod/patch.yaml", patch),
        (
            "k8s/overlays/pre-prod/api.env",
            "LOG_FORMAT=json\nCACHE=on\n",
        ),
        ("k8s/overlays/live/kustomization.yaml", prod_k),
        ("k8s/overlays/live/patch.yaml", patch),
        ("k8s/overlays/live/ops.yaml", ops),
        ("k8s/overlays/live/api.env", "LOG_FORMAT=text\nCACHE=on\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(out.stats.pairs, 1, "pre-prod ↔ live discovered: {d}");
    // Image: the digest line of the production kustomization, UAT's newTag line related.
    let img = of(&out, "drift/image");
    assert_eq!(img.len(), 1, "{d}");
    assert_eq!(
        line_of(img[0]),
        ("k8s/overlays/live/kustomization.yaml", 20),
        "{d}"
    );
    assert_eq!(
        (
            img[0].related[0].path.as_str(),
            img[0].related[0].start_line
        ),
        ("k8s/overlays/pre-prod/kustomization.yaml", 13)
    );
    assert!(img[0].message.contains("UAT never ran"), "{d}");
    // JSON 6902 replace: replicas 2 → 1 only in production, at the op's value line.
    let inv = of(&out, "drift/sizing-inversion");
    assert_eq!(inv.len(), 1, "{d}");
    assert_eq!(line_of(inv[0]), ("k8s/overlays/live/ops.yaml", 3), "{d}");
    // JSON 6902 add to a list (`-`): a new env entry, keyed by its name.
    let extra = of(&out, "drift/list-entry");
    assert!(
        extra
            .iter()
            .any(|f| key(f).ends_with("/env/name=TRACE")
                && line_of(f).0 == "k8s/overlays/live/ops.yaml"),
        "{d}"
    );
    // Generators: env files split into keys, literals located at their line.
    let value = of(&out, "drift/value");
    assert!(
        value.iter().any(
            |f| key(f).ends_with("/ConfigMap/shop-{env}/{env}-api/data/LOG_FORMAT")
                || (key(f).ends_with("/data/LOG_FORMAT")
                    && line_of(f) == ("k8s/overlays/live/api.env", 1))
        ),
        "{d}"
    );
    let lit = of(&out, "drift/missing-in-uat");
    assert!(
        lit.iter().any(|f| key(f).ends_with("/data/EXTRA")
            && line_of(f) == ("k8s/overlays/live/kustomization.yaml", 17)),
        "{d}"
    );
    // Strategic merge: `$patch: delete` removed the sidecar and LEGACY_FLAG on both sides, the
    // args list (no merge key) was replaced, not merged: none of them is a finding.
    for gone in ["sidecar", "LEGACY_FLAG", "args"] {
        assert!(
            !out.findings.iter().any(|f| key(f).contains(gone)),
            "{gone}: {d}"
        );
    }
    // namePrefix / namespace differ only by environment name: not drift.
    assert!(of(&out, "drift/resource").is_empty(), "{d}");
}

#[test]
fn kustomize_problems_are_located_errors() {
    let t = tree(&[
        (
            "a/overlays/uat/kustomization.yaml",
            "resources:\n  - ../../base\n  - missing.yaml\n",
        ),
        (
            "a/overlays/prod/kustomization.yaml",
            "resources:\n  - ../prod\n",
        ),
        ("a/base/kustomization.yaml", "resources: []\n"),
        (
            "b/overlays/uat/kustomization.yaml",
            "resources:\n  - ../../../../outside\n",
        ),
        (
            "b/overlays/prod/kustomization.yaml",
            "resources:\n  - https://github.com/acme/x//k8s?ref=v1\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let errs = errors(&out).join("\n");
    assert!(
        errs.contains(
            "a/overlays/uat/kustomization.yaml:3: resource `missing.yaml` does not exist"
        ),
        "{errs}"
    );
    assert!(
        errs.contains("a/overlays/prod/kustomization.yaml") && errs.contains("cycle"),
        "{errs}"
    );
    assert!(
        errs.contains("b/overlays/uat/kustomization.yaml:2")
            && errs.contains("outside the scanned repository"),
        "{errs}"
    );
    let warnings: Vec<&str> = out
        .notifications
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("remote resource")
                && w.contains("b/overlays/prod/kustomization.yaml:2")),
        "{warnings:?}"
    );
}

#[test]
fn helm_lists_are_replaced_not_merged() {
    let t = tree(&[
        (
            "chart/values.yaml",
            "ingress:\n  hosts:\n    - api.dev.acme.io\n    - admin.dev.acme.io\nreplicaCount: 1\n",
        ),
        (
            "chart/values-stg.yaml",
            "ingress:\n  hosts:\n    - api.stg.acme.io\n",
        ),
        (
            "chart/values-prd.yaml",
            "ingress:\n  hosts:\n    - api.prd.acme.io\n    - admin.prd.acme.io\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert_eq!(out.stats.pairs, 1, "stg ↔ prd discovered: {d}");
    // UAT replaced the two base hosts with one; production has two: one production-only entry,
    // at its own line in values-prd.yaml.
    let le = of(&out, "drift/list-entry");
    assert_eq!(le.len(), 1, "{d}");
    assert_eq!(line_of(le[0]), ("chart/values-prd.yaml", 4), "{d}");
}

#[test]
fn compose_environment_lists_and_env_files_become_keys() {
    let t = tree(&[
        ("docker-compose.yml", "services:\n  web:\n    image: ghcr.io/acme/web:3.1.0\n    environment:\n      - LOG_LEVEL=info\n      - WORKERS=4\n"),
        ("docker-compose.staging.yml", "services:\n  web:\n    env_file: staging.env\n    environment:\n      - LOG_LEVEL=info\n"),
        ("docker-compose.prod.yml", "services:\n  web:\n    env_file:\n      - path: prod.env\n    environment:\n      - WORKERS=2\n"),
        ("staging.env", "VERIFY_TLS=true\nWORKERS=9\n"),
        ("prod.env", "VERIFY_TLS=false\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    // env_file values are keys of the service environment, located in the env file.
    let reg = of(&out, "drift/security-regression");
    assert!(
        reg.iter()
            .any(|f| key(f) == "/services/web/environment/VERIFY_TLS"
                && line_of(f) == ("prod.env", 1)),
        "{d}"
    );
    // `environment:` wins over env_file (staging's WORKERS=9 is overridden by the base's 4);
    // production's 2 < 4 is a sizing inversion at the override's line.
    let inv = of(&out, "drift/sizing-inversion");
    assert!(
        inv.iter()
            .any(|f| key(f) == "/services/web/environment/WORKERS"
                && line_of(f) == ("docker-compose.prod.yml", 6)),
        "{d}"
    );
    assert!(
        !out.findings.iter().any(|f| key(f).contains("LOG_LEVEL")),
        "{d}"
    );
}

#[test]
fn spring_profile_documents_and_node_config_defaults() {
    let t = tree(&[
        (
            "svc/src/main/resources/application.yml",
            "app:\n  timeout: 30\n---\nspring:\n  config:\n    activate:\n      on-profile: preprod\napp:\n  timeout: 30\n  ssl:\n    enabled: true\n---\nspring:\n  profiles: live\napp:\n  timeout: 5\n  ssl:\n    enabled: false\n",
        ),
        ("web/config/default.json", "{\n  \"cache\": { \"ttl\": 60 },\n  \"feature\": { \"beta\": false }\n}\n"),
        ("web/config/staging.json", "{\n  \"feature\": { \"beta\": true }\n}\n"),
        ("web/config/production.json", "{\n  \"cache\": { \"ttl\": 60 }\n}\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(out.stats.pairs, 2, "{d}");
    // `ssl.enabled`: the switch spans two segments; a security regression at production's line.
    let reg = of(&out, "drift/security-regression");
    assert_eq!(reg.len(), 1, "{d}");
    assert_eq!(
        line_of(reg[0]),
        ("svc/src/main/resources/application.yml", 18),
        "{d}"
    );
    assert_eq!(reg[0].related[0].start_line, 11);
    let v = of(&out, "drift/value");
    assert!(
        v.iter()
            .any(|f| key(f) == "/app/timeout" && line_of(f).1 == 16),
        "{d}"
    );
    // node-config: default.json is the base of both; UAT turns beta on, production inherits off.
    let beta = v.iter().find(|f| key(f) == "/feature/beta").expect(&d);
    assert_eq!(line_of(beta), ("web/config/default.json", 3), "{d}");
}

#[test]
fn references_and_telemetry_are_not_shared_credentials_and_uat_only_loggers_are_low() {
    let t = tree(&[
        (".env.uat", "SENTRY_DSN=https://abc123def456@o1.ingest.sentry.io/42\nDB_PASSWORD=#{DbPassword}#\nAPI_KEY=__API_KEY__\nTOKEN=${{ secrets.TOKEN }}\nENC_PW=ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]\nLOG_LEVEL_SQL=debug\nEUREKA_URL=https://eureka.acme.internal/eureka\n"),
        (".env.prod", "SENTRY_DSN=https://abc123def456@o1.ingest.sentry.io/42\nDB_PASSWORD=#{DbPassword}#\nAPI_KEY=__API_KEY__\nTOKEN=${{ secrets.TOKEN }}\nENC_PW=ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]\nEUREKA_URL=https://eureka.acme.internal/eureka\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let shared = of(&out, "drift/shared-endpoint");
    assert_eq!(shared.len(), 1, "only the service registry is shared: {d}");
    assert_eq!(key(shared[0]), "/EUREKA_URL");
    assert!(of(&out, "policy/prod-plaintext-secret").is_empty(), "{d}");
    assert!(of(&out, "policy/prod-placeholder-secret").is_empty(), "{d}");
    let logger = of(&out, "drift/missing-in-prod");
    assert_eq!(logger.len(), 1, "{d}");
    assert_eq!(logger[0].severity, Severity::Low, "{d}");
}

#[test]
fn one_finding_per_value_with_both_reasons() {
    let t = tree(&[(".env.uat", "DEBUG=false\n"), (".env.prod", "DEBUG=true\n")]);
    let out = scan(t.path(), "");
    assert_eq!(out.findings.len(), 1, "{}", dump(&out));
    let f = &out.findings[0];
    assert_eq!(f.rule_id, "drift/security-regression");
    assert_eq!(also(f), vec!["policy/prod-debug-enabled"]);
    assert!(f.message.contains("prod-debug-enabled"));
    assert!(
        out.rules
            .iter()
            .any(|r| r.id == "policy/prod-debug-enabled"),
        "metadata of every reason"
    );
}

#[test]
fn object_labels_and_annotations_are_low_pod_template_labels_are_not() {
    let obj = |env: &str, extra: &str, pod: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop-{env}\n  annotations:\n    team: payments\n{extra}spec:\n  template:\n    metadata:\n      labels:\n        app: api\n{pod}"
        )
    };
    let t = tree(&[
        (
            "deploy/uat/app.yaml",
            obj(
                "uat",
                "    argocd.argoproj.io/sync-wave: \"1\"\n",
                "        canary: \"true\"\n",
            )
            .as_str(),
        ),
        ("deploy/prod/app.yaml", obj("prod", "", "").as_str()),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let missing = of(&out, "drift/missing-in-prod");
    assert_eq!(missing.len(), 2, "{d}");
    let sev = |suffix: &str| {
        missing
            .iter()
            .find(|f| key(f).ends_with(suffix))
            .map(|f| f.severity)
            .expect(&d)
    };
    assert_eq!(sev("sync-wave"), Severity::Low, "{d}");
    assert_eq!(sev("/labels/canary"), Severity::High, "{d}");
}

#[test]
fn kustomize_components_patch_their_parents_objects() {
    let t = tree(&[
        ("base/kustomization.yaml", "resources:\n  - deploy.yaml\n"),
        ("base/deploy.yaml", BASE_DEPLOY),
        (
            "components/debug/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: debug.yaml\n",
        ),
        (
            "components/debug/debug.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DEBUG\n              value: \"true\"\n",
        ),
        ("overlays/uat/kustomization.yaml", "resources:\n  - ../../base\n"),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n  - ../../base\ncomponents:\n  - ../../components/debug\n",
        ),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert!(out.notifications.is_empty(), "{d}");
    let dbg = of(&out, "policy/prod-debug-enabled");
    assert_eq!(dbg.len(), 1, "{d}");
    assert_eq!(line_of(dbg[0]), ("components/debug/debug.yaml", 12), "{d}");
}
