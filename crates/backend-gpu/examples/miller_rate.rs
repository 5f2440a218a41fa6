//! Measures the Miller loop on the device, on every arithmetic path the adapter supports:
//! pipeline build time, and Miller loops per second for one batch (one submission of
//! 1,021 step dispatches), checked against the CPU. On lavapipe the figures are software
//! rendering: correctness only, nothing about a real GPU.
//!
//! cargo run --release -p backend-gpu --example miller_rate -- [batch]

use std::sync::Arc;
use std::time::Instant;

use backend_gpu::{ArithPath, GpuContext, MillerKernels};
use pairing::{AffinePoint, JacobianPoint, Scalar};

fn main() {
    let batch: usize = std::env::args()
        .nth(1)
        .map_or(256, |a| a.parse().expect("batch size"));
    let ctx = match GpuContext::open() {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("adapter: {}", ctx.report());

    // Distinct points [k]P and [k + 1]P.
    let g = JacobianPoint::from(AffinePoint::generator());
    let points: Vec<AffinePoint> = (1..=batch as u64 + 1)
        .map(|k| g.mul(&Scalar::from_u64(k)).to_affine())
        .collect();
    let (r, q) = (&points[..batch], &points[1..]);
    let start = Instant::now();
    let expected: Vec<_> = r
        .iter()
        .zip(q)
        .map(|(r, q)| pairing::miller_loop(r, q))
        .collect();
    let cpu = start.elapsed();
    println!(
        "cpu, one thread: {:.0} Miller loops/s",
        batch as f64 / cpu.as_secs_f64()
    );

    for path in [ArithPath::U32, ArithPath::U64] {
        let start = Instant::now();
        let kernels = match MillerKernels::new(Arc::clone(&ctx), path) {
            Ok(k) => k,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let build = start.elapsed();
        let start = Instant::now();
        let got = kernels.miller_loop_batch(r, q).expect("miller loop");
        let run = start.elapsed();
        assert_eq!(got, expected, "{path}: device results differ from the CPU");
        println!(
            "{path}: pipeline {:.1} s; batch of {batch}: {:.2} s, {:.0} Miller loops/s",
            build.as_secs_f64(),
            run.as_secs_f64(),
            batch as f64 / run.as_secs_f64()
        );
    }
}
