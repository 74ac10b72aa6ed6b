//! The advisories scanner on lockfiles of other ecosystems, against OSV records written for the
//! tests from real advisories (`tests/fixtures/osv/db/`): every lockfile format is parsed and
//! matched, findings sit at the package's lines, aliases de-duplicate, ignores and malformed
//! input behave as for Cargo.lock.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stagegate::finding::{Finding, NotificationLevel, Severity, SuppressionKind};
use stagegate::scanners::advisories::{audit, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput};

fn osv_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

fn osv_db() -> PathBuf {
    osv_fixtures().join("db")
}

fn scan(root: &Path, config: &Config, osv: Vec<PathBuf>, rustsec: PathBuf) -> ScanOutput {
    let mut options = ScanOptions::default();
    options.advisories.osv_db = osv;
    let ctx = ScanContext::new(root, config, &options).explicit(true);
    let sources = Sources {
        db: rustsec,
        cargo_home: None,
        full_load: false,
    };
    audit(&ctx, &sources)
}

fn scan_lock(dir: &str) -> ScanOutput {
    let root = osv_fixtures().join("locks").join(dir);
    scan(
        &root,
        &Config::default(),
        vec![osv_db()],
        root.join("no-rustsec"),
    )
}

/// (rule, package, version, start line) of every advisory finding.
fn hits(out: &ScanOutput) -> BTreeSet<(String, String, String, u32)> {
    out.findings
        .iter()
        .filter(|f| f.properties.contains_key("kind"))
        .map(|f| {
            let s = |k: &str| f.properties[k].as_str().unwrap_or_default().to_string();
            (
                f.rule_id.trim_start_matches("advisory/").to_string(),
                s("package"),
                s("version"),
                f.location.start_line,
            )
        })
        .collect()
}

fn set(rows: &[(&str, &str, &str, u32)]) -> BTreeSet<(String, String, String, u32)> {
    rows.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), *d))
        .collect()
}

fn errors(out: &ScanOutput) -> Vec<&str> {
    out.notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .map(|n| n.message.as_str())
        .collect()
}

fn notes(out: &ScanOutput) -> Vec<&str> {
    out.notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Note)
        .map(|n| n.message.as_str())
        .collect()
}

/// The findings of matched advisories (not the stale-database or ignore findings).
fn advisories(out: &ScanOutput) -> Vec<&Finding> {
    out.findings
        .iter()
        .filter(|f| f.properties.contains_key("kind"))
        .collect()
}

fn check(dir: &str, expected: &[(&str, &str, &str, u32)]) -> ScanOutput {
    let out = scan_lock(dir);
    assert!(errors(&out).is_empty(), "{dir}: {:?}", errors(&out));
    assert_eq!(hits(&out), set(expected), "{dir}");
    assert_eq!(out.stats.lockfiles, 1, "{dir}");
    assert!(out.stats.packages > 0, "{dir}");
    out
}

#[test]
fn package_lock_v1_nested_dependencies() {
    check(
        "npm-v1",
        &[
            ("GHSA-p6mc-m468-83gw", "lodash", "4.17.15", 7),
            ("GHSA-xvch-5gv4-984h", "minimist", "1.2.5", 18),
        ],
    );
}

#[test]
fn package_lock_v2_uses_packages_and_skips_links_and_workspaces() {
    let out = check(
        "npm-v2",
        &[("GHSA-p6mc-m468-83gw", "lodash", "4.17.15", 14)],
    );
    let f = advisories(&out)[0];
    assert_eq!(f.location.end_line, 17, "the whole entry");
    assert_eq!(f.severity, Severity::High, "CVSS 7.4");
    assert_eq!(f.properties["cvss"], 7.4);
    assert_eq!(f.properties["ecosystem"], "npm");
    assert_eq!(f.properties["fix_version"], "4.17.19");
    assert_eq!(f.properties["fix_kind"], "compatible");
    assert_eq!(f.properties["aliases"][0], "CVE-2020-8203");
    assert_eq!(
        f.message,
        "lodash 4.17.15: Prototype Pollution in lodash (GHSA-p6mc-m468-83gw, CVE-2020-8203); \
         upgrade to 4.17.19 (semver-compatible)"
    );
    let meta = out
        .rules
        .iter()
        .find(|r| r.id == "advisory/GHSA-p6mc-m468-83gw")
        .unwrap();
    assert!(meta.help_markdown.contains("How to fix"));
    assert!(meta.tags.contains(&"npm".to_string()));
}

