#![no_main]
//! Fuzz target `drift_parse`: see `fuzz/harness.rs`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::drift_parse_any(data));
