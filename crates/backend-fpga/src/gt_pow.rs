//! g^k on the card: (1 + i g)^k in F_p2 by square-and-multiply over all 1022 bits of k,
//! normalised to PF_p on the host (one F_p inversion, as the CPU's `PfValue::from_fp2`).
//!
//! Every bit costs one F_p2 square and one F_p2 multiply, by g when the bit is set and by
//! 1 otherwise: the multiply's second operand is the only thing a bit changes, a register
//! index, so the instruction count and the cycle count are the same for every k. The
//! program text does depend on k: it is as secret as k and is written to the card like k.

use pairing::{Fp2, PfValue, Scalar};

use crate::device::{Device, Limbs};
use crate::error::FpgaError;
use crate::fp2::{emit_mul, emit_square, Fp2Reg};
use crate::program::{cycle_budget, Insn, Program, Reg};
use subtle::Choice;
use zeroize::Zeroizing;

/// Bits of a scalar mod q (q is a 1022-bit prime).
pub const SCALAR_BITS: usize = 1022;

const G: Fp2Reg = Fp2Reg {
    c0: Reg(0),
    c1: Reg(1),
};
const ONE: Fp2Reg = Fp2Reg {
    c0: Reg(2),
    c1: Reg(3),
};
const ACC: Fp2Reg = Fp2Reg {
    c0: Reg(4),
    c1: Reg(5),
};
const TMP: [Reg; 3] = [Reg(6), Reg(7), Reg(8)];

/// Data memory layout: g's F_p2 form at 0, 1; one at 2, 3; the result to 4, 5.
const AT_G: u16 = 0;
const AT_ONE: u16 = 2;
const AT_RESULT: u16 = 4;

/// The program for k, bits most significant first (as secret as k: wiped on drop).
pub fn gt_pow_program(k: &Scalar) -> Zeroizing<Vec<u32>> {
    let bytes = Zeroizing::new(k.to_be_bytes());
    let bit = |i: usize| Choice::from((bytes[127 - i / 8] >> (i % 8)) & 1);
    let mut p = Program::new();
    for (r, addr) in [
        (G.c0, AT_G),
        (G.c1, AT_G + 1),
        (ONE.c0, AT_ONE),
        (ONE.c1, AT_ONE + 1),
    ] {
        p.push(Insn::Load { rd: r, addr });
    }
    p.push(Insn::Mov {
        rd: ACC.c0,
        ra: ONE.c0,
    })
    .push(Insn::Mov {
        rd: ACC.c1,
        ra: ONE.c1,
    });
    for i in (0..SCALAR_BITS).rev() {
        emit_square(&mut p, ACC, ACC, [TMP[0], TMP[1]]);
        let factor = Fp2Reg {
            c0: Reg::select(bit(i), G.c0, ONE.c0),
            c1: Reg::select(bit(i), G.c1, ONE.c1),
        };
        emit_mul(&mut p, ACC, ACC, factor, TMP);
    }
    p.push(Insn::Store {
        addr: AT_RESULT,
        ra: ACC.c0,
    })
    .push(Insn::Store {
        addr: AT_RESULT + 1,
        ra: ACC.c1,
    });
    p.finish()
}

/// g^k, with g = <P, P> of RFC 6509. A result the card returns unreduced (>= p) is an
/// error, never a value.
pub fn gt_pow(device: &mut Device, k: &Scalar) -> Result<(PfValue, u64), FpgaError> {
    let g = PfValue::generator().to_fp2();
    let elements: [Limbs; 4] = [
        g.c0.to_montgomery_limbs(),
        g.c1.to_montgomery_limbs(),
        Fp2::ONE.c0.to_montgomery_limbs(),
        Fp2::ONE.c1.to_montgomery_limbs(),
    ];
    device.write_elements(AT_G, &elements)?;
    let program = gt_pow_program(k);
    device.load_program(0, &program)?;
    let ran = device.run(0, cycle_budget(&program, device.config().word_bits));
    device.wipe_program(program.len())?;
    let report = ran?;
    let out = device.read_fps(AT_RESULT, 2)?;
    let t = Fp2::new(out[0], out[1]);
    Ok((PfValue::from_fp2(&t), report.cycles))
}
