//! The Miller-loop step kernel against crates/pairing: the state after every one of the
//! first steps against a transcription of miller.rs on the CPU's `Fp`, and whole loops
//! against `pairing::miller_loop` itself.

mod common;

use backend_gpu::{miller_naf, ArithPath, MillerState, MILLER_STEPS};
use common::*;
use pairing::{AffinePoint, Fp, Fp2, JacobianPoint, Scalar};
use rand::{rngs::StdRng, RngCore, SeedableRng};

/// [k]P for a random k: a random point of E(F_p)[q].
fn random_point(rng: &mut impl RngCore) -> AffinePoint {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    JacobianPoint::from(AffinePoint::generator())
        .mul(&Scalar::reduce_be_bytes(&bytes))
        .to_affine()
}

/// Pairs of points: random ones, R = Q, R = -Q and the generator.
fn pairs(rng: &mut impl RngCore, random: usize) -> (Vec<AffinePoint>, Vec<AffinePoint>) {
    let g = AffinePoint::generator();
    let mut r = vec![g, g, g.neg()];
    let mut q = vec![g, random_point(rng), g];
    for _ in 0..random {
        r.push(random_point(rng));
        q.push(random_point(rng));
    }
    (r, q)
}

/// miller.rs's loop on the CPU's public `Fp` operations, one step at a time: the same
/// doubling, addition and line formulas, so the same Jacobian coordinates and f.
struct CpuLoop {
    x: Fp,
    y: Fp,
    z: Fp,
    f: Fp2,
    steps: usize,
}

impl CpuLoop {
    fn new(r: &AffinePoint) -> CpuLoop {
        CpuLoop {
            x: r.x(),
            y: r.y(),
            z: Fp::ONE,
            f: Fp2::ONE,
            steps: 0,
        }
    }

    fn step(&mut self, r: &AffinePoint, q: &AffinePoint, naf: &[i32]) {
        let (qx, qy) = (q.x(), q.y());
        // double_with_line (dbl-2001-b) and the tangent at [i]Q.
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let s = (self.x - delta) * (self.x + delta);
        let alpha = s.double() + s;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let y3 = alpha * (beta4 - x3) - gamma.square().double().double().double();
        let tangent = Fp2::new(
            alpha * (delta * qx + self.x) - gamma.double(),
            z3 * delta * qy,
        );
        (self.x, self.y, self.z) = (x3, y3, z3);
        self.f = self.f.square() * tangent;

        let digit = naf[MILLER_STEPS - 1 - self.steps];
        if digit != 0 {
            // add_with_line (madd-2007-bl) and the chord at [i]Q.
            let (rx, ry) = (r.x(), if digit > 0 { r.y() } else { -r.y() });
            let z1z1 = self.z.square();
            let u2 = rx * z1z1;
            let s2 = ry * (self.z * z1z1);
            let h = u2 - self.x;
            let hh = h.square();
            let i = hh.double().double();
            let j = h * i;
            let rr = (s2 - self.y).double();
            let v = self.x * i;
            let x3 = rr.square() - j - v.double();
            let y3 = rr * (v - x3) - (self.y * j).double();
            let z3 = (self.z + h).square() - z1z1 - hh;
            let chord = Fp2::new(rr * (qx + rx) - ry * z3, z3 * qy);
            (self.x, self.y, self.z) = (x3, y3, z3);
            self.f *= chord;
        }
        self.steps += 1;
    }

    fn matches(&self, gpu: &MillerState) -> bool {
        (self.x, self.y, self.z, self.f, self.steps) == (gpu.x, gpu.y, gpu.z, gpu.f, gpu.steps)
    }
}

/// The transcription is miller.rs: whole loops agree with `pairing::miller_loop`.
#[test]
fn cpu_transcription_is_the_crates_loop() {
    let mut rng = StdRng::seed_from_u64(0x3111);
    let naf = miller_naf();
    let (r, q) = pairs(&mut rng, 2);
    for (r, q) in r.iter().zip(&q) {
        let mut cpu = CpuLoop::new(r);
        for _ in 0..MILLER_STEPS {
            cpu.step(r, q, &naf);
        }
        assert_eq!(cpu.f, pairing::miller_loop(r, q));
    }
}

#[test]
fn state_after_each_of_the_first_steps() {
    const FIRST: usize = 12;
    let mut rng = StdRng::seed_from_u64(0x3112);
    let naf = miller_naf();
    assert!(
        naf[MILLER_STEPS - FIRST..MILLER_STEPS]
            .iter()
            .any(|&d| d != 0),
        "the first steps include an addition"
    );
    let (r, q) = pairs(&mut rng, 4);
    for path in PATHS {
        let Some(kernels) = miller(path) else { return };
        let mut cpu: Vec<CpuLoop> = r.iter().map(CpuLoop::new).collect();
        for steps in 0..=FIRST {
            let gpu = kernels.run_steps(&r, &q, steps).expect("steps");
            for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
                assert!(c.matches(g), "{path}: pair {i} after {steps} steps");
            }
            for (c, (r, q)) in cpu.iter_mut().zip(r.iter().zip(&q)) {
                c.step(r, q, &naf);
            }
        }
    }
}

#[test]
fn whole_loops_equal_pairing_miller_loop() {
    let mut rng = StdRng::seed_from_u64(0x3113);
    let (r, q) = pairs(&mut rng, 4);
    let expected: Vec<Fp2> = r
        .iter()
        .zip(&q)
        .map(|(r, q)| pairing::miller_loop(r, q))
        .collect();
    for path in PATHS {
        let Some(kernels) = miller(path) else { return };
        let got = kernels.miller_loop_batch(&r, &q).expect("miller loop");
        assert_eq!(got, expected, "{path}");
        // The pairing follows with the CPU's final exponentiation.
        assert_eq!(
            pairing::final_exponentiation(&got[1]),
            pairing::pairing(&r[1], &q[1]),
            "{path}"
        );
        // Split into submissions of three pairs, and an empty batch.
        let kernels = kernels.clone().with_max_elements_per_dispatch(3);
        assert_eq!(
            kernels.miller_loop_batch(&r, &q).expect("split"),
            expected,
            "{path} split"
        );
        assert!(kernels
            .miller_loop_batch(&[], &[])
            .expect("empty")
            .is_empty());
    }
}

#[test]
fn length_mismatch_is_an_error() {
    let Some(kernels) = miller(ArithPath::U32) else {
        return;
    };
    let g = AffinePoint::generator();
    assert_eq!(
        kernels.miller_loop_batch(&[g, g], &[g]),
        Err(backend_gpu::GpuError::LengthMismatch { left: 2, right: 1 })
    );
}
