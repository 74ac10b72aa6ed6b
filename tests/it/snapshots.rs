//! Snapshots of what users read: the text, SARIF and Markdown reports of each bundled sample,
//! through the binary, exactly as `stagegate scan samples/<name>` prints them. A change in
//! wording, order, rule help or SARIF shape shows up as a reviewed diff (`cargo insta review`),
//! not as a silent drift. Absolute paths of this checkout are replaced by `[ROOT]`, and
//! with `CI` set (as in `.ci/run`) insta only compares: a missing or different snapshot fails.

use crate::common::util::{root, run_in};

/// Runs `stagegate scan samples/<sample> --format <format>` from the crate root.
fn report(sample: &str, format: &str) -> (Option<i32>, String) {
    // The yanked check reads Cargo's local index cache: an empty CARGO_HOME makes its note
    // the same on every machine.
    let cargo_home = tempfile::tempdir().unwrap();
    let home = cargo_home.path().to_string_lossy().into_owned();
    let args = [
        "scan",
        &format!("samples/{sample}"),
        "--format",
        format,
        "--color",
        "never",
    ];
    let out = run_in(&root(), args, &[("CARGO_HOME", home.as_str())]);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let root = root();
    let text = out
        .stdout
        .replace(&format!("file://{}", root.display()), "file://[ROOT]")
        .replace(&root.display().to_string(), "[ROOT]");
    (out.code, text)
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

macro_rules! sample_snapshots {
    ($($name:ident: $sample:literal exits $code:literal;)*) => {$(
        #[test]
        fn $name() {
            for format in ["text", "sarif", "markdown"] {
                let (code, text) = report($sample, format);
                assert_eq!(code, Some($code), "{} {format}: {text}", $sample);
                settings().bind(|| {
                    insta::assert_snapshot!(format!("{}-{format}", $sample), text);
                });
            }
        }
    )*};
}

sample_snapshots! {
    demo_reports: "demo" exits 1;
    clean_reports: "clean" exits 0;
}
