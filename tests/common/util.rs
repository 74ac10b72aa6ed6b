//! Helpers shared by the hardening tests (bad inputs, no leaks, atomic output, determinism):
//! run the binary under a watchdog and an address-space limit, plant known findings beside bad
//! files and check they are still reported.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Wall-clock watchdog per run: a hang is a failure, not a slow test.
pub const WATCHDOG: Duration = Duration::from_secs(120);

/// Address-space limit per run (bytes): reading a 2 GiB file into memory fails under it.
pub const MEMORY_LIMIT: u64 = 2 << 30;

/// The fake AWS access key ID planted in `canary.py` (fake: not a real key).
pub const CANARY_KEY: &str = "AKIAQWERTYUIOPASDF23";

/// What one run of the binary did.
#[derive(Debug)]
pub struct Out {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output, lossy UTF-8.
    pub stdout: String,
    /// Standard error, lossy UTF-8.
    pub stderr: String,
}

impl Out {
    /// Panics unless the run ended by itself with no Rust panic message.
    pub fn assert_sane(&self, what: &str) {
        assert!(
            self.code.is_some(),
            "{what}: killed by a signal (crash or memory limit)\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stdout.contains("panicked"),
            "{what}: panicked\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: backtrace hint in stderr\n{}",
            self.stderr
        );
    }

    /// The JSON report on stdout.
    pub fn json(&self, what: &str) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The date every child process sees as today (`STAGEGATE_TODAY`), unless a test passes its own.
pub const PINNED_TODAY: &str = "2026-11-29";

/// The small advisory database of the test fixtures.
pub fn fixture_db() -> PathBuf {
    root().join("tests/fixtures/advisories/db")
}

/// Runs `stagegate args…` in `cwd` under the watchdog and the memory limit, with `env` set.
pub fn run_in<I, S>(cwd: &Path, args: I, env: &[(&str, &str)]) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let bin = env!("CARGO_BIN_EXE_stagegate");
    let mut cmd = if Path::new("/usr/bin/prlimit").exists() {
        let mut c = assert_cmd::Command::new("/usr/bin/prlimit");
        c.arg(format!("--as={MEMORY_LIMIT}")).arg("--").arg(bin);
        c
    } else {
        assert_cmd::Command::new(bin)
    };
    cmd.args(args).current_dir(cwd).timeout(WATCHDOG);
    // "Today" is pinned for every child: dates in messages (database age, expiries) must not
    // depend on the wall clock or on another test of this binary changing the environment.
    cmd.env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .env("STAGEGATE_TODAY", PINNED_TODAY)
        // The test suite never uses the network: no advisory database fetch.
        .env("STAGEGATE_OFFLINE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("stagegate did not finish within {WATCHDOG:?}: {e}"));
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `stagegate args…` from the crate root.
pub fn run<I, S>(args: I) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(&root(), args, &[])
}

/// Plants the known findings: a fake AWS key in `canary.py` and a production `DEBUG=true`
/// drift in `.env.uat` / `.env.production`.
pub fn write_canaries(dir: &Path) {
    std::fs::write(
        dir.join("canary.py"),
        format!("aws_access_key_id = \"{CANARY_KEY}\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join(".env.uat"), "DEBUG=false\n").unwrap();
    std::fs::write(dir.join(".env.production"), "DEBUG=true\n").unwrap();
}

/// Whether the JSON report holds a finding of `rule` at `path`: as its rule, or as a further
/// reason on the same value (`properties.also_rules`: a drift and a policy finding on one
/// value are one finding).
pub fn has_finding(report: &serde_json::Value, rule: &str, path: &str) -> bool {
    report["findings"].as_array().is_some_and(|fs| {
        fs.iter().any(|f| {
            let also = f["properties"]["also_rules"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r == rule));
            (f["rule_id"] == rule || also) && f["location"]["path"] == path
        })
    })
}

/// Panics unless both planted findings are in the JSON report.
pub fn assert_canaries(what: &str, out: &Out) {
    let report = out.json(what);
    assert!(
        has_finding(&report, "secret/aws-access-key-id", "canary.py"),
        "{what}: the planted AWS key beside the bad input was not reported\n{}",
        out.stdout
    );
    assert!(
        has_finding(&report, "policy/prod-debug-enabled", ".env.production"),
        "{what}: the planted DEBUG=true drift beside the bad input was not reported\n{}",
        out.stdout
    );
}

/// Copies the tree at `from` into `to` (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Whether this process can read files whatever their mode (root, CAP_DAC_OVERRIDE).
pub fn permissions_are_ignored(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(".probe-perm");
    std::fs::write(&p, "x").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&p).is_ok();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&p).unwrap();
    readable
}

/// Runs `git args…` in `dir` with a fixed identity, no commit signing, `main` as the first branch
/// and no automatic gc or maintenance (a test that wants packs repacks on purpose); asserts that
/// git succeeded and returns its standard output.
pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    git_env(dir, args, &[])
}

/// [`git`] with extra environment variables (commit dates). The caller's `GIT_DIR`,
/// `GIT_WORK_TREE` and `GIT_INDEX_FILE` are cleared, so a test run from a git hook (which sets
/// them) still works on `dir`'s repository.
pub fn git_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Dev One",
            "-c",
            "user.email=dev@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
