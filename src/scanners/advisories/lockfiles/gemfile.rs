//! `Gemfile.lock` (Bundler): the `specs:` of the `GEM` section list every resolved gem at four
//! spaces of indent as `name (version)`, with a platform suffix for native gems
//! (`nokogiri (1.13.10-x86_64-linux)`). `GIT` and `PATH` sections hold gems from a repository
//! or folder, which no RubyGems advisory describes.

use super::super::lockfile::LockError;
use super::{at, Locked, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let mut out = Parsed::default();
    let mut section = "";
    let mut in_specs = false;
    let mut saw_section = false;
    for (n, raw) in super::numbered_lines(text) {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        if indent == 0 {
            section = t;
            saw_section = true;
            in_specs = false;
            continue;
        }
        if !saw_section {
            return Err(at(
                n,
                "indented line before any section (is this a Gemfile.lock?)",
            ));
        }
        if indent == 2 {
            in_specs = t == "specs:";
            continue;
        }
        if section != "GEM" || !in_specs {
            continue;
        }
        if indent == 4 {
            let Some((name, rest)) = t.split_once(" (") else {
                return Err(at(n, format!("expected `name (version)`, found `{t}`")));
            };
            let Some(version) = rest.strip_suffix(')') else {
                return Err(at(n, format!("unclosed `(` in `{t}`")));
            };
            // The platform follows the first `-` (`1.13.10-x86_64-linux`).
            let version = version.split('-').next().unwrap_or(version);
            out.packages.push(Locked {
                name: name.to_string(),
                version: version.to_string(),
                line: n,
                end_line: n,
            });
        } else if let Some(last) = out.packages.last_mut().filter(|p| p.end_line + 1 == n) {
            // Its dependency lines (six spaces).
            last.end_line = n;
        }
    }
    if !saw_section {
        return Err(at(1, "no sections (is this a Gemfile.lock?)"));
    }
    Ok(out)
}
