//! Replays every saved fuzz input — the crash regressions in `tests/bad_inputs/fuzz-regressions/`
//! and the minimized seeds in `fuzz/seeds/` — through the same harness functions the cargo-fuzz
//! targets call (`fuzz/harness.rs`). CI runs this instead of fuzzing (see `fuzz/replay.sh`).

#[path = "../../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn replay(base: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(base);
    let mut n = 0;
    for (name, f) in harness::TARGETS {
        for p in inputs(&root.join(name)) {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let r = std::panic::catch_unwind(|| f(&data));
            assert!(r.is_ok(), "{name}: {} fails its invariants", p.display());
            n += 1;
        }
    }
    n
}

#[test]
#[allow(clippy::disallowed_macros)] // a count for `--nocapture` runs
fn fuzz_crash_regressions_stay_fixed() {
    let n = replay("tests/bad_inputs/fuzz-regressions");
    // Every folder holds at least one input once a target found a crash; the seeds test below
    // covers every target.
    eprintln!("{n} regression inputs replayed");
}

#[test]
fn fuzz_seed_corpus_passes_every_target() {
    let n = replay("fuzz/seeds");
    assert!(
        n >= harness::TARGETS.len(),
        "seed corpus missing: {n} files"
    );
    for (name, _) in harness::TARGETS {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/seeds")
            .join(name);
        assert!(!inputs(&dir).is_empty(), "no seeds for target {name}");
    }
}

#[test]
fn harness_catches_a_broken_invariant() {
    // The SARIF checker must reject a log with two runs: otherwise it checks nothing.
    let log = serde_json::json!({"version": "2.1.0", "runs": [{}, {}]});
    assert!(std::panic::catch_unwind(|| harness::check_sarif(&log, 0)).is_err());
}
