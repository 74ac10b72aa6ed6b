//! Config parsers: every supported format becomes a [`FlatConfig`] whose entries keep their file,
//! line and column, so a drift finding can point at the exact value in UAT and in production.
//!
//! ```
//! use stagegate::scanners::drift::parse::{parse, Format, Limits};
//! use stagegate::scanners::drift::model::Value;
//!
//! let flat = parse("deploy/prod/.env", "export PORT=8080\n", Format::Dotenv, &Limits::default())?;
//! let port = &flat.entries["/PORT"];
//! assert_eq!(port.value, Value::String("8080".into()));
//! assert_eq!((port.location.start_line, port.location.start_column), (1, 13));
//! # Ok::<(), stagegate::scanners::drift::parse::ParseError>(())
//! ```
//!
//! Key paths follow [`model::KeyPath`](super::model::KeyPath): RFC 6901 escaping, list items
//! addressed by identity (`name=`, `key=`, `id=`) rather than index, Kubernetes objects of a
//! YAML stream under `/<kind>/<namespace or ->/<name>` (with `apiVersion` an entry inside).
//!
//! | format | values | same key twice | paths |
//! |---|---|---|---|
//! | dotenv | strings (`${VAR}` kept as written) | last wins (shell) | `/KEY` |
//! | YAML | 1.2 core schema for plain scalars, quoted = string | error | tree; k8s objects / `/<doc>` prefixes |
//! | JSON, `.tfvars.json` | JSON types (`//`, `/* */` comments skipped) | error | tree |
//! | TOML | TOML types, datetimes as strings | error | tree |
//! | `.properties` | strings | last wins (Java) | `/a.b.c` (dots kept) |
//! | INI, `.cfg`, `.conf` | strings | error within a section | `/key`, `/section/key` |
//! | `.tfvars` | HCL literal types, heredocs as strings | error | tree |
//!
//! Locations: 1-based line, 1-based column in characters of the value's first character (a
//! quote included), exclusive end; containers are located at their key, list items at their
//! first key or value. Nesting (default 256 levels), YAML alias copies and entries per file are
//! bounded by [`Limits`]; parsing and flattening use explicit stacks, and what recursion remains
//! (copying and dropping trees, the `toml` crate's own) is bounded by the depth limit.

mod cursor;
mod dotenv;
mod ini;
mod json;
mod properties;
#[cfg(test)]
mod testing;
mod text;
mod tfvars;
mod toml;
mod tree;
mod yaml;

use std::fmt;
use std::str::FromStr;

use super::model::FlatConfig;

/// Config formats the drift scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `.env`, `.env.*`, `*.env`: `KEY=value` lines.
    Dotenv,
    /// YAML 1.2 (multi-document, anchors, merge keys).
    Yaml,
    /// JSON (also `.tfvars.json`).
    Json,
    /// TOML 1.0.
    Toml,
    /// Java `.properties`.
    Properties,
    /// INI (`.ini`, `.cfg`, `.conf`).
    Ini,
    /// Terraform variable files (HCL attributes with literal values).
    Tfvars,
}

impl Format {
    /// Every format, for docs and `--help`.
    pub const ALL: [Format; 7] = [
        Format::Dotenv,
        Format::Yaml,
        Format::Json,
        Format::Toml,
        Format::Properties,
        Format::Ini,
        Format::Tfvars,
    ];

