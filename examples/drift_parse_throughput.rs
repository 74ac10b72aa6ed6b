//! Parse throughput of the drift config parsers: generates a 100 000-key file per format and
//! times `parse`. Run with `benches/drift_parse.sh` (release mode).
// A measurement program: printing its numbers is its output.
#![allow(clippy::disallowed_macros)]

use std::fmt::Write as _;
use std::time::Instant;

use stagegate::scanners::drift::parse::{parse, Format, Limits};

const KEYS: usize = 100_000;

fn generate(format: Format) -> String {
    let mut s = String::with_capacity(KEYS * 40);
    let groups = KEYS / 10;
    match format {
        Format::Dotenv => (0..KEYS).for_each(|i| {
            let _ = writeln!(s, "KEY_{i}=\"value number {i}\" # c");
        }),
        Format::Properties => (0..KEYS).for_each(|i| {
            let _ = writeln!(s, "app.group{}.key{i} = value number {i}", i / 10);
        }),
        Format::Ini => (0..groups).for_each(|g| {
            let _ = writeln!(s, "[section{g}]");
            (0..10).for_each(|k| {
                let _ = writeln!(s, "key{k} = value {g} {k} ; c");
            });
        }),
        Format::Yaml => {
            s.push_str("items:\n");
            (0..groups).for_each(|g| {
                let _ = writeln!(s, "  - name: item{g}");
                (0..8).for_each(|k| {
                    let _ = writeln!(s, "    key{k}: value {k}");
                });
                let _ = writeln!(s, "    port: {g}");
            });
        }
        Format::Json => {
            s.push_str("{\"items\": [\n");
            (0..groups).for_each(|g| {
                let sep = if g + 1 == groups { "" } else { "," };
                let _ = write!(s, "  {{\"name\": \"item{g}\"");
                (0..8).for_each(|k| {
                    let _ = write!(s, ", \"key{k}\": \"value {k}\"");
                });
                let _ = writeln!(s, ", \"port\": {g}}}{sep}");
            });
            s.push_str("]}\n");
        }
        Format::Toml => (0..groups).for_each(|g| {
            let _ = writeln!(s, "[section{g}]");
            (0..10).for_each(|k| {
                let _ = writeln!(s, "key{k} = \"value {k}\"");
            });
        }),
        Format::Tfvars => (0..groups).for_each(|g| {
            let _ = writeln!(s, "var{g} = {{");
            (0..9).for_each(|k| {
                let _ = writeln!(s, "  key{k} = \"value {k}\"");
            });
            s.push_str("}\n");
        }),
    }
    s
}

/// Hostile inputs: how long until the limits turn them into errors.
fn hostile(limits: &Limits) {
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let _ = writeln!(bomb, "a{i}: &a{i} [{}]", [prev.as_str(); 9].join(", "));
    }
    let cases = [
        ("yaml billion laughs", Format::Yaml, bomb),
        (
            "yaml `- ` x 10 000",
            Format::Yaml,
            "- ".repeat(10_000) + "x",
        ),
        ("json `[` x 10 000", Format::Json, "[".repeat(10_000)),
        (
            "toml `[` x 10 000",
            Format::Toml,
            format!("a = {}", "[".repeat(10_000)),
        ),
        (
            "tfvars `{` x 10 000",
            Format::Tfvars,
            format!("a = {}", "{b=".repeat(10_000)),
        ),
    ];
    println!();
    println!("hostile input            outcome  best-of-3");
    for (name, format, text) in cases {
        let mut best = f64::MAX;
        let mut outcome = "";
        for _ in 0..3 {
            let start = Instant::now();
            outcome = match parse("bench", &text, format, limits) {
                Ok(_) => "parsed",
                Err(_) => "error",
            };
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("{name:<24} {outcome:<8} {:>6.2} ms", best * 1000.0);
    }
}

fn main() {
    let limits = Limits::default();
    println!("format       bytes      entries  best-of-3");
    for format in Format::ALL {
        let text = generate(format);
        let mut best = f64::MAX;
        let mut entries = 0;
        for _ in 0..3 {
            let start = Instant::now();
            match parse("bench", &text, format, &limits) {
                Ok(flat) => entries = flat.entries.len(),
                Err(e) => {
                    eprintln!("{format}: {e}");
                    std::process::exit(1);
                }
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{:<10} {:>9} {:>10} {:>8.1} ms",
            format.as_str(),
            text.len(),
            entries,
            best * 1000.0
        );
    }
    hostile(&limits);
}
