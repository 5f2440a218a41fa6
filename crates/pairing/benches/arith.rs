//! Criterion benchmarks of the arithmetic: F_p multiplication is the unit in which the
//! project states every other cost ("M"), so the ratios below come from one run.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pairing::{pairing, AffinePoint, Fp, Fp2, JacobianPoint, PfValue, Scalar};

fn sample_scalar(seed: u8) -> Scalar {
    let mut bytes = [seed; 128];
    bytes[0] = 0x12; // below q
    Option::from(Scalar::from_be_bytes(&bytes).unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let p = AffinePoint::generator();
    let a = p.x();
    let b = p.y();
    c.bench_function("fp_mul", |bench| bench.iter(|| black_box(a) * black_box(b)));
    c.bench_function("fp_square", |bench| bench.iter(|| black_box(a).square()));
    c.bench_function("fp_add", |bench| bench.iter(|| black_box(a) + black_box(b)));
    c.bench_function("fp_invert", |bench| bench.iter(|| black_box(a).invert()));
    let x = Fp2::new(a, b);
    c.bench_function("fp2_square", |bench| bench.iter(|| black_box(x).square()));
    c.bench_function("fp2_mul", |bench| {
        bench.iter(|| black_box(x) * black_box(x))
    });

    let k = sample_scalar(0x5a);
    let q = JacobianPoint::from(p).mul(&sample_scalar(0x33)).to_affine();
    c.bench_function("scalar_mul_ct", |bench| {
        bench.iter(|| JacobianPoint::from(black_box(q)).mul(black_box(&k)))
    });
    c.bench_function("pairing", |bench| {
        bench.iter(|| pairing(black_box(&p), black_box(&q)))
    });
    let g = PfValue::generator();
    c.bench_function("pf_pow_ct", |bench| {
        bench.iter(|| black_box(g).pow(black_box(&k)))
    });
    let _: Fp = a;

    // 1000 dependent multiplications in each of 8 lanes: divide by 8000 for the cost of
    // one multiplication on the vector unit.
    #[cfg(target_arch = "x86_64")]
    if pairing::simd::ifma_available() {
        let lanes = [a; 8];
        c.bench_function("fp_mul_ifma_x8000", |bench| {
            bench.iter(|| pairing::simd::mul_chain(black_box(&lanes), 1000))
        });
    }
    c.bench_function("fp_mul_chain_x1000", |bench| {
        bench.iter(|| {
            let mut acc = black_box(a);
            for _ in 0..1000 {
                acc *= b;
            }
            acc
        })
    });

    let lines = pairing::LineTable::new(&q);
    c.bench_function("line_table_build", |bench| {
        bench.iter(|| pairing::LineTable::new(black_box(&q)))
    });
    c.bench_function("pairing_with_line_table", |bench| {
        bench.iter(|| pairing::final_exponentiation(&lines.miller_loop(black_box(&p))))
    });
    let base = pairing::BaseTable::new(&q);
    c.bench_function("base_table_build", |bench| {
        bench.iter(|| pairing::BaseTable::new(black_box(&q)))
    });
    c.bench_function("scalar_mul_base_table", |bench| {
        bench.iter(|| base.mul(black_box(&k)))
    });
    let gt = pairing::gt_table();
    c.bench_function("gt_pow_table", |bench| bench.iter(|| gt.pow(black_box(&k))));

    // The same single-item work on the slower product paths, for the ratios within this
    // run: the BMI2/ADX assembly (IFMA off), then the portable scan (both off).
    #[cfg(target_arch = "x86_64")]
    {
        let suite = |c: &mut Criterion, path: &str| {
            c.bench_function(&format!("{path}/fp_mul"), |bench| {
                bench.iter(|| black_box(a) * black_box(b))
            });
            c.bench_function(&format!("{path}/fp_square"), |bench| {
                bench.iter(|| black_box(a).square())
            });
            c.bench_function(&format!("{path}/pairing"), |bench| {
                bench.iter(|| pairing(black_box(&p), black_box(&q)))
            });
            c.bench_function(&format!("{path}/pairing_with_line_table"), |bench| {
                bench.iter(|| pairing::final_exponentiation(&lines.miller_loop(black_box(&p))))
            });
            c.bench_function(&format!("{path}/scalar_mul_base_table"), |bench| {
                bench.iter(|| base.mul(black_box(&k)))
            });
        };
        pairing::ifma::set_enabled(false);
        if pairing::ifma::supported() && pairing::adx::supported() {
            suite(c, "adx");
        }
        pairing::adx::set_enabled(false);
        suite(c, "portable");
        pairing::adx::set_enabled(true);
        pairing::ifma::set_enabled(true);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