#[test]
fn npm_shrinkwrap_v3_and_last_affected() {
    let out = check(
        "npm-v3",
        &[
            ("GHSA-xvch-5gv4-984h", "minimist", "0.2.1", 6),
            ("GHSA-7fh5-64p2-3v2j", "postcss", "8.4.30", 7),
        ],
    );
    let postcss = advisories(&out)
        .into_iter()
        .find(|f| f.properties["package"] == "postcss")
        .unwrap();
    assert!(
        postcss
            .message
            .ends_with("no fixed version is available; remove the dependency or replace it"),
        "{}",
        postcss.message
    );
    assert_eq!(postcss.severity, Severity::Medium);
}

#[test]
fn yarn_classic_and_berry() {
    check(
        "yarn-classic",
        &[("GHSA-p6mc-m468-83gw", "lodash", "4.17.15", 11)],
    );
    check(
        "yarn-berry",
        &[("GHSA-xvch-5gv4-984h", "minimist", "1.2.5", 15)],
    );
}

#[test]
fn pnpm_v6_and_v9() {
    check(
        "pnpm-v6",
        &[
            ("GHSA-p6mc-m468-83gw", "lodash", "4.17.15", 10),
            ("GHSA-7fh5-64p2-3v2j", "postcss", "8.4.20", 14),
        ],
    );
    check(
        "pnpm-v9",
        &[("GHSA-xvch-5gv4-984h", "minimist", "1.2.5", 13)],
    );
}

#[test]
fn poetry_uv_and_pipfile_with_pep440_ranges() {
    check("poetry", &[("GHSA-2gwj-7jmv-h26r", "django", "3.2.12", 4)]);
    // requests 2.28.1 is affected by GHSA-j8r2-6x86-q33q and by PYSEC-2023-74, the same
    // problem (aliases): one finding.
    let uv = check("uv", &[("GHSA-j8r2-6x86-q33q", "requests", "2.28.1", 13)]);
    assert_eq!(advisories(&uv)[0].severity, Severity::Medium, "CVSS 6.1");
    let pip = check("pipfile", &[("GHSA-2gwj-7jmv-h26r", "django", "4.0.3", 12)]);
    assert!(
        notes(&pip)
            .iter()
            .any(|n| n.contains("mylib has no version")),
        "{:?}",
        notes(&pip)
    );
}

#[test]
fn requirements_pinned_lines_and_notes_for_the_rest() {
    let out = check(
        "requirements",
        &[
            ("GHSA-2gwj-7jmv-h26r", "Django", "2.2.27", 3),
            ("GHSA-j8r2-6x86-q33q", "requests", "2.25.1", 5),
        ],
    );
    let django = advisories(&out)
        .into_iter()
        .find(|f| f.properties["package"] == "Django")
        .unwrap();
    assert_eq!(
        (django.location.start_line, django.location.end_line),
        (3, 4)
    );
    assert_eq!(django.properties["fix_version"], "2.2.28");
    assert!(
        notes(&out)
            .iter()
            .any(|n| n.starts_with("requirements.txt:6: flask >=2.0 is not pinned")),
        "{:?}",
        notes(&out)
    );
}

