//! INI (`.ini`, `.cfg`, `.conf`): `[section]` headers, `key = value` or `key: value`, `;` and `#`
//! comments. Keys before any section are top level (`/key`); others are `/section/key`, with the
//! section name kept whole (`[a.b]` → `/a.b/key`).
//!
//! Values are strings, trimmed; a `;` or `#` preceded by whitespace starts an inline comment; a
//! value wholly in matching quotes loses them. A bare `key` (no separator, no blank inside) is an
//! empty string. A repeated section header continues the section; a key repeated in one section
//! is an error.

use super::text::{lines_with_offsets, Positions};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{escape_segment, FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut pos = Positions::new(text);
    let mut out = FlatConfig::default();
    let mut section: Option<(String, u32)> = None;
    let err = |pos: &mut Positions<'_>, at: usize, msg: String| {
        let (l, c) = pos.line_col(at);
        ParseError::new(path, l, c, msg)
    };
    for (line_start, line) in lines_with_offsets(text) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let start = line_start + indent;
        if trimmed.is_empty() || trimmed.starts_with([';', '#']) {
            continue;
        }
        if out.entries.len() >= limits.max_entries {
            return Err(err(
                &mut pos,
                start,
                format!("more than {} keys in one file", limits.max_entries),
            ));
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(close) = rest.find(']') else {
                return Err(err(
                    &mut pos,
                    start,
                    "unterminated section header: `]` expected".into(),
                ));
            };
            let after_raw = rest.get(close + 1..).unwrap_or_default();
            let after = after_raw.trim();
            if !(after.is_empty() || after.starts_with([';', '#'])) {
                let blank = after_raw.len() - after_raw.trim_start().len();
                return Err(err(
                    &mut pos,
                    start + 1 + close + 1 + blank,
                    "unexpected text after the section header".into(),
                ));
            }
            let raw = rest.get(..close).unwrap_or_default();
            let name = raw.trim();
            if name.is_empty() {
                return Err(err(&mut pos, start, "empty section name".into()));
            }
            let name_start = start + 1 + (raw.len() - raw.trim_start().len());
            let key = format!("/{}", escape_segment(name));
            let loc = pos.span(path, name_start, name_start + name.len());
            let line_no = loc.start_line;
            match out.entries.get(&key) {
                Some(e) if e.value != Value::Map => {
                    return Err(err(
                        &mut pos,
                        name_start,
                        format!(
                            "section [{name}] has the name of a key defined at line {}",
                            e.location.start_line
                        ),
                    ))
                }
                Some(_) => {}
                None => out.insert(key.clone(), Value::Map, loc),
            }
            section = Some((key, line_no));
            continue;
        }
        let sep = trimmed.find(['=', ':']);
        let (raw_key, value_part, value_off) = match sep {
            Some(i) => (
                trimmed.get(..i).unwrap_or_default(),
                trimmed.get(i + 1..).unwrap_or_default(),
                start + i + 1,
            ),
            None => (trimmed, "", start + trimmed.len()),
        };
        let key = raw_key.trim_end();
        // A bare flag (`skip-networking`) is a key; a bare phrase (`server {`, `listen 80;`) means
        // the file is not INI at all (nginx, Apache…), which is better said than flattened.
        if key.is_empty() || (sep.is_none() && key.contains(char::is_whitespace)) {
            return Err(err(
                &mut pos,
                start,
                "expected `key = value`, `[section]` or a comment".into(),
            ));
        }
        let lead = value_part.len() - value_part.trim_start().len();
        let (value, v_start, v_end) = value_of(value_part.trim_start(), value_off + lead);
        let full = match &section {
            Some((s, _)) => format!("{s}/{}", escape_segment(key)),
            None => format!("/{}", escape_segment(key)),
        };
        if let Some(first) = out.entries.get(&full) {
            let where_ = match &section {
                Some((s, _)) => format!(" in section [{}]", s.trim_start_matches('/')),
                None => String::new(),
            };
            let first_line = first.location.start_line;
            return Err(err(
                &mut pos,
                start,
                format!("duplicate key `{key}`{where_} (first defined at line {first_line})"),
            ));
        }
        let loc = pos.span(path, v_start, v_end);
        out.insert(full, Value::String(value), loc);
    }
    Ok(out)
}

