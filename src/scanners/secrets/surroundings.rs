//! What surrounds a match: the name a value is assigned to, whether a token sits in a URL path
//! or a file name, whether a line lies in a Kubernetes Secret's `data`. The engine asks these
//! after a rule's regex matched, so the rules stay plain regexes.

use std::ops::Range;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The name a heuristic rule's value is assigned to: the last identifier before the secret
/// (the match extended backwards over name characters) that contains one of `keywords`
/// (ASCII case ignored). `export SMTP_PASSWORD=…` gives `SMTP_PASSWORD`, `<add
/// key="ApiToken" value="…"` gives `ApiToken`.
pub fn assigned_name<'a>(
    hay: &'a [u8],
    match_start: usize,
    secret_start: usize,
    keywords: &[String],
) -> Option<&'a str> {
    let mut a = match_start.min(secret_start);
    while a > 0 && hay.get(a - 1).copied().is_some_and(is_name_byte) {
        a -= 1;
    }
    let text = hay.get(a..secret_start)?;
    let mut best = None;
    let mut i = 0;
    while i < text.len() {
        if !is_name_byte(text[i]) {
            i += 1;
            continue;
        }
        let j = i + text[i..].iter().take_while(|&&b| is_name_byte(b)).count();
        let run = &text[i..j];
        let lower = run.to_ascii_lowercase();
        // A keyword may carry syntax (`token>`, `_pass`): compare its name part.
        if keywords.iter().any(|k| {
            let k = k
                .trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_ascii_lowercase();
            !k.is_empty() && memchr::memmem::find(&lower, k.as_bytes()).is_some()
        }) {
            best = Some(run);
        }
        i = j;
    }
    best.and_then(|b| std::str::from_utf8(b).ok())
}

/// File extensions after which a token-shaped word is a file name (`ghp_logo.png`).
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "mjs", "cjs", "ts", "css",
    "map", "json", "html", "htm", "txt", "md", "yml", "yaml", "xml", "pdf", "zip", "gz", "tgz",
    "tar", "woff", "woff2", "ttf", "rs", "py", "go", "rb", "java", "kt", "php", "sh", "csv", "log",
    "lock", "toml", "wasm", "so", "dll", "exe", "bin",
];

/// Whether the secret at `sec` is the password of a URL's user info whose host is a domain
/// reserved for documentation (RFC 2606 and RFC 6761: `example.com`, `example.net`,
/// `example.org` and their subdomains, and the `.example`, `.test`, `.invalid` top-level
/// names): `ftp://user:secret1@example.com` in a library's docs names no server anyone can log
/// in to.
pub fn credential_on_example_host(hay: &[u8], sec: Range<usize>) -> bool {
    let Some(rest) = hay.get(sec.end..) else {
        return false;
    };
    // The user info ends at the first `@` after the secret, on the same token.
    let Some(at) = rest
        .iter()
        .take(256)
        .position(|&b| b == b'@' || b.is_ascii_whitespace() || b == b'/')
    else {
        return false;
    };
    if rest[at] != b'@' || !hay[..sec.start].windows(3).any(|w| w == b"://") {
        return false;
    }
    let host: Vec<u8> = rest[at + 1..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        .map(u8::to_ascii_lowercase)
        .collect();
    let host = host.strip_suffix(b".").unwrap_or(&host);
    ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == d.as_bytes() || host.ends_with(format!(".{d}").as_bytes()))
        || [".example", ".test", ".invalid"]
            .iter()
            .any(|t| host.ends_with(t.as_bytes()))
        || matches!(host, b"example" | b"test" | b"invalid")
}

