//! ct-taint: runs every operation of the project that handles a secret, with the secret
//! marked undefined for valgrind memcheck (the "ctgrind" technique). Memcheck then reports
//! each conditional branch and each memory address that depends on a secret; the library
//! declassifies only what its protocol makes public (verdicts, ciphertexts, public keys),
//! and the harness only the results it hands back. Run it as
//! `valgrind --tool=memcheck ct-taint [CASE...]`; the test `tests/memcheck.rs` does, after
//! checking with `ct-taint --canary` that a deliberate leak is reported.
//!
//! Everything runs on the portable 64-bit code: valgrind cannot execute AVX-512, and the
//! backend is built with `vector: false` (the `cpu-scalar` backend) besides.

mod batch;
mod canary;
mod curve;
mod field;
mod kem;
mod secret;
mod signature;

use std::process::ExitCode;

/// The cases, in the order they run: the shared SAKKE keys are built by `sakke_keys`.
const CASES: &[(&str, fn())] = &[
    ("fp_arithmetic", field::fp_arithmetic),
    ("fp_invert", field::fp_invert),
    ("fp_batch_invert", field::fp_batch_invert),
    ("fp2_arithmetic", field::fp2_arithmetic),
    ("scalar_arithmetic", field::scalar_arithmetic),
    ("window_mul", curve::window_mul),
    ("to_affine", curve::to_affine),
    ("point_addition", curve::point_addition),
    ("fixed_base_mul", curve::fixed_base_mul),
    ("gt_pow", curve::gt_pow),
    ("plain_pairing", curve::plain_pairing),
    ("line_table", curve::line_table),
    ("sakke_keys", kem::keys_and_issue),
    ("encapsulate", kem::encapsulate),
    ("decapsulate", kem::decapsulate),
    ("test_rejects", kem::test_rejects),
    ("backend_pairings", batch::pairings),
    ("backend_scalar_muls", batch::scalar_muls),
    ("backend_gt_pows", batch::gt_pows),
    ("backend_sakke_batches", batch::sakke_batches),
    ("eccsi_sign", signature::sign),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in CASES {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--canary") {
        canary::leak();
        return ExitCode::SUCCESS;
    }
    if let Some(unknown) = args.iter().find(|a| !CASES.iter().any(|(n, _)| n == a)) {
        eprintln!("ct-taint: unknown case {unknown:?} (--list lists them)");
        return ExitCode::FAILURE;
    }
    #[cfg(target_arch = "x86_64")]
    if ctgrind::running_on_valgrind() && pairing::simd::ifma_available() {
        // The tables would be given a vector form, which valgrind cannot execute.
        eprintln!("ct-taint: valgrind reports AVX-512 IFMA; the portable path cannot be forced");
        return ExitCode::FAILURE;
    }
    for (name, run) in CASES {
        if args.is_empty() || args.iter().any(|a| a == name) {
            eprintln!("ct-taint: case {name}");
            run();
        }
    }
    eprintln!("ct-taint: done");
    ExitCode::SUCCESS
}
