//! The Miller loop against a per-RSK line table, as one card program: f_K([i]R) up to an
//! F_p factor, bit-identical to the CPU's `LineTable::miller_loop`.
//!
//! The host uploads the table's normalised lines (a, b) in loop order (they depend only on
//! the RSK K) and the point R; per doubling step the card evaluates u = a x_R + b, squares
//! f and multiplies it by u + i y_R; where the NAF digit of q - 1 is non-zero it also
//! evaluates the addition line v and multiplies by (u v - y_R^2) + i y_R (u + v), as the
//! CPU does. The program's shape comes from q alone: it is the same for every K and R.

use pairing::{AffinePoint, Fp, Fp2, LineTable};

use crate::device::{Device, Limbs};
use crate::error::FpgaError;
use crate::fp2::{emit_mul, emit_square, Fp2Reg};
use crate::program::{Insn, Program, Reg};

/// Digits of the NAF of q - 1 the loop runs over (crates/pairing/src/params.rs).
pub const MILLER_DIGITS: usize = 1022;

const QX: Reg = Reg(0);
const QY: Reg = Reg(1);
const YY: Reg = Reg(2);
const F: Fp2Reg = Fp2Reg {
    c0: Reg(3),
    c1: Reg(4),
};
const U: Reg = Reg(5);
const V: Reg = Reg(6);
const A: Reg = Reg(7);
const B: Reg = Reg(8);
const BOTH: Fp2Reg = Fp2Reg {
    c0: Reg(9),
    c1: Reg(10),
};
const TMP: [Reg; 3] = [Reg(11), Reg(12), Reg(13)];

/// Data memory: x_R, y_R, then one and zero (f's start) at 0..4; f to 4, 5; line j's
/// (a, b) at 8 + 2j.
const AT_POINT: u16 = 0;
const AT_ONE: u16 = 2;
const AT_RESULT: u16 = 4;
const AT_LINES: u16 = 8;

/// The non-adjacent form of q - 1, least significant digit first, MILLER_DIGITS long.
pub fn miller_naf() -> Vec<i8> {
    let q = pairing::constants::q();
    let mut n = [0u64; 17];
    for (i, chunk) in q.rchunks(8).enumerate() {
        n[i] = u64::from_be_bytes(chunk.try_into().unwrap());
    }
    n[0] -= 1; // q is odd
    let mut digits = Vec::with_capacity(MILLER_DIGITS);
    while n.iter().any(|&l| l != 0) {
        let d: i8 = match n[0] & 3 {
            1 => 1,
            3 => -1,
            _ => 0,
        };
        if d == 1 {
            n[0] -= 1;
        } else if d == -1 {
            // n += 1, with the carry.
            for l in n.iter_mut() {
                let (s, c) = l.overflowing_add(1);
                *l = s;
                if !c {
                    break;
                }
            }
        }
        digits.push(d);
        for i in 0..n.len() {
            n[i] = n[i] >> 1 | n.get(i + 1).map_or(0, |h| h << 63);
        }
    }
    assert!(
        digits.len() <= MILLER_DIGITS,
        "NAF of q - 1 longer than the loop"
    );
    digits.resize(MILLER_DIGITS, 0);
    digits
}

/// Lines a table holds: one per doubling step, one more per non-zero digit.
pub fn line_count() -> usize {
    let naf = miller_naf();
    (MILLER_DIGITS - 1) + naf[..MILLER_DIGITS - 1].iter().filter(|d| **d != 0).count()
}

/// The program (the same for every table and point).
pub fn miller_table_program() -> Vec<u32> {
    let naf = miller_naf();
    let mut p = Program::new();
    p.push(Insn::Load {
        rd: QX,
        addr: AT_POINT,
    })
    .push(Insn::Load {
        rd: QY,
        addr: AT_POINT + 1,
    })
    .push(Insn::Mul {
        rd: YY,
        ra: QY,
        rb: QY,
    })
    .push(Insn::Load {
        rd: F.c0,
        addr: AT_ONE,
    })
    .push(Insn::Load {
        rd: F.c1,
        addr: AT_ONE + 1,
    });
    let mut line = AT_LINES;
    let mut eval = |p: &mut Program, out: Reg| {
        p.push(Insn::Load { rd: A, addr: line })
            .push(Insn::Load {
                rd: B,
                addr: line + 1,
            })
            .push(Insn::Mul {
                rd: out,
                ra: A,
                rb: QX,
            })
            .push(Insn::Add {
                rd: out,
                ra: out,
                rb: B,
            });
        line += 2;
    };
    for i in (0..MILLER_DIGITS - 1).rev() {
        eval(&mut p, U);
        emit_square(&mut p, F, F, [TMP[0], TMP[1]]);
        if naf[i] == 0 {
            emit_mul(&mut p, F, F, Fp2Reg { c0: U, c1: QY }, TMP);
        } else {
            eval(&mut p, V);
            p.push(Insn::Mul {
                rd: BOTH.c0,
                ra: U,
                rb: V,
            })
            .push(Insn::Sub {
                rd: BOTH.c0,
                ra: BOTH.c0,
                rb: YY,
            })
            .push(Insn::Add {
                rd: BOTH.c1,
                ra: U,
                rb: V,
            })
            .push(Insn::Mul {
                rd: BOTH.c1,
                ra: BOTH.c1,
                rb: QY,
            });
            emit_mul(&mut p, F, F, BOTH, TMP);
        }
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

/// Writes a table's lines into data memory (once per RSK; then any number of points).
pub fn load_line_table(device: &mut Device, table: &LineTable) -> Result<(), FpgaError> {
    let lines: Vec<Limbs> = table
        .lines()
        .flat_map(|(a, b)| [a.to_montgomery_limbs(), b.to_montgomery_limbs()])
        .collect();
    if lines.len() != 2 * line_count() {
        return Err(FpgaError::Capacity(format!(
            "a line table of {} lines, the program expects {}",
            lines.len() / 2,
            line_count()
        )));
    }
    device.write_elements(AT_LINES, &lines)
}

/// Loads [`miller_table_program`] at program address 0; returns its cycle limit.
pub fn load_miller_table_program(device: &mut Device) -> Result<u64, FpgaError> {
    device.load_program_at_zero(&miller_table_program())
}

/// f_K([i]R) up to an F_p factor, against the table loaded by [`load_line_table`] and the
/// program by [`load_miller_table_program`] (whose cycle limit `budget` is). Returns f and
/// the card's cycle count. An unreduced element from the card is an error, never a value.
pub fn miller_loop_tabled(
    device: &mut Device,
    r: &AffinePoint,
    budget: u64,
) -> Result<(Fp2, u64), FpgaError> {
    let elements = [
        r.x().to_montgomery_limbs(),
        r.y().to_montgomery_limbs(),
        Fp::ONE.to_montgomery_limbs(),
        Fp::ZERO.to_montgomery_limbs(),
    ];
    device.write_elements(AT_POINT, &elements)?;
    let report = device.run(0, budget)?;
    let out = device.read_fps(AT_RESULT, 2)?;
    Ok((Fp2::new(out[0], out[1]), report.cycles))
}