    /// Guesses the format from a file name, so pairs can be given as plain paths.
    ///
    /// A known extension wins (`.env.json` is JSON); otherwise `.env`, `.env.<anything>` and
    /// `<anything>.env` are dotenv. Case-insensitive; `None` for unknown names.
    pub fn from_path(path: &str) -> Option<Format> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let name = name.to_ascii_lowercase();
        let by_ext = |n: &str| -> Option<Format> {
            if n.ends_with(".tfvars.json") {
                return Some(Format::Json);
            }
            let ext = n.rsplit_once('.').map(|(_, e)| e)?;
            Some(match ext {
                "yaml" | "yml" => Format::Yaml,
                "json" => Format::Json,
                "toml" => Format::Toml,
                "properties" => Format::Properties,
                "ini" | "cfg" | "conf" => Format::Ini,
                "tfvars" => Format::Tfvars,
                "env" => Format::Dotenv,
                _ => return None,
            })
        };
        if let Some(f) = by_ext(&name) {
            return Some(f);
        }
        if name == ".env" || name.starts_with(".env.") {
            return Some(Format::Dotenv);
        }
        None
    }

    /// Stable lowercase name (`dotenv`, `yaml`…), used in config and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dotenv => "dotenv",
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
            Format::Properties => "properties",
            Format::Ini => "ini",
            Format::Tfvars => "tfvars",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Parses the names of [`Format::as_str`] (plus `env` and `yml`), so a config file can force
    /// a format for a file whose name says nothing.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "env" => return Ok(Format::Dotenv),
            "yml" => return Ok(Format::Yaml),
            _ => {}
        }
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == lower)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown config format `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// A config file that cannot be parsed: the place and what is wrong, never a value in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file, relative to the scan root.
    pub path: String,
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub column: u32,
    /// What is wrong (and, where obvious, how to fix it).
    pub message: String,
}

impl ParseError {
    /// An error at `line`, `column` of `path`.
    pub fn new(path: &str, line: u32, column: u32, message: impl Into<String>) -> Self {
        ParseError {
            path: path.to_string(),
            line: line.max(1),
            column,
            message: message.into(),
        }
    }

    /// Where the problem is, for a [`Notification`](crate::finding::Notification)'s location.
    pub fn location(&self) -> crate::finding::Location {
        if self.column > 0 {
            crate::finding::Location::span(&self.path, self.line, self.column, self.column + 1)
        } else {
            crate::finding::Location::line(&self.path, self.line)
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

impl From<ParseError> for crate::error::Error {
    fn from(e: ParseError) -> Self {
        let message = if e.column > 0 {
            format!("column {}: {}", e.column, e.message)
        } else {
            e.message
        };
        crate::error::Error::input(e.path, Some(e.line), message)
    }
}

/// Resource limits that turn hostile input (deep nesting, alias bombs, giant files) into a
/// [`ParseError`] instead of a stack overflow, a hang or an out-of-memory kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of maps and lists. Default 256; values above [`Limits::MAX_DEPTH_CAP`]
    /// are treated as the cap, because parsing and flattening recurse (bounded by this).
    pub max_depth: usize,
    /// YAML: most nodes that aliases may copy in one file, in total. Default 10 000. A "billion
    /// laughs" file needs billions; real configs need a handful.
    pub max_alias_expansions: usize,
    /// Most flattened entries one file may produce. Default 2 000 000.
    pub max_entries: usize,
}

impl Limits {
    /// Hard ceiling on [`Limits::max_depth`]: deep enough for any real config, shallow enough for
    /// the 2 MiB stack of a worker thread.
    pub const MAX_DEPTH_CAP: usize = 1024;

    pub(crate) fn depth(&self) -> usize {
        self.max_depth.min(Self::MAX_DEPTH_CAP)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_alias_expansions: 10_000,
            max_entries: 2_000_000,
        }
    }
}

/// Parses `text`, the content of `rel_path` (relative to the scan root; used in every
/// [`Location`](crate::finding::Location)), as `format`.
///
/// Dotenv, `.properties` and INI values are always strings; YAML plain scalars follow the
/// YAML 1.2 core schema; JSON, TOML and tfvars keep their natural types (TOML datetimes become
/// strings). Duplicate keys in one mapping are an error naming the duplicate's line.
pub fn parse(
    rel_path: &str,
    text: &str,
    format: Format,
    limits: &Limits,
) -> Result<FlatConfig, ParseError> {
    // A byte-order mark is invisible in editors: columns on line 1 are counted without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The parsers are written not to panic, and the third-party ones (yaml-rust2, toml) are
    // fuzzed upstream; should one still panic, this file becomes an error, not a dead scan.
    let run = || match format {
        Format::Dotenv => dotenv::parse(rel_path, text, limits),
        Format::Yaml => yaml::parse(rel_path, text, limits),
        Format::Json => json::parse(rel_path, text, limits),
        Format::Toml => toml::parse(rel_path, text, limits),
        Format::Properties => properties::parse(rel_path, text, limits),
        Format::Ini => ini::parse(rel_path, text, limits),
        Format::Tfvars => tfvars::parse(rel_path, text, limits),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(ParseError::new(
            rel_path,
            1,
            0,
            format!("the {format} parser failed on this file (internal error); please report it"),
        ))
    })
}

/// Like [`parse`], from raw file bytes: strips a UTF-8 byte-order mark, decodes UTF-16 with a
/// byte-order mark, and reports other non-UTF-8 content as an error naming the line.
///
/// One exception: `.properties` files that are not UTF-8 (and hold no NUL byte) are read as
/// ISO-8859-1, the encoding `java.util.Properties.load(InputStream)` and Spring Boot use.
pub fn parse_bytes(
    rel_path: &str,
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<FlatConfig, ParseError> {
    let text = match decode(rel_path, bytes) {
        Ok(t) => t,
        Err(_) if format == Format::Properties && !bytes.contains(&0) => {
            let raw = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            std::borrow::Cow::Owned(raw.iter().map(|b| char::from(*b)).collect())
        }
        Err(e) => return Err(e),
    };
    parse(rel_path, &text, format, limits)
}

/// Decodes config bytes to text (see [`parse_bytes`]).
pub fn decode<'a>(
    rel_path: &str,
    bytes: &'a [u8],
) -> Result<std::borrow::Cow<'a, str>, ParseError> {
    use std::borrow::Cow;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rel_path, rest).map(Cow::Borrowed);
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'a, str>, ParseError> {
        if rest.len() % 2 != 0 {
            return Err(ParseError::new(
                rel_path,
                1,
                0,
                "not valid UTF-16: odd number of bytes after the byte-order mark",
            ));
        }
        let units = rest.chunks_exact(2).map(|c| match c {
            [a, b] if le => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        let mut out = String::with_capacity(rest.len() / 2);
        let mut line = 1u32;
        for ch in char::decode_utf16(units) {
            match ch {
                Ok(c) => {
                    if c == '\n' {
                        line = line.saturating_add(1);
                    }
                    out.push(c);
                }
                Err(_) => {
                    return Err(ParseError::new(
                        rel_path,
                        line,
                        0,
                        format!("not valid UTF-16 at line {line}: unpaired surrogate"),
                    ))
                }
            }
        }
        Ok(Cow::Owned(out))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    utf8(rel_path, bytes).map(Cow::Borrowed)
}

fn utf8<'a>(rel_path: &str, bytes: &'a [u8]) -> Result<&'a str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        let prefix = bytes.get(..good).unwrap_or_default();
        let line = text::to_u32(memchr::memchr_iter(b'\n', prefix).count() + 1);
        let line_start = memchr::memrchr(b'\n', prefix).map(|i| i + 1).unwrap_or(0);
        let col = std::str::from_utf8(prefix.get(line_start..).unwrap_or_default())
            .map(|s| text::to_u32(s.chars().count() + 1))
            .unwrap_or(0);
        let what = if bytes.contains(&0) {
            "binary content"
        } else {
            "text in another encoding"
        };
        ParseError::new(
            rel_path,
            line,
            col,
            format!("not UTF-8 at line {line} ({what}); save the file as UTF-8"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_file_names() {
        let cases = [
            (".env", Some(Format::Dotenv)),
            ("deploy/.env.production", Some(Format::Dotenv)),
            ("deploy/.ENV.uat", Some(Format::Dotenv)),
            ("prod.env", Some(Format::Dotenv)),
            ("values-prod.yaml", Some(Format::Yaml)),
            ("a\\b\\application-uat.YML", Some(Format::Yaml)),
            ("x.json", Some(Format::Json)),
            ("prod.tfvars.json", Some(Format::Json)),
            (".env.json", Some(Format::Json)),
            ("Cargo.toml", Some(Format::Toml)),
            ("application.properties", Some(Format::Properties)),
            ("php.ini", Some(Format::Ini)),
            ("setup.cfg", Some(Format::Ini)),
            ("app.conf", Some(Format::Ini)),
            ("prod.tfvars", Some(Format::Tfvars)),
            ("prod.auto.tfvars", Some(Format::Tfvars)),
            ("README.md", None),
            ("environment", None),
            ("Makefile", None),
        ];
        for (p, want) in cases {
            assert_eq!(Format::from_path(p), want, "{p}");
        }
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!("YML".parse::<Format>(), Ok(Format::Yaml));
        assert!("xml".parse::<Format>().unwrap_err().contains("dotenv"));
    }

    #[test]
    fn error_display_names_file_line_and_column() {
        let e = ParseError::new("a/.env", 3, 7, "unterminated quote");
        assert_eq!(e.to_string(), "a/.env:3:7: unterminated quote");
        let e = ParseError::new("a/.env", 3, 0, "bad");
        assert_eq!(e.to_string(), "a/.env:3: bad");
        let l = ParseError::new("a/.env", 3, 7, "x").location();
        assert_eq!(
            (l.path.as_str(), l.start_line, l.start_column, l.end_column),
            ("a/.env", 3, 7, 8)
        );
        assert_eq!(
            ParseError::new("a/.env", 2, 0, "x").location().start_column,
            1
        );
        let frame: crate::error::Error = ParseError::new("a/.env", 3, 7, "bad").into();
        assert_eq!(frame.to_string(), "a/.env:3: column 7: bad");
    }

    #[test]
    fn bytes_are_decoded_or_rejected_with_a_line() {
        let l = Limits::default();
        let bom = b"\xEF\xBB\xBFA=1\n";
        assert!(parse_bytes("a.env", bom, Format::Dotenv, &l)
            .unwrap()
            .entries
            .contains_key("/A"));
        let mut le = vec![0xFF, 0xFE];
        for u in "A=1\nB=2\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let f = parse_bytes("a.env", &le, Format::Dotenv, &l).unwrap();
        assert_eq!(f.entries["/B"].location.start_line, 2);
        let mut be = vec![0xFE, 0xFF];
        for u in "A=1\n".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert!(parse_bytes("a.env", &be, Format::Dotenv, &l).is_ok());

        let latin1 = b"A=1\nB=caf\xE9\n";
        let e = parse_bytes("cfg/a.env", latin1, Format::Dotenv, &l).unwrap_err();
        assert_eq!((e.path.as_str(), e.line, e.column), ("cfg/a.env", 2, 6));
        assert!(e.message.contains("not UTF-8 at line 2"), "{}", e.message);
        let bin = b"\x00\x01\xFF\xFE\x00";
        let e = parse_bytes("x.json", bin, Format::Json, &l).unwrap_err();
        assert!(e.message.contains("binary"), "{}", e.message);
        // .properties: ISO-8859-1 when not UTF-8 (Java's own encoding for the format).
        let latin1 = b"greeting=caf\xE9\n";
        let f = parse_bytes("a.properties", latin1, Format::Properties, &l).unwrap();
        assert_eq!(
            f.entries["/greeting"].value,
            crate::scanners::drift::model::Value::String("café".into())
        );
        assert!(parse_bytes("a.properties", b"a=\xE9\x00", Format::Properties, &l).is_err());
        let odd = b"\xFF\xFEA";
        assert!(parse_bytes("x.env", odd, Format::Dotenv, &l).is_err());
    }

    #[test]
    fn a_bom_in_text_is_ignored() {
        let f = parse(
            "a.json",
            "\u{feff}{\"a\": 1}",
            Format::Json,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(f.entries["/a"].location.start_column, 7);
    }

    #[test]
    fn depth_is_capped_for_the_stack() {
        let l = Limits {
            max_depth: usize::MAX,
            ..Limits::default()
        };
        assert_eq!(l.depth(), Limits::MAX_DEPTH_CAP);
        assert_eq!(Limits::default().depth(), 256);
    }
}
