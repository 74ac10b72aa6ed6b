//! Property-style robustness: random, truncated and mutated inputs of every format never panic,
//! and every answer is well formed (locations inside the file, errors naming file and line).

use std::path::Path;

use stagegate::scanners::drift::model::FlatConfig;
use stagegate::scanners::drift::parse::{parse, parse_bytes, Format, Limits, ParseError};

/// xorshift64*: deterministic, dependency-free randomness.
struct Rng(u64);

impl Rng {
    /// xorshift never leaves 0: avoid it.
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const SEEDS: &[(&str, Format)] = &[
    ("deployment-prod.yaml", Format::Yaml),
    (".env.production", Format::Dotenv),
    ("application-prod.properties", Format::Properties),
    ("app.ini", Format::Ini),
    ("config.toml", Format::Toml),
    ("prod.tfvars", Format::Tfvars),
    ("appsettings.Production.json", Format::Json),
];

/// Characters that matter to at least one of the grammars.
const SYNTAX: &[u8] = b"\"'`{}[]():=,#;!-\n\r\t \\$%<>&*|?~.@0xe";

/// Iterations per seed: `STAGEGATE_FUZZ_ITERS` (default 1 500) for longer local runs.
fn iterations() -> usize {
    std::env::var("STAGEGATE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

/// Base seed: `STAGEGATE_FUZZ_SEED` to explore other inputs locally (default fixed, so CI
/// failures reproduce).
fn base_seed() -> u64 {
    std::env::var("STAGEGATE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15)
}

fn seed(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/drift/parse")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn check(rel: &str, text: &str, result: &Result<FlatConfig, ParseError>) {
    let lines = u32::try_from(text.lines().count())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    match result {
        Ok(flat) => {
            for (k, e) in &flat.entries {
                let l = &e.location;
                assert_eq!(l.path, rel);
                assert!(
                    (1..=lines).contains(&l.start_line) && l.start_column >= 1,
                    "{k} at {l:?} in {text:?}"
                );
                assert!(
                    (l.end_line, l.end_column) >= (l.start_line, l.start_column),
                    "{k} at {l:?} in {text:?}"
                );
                assert!(k.is_empty() || k.starts_with('/'), "{k}");
            }
        }
        Err(e) => {
            assert_eq!(e.path, rel);
            assert!(
                (1..=lines).contains(&e.line),
                "{e} (of {lines} lines) in {text:?}"
            );
            assert!(!e.message.is_empty());
            assert!(
                !e.message.contains("internal error"),
                "parser panicked: {e} on {text:?}"
            );
        }
    }
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 => v.insert(at.min(v.len()), SYNTAX[rng.below(SYNTAX.len())]),
            1 if !v.is_empty() => {
                v.remove(at.min(v.len() - 1));
            }
            2 => {
                let end = (at + rng.below(40)).min(v.len());
                let chunk = v[at.min(end)..end].to_vec();
                let to = rng.below(v.len() + 1);
                v.splice(to..to, chunk);
            }
            3 => v.truncate(at),
            _ => {
                let b = (rng.next() & 0xFF) as u8;
                v.insert(at.min(v.len()), b);
            }
        }
    }
    v
}

#[test]
fn every_prefix_of_every_fixture() {
    let limits = Limits::default();
    for (name, format) in SEEDS {
        let text = seed(name);
        let mut cut = 0;
        while cut <= text.len() {
            if text.is_char_boundary(cut) {
                let prefix = &text[..cut];
                let rel = format!("fuzz/{name}");
                check(&rel, prefix, &parse(&rel, prefix, *format, &limits));
            }
            cut += 1;
        }
    }
}

#[test]
fn random_mutations_of_every_fixture() {
    let limits = Limits::default();
    let mut rng = Rng::new(base_seed());
    for (name, format) in SEEDS {
        let base = seed(name).into_bytes();
        let rel = format!("fuzz/{name}");
        for _ in 0..iterations() {
            let bytes = mutate(&mut rng, &base);
            let result = parse_bytes(&rel, &bytes, *format, &limits);
            match std::str::from_utf8(&bytes) {
                Ok(text) => check(&rel, text, &result),
                Err(_) if *format == Format::Properties && !bytes.contains(&0) => {
                    // Read as ISO-8859-1, like Java does.
                    let raw = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                    let text: String = raw.iter().map(|b| char::from(*b)).collect();
                    check(&rel, &text, &result);
                }
                Err(_) => {
                    // Not UTF-8 (and no BOM): must be rejected with the line of the bad byte.
                    if !bytes.starts_with(b"\xEF\xBB\xBF")
                        && !bytes.starts_with(b"\xFF\xFE")
                        && !bytes.starts_with(b"\xFE\xFF")
                    {
                        let e = result.expect_err("non-UTF-8 accepted");
                        assert!(e.message.contains("not UTF-8"), "{e}");
                    }
                }
            }
        }
    }
}

#[test]
fn random_syntax_soup_in_every_format() {
    let limits = Limits::default();
    let mut rng = Rng::new(base_seed() ^ 42);
    for format in Format::ALL {
        let rel = format!("soup.{format}");
        for _ in 0..iterations() {
            let len = rng.below(120);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        b"abcxyz019"[rng.below(9)]
                    } else {
                        SYNTAX[rng.below(SYNTAX.len())]
                    }
                })
                .collect();
            let text = String::from_utf8(bytes).unwrap_or_default();
            check(&rel, &text, &parse(&rel, &text, format, &limits));
        }
    }
}