/// Whether the token at `sec` is a URL path segment or a file name rather than a token: it
/// follows a `/` or `\` past a URL's authority (or in a file path) and is not user info
/// (`https://ghp_…@github.com` is a token), or it is followed by a file extension.
pub fn in_path_or_file_name(hay: &[u8], sec: Range<usize>) -> bool {
    let after = hay.get(sec.end..).unwrap_or(&[]);
    if after.first() == Some(&b'.') {
        let ext_len = after[1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let ext = after[1..1 + ext_len].to_ascii_lowercase();
        let ends = after
            .get(1 + ext_len)
            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'.');
        if ends
            && FILE_EXTENSIONS
                .iter()
                .any(|e| e.as_bytes() == ext.as_slice())
        {
            return true;
        }
    }
    let before = sec.start.checked_sub(1).and_then(|i| hay.get(i));
    if !matches!(before, Some(b'/') | Some(b'\\')) || after.first() == Some(&b'@') {
        return false;
    }
    let head = &hay[..sec.start];
    let word_start = head
        .iter()
        .rposition(|b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'(' | b'<' | b'=' | b',')
        })
        .map_or(0, |i| i + 1);
    let word = &head[word_start..];
    match memchr::memmem::find(word, b"://") {
        // A `/` after a web URL's `//` and before the token: the token is in the path, a
        // route or a file. Other schemes keep keys in their path on purpose
        // (`rtmp://live.twitch.tv/app/live_…` is a stream key).
        Some(i) => {
            let scheme = word[..i].to_ascii_lowercase();
            (scheme.ends_with(b"http") || scheme.ends_with(b"https"))
                && word[i + 3..].contains(&b'/')
        }
        None => true,
    }
}

/// Whether byte `pos` lies in the `data:` or `stringData:` mapping of a YAML document (between
/// `---` lines) whose top-level `kind` is `Secret`, quoted or not, in any case.
pub fn in_kubernetes_secret_data(hay: &[u8], pos: usize) -> bool {
    let pos = pos.min(hay.len());
    let is_separator =
        |line: &[u8]| line.starts_with(b"---") && line[3..].iter().all(|b| b.is_ascii_whitespace());
    // Document bounds.
    let mut doc_start = 0;
    let mut line_start = 0;
    while line_start < pos {
        let end = memchr::memchr(b'\n', &hay[line_start..]).map_or(hay.len(), |i| line_start + i);
        if end >= pos {
            break;
        }
        if is_separator(&hay[line_start..end]) {
            doc_start = end + 1;
        }
        line_start = end + 1;
    }
    let mut doc_end = hay.len();
    let mut s = line_start;
    while s < hay.len() {
        let end = memchr::memchr(b'\n', &hay[s..]).map_or(hay.len(), |i| s + i);
        if s > pos && is_separator(&hay[s..end]) {
            doc_end = s;
            break;
        }
        s = end + 1;
    }
    let doc = &hay[doc_start..doc_end];
    let rel = pos - doc_start;
    let mut is_secret = false;
    let mut section: Option<&[u8]> = None;
    let mut off = 0;
    for line in doc.split(|&b| b == b'\n') {
        let here = off;
        off += line.len() + 1;
        let Some((key, value)) = top_level_entry(line) else {
            continue;
        };
        if key.eq_ignore_ascii_case(b"kind") {
            is_secret = unquote(value).eq_ignore_ascii_case(b"secret");
        }
        if here <= rel {
            section = Some(key);
        }
    }
    is_secret
        && section.is_some_and(|k| {
            k.eq_ignore_ascii_case(b"data") || k.eq_ignore_ascii_case(b"stringData")
        })
}

/// `key: value` at indentation zero (key quoted or not); comments and list items are not.
fn top_level_entry(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *line.first()?;
    if first.is_ascii_whitespace() || matches!(first, b'#' | b'-') {
        return None;
    }
    let colon = memchr::memchr(b':', line)?;
    let key = unquote(&line[..colon]);
    Some((key, &line[colon + 1..]))
}

