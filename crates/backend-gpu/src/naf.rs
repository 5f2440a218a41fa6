//! The digits the Miller loop walks: the non-adjacent form of q - 1, derived here from
//! `pairing::constants::q()` so that the device's loop follows the same public schedule
//! as the CPU's (the tests compare whole loops with `pairing::miller_loop`).

/// Digits in the NAF of q - 1 (q has 1022 bits, and so does its NAF).
pub const MILLER_DIGITS: usize = 1022;

/// Steps of the Miller loop: one per digit below the top one.
pub const MILLER_STEPS: usize = MILLER_DIGITS - 1;

/// The NAF of q - 1: digits in {-1, 0, 1}, least significant first, no two adjacent
/// non-zero.
pub fn miller_naf() -> Vec<i32> {
    let be = pairing::constants::q();
    // Little-endian u64 limbs of q - 1 (q is odd: no borrow past the lowest limb).
    let mut k: Vec<u64> = be
        .rchunks(8)
        .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
        .collect();
    k[0] -= 1;
    let mut digits = Vec::with_capacity(MILLER_DIGITS);
    while k.iter().any(|&l| l != 0) {
        let digit = if k[0] & 1 == 0 {
            0
        } else if k[0] & 3 == 1 {
            // k = 1 mod 4: digit 1 leaves k - 1 divisible by 4.
            k[0] -= 1;
            1
        } else {
            // k = 3 mod 4: digit -1 leaves k + 1 divisible by 4.
            add_one(&mut k);
            -1
        };
        digits.push(digit);
        shr1(&mut k);
    }
    assert_eq!(digits.len(), MILLER_DIGITS, "NAF length of q - 1");
    digits
}

fn add_one(k: &mut [u64]) {
    for limb in k {
        let (sum, carry) = limb.overflowing_add(1);
        *limb = sum;
        if !carry {
            return;
        }
    }
}

fn shr1(k: &mut [u64]) {
    for i in 0..k.len() {
        let high = k.get(i + 1).map_or(0, |next| next << 63);
        k[i] = (k[i] >> 1) | high;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naf_is_non_adjacent_and_sums_to_q_minus_1() {
        let digits = miller_naf();
        assert!(digits.windows(2).all(|w| w[0] == 0 || w[1] == 0));
        assert_eq!(*digits.last().expect("digits"), 1, "top digit");
        // Horner from the top, in u64 limbs: sum d_i 2^i = q - 1.
        let mut acc = vec![0i128; 17];
        for d in digits.iter().rev() {
            let mut carry = 0i128;
            for limb in acc.iter_mut() {
                let v = (*limb << 1) + carry;
                *limb = v & 0xffff_ffff_ffff_ffff;
                carry = v >> 64;
            }
            acc[0] += i128::from(*d);
            // Normalise a borrow from adding -1.
            let mut i = 0;
            while acc[i] < 0 {
                acc[i] += 1 << 64;
                acc[i + 1] -= 1;
                i += 1;
            }
        }
        let q = pairing::constants::q();
        let mut expected: Vec<i128> = q
            .rchunks(8)
            .map(|c| i128::from(u64::from_be_bytes(c.try_into().expect("8"))))
            .collect();
        expected.push(0);
        expected[0] -= 1;
        assert_eq!(acc, expected);
        // 353 non-zero digits (the CPU's figure for the same NAF).
        assert_eq!(digits.iter().filter(|&&d| d != 0).count(), 353);
    }
}
