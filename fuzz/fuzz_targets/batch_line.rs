//! `fuzz_targets::batch_line`: see crates/fuzz-targets/src/lib.rs for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_targets::batch_line(data);
});
