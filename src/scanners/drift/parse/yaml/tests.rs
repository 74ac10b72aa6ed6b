use super::super::testing::{at, s, val};
use super::*;

fn p(t: &str) -> FlatConfig {
    parse("deploy/values.yaml", t, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}
fn err(t: &str) -> ParseError {
    parse("deploy/values.yaml", t, &Limits::default()).unwrap_err()
}

#[test]
fn typed_scalars_and_positions() {
    let t = "\
replicas: 3
debug: false
ratio: 0.25
name: api
quoted: \"3\"
single: 'it''s'
none: ~
empty:
hex: 0x10
yes_is_text: yes
block: |
  line1
  line2
nested:
  deeper:
    port: 8080
";
    let f = p(t);
    assert_eq!(val(&f, "/replicas"), Value::Int(3));
    assert_eq!(at(&f, "/replicas"), (1, 11, 1, 12));
    assert_eq!(val(&f, "/debug"), Value::Bool(false));
    assert_eq!(at(&f, "/debug"), (2, 8, 2, 13));
    assert_eq!(val(&f, "/ratio"), Value::Float(0.25));
    assert_eq!(val(&f, "/name"), s("api"));
    assert_eq!(val(&f, "/quoted"), s("3"));
    assert_eq!(at(&f, "/quoted"), (5, 9, 5, 12));
    assert_eq!(val(&f, "/single"), s("it's"));
    assert_eq!(at(&f, "/single"), (6, 9, 6, 16));
    assert_eq!(val(&f, "/none"), Value::Null);
    assert_eq!(val(&f, "/empty"), Value::Null);
    assert_eq!(at(&f, "/empty"), (8, 1, 8, 6));
    assert_eq!(val(&f, "/hex"), Value::Int(16));
    assert_eq!(val(&f, "/yes_is_text"), s("yes"));
    assert_eq!(val(&f, "/block"), s("line1\nline2\n"));
    // Block scalars sit at their first content character.
    assert_eq!(at(&f, "/block"), (12, 3, 12, 4));
    assert_eq!(val(&f, "/nested"), Value::Map);
    assert_eq!(at(&f, "/nested"), (14, 1, 14, 7));
    assert_eq!(at(&f, "/nested/deeper"), (15, 3, 15, 9));
    assert_eq!(val(&f, "/nested/deeper/port"), Value::Int(8080));
    assert_eq!(at(&f, "/nested/deeper/port"), (16, 11, 16, 15));
}

#[test]
fn unicode_columns_are_characters() {
    let f = p("café: naïve\nk: \"é\"\n");
    assert_eq!(at(&f, "/café"), (1, 7, 1, 12));
    assert_eq!(at(&f, "/k"), (2, 4, 2, 7));
}

#[test]
fn lists_by_identity_and_scalars_by_index() {
    let t = "\
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry/app:1.2.3
          args: [--port, \"8080\"]
          env:
            - name: MODE
              value: prod
        - name: sidecar
          image: envoy:1.30
  ports:
    - port: 80
    - port: 443
";
    let f = p(t);
    let c = "/spec/template/spec/containers";
    assert_eq!(val(&f, c), Value::List);
    assert_eq!(val(&f, &format!("{c}/name=app")), Value::Map);
    assert_eq!(at(&f, &format!("{c}/name=app")), (5, 11, 5, 15));
    assert_eq!(
        val(&f, &format!("{c}/name=app/image")),
        s("registry/app:1.2.3")
    );
    assert_eq!(at(&f, &format!("{c}/name=app/image")), (6, 18, 6, 36));
    assert_eq!(val(&f, &format!("{c}/name=app/args/0")), s("--port"));
    assert_eq!(val(&f, &format!("{c}/name=app/args/1")), s("8080"));
    assert_eq!(at(&f, &format!("{c}/name=app/args/1")), (7, 26, 7, 32));
    assert_eq!(
        val(&f, &format!("{c}/name=app/env/name=MODE/value")),
        s("prod")
    );
    assert_eq!(val(&f, &format!("{c}/name=sidecar/image")), s("envoy:1.30"));
    assert_eq!(val(&f, "/spec/ports/1/port"), Value::Int(443));
}

#[test]
fn duplicate_identities_fall_back_to_indices() {
    let f = p("l:\n  - name: a\n    v: 1\n  - name: a\n    v: 2\n");
    assert_eq!(val(&f, "/l/1/v"), Value::Int(2));
    assert!(!f.entries.contains_key("/l/name=a"));
}

#[test]
fn kubernetes_objects_are_filed_by_kind_namespace_name() {
    let t = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata:
  name: api/x
---
# trailing empty document
";
    let f = p(t);
    assert_eq!(val(&f, "/Deployment/shop/api"), Value::Map);
    assert_eq!(at(&f, "/Deployment/shop/api"), (1, 1, 1, 11));
    assert_eq!(val(&f, "/Deployment/shop/api/apiVersion"), s("apps/v1"));
    assert_eq!(val(&f, "/Deployment/shop/api/spec/replicas"), Value::Int(2));
    assert_eq!(at(&f, "/Deployment/shop/api/spec/replicas"), (7, 13, 7, 14));
    assert_eq!(val(&f, "/Service/-/api~1x/kind"), s("Service"));
    assert_eq!(at(&f, "/Service/-/api~1x/kind"), (10, 7, 10, 14));
    assert!(f
        .entries
        .keys()
        .all(|k| k.starts_with("/Deployment/") || k.starts_with("/Service/")));

    let e = err("apiVersion: v1\nkind: A\nmetadata: {name: x}\n---\napiVersion: v1\nkind: A\nmetadata: {name: x}\n");
    assert_eq!(e.line, 5);
    assert!(
        e.message
            .contains("duplicate Kubernetes object A/-/x (first defined at line 1)"),
        "{e}"
    );
}

#[test]
fn documents_without_identity_are_indexed_only_when_several() {
    let f = p("a: 1\n---\na: 2\n---\n- x\n");
    assert_eq!(val(&f, "/0/a"), Value::Int(1));
    assert_eq!(val(&f, "/1/a"), Value::Int(2));
    assert_eq!(at(&f, "/1/a"), (3, 4, 3, 5));
    assert_eq!(val(&f, "/2"), Value::List);
    assert_eq!(val(&f, "/2/0"), s("x"));
    let f = p("---\na: 1\n...\n");
    assert_eq!(val(&f, "/a"), Value::Int(1));
    assert!(p("").entries.is_empty());
    assert!(p("# only a comment\n").entries.is_empty());
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let t = "\
defaults: &defaults
  timeout: 30
  retries: 3
  tls: {verify: true}
extra: &extra
  region: eu
prod:
  <<: [*defaults, *extra]
  retries: 5
copy: *defaults
tag: &t v1
again: *t
";
    let f = p(t);
    assert_eq!(val(&f, "/prod/timeout"), Value::Int(30));
    // Merged values keep the location of their definition.
    assert_eq!(at(&f, "/prod/timeout"), (2, 12, 2, 14));
    assert_eq!(val(&f, "/prod/retries"), Value::Int(5));
    assert_eq!(at(&f, "/prod/retries"), (9, 12, 9, 13));
    assert_eq!(val(&f, "/prod/region"), s("eu"));
    assert_eq!(val(&f, "/prod/tls/verify"), Value::Bool(true));
    assert!(!f.entries.contains_key("/prod/<<"));
    assert_eq!(val(&f, "/copy"), Value::Map);
    assert_eq!(at(&f, "/copy"), (10, 1, 10, 5));
    assert_eq!(val(&f, "/copy/retries"), Value::Int(3));
    assert_eq!(val(&f, "/again"), s("v1"));
    // A quoted "<<" is an ordinary key.
    let f = p("\"<<\": 1\n");
    assert_eq!(val(&f, "/<<"), Value::Int(1));
    let e = err("a: &a 1\nb:\n  <<: *a\n");
    assert!(e.message.contains("merge key"), "{e}");
    assert_eq!(e.line, 3);
}

/// Billion laughs: 9 levels of 9 aliases each = 9^9 (387 million) copies if expanded.
fn alias_bomb() -> String {
    let mut t = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        t.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    t
}

#[test]
fn alias_bomb_is_stopped_by_the_node_budget() {
    // The budget, not luck, stops it: the error names the limit and the line where the
    // budget ran out (timing is measured in examples/drift_parse_throughput.rs).
    let e = err(&alias_bomb());
    assert!(e.message.contains("more than 10000 nodes"), "{e}");
    assert!(e.message.contains("alias bomb"), "{e}");
    assert_eq!(e.line, 5, "{e}");
    // A smaller budget stops it earlier.
    let small = Limits {
        max_alias_expansions: 100,
        ..Limits::default()
    };
    let e = parse("x.yaml", &alias_bomb(), &small).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    // Within budget, aliases expand in full.
    let three = alias_bomb().lines().take(3).collect::<Vec<_>>().join("\n");
    let f = p(&three);
    assert_eq!(val(&f, "/a2/8/8/8"), s("lol"));
    assert_eq!(f.entries.len(), 10 + 91 + 820);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let t = "- ".repeat(10_000) + "x\n";
    let e = err(&t);
    assert!(e.message.contains("nesting deeper than 256"), "{e}");
    let mut t = String::new();
    for i in 0..10_000 {
        t.push_str(&" ".repeat(i));
        t.push_str("k:\n");
    }
    assert!(err(&t).message.contains("nesting deeper"));
    let t = "[".repeat(10_000);
    assert!(parse("x.yaml", &t, &Limits::default()).is_err());
}

#[test]
fn malformed_yaml_is_located() {
    let e = err("a: 1\nb: 2\na: 3\n");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(
        e.message
            .contains("duplicate key `a` (first defined at line 1)"),
        "{e}"
    );
    let e = err("a:\n  b: 1\n c: 2\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    let e = err("a: \"open\nb: 2\n");
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    let e = err("a: [1, 2\nb: 3\n");
    assert!(e.line >= 2, "{e}");
    let e = err("a: *nope\n");
    assert_eq!(e.line, 1, "{e}");
    let e = err("? [a, b]\n: v\n");
    assert!(e.message.contains("complex mapping keys"), "{e}");
    let e = err("a: &x [1, *x]\n");
    assert!(e.line == 1, "{e}");
    let e = err("a: b: c\n");
    assert_eq!((e.line, e.path.as_str()), (1, "deploy/values.yaml"), "{e}");
}

#[test]
fn keys_of_other_types_and_escaping() {
    let f = p("80: http\ntrue: t\n~: n\na/b: 1\nm~n: 2\n");
    assert_eq!(val(&f, "/80"), s("http"));
    assert_eq!(val(&f, "/true"), s("t"));
    assert_eq!(val(&f, "/~0"), s("n"));
    assert_eq!(val(&f, "/a~1b"), Value::Int(1));
    assert_eq!(val(&f, "/m~0n"), Value::Int(2));
}

#[test]
fn nested_anchors_share_the_entry_budget() {
    // Every level anchored: copies cost 1 + 2 + … + n nodes.
    let mut t = String::new();
    for i in 0..40 {
        t.push_str(&" ".repeat(2 * i));
        t.push_str(&format!("k{i}: &a{i}\n"));
    }
    t.push_str(&" ".repeat(80));
    t.push_str("leaf: 1\n");
    assert!(p(&t)
        .entries
        .contains_key(&(0..40).map(|i| format!("/k{i}")).collect::<String>()));
    let tight = Limits {
        max_entries: 300,
        ..Limits::default()
    };
    let e = parse("x.yaml", &t, &tight).unwrap_err();
    assert!(
        e.message.contains("anchors hold more than 300 nodes"),
        "{e}"
    );
}

#[test]
fn crlf_files_equal_their_lf_twins() {
    let lf = "a: |\n  x\n  y\nb: \"p\n  q\"\nc: 1\n";
    let crlf = lf.replace('\n', "\r\n");
    let (lf, crlf) = (p(lf), p(&crlf));
    assert_eq!(val(&lf, "/a"), s("x\ny\n"));
    assert_eq!(val(&crlf, "/a"), val(&lf, "/a"));
    assert_eq!(val(&crlf, "/b"), val(&lf, "/b"));
    assert_eq!(at(&crlf, "/c"), at(&lf, "/c"));
}

#[test]
fn alias_copies_stay_within_the_depth_limit() {
    // A 200-deep anchor copied at depth 100 would make a 300-deep tree: refused at the alias.
    let limits = Limits {
        max_depth: 256,
        ..Limits::default()
    };
    let deep = format!("a: &x {}1{}\n", "[".repeat(200), "]".repeat(200));
    let nested = format!("{}*x{}\n", "[".repeat(100), "]".repeat(100));
    let t = format!("{deep}b: {nested}");
    let e = parse("x.yaml", &t, &limits).unwrap_err();
    assert!(e.message.contains("deeper than 256 levels"), "{e}");
    assert_eq!(e.line, 2);
    // The same copy near the top is fine.
    let t = format!("{deep}b: *x\n");
    assert!(parse("x.yaml", &t, &limits).is_ok());
}
