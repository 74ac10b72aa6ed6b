//! `poetry.lock` and `uv.lock`: TOML with one `[[package]]` per locked distribution (`name`,
//! `version`, and a `source` for anything not from an index). Spans from the `toml` parser
//! give the lines. Git, path, directory, URL, editable and virtual packages are the project's
//! own or unversioned code and are skipped.

use serde::Deserialize;
use toml::Spanned;

use super::super::lockfile::LockError;
use super::{at, line_of, Locked, Parsed};

/// Which of the two.
#[derive(Debug, Clone, Copy)]
pub(super) enum Flavour {
    Poetry,
    Uv,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<toml::Value>,
}

fn is_local(f: Flavour, source: Option<&toml::Value>) -> bool {
    let Some(s) = source.and_then(toml::Value::as_table) else {
        return false;
    };
    match f {
        // Poetry: `[package.source] type = "git" | "directory" | "file" | "url" | "legacy"`.
        Flavour::Poetry => s
            .get("type")
            .and_then(toml::Value::as_str)
            .is_some_and(|t| t != "legacy"),
        // uv: `source = { registry = "…" }` is an index; anything else is not.
        Flavour::Uv => !s.contains_key("registry"),
    }
}

pub(super) fn parse(text: &str, flavour: Flavour) -> Result<Parsed, LockError> {
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        at(line, format!("invalid TOML: {}", e.message().trim()))
    })?;
    let mut out = Parsed::default();
    for p in file.package {
        if is_local(flavour, p.source.as_ref()) {
            continue;
        }
        let name_line = line_of(text, p.name.span().start);
        let Some(v) = p.version else {
            if matches!(flavour, Flavour::Poetry) {
                return Err(at(
                    name_line,
                    format!("package {} has no `version`", p.name.get_ref()),
                ));
            }
            continue;
        };
        let v_line = line_of(text, v.span().start);
        out.packages.push(Locked {
            name: p.name.into_inner(),
            version: v.into_inner(),
            line: name_line.min(v_line),
            end_line: name_line.max(v_line),
        });
    }
    Ok(out)
}
