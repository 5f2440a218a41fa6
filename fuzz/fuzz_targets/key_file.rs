//! `fuzz_targets::key_file`: see crates/fuzz-targets/src/lib.rs for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_targets::key_file(data);
});
