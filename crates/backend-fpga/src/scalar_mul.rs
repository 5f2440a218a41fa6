//! [k]B on the card for a secret k (TEST's [r]([b]P + Z), encapsulation's [r]...): a
//! Montgomery ladder in Jacobian coordinates, one program per k.
//!
//! The ladder keeps R0 in one bank of registers and R1 = R0 + B in another. Every bit
//! computes R0 + R1 (add-2007-bl) and doubles one of the two (dbl-2001-b, a = -3): which
//! one is doubled and which bank receives the sum are register indices the program
//! compiler picks from the bit, so every k gives the same instructions with other operands
//! and the same cycle count. Like `gt_pow`'s, the program text is as secret as k.
//!
//! k is first replaced by k' = k + q or k + 2q, whichever has bit 1022 set (selected
//! without a branch): the ladder starts at R0 = B, R1 = 2B and runs over bits 1021..0 of
//! k', a fixed count. The addition formula fails only where R0 = -R1, i.e. for a prefix of
//! k' congruent to (q - 1) / 2, and the doubling where R0 or R1 is the identity: for a k
//! chosen at random the chance is about 2^-1000, and a wrong TEST value fails the
//! decapsulation, never yields a wrong key.

use pairing::{AffinePoint, Fp, JacobianPoint, Scalar};

use crate::device::{Device, Limbs};
use crate::error::FpgaError;
use crate::program::{add, cycle_budget, mul, sub, Insn, Program, Reg};
use subtle::Choice;
use zeroize::Zeroizing;

/// Bits the ladder runs over, below k's fixed top bit 1022.
pub const LADDER_BITS: usize = 1022;

#[derive(Clone, Copy)]
struct Bank {
    x: Reg,
    y: Reg,
    z: Reg,
}

const R0: Bank = Bank {
    x: Reg(0),
    y: Reg(1),
    z: Reg(2),
};
const R1: Bank = Bank {
    x: Reg(3),
    y: Reg(4),
    z: Reg(5),
};
const SUM: Bank = Bank {
    x: Reg(6),
    y: Reg(7),
    z: Reg(8),
};
const DBL: Bank = Bank {
    x: Reg(28),
    y: Reg(29),
    z: Reg(30),
};
const Z1Z1: Reg = Reg(9);
const Z2Z2: Reg = Reg(10);
const U1: Reg = Reg(11);
const U2: Reg = Reg(12);
const S1: Reg = Reg(13);
const S2: Reg = Reg(14);
const H: Reg = Reg(15);
const I: Reg = Reg(16);
const J: Reg = Reg(17);
const RR: Reg = Reg(18);
const V: Reg = Reg(19);
const T1: Reg = Reg(20);
const T2: Reg = Reg(21);
const D: Reg = Reg(22);
const G: Reg = Reg(23);
const BE: Reg = Reg(24);
const S: Reg = Reg(25);
const AL: Reg = Reg(26);
const B4: Reg = Reg(27);

/// Data memory: R0 = B and R1 = 2B (Jacobian) at 0..6; [k]B (Jacobian) to 6..9.
const AT_START: u16 = 0;
const AT_RESULT: u16 = 6;

/// SUM <- a + b, add-2007-bl as `JacobianPoint::add_core` (11M + 5S).
fn emit_add(p: &mut Program, a: Bank, b: Bank) {
    mul(p, Z1Z1, a.z, a.z);
    mul(p, Z2Z2, b.z, b.z);
    mul(p, U1, a.x, Z2Z2);
    mul(p, U2, b.x, Z1Z1);
    mul(p, T1, a.y, b.z);
    mul(p, S1, T1, Z2Z2);
    mul(p, T1, b.y, a.z);
    mul(p, S2, T1, Z1Z1);
    sub(p, H, U2, U1);
    add(p, T1, H, H);
    mul(p, I, T1, T1);
    mul(p, J, H, I);
    sub(p, RR, S2, S1);
    add(p, RR, RR, RR);
    mul(p, V, U1, I);
    mul(p, SUM.x, RR, RR);
    sub(p, SUM.x, SUM.x, J);
    add(p, T1, V, V);
    sub(p, SUM.x, SUM.x, T1);
    sub(p, T1, V, SUM.x);
    mul(p, SUM.y, RR, T1);
    mul(p, T2, S1, J);
    add(p, T2, T2, T2);
    sub(p, SUM.y, SUM.y, T2);
    add(p, T1, a.z, b.z);
    mul(p, T1, T1, T1);
    sub(p, T1, T1, Z1Z1);
    sub(p, T1, T1, Z2Z2);
    mul(p, SUM.z, T1, H);
}

/// DBL <- 2t, dbl-2001-b as `miller::double_with_line` without its line (3M + 5S).
fn emit_double(p: &mut Program, t: Bank) {
    mul(p, D, t.z, t.z);
    mul(p, G, t.y, t.y);
    mul(p, BE, t.x, G);
    sub(p, T1, t.x, D);
    add(p, T2, t.x, D);
    mul(p, S, T1, T2);
    add(p, AL, S, S);
    add(p, AL, AL, S);
    add(p, B4, BE, BE);
    add(p, B4, B4, B4);
    mul(p, DBL.x, AL, AL);
    add(p, T1, B4, B4);
    sub(p, DBL.x, DBL.x, T1);
    add(p, T1, t.y, t.z);
    mul(p, DBL.z, T1, T1);
    sub(p, DBL.z, DBL.z, G);
    sub(p, DBL.z, DBL.z, D);
    sub(p, T1, B4, DBL.x);
    mul(p, DBL.y, AL, T1);
    mul(p, T2, G, G);
    add(p, T2, T2, T2);
    add(p, T2, T2, T2);
    add(p, T2, T2, T2);
    sub(p, DBL.y, DBL.y, T2);
}

