//! YAML 1.2 core schema for plain scalars, and the core tags (`!!str`, `!!int`…) that force a
//! type. `yes`/`no`/`on`/`off` are strings (they were booleans only in YAML 1.1).

use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

use crate::scanners::drift::model::Value;

/// The handle yaml-rust2 gives `!!` tags.
const CORE: &str = "tag:yaml.org,2002:";

/// Types a scalar from its text, style and tag.
pub(crate) fn resolve(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    match tag {
        Some(t) if t.handle == CORE => match t.suffix.as_str() {
            "str" => Value::String(text.to_string()),
            "null" => Value::Null,
            "bool" => match core(text) {
                v @ Value::Bool(_) => v,
                _ => Value::String(text.to_string()),
            },
            "int" => match core(text) {
                v @ Value::Int(_) => v,
                _ => Value::String(text.to_string()),
            },
            "float" => match core(text) {
                Value::Int(i) => Value::Float(i as f64),
                v @ Value::Float(_) => v,
                _ => Value::String(text.to_string()),
            },
            _ => Value::String(text.to_string()),
        },
        // Application tags (`!Ref`, `!vault`): the text, as written.
        Some(_) => Value::String(text.to_string()),
        None if matches!(style, TScalarStyle::Plain) => core(text),
        None => Value::String(text.to_string()),
    }
}

/// The core schema's resolution of a plain scalar.
pub(crate) fn core(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(v) = radix(s, "0x", 16).or_else(|| radix(s, "0o", 8)) {
        return v;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        let digits = s.strip_prefix('+').unwrap_or(s);
        return match digits.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => digits
                .parse::<f64>()
                .map_or(Value::String(s.to_string()), Value::Float),
        };
    }
    if is_float(unsigned) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(s.to_string())
}

fn radix(s: &str, prefix: &str, base: u32) -> Option<Value> {
    let digits = s.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    Some(match i64::from_str_radix(digits, base) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::String(s.to_string()),
    })
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` (sign already stripped).
fn is_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let st = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - st
    };
    let int = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = digits(&mut i);
        if int == 0 && frac == 0 {
            return false;
        }
    } else if int == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        assert_eq!(core("~"), Value::Null);
        assert_eq!(core("NULL"), Value::Null);
        assert_eq!(core("True"), Value::Bool(true));
        assert_eq!(core("yes"), Value::String("yes".into()));
        assert_eq!(core("off"), Value::String("off".into()));
        assert_eq!(core("042"), Value::Int(42));
        assert_eq!(core("+7"), Value::Int(7));
        assert_eq!(core("-7"), Value::Int(-7));
        assert_eq!(core("0x1F"), Value::Int(31));
        assert_eq!(core("0o17"), Value::Int(15));
        assert_eq!(core("0o19"), Value::String("0o19".into()));
        assert_eq!(core("0x"), Value::String("0x".into()));
        assert_eq!(core("1.5"), Value::Float(1.5));
        assert_eq!(core("1."), Value::Float(1.0));
        assert_eq!(core(".5"), Value::Float(0.5));
        assert_eq!(core("-1e3"), Value::Float(-1000.0));
        assert_eq!(core("1e"), Value::String("1e".into()));
        assert_eq!(core("."), Value::String(".".into()));
        assert_eq!(core("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(core("-.inf"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(core(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(core("99999999999999999999"), Value::Float(1e20));
        assert_eq!(core("1_000"), Value::String("1_000".into()));
        assert_eq!(core("12:30"), Value::String("12:30".into()));
        assert_eq!(core("inf"), Value::String("inf".into()));
    }

    #[test]
    fn styles_and_tags() {
        let t = |suffix: &str| Tag {
            handle: CORE.into(),
            suffix: suffix.into(),
        };
        assert_eq!(
            resolve("1", TScalarStyle::DoubleQuoted, None),
            Value::String("1".into())
        );
        assert_eq!(
            resolve("1", TScalarStyle::Plain, Some(&t("str"))),
            Value::String("1".into())
        );
        assert_eq!(
            resolve("1", TScalarStyle::Plain, Some(&t("float"))),
            Value::Float(1.0)
        );
        assert_eq!(
            resolve("5", TScalarStyle::SingleQuoted, Some(&t("int"))),
            Value::Int(5)
        );
        assert_eq!(
            resolve("x", TScalarStyle::Plain, Some(&t("int"))),
            Value::String("x".into())
        );
        let app = Tag {
            handle: "!".into(),
            suffix: "Ref".into(),
        };
        assert_eq!(
            resolve("42", TScalarStyle::Plain, Some(&app)),
            Value::String("42".into())
        );
    }
}