#[test]
fn arbitrary_bytes_are_an_error_or_a_parse_never_a_panic() {
    let limits = Limits::default();
    let mut rng = Rng::new(base_seed() ^ 7);
    for format in Format::ALL {
        for _ in 0..500 {
            let len = rng.below(200);
            let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xFF) as u8).collect();
            let rel = "bin/blob";
            match parse_bytes(rel, &bytes, format, &limits) {
                Ok(_) => {}
                Err(e) => {
                    assert_eq!(e.path, rel);
                    assert!(e.line >= 1);
                    assert!(!e.message.contains("internal error"), "{e}");
                }
            }
        }
    }
}

#[test]
fn deepest_allowed_nesting_fits_a_worker_thread_stack() {
    // The largest depth a user can configure, on a 2 MiB stack (a rayon worker's default), in a
    // debug build: every format errors cleanly on 10 000 levels and parses 1 000.
    // (Parsers and flattening use explicit stacks; this guards against recursion creeping back.)
    let limits = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let n = 10_000;
            let deep: &[(Format, String)] = &[
                (Format::Json, "[".repeat(n)),
                (Format::Json, "{\"a\":".repeat(n)),
                (Format::Yaml, "- ".repeat(n) + "x"),
                (Format::Yaml, "[".repeat(n)),
                (
                    Format::Yaml,
                    (0..n).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
                ),
                (Format::Toml, format!("a = {}", "[".repeat(n))),
                (Format::Toml, format!("a = {}", "{b=".repeat(n))),
                (Format::Tfvars, format!("a = {}", "[".repeat(n))),
                (Format::Tfvars, format!("a = {}", "{b=".repeat(n))),
            ];
            for (format, text) in deep {
                let e = parse("deep", text, *format, &limits).expect_err("10 000 levels accepted");
                assert!(!e.message.contains("internal error"), "{format}: {e}");
            }
            // 1 000 levels parse (parser, alias copy, flattening and drop all run at that depth).
            let ok = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
            let f = parse("deep", &ok, Format::Json, &limits).expect("1 000 levels");
            assert_eq!(f.entries.len(), 1000);
            let ok = format!("a = {}1{}\n", "[".repeat(1000), "]".repeat(1000));
            assert_eq!(
                parse("deep", &ok, Format::Tfvars, &limits).map(|f| f.entries.len()),
                Ok(1001)
            );
            let ok = format!("a: &x {}1{}\nb: *x\n", "[".repeat(200), "]".repeat(200));
            assert_eq!(
                parse("deep", &ok, Format::Yaml, &limits).map(|f| f.entries.len()),
                Ok(402)
            );
            let ok = format!(
                "a: &x\n{}\nb: *x\n",
                (1..1000)
                    .map(|i| format!("{}- ", " ".repeat(2 * i)))
                    .collect::<String>()
                    + "x"
            );
            let f = parse("deep", &ok, Format::Yaml, &limits).expect("1 000 levels of YAML");
            assert!(f.entries.len() > 1990, "{}", f.entries.len());
        })
        .expect("spawn");
    assert!(handle.join().is_ok(), "a parser overflowed a 2 MiB stack");
}
