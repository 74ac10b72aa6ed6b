//! `requirements*.txt` (pip): `name==1.2.3` lines (extras, environment markers, `--hash`
//! continuations and comments allowed) are locked versions. Anything else that names a
//! package — `>=`, `~=`, no version at all — can install many versions, so it is reported as
//! a note rather than guessed. Options (`-r`, `-c`, `--index-url`) and URLs are skipped.

use super::{Locked, Note, Parsed};

pub(super) fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut continued = false;
    for (n, raw) in super::numbered_lines(text) {
        let was_continued = continued;
        continued = raw.trim_end().ends_with('\\');
        if was_continued {
            // `--hash=…` lines of the previous requirement.
            if let Some(last) = out.packages.last_mut().filter(|p| p.end_line + 1 == n) {
                last.end_line = n;
            }
            continue;
        }
        // ` #` starts a comment (a `#` inside a URL fragment needs the space).
        let line = match raw.find(" #") {
            Some(k) => &raw[..k],
            None => raw,
        };
        let line = line.trim().trim_end_matches('\\').trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') || line.contains("://")
        {
            continue;
        }
        let spec = line.split(';').next().unwrap_or(line).trim();
        let name_end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec.len());
        let name = &spec[..name_end];
        if name.is_empty() {
            continue;
        }
        let mut rest = spec[name_end..].trim_start();
        if rest.starts_with('[') {
            rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
        }
        let pinned = rest
            .strip_prefix("===")
            .or_else(|| rest.strip_prefix("=="))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains([',', '*', '<', '>', '!', '~', ' ']));
        match pinned {
            Some(v) => out.packages.push(Locked {
                name: name.to_string(),
                version: v.to_string(),
                line: n,
                end_line: n,
            }),
            None => out.notes.push(Note {
                line: n,
                message: format!(
                    "{name}{}{rest} is not pinned with `==`; not audited (pin it, or audit \
                     the lockfile of the tool that resolves it)",
                    if rest.is_empty() { "" } else { " " }
                ),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_unpinned_and_continuations() {
        let p = parse(
            "# comment\n-r base.txt\nDjango==3.2.12 \\\n    --hash=sha256:abc\nrequests[socks]==2.19.1 ; python_version >= \"3\"  # pinned\nflask>=2.0\nnumpy\nurllib3==1.26.*\ngit+https://example.org/x.git#egg=x\n",
        );
        let got: Vec<(String, String, u32, u32)> = p
            .packages
            .iter()
            .map(|l| (l.name.clone(), l.version.clone(), l.line, l.end_line))
            .collect();
        assert_eq!(
            got,
            [
                ("Django".into(), "3.2.12".into(), 3, 4),
                ("requests".into(), "2.19.1".into(), 5, 5)
            ]
        );
        let notes: Vec<u32> = p.notes.iter().map(|n| n.line).collect();
        assert_eq!(notes, [6, 7, 8]);
        assert!(p.notes[0].message.starts_with("flask >=2.0 is not pinned"));
    }
}
