//! The device's own 1024-bit Montgomery multiplication rate: chains of `--steps`
//! products per invocation (all in registers, no transfers between them) over
//! `--elements` elements, repeated for `--seconds`; and the round-trip rate of
//! `modmul_batch` (upload, one product, read-back) for comparison. Prints one JSON
//! object; scripts/gpu-bench.sh keeps it in bench-results/.
//!
//!   cargo run --release -p backend-gpu --example device-rates -- --path u64 --elements 1048576

use std::sync::Arc;
use std::time::{Duration, Instant};

use backend_gpu::{ArithPath, FieldKernels, GpuContext, MAX_PRODUCTS_PER_INVOCATION};
use pairing::Fp;

struct Args {
    /// None: the adapter's best.
    path: Option<ArithPath>,
    elements: usize,
    steps: u32,
    seconds: f64,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        path: None,
        elements: 1 << 20,
        steps: MAX_PRODUCTS_PER_INVOCATION,
        seconds: 3.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--elements" => args.elements = value.parse().map_err(|e| bad(&e))?,
            "--steps" => args.steps = value.parse().map_err(|e| bad(&e))?,
            "--seconds" => args.seconds = value.parse().map_err(|e| bad(&e))?,
            "--path" => {
                args.path = Some(match value.as_str() {
                    "u32" => ArithPath::U32,
                    "u64" => ArithPath::U64,
                    _ => return Err(bad(&"expected u32 or u64")),
                })
            }
            _ => {
                return Err(format!(
                    "unknown flag {flag} (--path, --elements, --steps, --seconds)"
                ))
            }
        }
    }
    if args.steps == 0 || args.steps > MAX_PRODUCTS_PER_INVOCATION || args.elements == 0 {
        return Err(format!(
            "--steps must be 1..={MAX_PRODUCTS_PER_INVOCATION} and --elements positive"
        ));
    }
    Ok(args)
}

/// Runs `f` until `seconds` have passed (at least twice, the first untimed) and returns
/// the runs timed and their total time.
fn timed(seconds: f64, mut f: impl FnMut()) -> (u32, Duration) {
    f();
    let start = Instant::now();
    let mut runs = 0;
    while runs == 0 || start.elapsed().as_secs_f64() < seconds {
        f();
        runs += 1;
    }
    (runs, start.elapsed())
}

fn main() {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("device-rates: {e}");
            std::process::exit(2);
        }
    };
    let ctx = match GpuContext::open() {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("device-rates: {e}");
            std::process::exit(1);
        }
    };
    let report = ctx.report().clone();
    let path = args.path.unwrap_or(ArithPath::best(report.shader_int64));
    let kernels = match FieldKernels::new(Arc::clone(&ctx), path) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("device-rates: {e}");
            std::process::exit(1);
        }
    };
    let a: Vec<Fp> = (0..args.elements)
        .map(|i| Fp::from_u64(i as u64 + 2))
        .collect();
    let b: Vec<Fp> = (0..args.elements)
        .map(|i| Fp::from_u64(3 * i as u64 + 5))
        .collect();

    // Check one chain against the CPU before timing it.
    let probe = kernels
        .mul_chain_batch(&a[..1], &b[..1], args.steps)
        .expect("chain");
    let mut want = a[0];
    for _ in 0..args.steps {
        want *= b[0];
    }
    assert_eq!(probe[0], want, "the device's chain differs from the CPU's");

    let (runs, elapsed) = timed(args.seconds, || {
        kernels.mul_chain_batch(&a, &b, args.steps).expect("chain");
    });
    let products = runs as f64 * args.elements as f64 * f64::from(args.steps);
    let chain_rate = products / elapsed.as_secs_f64();

    let (rt_runs, rt_elapsed) = timed(args.seconds, || {
        kernels.modmul_batch(&a, &b).expect("modmul");
    });
    let round_trip_rate = rt_runs as f64 * args.elements as f64 / rt_elapsed.as_secs_f64();

    println!(
        "{{\n  \"schema\": \"sakke-gpu-device-rates/1\",\n  \"adapter\": {:?},\n  \
         \"software\": {},\n  \"path\": {:?},\n  \"elements\": {},\n  \
         \"products_per_invocation\": {},\n  \"device_modmul_per_s\": {:.4e},\n  \
         \"round_trip_modmul_per_s\": {:.4e},\n  \"note\": \"device rate: chains of \
         products per invocation, the upload and read-back of each batch included; \
         round trip: one product per element, everything included\"\n}}",
        report.to_string(),
        report.is_software(),
        path.to_string(),
        args.elements,
        args.steps,
        chain_rate,
        round_trip_rate
    );
}