fn emit_move(p: &mut Program, to: Bank, from: Bank) {
    p.push(Insn::Mov {
        rd: to.x,
        ra: from.x,
    })
    .push(Insn::Mov {
        rd: to.y,
        ra: from.y,
    })
    .push(Insn::Mov {
        rd: to.z,
        ra: from.z,
    });
}

/// k + q or k + 2q, whichever has bit 1022 set, as 17 little-endian limbs, chosen with a
/// mask rather than a branch (k is secret).
fn ladder_scalar(k: &Scalar) -> [u64; 17] {
    let limbs = |bytes: &[u8; 128]| {
        let mut out = [0u64; 17];
        for (i, chunk) in bytes.rchunks(8).enumerate() {
            out[i] = u64::from_be_bytes(chunk.try_into().unwrap());
        }
        out
    };
    let (kl, ql) = (limbs(&k.to_be_bytes()), limbs(&pairing::constants::q()));
    let add = |a: &[u64; 17], b: &[u64; 17]| {
        let mut out = [0u64; 17];
        let mut carry = 0u64;
        for i in 0..17 {
            let (s1, c1) = a[i].overflowing_add(b[i]);
            let (s2, c2) = s1.overflowing_add(carry);
            out[i] = s2;
            carry = u64::from(c1) + u64::from(c2);
        }
        out
    };
    let once = add(&kl, &ql);
    let twice = add(&once, &ql);
    let mask = 0u64.wrapping_sub((once[15] >> 62) & 1); // bit 1022 = limb 15, bit 62
    let mut out = [0u64; 17];
    for i in 0..17 {
        out[i] = (once[i] & mask) | (twice[i] & !mask);
    }
    out
}

impl Bank {
    /// `a` where `choice` is set, else `b`, register by register without a branch.
    fn select(choice: Choice, a: Bank, b: Bank) -> Bank {
        Bank {
            x: Reg::select(choice, a.x, b.x),
            y: Reg::select(choice, a.y, b.y),
            z: Reg::select(choice, a.z, b.z),
        }
    }
}

/// The program for k (as secret as k: wiped on drop).
pub fn scalar_mul_program(k: &Scalar) -> Zeroizing<Vec<u32>> {
    let kk = Zeroizing::new(ladder_scalar(k));
    let bit = |i: usize| Choice::from(((kk[i / 64] >> (i % 64)) & 1) as u8);
    let mut p = Program::new();
    for (i, r) in [R0.x, R0.y, R0.z, R1.x, R1.y, R1.z].into_iter().enumerate() {
        p.push(Insn::Load {
            rd: r,
            addr: AT_START + i as u16,
        });
    }
    for i in (0..LADDER_BITS).rev() {
        let (doubled, summed) = (Bank::select(bit(i), R1, R0), Bank::select(bit(i), R0, R1));
        emit_add(&mut p, R0, R1);
        emit_double(&mut p, doubled);
        emit_move(&mut p, doubled, DBL);
        emit_move(&mut p, summed, SUM);
    }
    for (i, r) in [R0.x, R0.y, R0.z].into_iter().enumerate() {
        p.push(Insn::Store {
            addr: AT_RESULT + i as u16,
            ra: r,
        });
    }
    p.finish()
}

/// [k]B for B of order q (not the identity), with the card's cycle count. An unreduced
/// element from the card is an error, never a value.
pub fn scalar_mul(
    device: &mut Device,
    base: &AffinePoint,
    k: &Scalar,
) -> Result<(AffinePoint, u64), FpgaError> {
    let b = JacobianPoint::from(*base);
    let (x0, y0, z0) = b.coordinates();
    let (x1, y1, z1) = b.double().coordinates();
    let start: Vec<Limbs> = [x0, y0, z0, x1, y1, z1]
        .iter()
        .map(Fp::to_montgomery_limbs)
        .collect();
    device.write_elements(AT_START, &start)?;
    let program = scalar_mul_program(k);
    device.load_program(0, &program)?;
    let ran = device.run(0, cycle_budget(&program, device.config().word_bits));
    device.wipe_program(program.len())?;
    let report = ran?;
    let out = device.read_fps(AT_RESULT, 3)?;
    let point = JacobianPoint::from_coordinates(out[0], out[1], out[2]);
    Ok((point.to_affine(), report.cycles))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_scalar_has_bit_1022_set_and_nothing_above() {
        let mut q = pairing::constants::q();
        q[127] -= 1;
        let q_minus_1 = Option::<Scalar>::from(Scalar::from_be_bytes(&q).unwrap()).unwrap();
        for k in [Scalar::from_u64(0), Scalar::from_u64(1), q_minus_1] {
            let kk = ladder_scalar(&k);
            assert_eq!(kk[16], 0);
            assert_eq!(kk[15] >> 62, 1, "bit 1022 set, bit 1023 clear");
        }
    }
}
