//! One 1024-bit Montgomery product on x86-64's BMI2 and ADX instructions: `mulx` gives
//! a 128-bit product without touching the flags, and `adcx` / `adox` add along two
//! independent carry chains (CF and OF), so each row of 16 products and its additions
//! run as two interleaved chains instead of one serial `adc` chain. This is the route the
//! fastest published 1024-bit code (wolfSSL's sp_x86_64) takes for one item at a time.
//!
//! Coarsely integrated operand scanning (CIOS): for each word b[i], t += a * b[i], then
//! t = (t + u * m) / 2^64 with u = t[0] * (-m^-1) mod 2^64. The loop over i is counted in
//! assembly (16 rounds, whatever the values), the rows are unrolled, and the final
//! conditional subtraction is the portable masked one: no branch depends on a value.
//! Used when the processor has both extensions (checked once at run time, see
//! [`available`]); the portable product scan in `arith` is the fallback and the
//! reference it is tested against.

use core::arch::asm;

use crate::arith::{final_sub, Limbs, Modulus, N};
use crate::cpu_path::Switch;

/// One step of t += a * b[i] for limb offset `$off` (bytes): the product's high word
/// goes to `$hi`, the previous step's high word `$prev` is added on the OF chain.
macro_rules! mul_step {
    ($off:literal, $hi:literal, $prev:literal) => {
        concat!(
            "mulx {",
            $hi,
            "}, {lo}, qword ptr [{a} + ",
            $off,
            "]\n",
            "adcx {lo}, qword ptr [{t} + ",
            $off,
            "]\n",
            "adox {lo}, {",
            $prev,
            "}\n",
            "mov qword ptr [{t} + ",
            $off,
            "], {lo}\n",
        )
    };
}

/// One step of t = (t + u * m) / 2^64: as [`mul_step`] with m for a, the sum stored one
/// limb lower (`$dst`); the step at offset 0 stores nothing, its sum being zero.
macro_rules! red_step {
    ($off:literal, $dst:literal, $hi:literal, $prev:literal) => {
        concat!(
            "mulx {",
            $hi,
            "}, {lo}, qword ptr [{m} + ",
            $off,
            "]\n",
            "adcx {lo}, qword ptr [{t} + ",
            $off,
            "]\n",
            "adox {lo}, {",
            $prev,
            "}\n",
            "mov qword ptr [{t} + ",
            $dst,
            "], {lo}\n",
        )
    };
}

/// a * b * 2^-1024 mod M fully reduced, for a, b < M: [`mont_mul`] and the masked
/// final subtraction. Out of line, so that the machine-code audit (crates/ct-check,
/// tests/adx_branches.rs) finds every instruction of this path under one name.
///
/// # Safety
/// The processor must support BMI2 and ADX ([`available`]).
#[inline(never)]
#[target_feature(enable = "bmi2,adx")]
pub(crate) unsafe fn mont_mul_reduced<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    // SAFETY: the caller vouches for the features, which this function also enables.
    let (t, hi) = unsafe { mont_mul(a, b, &M::M, M::INV) };
    final_sub::<M>(&t, hi)
}

/// Montgomery product a * b * 2^-1024 mod m as (t, t_hi) with t + t_hi * 2^1024 < 2m,
/// for a, b < m, m odd, `inv` = -m^-1 mod 2^64.
///
/// # Safety
/// The processor must support BMI2 and ADX ([`available`]).
#[inline]
#[target_feature(enable = "bmi2,adx")]
pub(crate) unsafe fn mont_mul(a: &Limbs, b: &Limbs, m: &Limbs, inv: u64) -> (Limbs, u64) {
    // t[0..16], then t[16] and t[17]: t < 2m + m * 2^64 fits 17 words and one bit.
    let mut t = [0u64; N + 2];
    // SAFETY: every access is within a, b (read 16 words), m (16) and t (18 words); the
    // registers named are declared clobbered; no stack is used.
    unsafe {
        asm!(
            "2:",
            // t += a * b[i]
            "mov rdx, qword ptr [{b}]",
            "xor {z:e}, {z:e}",
            mul_step!(0, "h0", "z"),
            mul_step!(8, "h1", "h0"),
            mul_step!(16, "h0", "h1"),
            mul_step!(24, "h1", "h0"),
            mul_step!(32, "h0", "h1"),
            mul_step!(40, "h1", "h0"),
            mul_step!(48, "h0", "h1"),
            mul_step!(56, "h1", "h0"),
            mul_step!(64, "h0", "h1"),
            mul_step!(72, "h1", "h0"),
            mul_step!(80, "h0", "h1"),
            mul_step!(88, "h1", "h0"),
            mul_step!(96, "h0", "h1"),
            mul_step!(104, "h1", "h0"),
            mul_step!(112, "h0", "h1"),
            mul_step!(120, "h1", "h0"),
            // t[16] += both carries and the last high word; t[17] = what carries out.
            "mov {lo}, qword ptr [{t} + 128]",
            "adcx {lo}, {z}",
            "adox {lo}, {h1}",
            "mov qword ptr [{t} + 128], {lo}",
            "mov {lo}, {z}",
            "adcx {lo}, {z}",
            "adox {lo}, {z}",
            "mov qword ptr [{t} + 136], {lo}",
            // t = (t + u * m) / 2^64
            "mov rdx, qword ptr [{t}]",
            "imul rdx, {inv}",
            "xor {z:e}, {z:e}",
            "mulx {h0}, {lo}, qword ptr [{m}]",
            "adcx {lo}, qword ptr [{t}]",
            red_step!(8, 0, "h1", "h0"),
            red_step!(16, 8, "h0", "h1"),
            red_step!(24, 16, "h1", "h0"),
            red_step!(32, 24, "h0", "h1"),
            red_step!(40, 32, "h1", "h0"),
            red_step!(48, 40, "h0", "h1"),
            red_step!(56, 48, "h1", "h0"),
            red_step!(64, 56, "h0", "h1"),
            red_step!(72, 64, "h1", "h0"),
            red_step!(80, 72, "h0", "h1"),
            red_step!(88, 80, "h1", "h0"),
            red_step!(96, 88, "h0", "h1"),
            red_step!(104, 96, "h1", "h0"),
            red_step!(112, 104, "h0", "h1"),
            red_step!(120, 112, "h1", "h0"),
            "mov {lo}, qword ptr [{t} + 128]",
            "adcx {lo}, {z}",
            "adox {lo}, {h1}",
            "mov qword ptr [{t} + 120], {lo}",
            "mov {lo}, qword ptr [{t} + 136]",
            "adcx {lo}, {z}",
            "adox {lo}, {z}",
            "mov qword ptr [{t} + 128], {lo}",
            // Next word of b; the count is the only thing the jump reads.
            "add {b}, 8",
            "dec {rounds}",
            "jnz 2b",
            a = in(reg) a.as_ptr(),
            b = inout(reg) b.as_ptr() => _,
            m = in(reg) m.as_ptr(),
            t = in(reg) t.as_mut_ptr(),
            inv = in(reg) inv,
            rounds = inout(reg) N as u64 => _,
            z = out(reg) _,
            lo = out(reg) _,
            h0 = out(reg) _,
            h1 = out(reg) _,
            out("rdx") _,
            options(nostack),
        );
    }
    let mut out = [0u64; N];
    out.copy_from_slice(&t[..N]);
    (out, t[N])
}

