#![no_main]
//! Fuzz target `secrets_rules`: see `fuzz/harness.rs`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::secrets_rules(data));
