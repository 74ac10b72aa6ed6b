//! `stagegate db fetch --osv` against an HTTP server the test starts on 127.0.0.1, then
//! `stagegate audit --osv-db` on what it downloaded: the whole OSV path through the binary.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use assert_cmd::Command;

use crate::common;

/// Serves `body` at `/npm/all.zip` (404 elsewhere) until the test process ends.
fn serve_npm(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let mut s = stream;
            if request.split_whitespace().nth(1) == Some("/npm/all.zip") {
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            } else {
                let _ = write!(
                    s,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        }
    });
    format!("http://{addr}")
}

#[test]
fn fetch_then_audit_an_npm_lockfile() {
    let db = common::crate_root().join("tests/fixtures/osv/db/npm");
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    for e in std::fs::read_dir(&db).unwrap() {
        let e = e.unwrap();
        z.start_file(
            e.file_name().to_string_lossy().to_string(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
    }
    z.finish().unwrap();
    let base = serve_npm(buf.into_inner());

    let t = tempfile::tempdir().unwrap();
    let osv_dir = t.path().join("osv");
    let fetched = Command::cargo_bin("stagegate")
        .unwrap()
        .args([
            "db",
            "fetch",
            "--osv",
            "npm",
            "--osv-url",
            &base,
            "--osv-db",
        ])
        .arg(&osv_dir)
        .arg(t.path())
        .output()
        .unwrap();
    assert_eq!(
        fetched.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert!(String::from_utf8_lossy(&fetched.stderr).contains("npm OSV archive: 3 records"));
    assert!(osv_dir.join("npm/all.zip").is_file());

    let failed = Command::cargo_bin("stagegate")
        .unwrap()
        .args([
            "db",
            "fetch",
            "--osv",
            "PyPI",
            "--osv-url",
            &base,
            "--osv-db",
        ])
        .arg(&osv_dir)
        .arg(t.path())
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("/PyPI/all.zip"));

    let audit = Command::cargo_bin("stagegate")
        .unwrap()
        .env("STAGEGATE_TODAY", "2024-04-01")
        .args(["audit", "--format", "json", "--no-yanked", "--osv-db"])
        .arg(&osv_dir)
        .arg(common::crate_root().join("tests/fixtures/osv/locks/npm-v1"))
        .output()
        .unwrap();
    assert_eq!(
        audit.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let v = common::parse_json(&audit.stdout);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"advisory/GHSA-p6mc-m468-83gw"), "{rules:?}");
    assert!(rules.contains(&"advisory/GHSA-xvch-5gv4-984h"), "{rules:?}");
}

#[test]
fn the_demo_blocks_on_its_npm_lockfile_too() {
    let out = Command::cargo_bin("stagegate")
        .unwrap()
        .env("STAGEGATE_TODAY", "2026-11-26")
        .args(["audit", "--format", "json", "--no-yanked"])
        .arg(common::crate_root().join("samples/demo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = common::parse_json(&out.stdout);
    let npm: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == "web/package-lock.json")
        .filter(|f| f["rule_id"] == "advisory/GHSA-p6mc-m468-83gw")
        .collect();
    assert_eq!(npm.len(), 1, "{:#}", v["findings"]);
    assert_eq!(npm[0]["location"]["start_line"], 14);
    assert_eq!(npm[0]["severity"], "high");
}

#[test]
fn explain_points_osv_ids_at_osv_dev() {
    let out = Command::cargo_bin("stagegate")
        .unwrap()
        .args(["explain", "advisory/GHSA-p6mc-m468-83gw"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("https://osv.dev/vulnerability/GHSA-p6mc-m468-83gw"));
}