static SWITCH: Switch = Switch::new(detect);

fn detect() -> bool {
    std::arch::is_x86_feature_detected!("bmi2") && std::arch::is_x86_feature_detected!("adx")
}

/// Whether single products run on [`mont_mul`]: the processor has BMI2 and ADX, and
/// [`set_enabled`] has not turned the path off.
#[inline]
pub fn available() -> bool {
    SWITCH.available()
}

/// Whether the processor has the extensions, whatever [`set_enabled`] said.
pub fn supported() -> bool {
    SWITCH.supported()
}

/// Turns the ADX path off (`false`) or back on for the whole process: for comparing the
/// two paths in benchmarks and tests. Both give the same results.
pub fn set_enabled(enabled: bool) {
    SWITCH.set_enabled(enabled);
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;
    use crate::arith::oracle::{big, limbs};
    use crate::arith::{mont_mul_portable, Modulus};
    use crate::fp::PMod;
    use crate::scalar::QMod;

    /// Values below m that stress the carry chains: the ends of the range, long runs of
    /// ones and zeros, single bits.
    fn edges(m: &BigUint) -> Vec<BigUint> {
        let one = BigUint::from(1u32);
        let mut v = vec![BigUint::from(0u32), one.clone(), m - 1u32, m - 2u32, m >> 1];
        for k in [63usize, 64, 65, 511, 512, 960, 1000, 1019] {
            let p = &one << k;
            if &p < m {
                v.push(&p % m);
                v.push((&p - 1u32) % m);
            }
        }
        // All ones below the top limb, and the top limb of m - 1.
        v.push(((&one << 960) - 1u32) % m);
        v
    }

    fn check<M: Modulus>(rng: &mut StdRng, random: usize) {
        let m = big(&M::M);
        let r_inv: BigUint = BigUint::from(1u32) << 1024usize;
        let r_inv = r_inv.modpow(&(&m - 2u32), &m); // m is prime
        let edges = edges(&m);
        let mut pairs: Vec<(BigUint, BigUint)> = edges
            .iter()
            .flat_map(|a| edges.iter().map(move |b| (a.clone(), b.clone())))
            .collect();
        for _ in 0..random {
            let mut a = [0u64; N];
            let mut b = [0u64; N];
            rng.fill(&mut a[..]);
            rng.fill(&mut b[..]);
            pairs.push((big(&a) % &m, big(&b) % &m));
        }
        for (a, b) in &pairs {
            let (la, lb) = (limbs(a), limbs(b));
            // SAFETY: the tests run only where `supported` says so.
            let (t, hi) = unsafe { mont_mul(&la, &lb, &M::M, M::INV) };
            // CIOS bound: t + hi * 2^1024 < 2m.
            let raw = big(&t) + (BigUint::from(hi) << 1024);
            assert!(raw < &m << 1, "unreduced result out of range");
            let expected = (a * b * &r_inv) % &m;
            assert_eq!(raw % &m, expected, "a = {a:x}, b = {b:x}");
            assert_eq!(big(&mont_mul_portable::<M>(&la, &lb)), expected);
            assert_eq!(big(&crate::arith::mont_mul::<M>(&la, &lb)), expected);
            // SAFETY: as above.
            assert_eq!(big(&unsafe { mont_mul_reduced::<M>(&la, &lb) }), expected);
            let square = (a * a * &r_inv) % &m;
            assert_eq!(big(&crate::arith::mont_square::<M>(&la)), square);
            assert_eq!(big(&crate::arith::mont_square_portable::<M>(&la)), square);
        }
    }

    #[test]
    fn products_match_num_bigint_and_the_portable_scan() {
        if !supported() {
            eprintln!("skipped: this processor lacks BMI2 or ADX");
            assert!(
                std::env::var_os("SAKKE_REQUIRE_ADX").is_none(),
                "SAKKE_REQUIRE_ADX is set but the processor lacks BMI2/ADX"
            );
            return;
        }
        let mut rng = StdRng::seed_from_u64(0xad8);
        check::<PMod>(&mut rng, 4000);
        check::<QMod>(&mut rng, 1000);
    }
}
