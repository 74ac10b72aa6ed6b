use super::super::testing::at;
use super::*;

fn p(t: &str) -> FlatConfig {
    parse("cfg/app.json", t, &Limits::default()).unwrap()
}
fn err(t: &str) -> ParseError {
    parse("cfg/app.json", t, &Limits::default()).unwrap_err()
}

#[test]
fn types_paths_and_positions() {
    let t = r#"{
  "port": 8080,
  "ratio": 0.5,
  "big": 1e3,
  "debug": false,
  "name": "api\u00e9\n",
  "none": null,
  "db": {"host": "h", "a/b": "x~y"},
  "servers": [{"name": "a", "ip": "1"}, {"name": "b", "ip": "2"}],
  "tags": ["x", "y"]
}"#;
    let f = p(t);
    let e = &f.entries;
    assert_eq!(e["/port"].value, Value::Int(8080));
    assert_eq!(at(&f, "/port"), (2, 11, 2, 15));
    assert_eq!(e["/ratio"].value, Value::Float(0.5));
    assert_eq!(e["/big"].value, Value::Float(1000.0));
    assert_eq!(e["/debug"].value, Value::Bool(false));
    assert_eq!(e["/name"].value, Value::String("apié\n".into()));
    assert_eq!(at(&f, "/name"), (6, 11, 6, 24));
    assert_eq!(e["/none"].value, Value::Null);
    assert_eq!(e["/db"].value, Value::Map);
    assert_eq!(at(&f, "/db"), (8, 3, 8, 7)); // containers sit at their key
    assert_eq!(at(&f, "/db/host"), (8, 18, 8, 21));
    assert_eq!(e["/db/a~1b"].value, Value::String("x~y".into()));
    assert_eq!(e["/servers"].value, Value::List);
    assert_eq!(e["/servers/name=b/ip"].value, Value::String("2".into()));
    assert_eq!(at(&f, "/servers/name=b"), (9, 41, 9, 65));
    assert_eq!(e["/tags/1"].value, Value::String("y".into()));
    assert!(!e.contains_key(""));
}

#[test]
fn comments_are_skipped() {
    let f = p(
        "// header\n{\n  /* block\n  */ \"a\": 1, // trailing\n  \"b\": /* inline */ 2\n}\n// end",
    );
    assert_eq!(f.entries["/a"].value, Value::Int(1));
    assert_eq!(at(&f, "/b"), (5, 21, 5, 22));
}

#[test]
fn scalar_roots_and_numbers() {
    assert_eq!(p(" 42 ").entries[""].value, Value::Int(42));
    assert_eq!(p("-0").entries[""].value, Value::Int(0));
    assert_eq!(
        p("99999999999999999999").entries[""].value,
        Value::Float(1e20)
    );
    assert_eq!(p("[]").entries.len(), 0);
    assert_eq!(p("{\"a\": []}").entries["/a"].value, Value::List);
    assert_eq!(
        p("\"\\ud83d\\ude00\"").entries[""].value,
        Value::String("😀".into())
    );
}

#[test]
fn malformed_input_is_located() {
    let cases: &[(&str, u32, u32, &str)] = &[
        ("{\"a\": 1,\n}", 1, 8, "trailing comma"),
        ("[1, 2,]", 1, 6, "trailing comma"),
        (
            "{\"a\": 1,\n \"a\": 2}",
            2,
            2,
            "duplicate key `a` (first defined at line 1)",
        ),
        ("{\"a\": \"open}", 1, 7, "unterminated string"),
        ("{\"a\" 1}", 1, 6, "expected `:`"),
        ("{a: 1}", 1, 2, "object key"),
        ("{\"a\": 01}", 1, 7, "leading zero"),
        ("{\"a\": tru}", 1, 7, "expected a value"),
        ("{\"a\": 1} x", 1, 10, "after the JSON value"),
        ("", 1, 1, "empty file"),
        ("{\"a\": \"x\\q\"}", 1, 9, "invalid escape"),
        ("{\"a\": \"x\ty\"}", 1, 9, "control character"),
        ("[\"\\ud800\"]", 1, 3, "surrogate"),
        ("{\"a\": 1", 1, 8, "unexpected end of file"),
        ("{\"a\":\n  /* c\n 1}", 2, 3, "unterminated `/*` comment"),
        ("{\"a\": 'x'}", 1, 7, "unexpected character '\\''"),
    ];
    for (t, line, col, msg) in cases {
        let e = err(t);
        assert_eq!((e.line, e.column), (*line, *col), "{t:?}: {e}");
        assert!(e.message.contains(msg), "{t:?}: {e}");
        assert_eq!(e.path, "cfg/app.json");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(10_000);
    let e = err(&deep);
    assert!(e.message.contains("nesting deeper than 256"), "{e}");
    assert_eq!((e.line, e.column), (1, 257));
    let deep_obj = "{\"a\":".repeat(10_000);
    assert!(err(&deep_obj).message.contains("nesting deeper"));
    // At the limit is fine.
    let ok = format!("{}1{}", "[".repeat(256), "]".repeat(256));
    assert_eq!(p(&ok).entries.len(), 256);
}
