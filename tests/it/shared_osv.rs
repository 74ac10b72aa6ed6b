#![cfg(feature = "shared-data")]
//! RustSec in OSV form (`../shared/osv/rustsec/`) gives the same Cargo.lock findings as the
//! RustSec directory (`../shared/advisory-db/`) on every lockfile fixture, and when both are
//! loaded each problem is reported once (de-duplicated by id and aliases).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stagegate::finding::NotificationLevel;
use stagegate::scanners::advisories::{audit, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput};

fn shared() -> PathBuf {
    match std::env::var_os("STAGEGATE_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

fn run(name: &str, rustsec: PathBuf, osv: Vec<PathBuf>) -> ScanOutput {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisories")
        .join(name);
    let config = Config::default();
    let mut options = ScanOptions::default();
    options.advisories.osv_db = osv;
    options.advisories.no_yanked = true;
    let ctx = ScanContext::new(&root, &config, &options).explicit(true);
    let out = audit(
        &ctx,
        &Sources {
            db: rustsec,
            cargo_home: None,
            full_load: false,
        },
    );
    let errors: Vec<_> = out
        .notifications
        .iter()
        .filter(|n| n.level >= NotificationLevel::Warning)
        .map(|n| n.message.clone())
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    out
}

type Key = (String, String, String, String, u32);

/// (kind, package, version, advisory id, line) of every matched advisory.
fn keys(out: &ScanOutput) -> Vec<Key> {
    let mut v: Vec<Key> = out
        .findings
        .iter()
        .filter(|f| f.properties.contains_key("kind"))
        .map(|f| {
            let s = |k: &str| f.properties[k].as_str().unwrap_or_default().to_string();
            (
                s("kind"),
                s("package"),
                s("version"),
                s("advisory_id"),
                f.location.start_line,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn osv_form_of_rustsec_gives_the_same_findings_and_both_deduplicate() {
    let mut total = 0;
    for name in ["v1", "v3", "v4", "workspace", "large"] {
        let from_dir = keys(&run(name, shared().join("advisory-db"), Vec::new()));
        let from_osv = keys(&run(
            name,
            shared().join("no-rustsec-here"),
            vec![shared().join("osv/rustsec")],
        ));
        assert!(!from_dir.is_empty(), "{name}: nothing found");
        assert_eq!(
            from_osv, from_dir,
            "{name}: OSV form differs from the directory"
        );
        let both = run(
            name,
            shared().join("advisory-db"),
            vec![shared().join("osv/rustsec")],
        );
        let both_keys = keys(&both);
        assert_eq!(
            both_keys, from_dir,
            "{name}: both sources must not duplicate"
        );
        let unique: BTreeSet<_> = both_keys.iter().collect();
        assert_eq!(unique.len(), both_keys.len(), "{name}");
        total += from_dir.len();
    }
    assert!(total > 20, "{total}");
}
