//! `stagegate db fetch --osv npm,PyPI,…`: downloads OSV's per-ecosystem `all.zip` archives into
//! `DIR/<ecosystem>/all.zip`, the layout the loader reads. The only network use of the OSV
//! half, and only on request.
//!
//! Each archive is downloaded to a temporary file beside its destination, checked to be a
//! readable zip with at least one record, then renamed over the old one: an interrupted or
//! failed download never leaves a half archive that scans would read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;
use crate::scanners::advisories::ecosystem::Ecosystem;

/// Where OSV publishes its archives (`BASE/<ecosystem>/all.zip`).
pub const OSV_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Archives larger than this are refused (npm's, the largest, is a few hundred MB).
const MAX_ARCHIVE_BYTES: u64 = 4 << 30;

/// One downloaded archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Records (`*.json` members) in it.
    pub records: usize,
}

/// Downloads `BASE/<eco>/all.zip` for each ecosystem into `dest/<eco>/all.zip`.
pub fn fetch_osv(base: &str, ecosystems: &[Ecosystem], dest: &Path) -> Result<Vec<Fetched>, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30 * 60)))
        .build()
        .into();
    ecosystems
        .iter()
        .map(|&eco| fetch_one(&agent, base.trim_end_matches('/'), eco, dest))
        .collect()
}

fn fetch_one(
    agent: &ureq::Agent,
    base: &str,
    eco: Ecosystem,
    dest: &Path,
) -> Result<Fetched, Error> {
    let dir = dest.join(eco.as_str());
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let url = format!("{base}/{}/all.zip", eco.as_str());
    let fail = |message: String| Error::input(&dir, None, message);
    let resp = agent
        .get(&url)
        .call()
        .map_err(|e| fail(format!("cannot download {url}: {e}")))?;
    let mut body = resp
        .into_body()
        .into_with_config()
        .limit(MAX_ARCHIVE_BYTES)
        .reader();
    let mut tmp = tempfile::Builder::new()
        .prefix(".all.zip.")
        .tempfile_in(&dir)
        .map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
    let bytes = std::io::copy(&mut body, &mut tmp)
        .map_err(|e| fail(format!("download of {url} failed: {e}")))?;
    tmp.flush().map_err(|source| Error::Io {
        path: tmp.path().to_path_buf(),
        source,
    })?;
    let records = {
        let file = tmp.reopen().map_err(|source| Error::Io {
            path: tmp.path().to_path_buf(),
            source,
        })?;
        let zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| fail(format!("{url} is not a zip archive: {e}")))?;
        zip.file_names().filter(|n| n.ends_with(".json")).count()
    };
    if records == 0 {
        return Err(fail(format!("{url} holds no OSV records")));
    }
    let path = dir.join("all.zip");
    tmp.persist(&path).map_err(|e| Error::Io {
        path: path.clone(),
        source: e.error,
    })?;
    Ok(Fetched {
        ecosystem: eco,
        path,
        bytes,
        records,
    })
}

/// Parses `npm,PyPI,go` (case-insensitive, `all` for every ecosystem).
pub fn parse_ecosystems(list: &[String]) -> Result<Vec<Ecosystem>, Error> {
    let mut out = Vec::new();
    for item in list.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if item.eq_ignore_ascii_case("all") {
            return Ok(Ecosystem::ALL.to_vec());
        }
        let eco = Ecosystem::from_user(item).ok_or_else(|| {
            Error::Usage(format!(
                "--osv: unknown ecosystem `{item}`; expected some of {} (or `all`)",
                Ecosystem::ALL.map(|e| e.as_str()).join(", ")
            ))
        })?;
        if !out.contains(&eco) {
            out.push(eco);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage(
            "--osv: name at least one ecosystem".to_string(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpListener;

    /// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 serving `routes`.
    fn serve(routes: Vec<(String, Vec<u8>)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut s = stream;
                match routes.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => {
                        let _ = write!(
                            s,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = s.write_all(body);
                    }
                    None => {
                        let _ = write!(
                            s,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                }
            }
        });
        format!("http://{addr}")
    }

    fn archive(records: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, text) in records {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn downloads_checks_and_replaces_archives() {
        let rec = r#"{"id":"GHSA-x","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}"#;
        let base = serve(vec![
            ("/npm/all.zip".into(), archive(&[("GHSA-x.json", rec)])),
            ("/PyPI/all.zip".into(), b"not a zip".to_vec()),
        ]);
        let t = tempfile::tempdir().unwrap();
        let got = fetch_osv(&base, &[Ecosystem::Npm], t.path()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].records, 1);
        let path = t.path().join("npm/all.zip");
        assert_eq!(got[0].path, path);
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(bytes.len() as u64, got[0].bytes);
        // The loader reads what was fetched.
        let db =
            crate::scanners::advisories::osv::OsvDb::load(&[t.path().to_path_buf()], None).unwrap();
        assert_eq!(db.len(), 1);

        // A broken archive is refused and leaves nothing behind.
        let e = fetch_osv(&base, &[Ecosystem::PyPI], t.path()).unwrap_err();
        assert!(e.to_string().contains("is not a zip archive"), "{e}");
        let left: Vec<_> = std::fs::read_dir(t.path().join("PyPI")).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        // A missing one names the URL.
        let e = fetch_osv(&base, &[Ecosystem::Go], t.path()).unwrap_err();
        assert!(e.to_string().contains("/Go/all.zip"), "{e}");
    }

    #[test]
    fn ecosystem_lists() {
        let l = |s: &str| parse_ecosystems(&[s.to_string()]);
        assert_eq!(
            l("npm, pypi,npm").unwrap(),
            [Ecosystem::Npm, Ecosystem::PyPI]
        );
        assert_eq!(l("all").unwrap().len(), 7);
        assert!(l("cobol")
            .unwrap_err()
            .to_string()
            .contains("unknown ecosystem `cobol`"));
        assert!(l(",").is_err());
    }
}
