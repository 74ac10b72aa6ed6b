//! Pair discovery on real trees: conventions, `.gitignore`, `exclude`, explicit pairs.

use std::path::Path;

use crate::common::drift::tree;
use stagegate::scanners::drift::{discover_pairs, render_pairs, PairOrigin, PairPlan};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions};

fn discover(root: &Path, config: &str) -> Vec<PairPlan> {
    let config = Config::parse(config, &root.join("stagegate.toml")).expect("config");
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, &config, &options);
    discover_pairs(&ctx).expect("discover")
}

fn names(plans: &[PairPlan]) -> Vec<(String, String)> {
    let mut v: Vec<_> = plans
        .iter()
        .map(|p| (p.uat.clone(), p.prod.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn every_convention_on_disk() {
    let t = tree(&[
        (".env", "A=1\n"),
        (".env.staging", "A=1\n"),
        (".env.production", "A=1\n"),
        ("chart/values.yaml", "a: 1\n"),
        ("chart/values-uat.yaml", "a: 1\n"),
        ("chart/values-prod.yaml", "a: 1\n"),
        ("k8s/overlays/staging/d.yaml", "a: 1\n"),
        ("k8s/overlays/production/d.yaml", "a: 1\n"),
        ("svc/src/main/resources/application-uat.properties", "a=1\n"),
        (
            "svc/src/main/resources/application-prod.properties",
            "a=1\n",
        ),
        ("config/uat/app.ini", "[a]\nb=1\n"),
        ("config/prod/app.ini", "[a]\nb=1\n"),
        ("tf/net.uat.tfvars", "a = 1\n"),
        ("tf/net.prod.tfvars", "a = 1\n"),
        ("environments/uat/main.tfvars", "a = 1\n"),
        ("environments/prod/main.tfvars", "a = 1\n"),
    ]);
    let plans = discover(t.path(), "");
    assert_eq!(
        names(&plans),
        vec![
            (".env.staging".to_string(), ".env.production".to_string()),
            (
                "chart/values-uat.yaml".into(),
                "chart/values-prod.yaml".into()
            ),
            ("config/uat".into(), "config/prod".into()),
            ("environments/uat".into(), "environments/prod".into()),
            (
                "k8s/overlays/staging".into(),
                "k8s/overlays/production".into()
            ),
            (
                "svc/src/main/resources/application-uat.properties".into(),
                "svc/src/main/resources/application-prod.properties".into()
            ),
            ("tf/net.uat.tfvars".into(), "tf/net.prod.tfvars".into()),
        ]
    );
    let env = plans.iter().find(|p| p.uat == ".env.staging").expect("env");
    assert_eq!(env.base.as_deref(), Some(".env"));
    let helm = plans
        .iter()
        .find(|p| p.uat == "chart/values-uat.yaml")
        .expect("helm");
    assert_eq!(helm.base.as_deref(), Some("chart/values.yaml"));
    let listing = render_pairs(&plans);
    assert!(listing.contains("base: chart/values.yaml"), "{listing}");
    assert!(listing.contains("k8s/overlays/staging/"), "{listing}");
}

#[test]
fn gitignore_and_exclude_are_respected() {
    let t = tree(&[
        (".gitignore", "generated/\n"),
        ("generated/.env.uat", "A=1\n"),
        ("generated/.env.prod", "A=1\n"),
        ("vendor/.env.uat", "A=1\n"),
        ("vendor/.env.prod", "A=1\n"),
        ("app/.env.uat", "A=1\n"),
        ("app/.env.prod", "A=1\n"),
        (".github/workflows/deploy-uat.yml", "on: push\n"),
        (".github/workflows/deploy-prod.yml", "on: push\n"),
        ("node_modules/x/config.uat.json", "{}"),
        ("node_modules/x/config.prod.json", "{}"),
    ]);
    let plans = discover(t.path(), "exclude = [\"vendor/**\"]\n");
    assert_eq!(
        names(&plans),
        vec![("app/.env.uat".to_string(), "app/.env.prod".to_string())]
    );
}

#[test]
fn explicit_pairs_win_over_discovery_and_can_turn_it_off() {
    let t = tree(&[
        ("deploy/uat/a.yaml", "a: 1\n"),
        ("deploy/prod/a.yaml", "a: 1\n"),
        ("other/.env.uat", "A=1\n"),
        ("other/.env.prod", "A=1\n"),
    ]);
    let cfg = "[[drift.pair]]\nname = \"api\"\nuat = \"deploy/uat/\"\nprod = \"./deploy/prod\"\nrequire_equal = [\"**/image\"]\n";
    let plans = discover(t.path(), cfg);
    assert_eq!(plans.len(), 2, "{plans:#?}");
    let api = &plans[0];
    assert_eq!(
        (api.name.as_str(), api.uat.as_str(), api.prod.as_str()),
        ("api", "deploy/uat", "deploy/prod")
    );
    assert!(api.folder);
    assert_eq!(api.origin, PairOrigin::Config);
    assert!(render_pairs(&plans).contains("api (stagegate.toml)"));
    let only = discover(t.path(), &format!("[drift]\ndiscover = false\n{cfg}"));
    assert_eq!(only.len(), 1);
}
