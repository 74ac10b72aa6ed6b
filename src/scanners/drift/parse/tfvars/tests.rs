use super::super::testing::{at, s, val};
use super::*;

fn p(t: &str) -> FlatConfig {
    parse("env/prod.tfvars", t, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}
fn err(t: &str) -> ParseError {
    parse("env/prod.tfvars", t, &Limits::default()).unwrap_err()
}

#[test]
fn attributes_types_and_positions() {
    let t = r#"# production
region        = "eu-west-1"
instance_count = 3
ratio = -0.5
enable_debug  = false // never in prod
nothing = null
zones = ["a", "b",
  "c",]
tags = {
  Team = "core"
  "cost-center": "42", env = "prod"
}
subnets = [
  { name = "public", cidr = "10.0.0.0/24" },
  { name = "private", cidr = "10.0.1.0/24" },
]
/* block
comment */
greeting = "hi ${name}, $${literal} \u00e9\n"
"#;
    let f = p(t);
    assert_eq!(val(&f, "/region"), s("eu-west-1"));
    assert_eq!(at(&f, "/region"), (2, 17, 2, 28));
    assert_eq!(val(&f, "/instance_count"), Value::Int(3));
    assert_eq!(at(&f, "/instance_count"), (3, 18, 3, 19));
    assert_eq!(val(&f, "/ratio"), Value::Float(-0.5));
    assert_eq!(val(&f, "/enable_debug"), Value::Bool(false));
    assert_eq!(at(&f, "/enable_debug"), (5, 17, 5, 22));
    assert_eq!(val(&f, "/nothing"), Value::Null);
    assert_eq!(val(&f, "/zones"), Value::List);
    assert_eq!(at(&f, "/zones"), (7, 1, 7, 6));
    assert_eq!(val(&f, "/zones/2"), s("c"));
    assert_eq!(at(&f, "/zones/2"), (8, 3, 8, 6));
    assert_eq!(val(&f, "/tags"), Value::Map);
    assert_eq!(val(&f, "/tags/Team"), s("core"));
    assert_eq!(val(&f, "/tags/cost-center"), s("42"));
    assert_eq!(at(&f, "/tags/cost-center"), (11, 18, 11, 22));
    assert_eq!(val(&f, "/tags/env"), s("prod"));
    assert_eq!(val(&f, "/subnets/name=private/cidr"), s("10.0.1.0/24"));
    assert_eq!(at(&f, "/subnets/name=private/cidr"), (15, 30, 15, 43));
    assert_eq!(val(&f, "/greeting"), s("hi ${name}, ${literal} é\n"));
}

#[test]
fn heredocs() {
    let t = "policy = <<EOF\n{\n  \"a\": 1\n}\nEOF\nindented = <<-EOT\n    line1\n      line2\n    EOT\nafter = 1\n";
    let f = p(t);
    assert_eq!(val(&f, "/policy"), s("{\n  \"a\": 1\n}\n"));
    assert_eq!(at(&f, "/policy").0, 1);
    assert_eq!(at(&f, "/policy").1, 10);
    assert_eq!(val(&f, "/indented"), s("line1\n  line2\n"));
    assert_eq!(val(&f, "/after"), Value::Int(1));
    assert_eq!(at(&f, "/after"), (10, 9, 10, 10));
    let crlf = p(&t.replace('\n', "\r\n"));
    assert_eq!(val(&crlf, "/policy"), val(&f, "/policy"));
    assert_eq!(val(&crlf, "/indented"), val(&f, "/indented"));
}

#[test]
fn malformed_tfvars_is_located() {
    let cases: &[(&str, u32, u32, &str)] = &[
        ("a = \"open\nb = 1\n", 1, 5, "unterminated string"),
        (
            "a = 1\na = 2\n",
            2,
            1,
            "duplicate key `a` (first defined at line 1)",
        ),
        ("m = { k = 1, k = 2 }\n", 1, 14, "duplicate key `k`"),
        ("a = var.region\n", 1, 5, "only literal values"),
        ("a = upper(\"x\")\n", 1, 5, "only literal values"),
        ("resource \"x\" \"y\" {\n}\n", 1, 1, "block"),
        ("a = [1, 2\n", 1, 5, "unterminated list"),
        ("a = { b = 1\n", 1, 5, "unterminated object"),
        ("a 1\n", 1, 3, "expected `=` after the attribute name"),
        ("a = 1 2\n", 1, 7, "new line after the value"),
        ("a = <<EOF\nx\n", 1, 5, "unterminated heredoc"),
        ("a = \"\\q\"\n", 1, 6, "invalid escape"),
        ("a = /* x\n", 1, 5, "unterminated `/*`"),
        ("a =\n", 1, 4, "expected a value"),
        ("= 1\n", 1, 1, "attribute name"),
    ];
    for (t, line, col, msg) in cases {
        let e = err(t);
        assert_eq!((e.line, e.column), (*line, *col), "{t:?}: {e}");
        assert!(e.message.contains(msg), "{t:?}: {e}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let t = format!("a = {}", "[".repeat(10_000));
    assert!(err(&t).message.contains("nesting deeper than 256"));
    let t = format!("a = {}", "{b = ".repeat(10_000));
    assert!(err(&t).message.contains("nesting deeper"));
}
