//! Value barriers: masks the optimiser cannot see through.
//!
//! A mask made from a comparison is all ones or all zeros, and when LLVM can tell that,
//! it may replace `x & mask` by a branch that skips the work for a zero mask. It did:
//! `neg_mod` compiled to an `or` over the limbs and a `je` past the subtraction, and
//! safegcd's `p & mask` to `test; js`, each a branch on a secret. Passing the mask
//! through an empty `asm!` hides its value, so the arithmetic on it stays arithmetic.
//! The barrier emits no instruction: the value stays in its register.

/// `x`, with nothing known about it to the optimiser.
#[inline(always)]
pub fn opaque(x: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut x = x;
        // SAFETY: the template is a comment; the register is declared changed so that the
        // compiler forgets what it knew of x. No memory, stack or flags are touched.
        unsafe {
            core::arch::asm!(
                "/* value barrier {0} */",
                inout(reg) x,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        x
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        core::hint::black_box(x)
    }
}

/// All ones when `bit` is 1, zero when it is 0; opaque.
#[inline(always)]
pub fn mask(bit: u64) -> u64 {
    opaque(bit.wrapping_neg())
}

/// All ones when `x` is negative, zero otherwise; opaque.
#[inline(always)]
pub fn sign_mask(x: i64) -> i64 {
    opaque((x >> 63) as u64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_all_ones_or_zero() {
        assert_eq!(mask(1), u64::MAX);
        assert_eq!(mask(0), 0);
        assert_eq!(sign_mask(-5), -1);
        assert_eq!(sign_mask(i64::MIN), -1);
        assert_eq!(sign_mask(0), 0);
        assert_eq!(sign_mask(i64::MAX), 0);
        assert_eq!(opaque(0x1234_5678_9abc_def0), 0x1234_5678_9abc_def0);
    }
}