/// The value of `v` (already trimmed at the start, beginning at byte `off`): quotes removed,
/// inline comment cut, trimmed. Returns (value, start, end) offsets in the source.
fn value_of(v: &str, off: usize) -> (String, usize, usize) {
    if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
        if let Some(close) = v.get(1..).and_then(|r| r.find(q)) {
            let after = v.get(close + 2..).unwrap_or_default().trim();
            if after.is_empty() || after.starts_with([';', '#']) {
                let inner = v.get(1..close + 1).unwrap_or_default();
                return (inner.to_string(), off, off + close + 2);
            }
        }
    }
    let mut end = v.len();
    let mut prev_blank = false;
    for (i, c) in v.char_indices() {
        if (c == ';' || c == '#') && prev_blank {
            end = i;
            break;
        }
        prev_blank = c == ' ' || c == '\t';
    }
    let value = v.get(..end).unwrap_or_default().trim_end();
    (value.to_string(), off, off + value.len())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, text};
    use super::*;

    fn p(t: &str) -> FlatConfig {
        parse("conf/app.ini", t, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sections_top_level_keys_comments_and_positions() {
        let t = "\
; global
timeout = 30
[database]
host = db.internal ; primary
port: 5432
# comment
  user=app
[server.http]
path = \"/a b\"  # quoted
flag
url = http://x/#frag
";
        let f = p(t);
        assert_eq!(text(&f, "/timeout"), "30");
        assert_eq!(at(&f, "/timeout"), (2, 11, 2, 13));
        assert_eq!(f.entries["/database"].value, Value::Map);
        assert_eq!(at(&f, "/database"), (3, 2, 3, 10));
        assert_eq!(text(&f, "/database/host"), "db.internal");
        assert_eq!(at(&f, "/database/host"), (4, 8, 4, 19));
        assert_eq!(text(&f, "/database/port"), "5432");
        assert_eq!(at(&f, "/database/port"), (5, 7, 5, 11));
        assert_eq!(text(&f, "/database/user"), "app");
        assert_eq!(at(&f, "/database/user"), (7, 8, 7, 11));
        assert_eq!(text(&f, "/server.http/path"), "/a b");
        assert_eq!(at(&f, "/server.http/path"), (9, 8, 9, 14));
        assert_eq!(text(&f, "/server.http/flag"), "");
        assert_eq!(text(&f, "/server.http/url"), "http://x/#frag");
        assert_eq!(f.entries.len(), 9);
    }

    #[test]
    fn repeated_sections_merge_but_keys_must_be_unique() {
        let f = p("[a]\nx=1\n[b]\ny=2\n[a]\nz=3\n");
        assert_eq!(text(&f, "/a/z"), "3");
        assert_eq!(at(&f, "/a"), (1, 2, 1, 3));
        let e = parse("c.ini", "[a]\nx=1\n\n[a]\nx=2\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (5, 1));
        assert!(
            e.message
                .contains("duplicate key `x` in section [a] (first defined at line 2)"),
            "{e}"
        );
        let e = parse("c.ini", "x=1\nx=2\n", &Limits::default()).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn malformed_ini_is_located() {
        let e = parse("c.ini", "[a]\n[broken\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unterminated section header"));
        let e = parse("c.ini", "[a] x\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        let e = parse("c.ini", "ok=1\n  = value\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        // An nginx file named .conf is not INI: said, not flattened.
        let e = parse(
            "nginx.conf",
            "server {\n  listen 80;\n}\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("expected `key = value`"), "{e}");
        let e = parse("c.ini", "[ ]\n", &Limits::default()).unwrap_err();
        assert!(e.message.contains("empty section"));
        let e = parse("c.ini", "a=1\n[a]\n", &Limits::default()).unwrap_err();
        assert!(e.message.contains("defined at line 1"), "{e}");
    }
}