#[test]
fn go_mod_with_pseudo_versions_and_replacements() {
    // go.sum beside go.mod is not read (go.mod lists the build).
    check(
        "gomod",
        &[
            (
                "GO-2021-0356",
                "golang.org/x/crypto",
                "v0.0.0-20210711020723-a769d52b0f44",
                6,
            ),
            ("GO-2021-0113", "golang.org/x/text", "v0.3.6", 7),
        ],
    );
    check(
        "gosum",
        &[(
            "GO-2021-0356",
            "golang.org/x/crypto",
            "v0.0.0-20200622213623-75b288015ac9",
            4,
        )],
    );
}

#[test]
fn gemfile_lock_with_platforms_and_four_part_fixes() {
    let out = check(
        "gemfile",
        &[
            ("GHSA-crjr-9rc5-ghw8", "nokogiri", "1.13.3", 10),
            ("GHSA-wq4h-7r42-5hrr", "rack", "2.2.3", 13),
        ],
    );
    let rack = advisories(&out)
        .into_iter()
        .find(|f| f.properties["package"] == "rack")
        .unwrap();
    assert_eq!(rack.properties["fix_version"], "2.2.3.1");
    assert_eq!(rack.severity, Severity::Critical);
    assert!(
        rack.message.ends_with("upgrade to 2.2.3.1"),
        "{}",
        rack.message
    );
}

#[test]
fn composer_lock_with_v_prefixes() {
    check(
        "composer",
        &[("GHSA-cwmx-hcrq-mhc3", "guzzlehttp/guzzle", "7.4.2", 7)],
    );
}

#[test]
fn maven_pom_with_properties_and_managed_versions() {
    let out = check(
        "maven",
        &[(
            "GHSA-jfh8-c2jp-5v3q",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            11,
        )],
    );
    assert_eq!(
        advisories(&out)[0].severity,
        Severity::Critical,
        "CVSS 10.0"
    );
    assert!(
        notes(&out)
            .iter()
            .any(|n| n.contains("log4j-api has no version here")),
        "{:?}",
        notes(&out)
    );
}

