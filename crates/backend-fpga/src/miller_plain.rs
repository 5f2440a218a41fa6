//! The plain Miller loop as one card program: f_R([i]Q) up to an F_p factor, with the
//! running point in Jacobian coordinates and its lines computed on the card, step for step
//! the CPU's `pairing::miller_loop` (dbl-2001-b doubling and madd-2007-bl addition with
//! their lines, crates/pairing/src/miller.rs), so f is bit-identical to it. The program's
//! shape comes from the NAF of q - 1 alone: the same for every R and Q.

use pairing::{AffinePoint, Fp, Fp2};

use crate::device::{Device, Limbs};
use crate::error::FpgaError;
use crate::fp2::{emit_mul, emit_square, Fp2Reg};
use crate::miller_table::{miller_naf, MILLER_DIGITS};
use crate::program::{add, mul, sub, Insn, Program, Reg};

const QX: Reg = Reg(0);
const QY: Reg = Reg(1);
const RX: Reg = Reg(2);
const RY: Reg = Reg(3);
const NRY: Reg = Reg(4); // -ry
const QXR: Reg = Reg(5); // qx + rx
const TX: Reg = Reg(6);
const TY: Reg = Reg(7);
const TZ: Reg = Reg(8);
const F: Fp2Reg = Fp2Reg {
    c0: Reg(9),
    c1: Reg(10),
};
const L: Fp2Reg = Fp2Reg {
    c0: Reg(11),
    c1: Reg(12),
};
const X3: Reg = Reg(13);
const Y3: Reg = Reg(14);
const Z3: Reg = Reg(15);
// Step temporaries, named for the doubling; the addition reuses them.
const D: Reg = Reg(16); // delta = Z^2           | z1z1
const G: Reg = Reg(17); // gamma = Y^2           | u2
const BE: Reg = Reg(18); // beta = X gamma       | s2
const S: Reg = Reg(19); // s = (X - d)(X + d)    | h
const AL: Reg = Reg(20); // alpha = 3 s          | hh
const B4: Reg = Reg(21); // 4 beta               | i
const J: Reg = Reg(22);
const RR: Reg = Reg(23);
const V: Reg = Reg(24);
const T1: Reg = Reg(25);
const T2: Reg = Reg(26);
const TMP: [Reg; 3] = [Reg(27), Reg(28), Reg(29)];

/// Data memory: Q = (qx, qy), R = (rx, ry), one, zero at 0..6; f to 6, 7.
const AT_Q: u16 = 0;
const AT_R: u16 = 2;
const AT_ONE: u16 = 4;
const AT_RESULT: u16 = 6;

/// T <- 2T and L <- its tangent line at [i]Q (miller.rs `double_with_line`, `eval`).
fn emit_double(p: &mut Program) {
    mul(p, D, TZ, TZ);
    mul(p, G, TY, TY);
    mul(p, BE, TX, G);
    sub(p, T1, TX, D);
    add(p, T2, TX, D);
    mul(p, S, T1, T2);
    add(p, AL, S, S);
    add(p, AL, AL, S);
    add(p, B4, BE, BE);
    add(p, B4, B4, B4);
    mul(p, X3, AL, AL);
    add(p, T1, B4, B4);
    sub(p, X3, X3, T1);
    add(p, T1, TY, TZ);
    mul(p, Z3, T1, T1);
    sub(p, Z3, Z3, G);
    sub(p, Z3, Z3, D);
    sub(p, T1, B4, X3);
    mul(p, Y3, AL, T1);
    mul(p, T2, G, G);
    add(p, T2, T2, T2);
    add(p, T2, T2, T2);
    add(p, T2, T2, T2);
    sub(p, Y3, Y3, T2);
    // The line, from the point before doubling: alpha (delta qx + X) - 2 gamma
    // + i (Z3 delta) qy.
    mul(p, T1, D, QX);
    add(p, T1, T1, TX);
    mul(p, L.c0, AL, T1);
    add(p, T2, G, G);
    sub(p, L.c0, L.c0, T2);
    mul(p, T1, Z3, D);
    mul(p, L.c1, T1, QY);
}

