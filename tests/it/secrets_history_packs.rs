//! The history scan's pack walk: blobs decoded from pack files (deltas included) are the ones
//! `git cat-file` gives, and a history scanned from packs has the same findings, attributions,
//! version counts and statistics as the same history read through `git cat-file` (loose).

use crate::common::util::git;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use stagegate::scanners::secrets::pack;
use stagegate::scanners::secrets::SecretsScanner;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner, SecretsMode};

const PG_PASS: &str = "Xk9vQ2mLp7zR";

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn commit(root: &Path, msg: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", msg]);
    String::from_utf8(git(root, &["rev-parse", "HEAD"]))
        .unwrap()
        .trim()
        .to_string()
}

/// A history whose files change a little per commit (so `git repack` stores deltas, chains of
/// them), with a secret that is introduced, kept through later versions, copied to a second
/// path, and removed; a binary key file and an `.npmrc` (path rules); a side branch.
fn history(root: &Path) -> String {
    git(root, &["init", "-q"]);
    let mut body = String::new();
    let mut intro = String::new();
    for i in 0..40 {
        body.push_str(&format!(
            "line {i}: some ordinary text that changes slowly\n"
        ));
        write(root, "src/notes.txt", &body);
        write(
            root,
            "src/lib.rs",
            format!("pub const N: u32 = {i};\n{body}"),
        );
        if i == 5 {
            write(root, "k/id_rsa", b"\x00\x01\x02binary key\x00");
            write(
                root,
                ".npmrc",
                "//registry.npmjs.org/:_authToken=npmrcLiteralValue42\n",
            );
        }
        if (10..30).contains(&i) {
            write(
                root,
                "cfg/app.env",
                format!("URL=postgres://app:{PG_PASS}@db/app\nVERSION={i}\n"),
            );
        }
        if i == 30 {
            std::fs::remove_file(root.join("cfg/app.env")).unwrap();
        }
        if i == 20 {
            // The same blob as cfg/app.env at this commit: attributed to the first path.
            write(
                root,
                "copy/app.env",
                format!("URL=postgres://app:{PG_PASS}@db/app\nVERSION={i}\n"),
            );
        }
        let id = commit(root, &format!("commit {i}"));
        if i == 10 {
            intro = id;
        }
    }
    git(root, &["checkout", "-qb", "side"]);
    write(root, "side.env", "K=mysql://u:Tq2vX9mLp7zR@db/x\n");
    commit(root, "side");
    git(root, &["checkout", "-q", "main"]);
    intro
}

fn scan_history(root: &Path) -> ScanOutput {
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::History { since: None };
    let config = Config::default();
    let ctx = ScanContext::new(root, &config, &opts).explicit(true);
    SecretsScanner.scan(&ctx)
}

/// What must not change between the two ways of reading a history.
fn facts(out: &ScanOutput) -> Vec<String> {
    let mut v: Vec<String> = out
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{} {:?} {} versions={} in_head={}",
                f.rule_id,
                f.location.path,
                f.location.start_line,
                f.location.start_column,
                f.location.commit,
                f.message,
                f.properties["versions"],
                f.properties["in_head"]
            )
        })
        .collect();
    v.sort();
    v.push(format!(
        "commits={} blobs={} bytes={}",
        out.stats.commits, out.stats.blobs, out.stats.bytes
    ));
    v
}

fn loose_objects(root: &Path) -> u64 {
    let text = String::from_utf8(git(root, &["count-objects", "-v"])).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("count: "))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn packed_history_has_the_findings_of_the_loose_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let intro = history(root);
    assert!(loose_objects(root) > 0);
    let loose = scan_history(root);
    assert!(loose.notifications.is_empty(), "{:?}", loose.notifications);
    git(root, &["repack", "-adq", "--depth=50", "--window=50"]);
    assert_eq!(loose_objects(root), 0, "everything is packed");
    let packed = scan_history(root);
    assert!(
        packed.notifications.is_empty(),
        "{:?}",
        packed.notifications
    );
    assert_eq!(facts(&packed), facts(&loose));

    // The facts themselves: one finding for the secret, at the commit and path that
    // introduced it, counting the versions that carry it; the key file and .npmrc by path.
    let pg: Vec<_> = packed
        .findings
        .iter()
        .filter(|f| f.rule_id == "secret/database-uri-postgres")
        .collect();
    assert_eq!(pg.len(), 1, "{:?}", packed.findings);
    assert_eq!(pg[0].location.path, "cfg/app.env");
    assert_eq!(pg[0].location.commit.as_deref(), Some(intro.as_str()));
    assert_eq!(pg[0].properties["versions"], 20);
    assert_eq!(
        pg[0].properties["in_head"], true,
        "copy/app.env still has it"
    );
    let paths: Vec<&str> = packed
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    for p in ["k/id_rsa", ".npmrc", "side.env"] {
        assert!(paths.contains(&p), "{p}: {paths:?}");
    }

    // New loose commits on top of the pack: both sources in one scan.
    write(
        root,
        "late.env",
        format!("URL=postgres://late:{PG_PASS}Q@db/app\n"),
    );
    let late = commit(root, "late");
    let mixed = scan_history(root);
    assert!(mixed.notifications.is_empty(), "{:?}", mixed.notifications);
    let late_found: Vec<_> = mixed
        .findings
        .iter()
        .filter(|f| f.location.path == "late.env")
        .collect();
    assert_eq!(late_found.len(), 1);
    assert_eq!(
        late_found[0].location.commit.as_deref(),
        Some(late.as_str())
    );
    assert_eq!(mixed.findings.len(), packed.findings.len() + 1);
    assert_eq!(mixed.stats.blobs, packed.stats.blobs + 1);
}

#[test]
fn pack_walk_decodes_every_blob_as_git_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    history(root);
    git(root, &["repack", "-adq", "--depth=50", "--window=50"]);
    let seen: Mutex<HashMap<String, Vec<u8>>> = Mutex::new(HashMap::new());
    let failed = pack::for_each_blob(&root.join(".git/objects"), u64::MAX, &|oid, content| {
        let prev = seen
            .lock()
            .unwrap()
            .insert(hex::encode(oid), content.to_vec());
        assert!(prev.is_none(), "each blob once");
    });
    assert_eq!(failed, 0);
    let seen = seen.into_inner().unwrap();
    let listed = String::from_utf8(git(
        root,
        &["cat-file", "--batch-all-objects", "--batch-check"],
    ))
    .unwrap();
    let blobs: Vec<&str> = listed
        .lines()
        .filter(|l| l.split(' ').nth(1) == Some("blob"))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert!(blobs.len() > 80, "{}", blobs.len());
    assert_eq!(seen.len(), blobs.len());
    // Deltas were resolved: the pack holds some.
    let verify = String::from_utf8(git(root, &["count-objects", "-v"])).unwrap();
    assert!(verify.contains("packs: 1"), "{verify}");
    for id in blobs {
        let want = git(root, &["cat-file", "blob", id]);
        assert_eq!(seen.get(id), Some(&want), "blob {id}");
    }
    // A size limit leaves larger blobs to the caller.
    let small = Mutex::new(0usize);
    pack::for_each_blob(&root.join(".git/objects"), 64, &|_, c| {
        assert!(c.len() <= 64);
        *small.lock().unwrap() += 1;
    });
    assert!(*small.lock().unwrap() < seen.len());
}