fn unquote(v: &[u8]) -> &[u8] {
    let v = v.trim_ascii();
    let v = v.split(|&b| b == b'#').next().unwrap_or(v).trim_ascii();
    v.strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .or_else(|| v.strip_prefix(b"'").and_then(|x| x.strip_suffix(b"'")))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_before_values() {
        let t = b"export SMTP_PASSWORD=OhbVrpoiVgRV5IfL";
        let v = t.len() - 16;
        assert_eq!(
            assigned_name(t, 0, v, &kw(&["password"])),
            Some("SMTP_PASSWORD")
        );
        let t = b"<add key=\"ApiToken\" value=\"OhbVrpoiVgRV5IfL\"/>";
        assert_eq!(assigned_name(t, 10, 27, &kw(&["token"])), Some("ApiToken"));
        // The match starts inside the name: the whole identifier counts.
        let t = b"const csrf_token = 'OhbVrpoiVgRV5IfL'";
        assert_eq!(
            assigned_name(t, 11, 20, &kw(&["token"])),
            Some("csrf_token")
        );
        assert_eq!(assigned_name(b"= 'x'", 0, 3, &kw(&["token"])), None);
        let t = b"<NextContinuationToken>1SL9nYFaimMAwn";
        assert_eq!(
            assigned_name(t, 0, 23, &kw(&["token>"])),
            Some("NextContinuationToken")
        );
    }

    #[test]
    fn tokens_in_paths_and_file_names() {
        let at = |t: &str, tok: &str| {
            let i = t.find(tok).expect("token in text");
            in_path_or_file_name(t.as_bytes(), i..i + tok.len())
        };
        let tok = "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";
        // Must not match: URL path segment, file path, file name.
        assert!(at(&format!("see https://example.com/docs/{tok}/x"), tok));
        assert!(at(&format!("src=\"assets/img/{tok}\""), tok));
        assert!(at(&format!("open('{tok}.png')"), tok));
        // Must match: user info, query value, plain assignment, end of sentence.
        assert!(!at(&format!("git clone https://{tok}@github.com/a/b"), tok));
        assert!(!at(&format!("https://api.example.com/x?token={tok}"), tok));
        assert!(!at(&format!("GITHUB_TOKEN={tok}"), tok));
        assert!(!at(&format!("The token is {tok}."), tok));
        // Stream keys belong in an RTMP URL's path.
        assert!(!at(&format!("rtmp://live.example.tv/app/{tok}"), tok));
    }

    #[test]
    fn kubernetes_secret_data_scope() {
        let doc = "apiVersion: v1\nkind: \"Secret\"\nmetadata:\n  name: billing-db-credentials\ndata:\n  password: WnE4eFIybUs5cEx3\n";
        let at = |d: &str, needle: &str| {
            in_kubernetes_secret_data(d.as_bytes(), d.find(needle).expect("needle"))
        };
        assert!(at(doc, "WnE4"));
        assert!(!at(doc, "billing-db"), "metadata is not data");
        assert!(at(&doc.replace("\"Secret\"", "secret"), "WnE4"));
        assert!(at(&doc.replace("data:", "stringData:"), "WnE4"));
        // Another document of the same file.
        let two = format!(
            "{}---\nkind: ConfigMap\ndata:\n  token: T3BlbkFJx9vQ2mL\n",
            doc
        );
        assert!(!at(&two, "T3Bl"));
        assert!(at(&two, "WnE4"));
        let cm = doc.replace("\"Secret\"", "ConfigMap");
        assert!(!at(&cm, "WnE4"));
        // Block scalars stay in their section.
        let block = "kind: Secret\ndata:\n  tls.key: |\n    LS0tLS1CRUdJTiBQUklWQVRF\n";
        assert!(at(block, "LS0t"));
    }

    #[test]
    fn url_credentials_on_documentation_hosts() {
        let on = |t: &str, secret: &str| {
            let start = t.find(secret).expect("secret in text");
            credential_on_example_host(t.as_bytes(), start..start + secret.len())
        };
        // Must be documentation: reserved example domains and top-level names.
        assert!(on("ftp://rms:secret123@example.com", "secret123"));
        assert!(on("ftp://u:Zq8xR2mK@files.example.org:21/x", "Zq8xR2mK"));
        assert!(on("postgres://app:Zq8xR2mK@db.test/app", "Zq8xR2mK"));
        // Must not be: real-looking hosts, localhost, a host that only contains the word, no URL.
        assert!(!on("ftp://u:Zq8xR2mK@ftp.trusted.com", "Zq8xR2mK"));
        assert!(!on("postgres://app:Zq8xR2mK@localhost/app", "Zq8xR2mK"));
        assert!(!on("ftp://u:Zq8xR2mK@example.com.evil.io", "Zq8xR2mK"));
        assert!(!on("u:Zq8xR2mK@example.com", "Zq8xR2mK"));
    }
}