/// T <- T + (rx, ry) and L <- the chord at [i]Q (miller.rs `add_with_line`, `eval`).
fn emit_add(p: &mut Program, ry: Reg) {
    let (z1z1, u2, s2, h, hh, i) = (D, G, BE, S, AL, B4);
    mul(p, z1z1, TZ, TZ);
    mul(p, u2, RX, z1z1);
    mul(p, T1, TZ, z1z1);
    mul(p, s2, ry, T1);
    sub(p, h, u2, TX);
    mul(p, hh, h, h);
    add(p, i, hh, hh);
    add(p, i, i, i);
    mul(p, J, h, i);
    sub(p, RR, s2, TY);
    add(p, RR, RR, RR);
    mul(p, V, TX, i);
    mul(p, X3, RR, RR);
    sub(p, X3, X3, J);
    add(p, T1, V, V);
    sub(p, X3, X3, T1);
    sub(p, T1, V, X3);
    mul(p, Y3, RR, T1);
    mul(p, T2, TY, J);
    add(p, T2, T2, T2);
    sub(p, Y3, Y3, T2);
    add(p, T1, TZ, h);
    mul(p, Z3, T1, T1);
    sub(p, Z3, Z3, z1z1);
    sub(p, Z3, Z3, hh);
    // rr (qx + rx) - ry Z3  +  i Z3 qy
    mul(p, L.c0, RR, QXR);
    mul(p, T1, ry, Z3);
    sub(p, L.c0, L.c0, T1);
    mul(p, L.c1, Z3, QY);
}

fn emit_take_next(p: &mut Program) {
    p.push(Insn::Mov { rd: TX, ra: X3 })
        .push(Insn::Mov { rd: TY, ra: Y3 })
        .push(Insn::Mov { rd: TZ, ra: Z3 });
}

/// The program (the same for every pair of points).
pub fn miller_plain_program() -> Vec<u32> {
    let naf = miller_naf();
    let mut p = Program::new();
    for (rd, addr) in [
        (QX, AT_Q),
        (QY, AT_Q + 1),
        (RX, AT_R),
        (RY, AT_R + 1),
        (TZ, AT_ONE),
        (F.c0, AT_ONE),
        (F.c1, AT_ONE + 1),
        (T1, AT_ONE + 1),
    ] {
        p.push(Insn::Load { rd, addr });
    }
    sub(&mut p, NRY, T1, RY);
    add(&mut p, QXR, QX, RX);
    p.push(Insn::Mov { rd: TX, ra: RX })
        .push(Insn::Mov { rd: TY, ra: RY });
    for i in (0..MILLER_DIGITS - 1).rev() {
        emit_double(&mut p);
        emit_take_next(&mut p);
        emit_square(&mut p, F, F, [TMP[0], TMP[1]]);
        emit_mul(&mut p, F, F, L, TMP);
        let ry = match naf[i] {
            1 => RY,
            -1 => NRY,
            _ => continue,
        };
        emit_add(&mut p, ry);
        emit_take_next(&mut p);
        emit_mul(&mut p, F, F, L, TMP);
    }
    p.push(Insn::Store {
        addr: AT_RESULT,
        ra: F.c0,
    })
    .push(Insn::Store {
        addr: AT_RESULT + 1,
        ra: F.c1,
    });
    p.finish().to_vec() // public: the same for every input
}

/// Loads [`miller_plain_program`] at program address 0; returns its cycle limit.
pub fn load_miller_plain_program(device: &mut Device) -> Result<u64, FpgaError> {
    device.load_program_at_zero(&miller_plain_program())
}

/// f_R([i]Q) up to an F_p factor, the program loaded by [`load_miller_plain_program`]
/// (whose cycle limit `budget` is). Returns f and the card's cycle count. An unreduced
/// element from the card is an error, never a value.
pub fn miller_loop_plain(
    device: &mut Device,
    r: &AffinePoint,
    q: &AffinePoint,
    budget: u64,
) -> Result<(Fp2, u64), FpgaError> {
    let elements: [Limbs; 6] = [
        q.x().to_montgomery_limbs(),
        q.y().to_montgomery_limbs(),
        r.x().to_montgomery_limbs(),
        r.y().to_montgomery_limbs(),
        Fp::ONE.to_montgomery_limbs(),
        Fp::ZERO.to_montgomery_limbs(),
    ];
    device.write_elements(AT_Q, &elements)?;
    let report = device.run(0, budget)?;
    let out = device.read_fps(AT_RESULT, 2)?;
    Ok((Fp2::new(out[0], out[1]), report.cycles))
}
