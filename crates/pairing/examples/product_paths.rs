//! The single-product paths side by side in one process: each round times a chain of
//! dependent F_p multiplications and F_p2 products on every path the processor has,
//! so the ratios come from interleaved runs on the same load. Prints the best round
//! of each path.
//!
//! cargo run --release -p pairing --example product_paths [rounds]

use std::hint::black_box;
use std::time::Instant;

use pairing::{AffinePoint, Fp, Fp2};

const CHAIN: usize = 200_000;

fn fp_chain(a: Fp, b: Fp) -> f64 {
    let start = Instant::now();
    let mut acc = a;
    for _ in 0..CHAIN {
        acc = black_box(acc * b);
    }
    black_box(acc);
    start.elapsed().as_secs_f64() * 1e9 / CHAIN as f64
}

fn fp2_chain(a: Fp2, b: Fp2) -> f64 {
    let start = Instant::now();
    let mut acc = a;
    for _ in 0..CHAIN / 4 {
        acc = black_box(acc * b);
    }
    black_box(acc);
    start.elapsed().as_secs_f64() * 1e9 / (CHAIN / 4) as f64
}

fn fp2_square_chain(a: Fp2) -> f64 {
    let start = Instant::now();
    let mut acc = a;
    for _ in 0..CHAIN / 4 {
        acc = black_box(acc.square());
    }
    black_box(acc);
    start.elapsed().as_secs_f64() * 1e9 / (CHAIN / 4) as f64
}

/// Sets the process-wide product path; false when this processor lacks it.
fn select(path: &str) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use pairing::{adx, ifma};
        match path {
            "ifma" => {
                ifma::set_enabled(true);
                adx::set_enabled(true);
                ifma::supported()
            }
            "adx" => {
                ifma::set_enabled(false);
                adx::set_enabled(true);
                adx::supported()
            }
            _ => {
                ifma::set_enabled(false);
                adx::set_enabled(false);
                true
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        path == "portable"
    }
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let g = AffinePoint::generator();
    let (a, b) = (g.x(), g.y());
    let (x, y) = (Fp2::new(a, b), Fp2::new(b, a));
    let paths = ["ifma", "adx", "portable"];
    let mut best = [[f64::INFINITY; 3]; 3];
    for _ in 0..rounds {
        for (p, path) in paths.iter().enumerate() {
            if !select(path) {
                continue;
            }
            best[p][0] = best[p][0].min(fp_chain(a, b));
            best[p][1] = best[p][1].min(fp2_chain(x, y));
            best[p][2] = best[p][2].min(fp2_square_chain(x));
        }
    }
    select("ifma");
    println!("path       fp_mul ns   fp2_mul ns   fp2_square ns   (best of {rounds} rounds)");
    for (p, path) in paths.iter().enumerate() {
        if best[p][0].is_finite() {
            println!(
                "{path:<10} {:>9.1} {:>12.1} {:>15.1}",
                best[p][0], best[p][1], best[p][2]
            );
        }
    }
}
