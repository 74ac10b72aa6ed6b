//! Bad input becomes a clear error notification naming the file and line, and never hides the
//! findings of other pairs.

use crate::common::drift::*;
use stagegate::finding::NotificationLevel;

/// A healthy pair next to the broken one: its finding must survive.
const GOOD: [(&str, &str); 2] = [
    ("good/.env.uat", "DEBUG=false\n"),
    ("good/.env.prod", "DEBUG=true\n"),
];

fn assert_good_pair_reported(out: &stagegate::scanners::ScanOutput) {
    assert_eq!(
        of(out, "policy/prod-debug-enabled").len(),
        1,
        "other pair hidden: {}",
        dump(out)
    );
}

#[test]
fn invalid_yaml_names_file_line_and_column() {
    let mut files = GOOD.to_vec();
    files.push(("bad/values-uat.yaml", "a: 1\n"));
    files.push(("bad/values-prod.yaml", "a: 1\nb: [unclosed\nc: 2\n"));
    let t = tree(&files);
    let out = scan(t.path(), "");
    let e: Vec<_> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .collect();
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(
        e[0].message.starts_with("bad/values-prod.yaml:"),
        "{}",
        e[0].message
    );
    let loc = e[0].location.as_ref().expect("location");
    assert_eq!(loc.path, "bad/values-prod.yaml");
    assert!(loc.start_line >= 2, "{loc:?}");
    assert!(
        of(&out, "drift/missing-in-prod").is_empty(),
        "no comparison of a half-parsed file"
    );
    assert_good_pair_reported(&out);
}

#[test]
fn duplicate_keys_are_an_error() {
    let mut files = GOOD.to_vec();
    files.push(("dup/values-uat.yaml", "a: 1\n"));
    files.push(("dup/values-prod.yaml", "a: 1\nport: 80\nport: 81\n"));
    let t = tree(&files);
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].starts_with("dup/values-prod.yaml:3:"), "{e:?}");
    assert_good_pair_reported(&out);
}

#[test]
fn alias_bomb_is_refused() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let mut files = GOOD.to_vec();
    files.push(("bomb/values-uat.yaml", "a: 1\n"));
    files.push(("bomb/values-prod.yaml", bomb.as_str()));
    let t = tree(&files);
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].starts_with("bomb/values-prod.yaml:"), "{e:?}");
    assert_good_pair_reported(&out);
}

#[test]
fn missing_file_of_explicit_pair_is_an_error_not_a_pass() {
    let t = tree(&GOOD);
    let cfg =
        "[[drift.pair]]\nname = \"api\"\nuat = \"deploy/uat.env\"\nprod = \"deploy/prod.env\"\n";
    std::fs::create_dir_all(t.path().join("deploy")).expect("mkdir");
    std::fs::write(t.path().join("deploy/uat.env"), "A=1\n").expect("write");
    let out = scan(t.path(), cfg);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(
        e[0].contains("deploy/prod.env")
            && e[0].contains("does not exist")
            && e[0].contains("`api`"),
        "{e:?}"
    );
    assert_good_pair_reported(&out);
}

#[test]
fn non_utf8_and_binary_files_are_errors() {
    let t = tree(&GOOD);
    std::fs::write(t.path().join("x-uat.json"), b"{\"a\": 1}").expect("write");
    std::fs::write(t.path().join("x-prod.json"), b"{\"a\": \"\xff\xfe\"}").expect("write");
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].starts_with("x-prod.json"), "{e:?}");
    assert_good_pair_reported(&out);
}

#[test]
fn both_sides_broken_reports_both() {
    let t = tree(&[
        ("values-uat.yaml", "a: [\n"),
        ("values-prod.yaml", "b: {\n"),
    ]);
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 2, "{}", dump(&out));
}

#[test]
fn nothing_to_compare_is_an_error_when_asked_for() {
    let t = tree(&[("README.md", "hi\n")]);
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].contains("no UAT/production"), "{e:?}");
}

#[test]
fn empty_folder_side_is_an_error() {
    let t = tree(&[
        ("overlays/uat/a.yaml", "a: 1\n"),
        ("overlays/prod/README.md", "nothing\n"),
    ]);
    let out = scan(t.path(), "");
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(
        e[0].contains("overlays/prod") && e[0].contains("no configuration file"),
        "{e:?}"
    );
}

#[test]
fn pair_paths_must_stay_inside_the_repository() {
    let t = tree(&GOOD);
    let cfg = "[[drift.pair]]\nname = \"out\"\nuat = \"../x/.env.uat\"\nprod = \"/etc/hosts\"\n";
    let out = scan(t.path(), cfg);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{}", dump(&out));
    assert!(e[0].contains("inside the scanned repository"), "{e:?}");
    assert_good_pair_reported(&out);
}

#[test]
fn broken_file_in_a_folder_leaves_the_rest_compared() {
    let t = tree(&[
        ("overlays/uat/app.yaml", "timeout: 30\n"),
        ("overlays/prod/app.yaml", "timeout: 10\n"),
        ("overlays/uat/extra.yaml", "a: 1\nb: 2\n"),
        ("overlays/prod/extra.yaml", "a: [1,\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{d}");
    assert!(e[0].starts_with("overlays/prod/extra.yaml:"), "{e:?}");
    let v = of(&out, "drift/value");
    assert_eq!(v.len(), 1, "{d}");
    assert_eq!(v[0].location.path, "overlays/prod/app.yaml");
    assert!(
        of(&out, "drift/missing-in-prod").is_empty(),
        "broken file left out on both sides: {d}"
    );
}

#[test]
fn broken_uat_file_still_checks_production_policies() {
    let t = tree(&[
        ("values-uat.yaml", "debug: [\n"),
        ("values-prod.yaml", "debug: true\n"),
    ]);
    let out = scan(t.path(), "");
    let d = dump(&out);
    assert_eq!(errors(&out).len(), 1, "{d}");
    assert_eq!(of(&out, "policy/prod-debug-enabled").len(), 1, "{d}");
    assert!(
        out.findings
            .iter()
            .all(|f| f.rule_id.starts_with("policy/")),
        "{d}"
    );
}