#[test]
fn every_format_at_once_and_ignores_by_alias() {
    let t = tempfile::tempdir().unwrap();
    for dir in ["npm-v2", "poetry", "gemfile", "maven"] {
        let src = osv_fixtures().join("locks").join(dir);
        let dst = t.path().join(dir);
        std::fs::create_dir_all(&dst).unwrap();
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    let cfg_path = t.path().join("stagegate.toml");
    std::fs::write(
        &cfg_path,
        "[advisories]\nosv = [\"osv-db\"]\nignore = [\n  { id = \"CVE-2021-44228\", reason = \"JNDI lookups disabled\", until = \"2099-01-01\" },\n  { id = \"GHSA-0000-0000-0000\", reason = \"stale\" },\n]\n",
    )
    .unwrap();
    // `[advisories] osv` is relative to the scan root.
    std::fs::create_dir_all(t.path().join("osv-db")).unwrap();
    for eco in ["npm", "PyPI", "RubyGems", "Maven"] {
        let dst = t.path().join("osv-db").join(eco);
        std::fs::create_dir_all(&dst).unwrap();
        for e in std::fs::read_dir(osv_db().join(eco)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    let cfg = Config::load(&cfg_path).unwrap();
    let out = scan(t.path(), &cfg, Vec::new(), t.path().join("none"));
    assert!(errors(&out).is_empty(), "{:?}", errors(&out));
    assert_eq!(out.stats.lockfiles, 4);
    assert_eq!(hits(&out).len(), 5, "{:?}", hits(&out));
    let log4j = out
        .findings
        .iter()
        .find(|f| f.rule_id == "advisory/GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert_eq!(log4j.location.path, "maven/pom.xml");
    let s = log4j
        .suppression
        .as_ref()
        .expect("ignored by its CVE alias");
    assert_eq!(s.kind, SuppressionKind::External);
    assert_eq!(s.justification, "JNDI lookups disabled");
    let unused: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "advisory/unused-ignore")
        .collect();
    assert_eq!(unused.len(), 1);
    assert!(unused[0].message.contains("GHSA-0000-0000-0000"));
    // The records are older than 90 days by STAGEGATE_TODAY.
    assert!(out
        .findings
        .iter()
        .any(|f| f.rule_id == "advisory/stale-database"));
}

#[test]
fn osv_zip_archives_load_like_directories() {
    use std::io::Write;
    let t = tempfile::tempdir().unwrap();
    let zpath = t.path().join("all.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
    for e in std::fs::read_dir(osv_db().join("npm")).unwrap() {
        let e = e.unwrap();
        z.start_file(
            e.file_name().to_string_lossy().to_string(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
    }
    z.finish().unwrap();
    let root = osv_fixtures().join("locks/npm-v1");
    let from_zip = scan(&root, &Config::default(), vec![zpath], t.path().join("x"));
    assert_eq!(hits(&from_zip), hits(&scan_lock("npm-v1")));
    assert_eq!(hits(&from_zip).len(), 2);
}

#[test]
fn malformed_lockfiles_name_file_and_line_and_others_are_still_audited() {
    let t = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 6] = [
        ("a/package-lock.json", "{\n  \"packages\": {\n    \"node_modules/x\": {\n      \"version\": 4\n    }\n  }\n}\n", "a/package-lock.json:4"),
        ("b/yarn.lock", "lodash@^4:\n  version \"4.17.15\"\nnot a header\n", "b/yarn.lock:3"),
        ("c/poetry.lock", "[[package]]\nname = \"x\"\nversion = 1\n", "c/poetry.lock:3"),
        ("d/go.mod", "module m\n\nrequire (\n\tgolang.org/x/text\n)\n", "d/go.mod:4"),
        ("e/pom.xml", "<project>\n<dependencies>\n</project>\n", "e/pom.xml:3"),
        ("f/pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a: [\n", "f/pnpm-lock.yaml:"),
    ];
    for (path, text, _) in cases {
        let p = t.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::create_dir_all(t.path().join("ok")).unwrap();
    std::fs::copy(
        osv_fixtures().join("locks/npm-v3/npm-shrinkwrap.json"),
        t.path().join("ok/npm-shrinkwrap.json"),
    )
    .unwrap();
    let out = scan(
        t.path(),
        &Config::default(),
        vec![osv_db()],
        t.path().join("x"),
    );
    let errs = errors(&out);
    for (_, _, want) in cases {
        assert!(
            errs.iter().any(|e| e.starts_with(want)),
            "{want} not in {errs:?}"
        );
    }
    assert_eq!(hits(&out).len(), 2, "the good lockfile is still audited");
}

#[test]
fn malformed_and_missing_osv_data_name_the_file() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("GHSA-bad.json"), "{\n  \"id\": [\n").unwrap();
    std::fs::write(
        t.path().join("GHSA-range.json"),
        r#"{"id":"GHSA-range","affected":[{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"x.y"}]}]}]}"#,
    )
    .unwrap();
    let root = osv_fixtures().join("locks/poetry");
    let out = scan(
        &root,
        &Config::default(),
        vec![t.path().to_path_buf(), osv_db()],
        t.path().join("x"),
    );
    let warnings: Vec<&str> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Warning)
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("GHSA-bad.json: OSV record skipped: line 2")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("GHSA-range.json") && w.contains("`x.y` is not a PEP 440 version")),
        "{warnings:?}"
    );
    assert_eq!(hits(&out).len(), 1, "the good records still match");

    let missing = scan(
        &root,
        &Config::default(),
        vec![t.path().join("nope")],
        t.path().join("x"),
    );
    assert!(
        errors(&missing).iter().any(|e| e.contains("nope")),
        "{:?}",
        errors(&missing)
    );
}

#[test]
fn without_osv_data_other_lockfiles_are_listed_as_not_audited() {
    let root = osv_fixtures().join("locks/gemfile");
    let out = scan(&root, &Config::default(), Vec::new(), root.join("x"));
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("Gemfile.lock not audited: no OSV database"),
        "{errs:?}"
    );
    assert!(out.findings.is_empty());
}
