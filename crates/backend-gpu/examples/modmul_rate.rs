//! Measures batched F_p multiplication on the device, on every arithmetic path the
//! adapter supports: the round trip of `modmul_batch` (encode, upload, compute, read
//! back, decode) and the device's compute rate alone (a chain of products per element,
//! where transfers are negligible). On lavapipe the figures are software rendering:
//! correctness only, nothing about a real GPU.
//!
//! cargo run --release -p backend-gpu --example modmul_rate -- [batch] [chain]

use std::sync::Arc;
use std::time::Instant;

use backend_gpu::{ArithPath, FieldKernels, GpuContext};
use pairing::Fp;

fn main() {
    let mut args = std::env::args().skip(1);
    let batch: usize = args
        .next()
        .map_or(16_384, |a| a.parse().expect("batch size"));
    let chain: u32 = args
        .next()
        .map_or(256, |a| a.parse().expect("chain length"));

    let ctx = match GpuContext::open() {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("adapter: {}", ctx.report());
    if ctx.report().is_software() {
        println!("(software adapter: figures are for correctness runs, not GPU speed)");
    }

    // Deterministic operands: small distinct elements.
    let a: Vec<Fp> = (0..batch).map(|i| Fp::from_u64(3 + i as u64)).collect();
    let b: Vec<Fp> = (0..batch).map(|i| Fp::from_u64(7 + 2 * i as u64)).collect();
    let expected: Vec<Fp> = a.iter().zip(&b).map(|(x, y)| x * y).collect();

    for path in [ArithPath::U32, ArithPath::U64] {
        let kernels = match FieldKernels::new(Arc::clone(&ctx), path) {
            Ok(k) => k,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let build = kernels.warm_up().expect("pipelines");
        // One run to warm caches, then the timed one.
        kernels.modmul_batch(&a, &b).expect("modmul");
        let start = Instant::now();
        let got = kernels.modmul_batch(&a, &b).expect("modmul");
        let round_trip = start.elapsed();
        assert_eq!(got, expected, "{path}: device results differ from the CPU");

        let start = Instant::now();
        let chained = kernels.mul_chain_batch(&a, &b, chain).expect("chain");
        let compute = start.elapsed();
        assert_eq!(
            chained[1],
            (0..chain).fold(a[1], |acc, _| acc * b[1]),
            "{path}: chain"
        );

        let products = batch as f64 * f64::from(chain);
        println!(
            "{path}: pipelines {:.2} s; modmul_batch of {batch}: {:.1} ms, {:.0} modmuls/s \
             round trip; chain of {chain}: {:.0} modmuls/s on the device",
            build.as_secs_f64(),
            round_trip.as_secs_f64() * 1e3,
            batch as f64 / round_trip.as_secs_f64(),
            products / compute.as_secs_f64(),
        );
    }
}
