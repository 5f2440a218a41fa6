//! F_p2 = F_p[i], i^2 = -1, as instruction sequences over pairs of registers: the
//! building blocks of the Miller-loop and g^k programs. Every result is fully reduced,
//! so it is bit-identical to the CPU reference's (crates/pairing/src/fp2.rs).

use crate::program::{Insn, Program, Reg};

/// c0 + i * c1 held in two registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fp2Reg {
    pub c0: Reg,
    pub c1: Reg,
}

/// out = x * y by Karatsuba: 3 MUL, 5 ADD/SUB. `tmp` must not overlap x, y or out; out
/// may equal x or y.
pub fn emit_mul(p: &mut Program, out: Fp2Reg, x: Fp2Reg, y: Fp2Reg, tmp: [Reg; 3]) {
    let [t0, t1, t2] = tmp;
    p.push(Insn::Mul {
        rd: t0,
        ra: x.c0,
        rb: y.c0,
    })
    .push(Insn::Mul {
        rd: t1,
        ra: x.c1,
        rb: y.c1,
    })
    .push(Insn::Add {
        rd: t2,
        ra: x.c0,
        rb: x.c1,
    })
    .push(Insn::Add {
        rd: out.c1,
        ra: y.c0,
        rb: y.c1,
    })
    .push(Insn::Mul {
        rd: t2,
        ra: t2,
        rb: out.c1,
    })
    .push(Insn::Sub {
        rd: out.c0,
        ra: t0,
        rb: t1,
    })
    .push(Insn::Sub {
        rd: t2,
        ra: t2,
        rb: t0,
    })
    .push(Insn::Sub {
        rd: out.c1,
        ra: t2,
        rb: t1,
    });
}

/// out = x^2 = (c0 + c1)(c0 - c1) + i * 2 c0 c1: 2 MUL, 3 ADD/SUB. `tmp` must not
/// overlap x or out; out may equal x.
pub fn emit_square(p: &mut Program, out: Fp2Reg, x: Fp2Reg, tmp: [Reg; 2]) {
    let [t0, t1] = tmp;
    p.push(Insn::Add {
        rd: t0,
        ra: x.c0,
        rb: x.c1,
    })
    .push(Insn::Sub {
        rd: t1,
        ra: x.c0,
        rb: x.c1,
    })
    .push(Insn::Mul {
        rd: out.c1,
        ra: x.c0,
        rb: x.c1,
    })
    .push(Insn::Add {
        rd: out.c1,
        ra: out.c1,
        rb: out.c1,
    })
    .push(Insn::Mul {
        rd: out.c0,
        ra: t0,
        rb: t1,
    });
}
