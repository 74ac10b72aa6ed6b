//! TOML through the `toml` crate's span-keeping document (`toml::de::DeTable`): it already
//! rejects duplicate keys and bounds nesting; this module maps spans to lines and columns and
//! types to [`Value`]s (datetimes become strings).

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::text::Positions;
use super::tree::{Flattener, Key, Kind, Node, Pos};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut pos = Positions::new(text);
    let doc = DeTable::parse(text).map_err(|e| {
        let (l, c) = e.span().map_or((1, 0), |s| pos.line_col(s.start));
        let mut msg = format!("invalid TOML: {}", e.message().trim_end());
        // Name the key: the span of a duplicate-key error is the key itself.
        let key = e.span().and_then(|s| text.get(s)).map(str::trim);
        if let Some(k) = key.filter(|k| !k.is_empty() && k.len() <= 200) {
            if msg.ends_with("duplicate key") {
                msg.push_str(&format!(" `{k}`"));
            }
        }
        ParseError::new(path, l, c, msg)
    })?;
    let start = doc.span().start;
    let root = table(&mut pos, doc.into_inner(), start);
    let mut f = Flattener::new(path, limits);
    f.node("", root, None, 0)?;
    Ok(f.out)
}

fn span_pos(pos: &mut Positions<'_>, r: std::ops::Range<usize>) -> Pos {
    pos.pos(r.start, r.end)
}

fn table(pos: &mut Positions<'_>, t: DeTable<'_>, start: usize) -> Node {
    let at = span_pos(pos, start..start);
    let entries = t
        .into_iter()
        .map(|(k, v)| {
            let kpos = span_pos(pos, k.span());
            (
                Key {
                    text: k.into_inner().into_owned(),
                    pos: kpos,
                },
                value(pos, v),
            )
        })
        .collect();
    Node {
        pos: at,
        kind: Kind::Map(entries),
    }
}

fn value(pos: &mut Positions<'_>, v: Spanned<DeValue<'_>>) -> Node {
    let span = v.span();
    let p = span_pos(pos, span.clone());
    let kind = match v.into_inner() {
        // A CRLF file must not differ from its LF twin in a multi-line string.
        DeValue::String(s) if s.contains("\r\n") => {
            Kind::Scalar(Value::String(s.replace("\r\n", "\n")))
        }
        DeValue::String(s) => Kind::Scalar(Value::String(s.into_owned())),
        DeValue::Integer(i) => {
            let digits = i.as_str();
            Kind::Scalar(match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => digits
                    .parse::<f64>()
                    .map_or_else(|_| Value::String(i.to_string()), Value::Float),
            })
        }
        DeValue::Float(f) => Kind::Scalar(
            f.as_str()
                .parse::<f64>()
                .map_or_else(|_| Value::String(f.to_string()), Value::Float),
        ),
        DeValue::Boolean(b) => Kind::Scalar(Value::Bool(b)),
        DeValue::Datetime(d) => Kind::Scalar(Value::String(d.to_string())),
        DeValue::Array(items) => Kind::List(items.into_iter().map(|x| value(pos, x)).collect()),
        DeValue::Table(t) => {
            return Node {
                pos: p,
                ..table(pos, t, span.start)
            }
        }
    };
    Node { pos: p, kind }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, val};
    use super::*;

    fn p(t: &str) -> FlatConfig {
        parse("Config.toml", t, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn types_tables_and_positions() {
        let t = "\
title = \"api\"
port = 8_080
hex = 0xff
ratio = 1.5
debug = false
when = 1979-05-27T07:32:00Z
local = 07:32:00

[database]
url = \"postgres://db\"
pool.max = 10

[[servers]]
name = \"a\"
ip = \"10.0.0.1\"

[[servers]]
name = \"b\"
ip = \"10.0.0.2\"

[inline]
point = { x = 1, y = [1, 2] }
";
        let f = p(t);
        assert_eq!(val(&f, "/title"), Value::String("api".into()));
        assert_eq!(at(&f, "/title"), (1, 9, 1, 14));
        assert_eq!(val(&f, "/port"), Value::Int(8080));
        assert_eq!(at(&f, "/port"), (2, 8, 2, 13));
        assert_eq!(val(&f, "/hex"), Value::Int(255));
        assert_eq!(val(&f, "/ratio"), Value::Float(1.5));
        assert_eq!(val(&f, "/debug"), Value::Bool(false));
        assert_eq!(
            val(&f, "/when"),
            Value::String("1979-05-27T07:32:00Z".into())
        );
        assert_eq!(val(&f, "/local"), Value::String("07:32:00".into()));
        assert_eq!(val(&f, "/database"), Value::Map);
        assert_eq!(at(&f, "/database"), (9, 2, 9, 10));
        assert_eq!(at(&f, "/database/url"), (10, 7, 10, 22));
        assert_eq!(val(&f, "/database/pool/max"), Value::Int(10));
        assert_eq!(at(&f, "/database/pool/max"), (11, 12, 11, 14));
        assert_eq!(val(&f, "/servers"), Value::List);
        assert_eq!(
            val(&f, "/servers/name=b/ip"),
            Value::String("10.0.0.2".into())
        );
        assert_eq!(at(&f, "/servers/name=b/ip"), (19, 6, 19, 16));
        assert_eq!(val(&f, "/inline/point/x"), Value::Int(1));
        assert_eq!(at(&f, "/inline/point"), (22, 1, 22, 6));
        assert_eq!(val(&f, "/inline/point/y/1"), Value::Int(2));
        assert_eq!(at(&f, "/inline/point/y/1"), (22, 26, 22, 27));
    }

    #[test]
    fn multi_line_strings_do_not_depend_on_line_endings() {
        let lf = p("a = \"\"\"\nx\ny\"\"\"\n");
        let crlf = p("a = \"\"\"\r\nx\r\ny\"\"\"\r\n");
        assert_eq!(val(&lf, "/a"), Value::String("x\ny".into()));
        assert_eq!(val(&crlf, "/a"), val(&lf, "/a"));
    }

    #[test]
    fn malformed_toml_is_located() {
        let e = parse("c.toml", "a = 1\nb = 2\na = 3\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("duplicate key `a`"), "{e}");
        let e = parse("c.toml", "a = 1\nb = \"open\n", &Limits::default()).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("c.toml", "x = [1, 2,,]\n", &Limits::default()).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = parse("c.toml", "[t]\nk = 1\n[t]\n", &Limits::default()).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse("c.toml", "k = \n", &Limits::default()).unwrap_err();
        assert!(e.message.starts_with("invalid TOML"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let t = format!("a = {}", "[".repeat(10_000));
        assert!(parse("c.toml", &t, &Limits::default()).is_err());
        let t = format!("a = {}", "{ b = ".repeat(10_000));
        assert!(parse("c.toml", &t, &Limits::default()).is_err());
        let t = format!("[{}]\n", vec!["k"; 10_000].join("."));
        assert!(parse("c.toml", &t, &Limits::default()).is_err());
    }
}
