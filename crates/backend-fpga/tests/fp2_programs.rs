//! F_p2 programs (src/fp2.rs) on the simulated card against the CPU reference's Fp2:
//! products and squares, including in place, on random and edge values.

mod common;

use backend_fpga::fp2::{emit_mul, emit_square, Fp2Reg};
use backend_fpga::program::{Insn, Program, Reg};
use backend_fpga::Limbs;
use common::*;
use num_bigint::BigUint;
use pairing::{Fp, Fp2};
use rand::SeedableRng;

fn fp(x: &BigUint) -> Fp {
    Fp::from_montgomery_limbs(&to_limbs(x)).unwrap()
}

fn limbs(x: &Fp2) -> [Limbs; 2] {
    [x.c0.to_montgomery_limbs(), x.c1.to_montgomery_limbs()]
}

const X: Fp2Reg = Fp2Reg {
    c0: Reg(0),
    c1: Reg(1),
};
const Y: Fp2Reg = Fp2Reg {
    c0: Reg(2),
    c1: Reg(3),
};
const Z: Fp2Reg = Fp2Reg {
    c0: Reg(4),
    c1: Reg(5),
};

#[test]
fn products_and_squares_equal_the_cpu() {
    let Some(mut dev) = sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let p = p();
    let mut values: Vec<Fp2> = vec![
        Fp2::ZERO,
        Fp2::ONE,
        Fp2::new(fp(&(&p - 1u32)), fp(&(&p - 1u32))),
        Fp2::new(Fp::ZERO, fp(&(&p - 1u32))),
    ];
    for _ in 0..12 {
        values.push(Fp2::new(
            fp(&random_below_p(&mut rng)),
            fp(&random_below_p(&mut rng)),
        ));
    }
    // x at elements 0, 1 and y at 2, 3; x*y to 4, 5; x^2 to 6, 7; (x*y)^2 in place to 8, 9;
    // y * y computed into y's own registers to 10, 11.
    let mut prog = Program::new();
    for (i, r) in [X.c0, X.c1, Y.c0, Y.c1].into_iter().enumerate() {
        prog.push(Insn::Load {
            rd: r,
            addr: i as u16,
        });
    }
    emit_mul(&mut prog, Z, X, Y, [Reg(10), Reg(11), Reg(12)]);
    prog.push(Insn::Store { addr: 4, ra: Z.c0 })
        .push(Insn::Store { addr: 5, ra: Z.c1 });
    let sq = Fp2Reg {
        c0: Reg(6),
        c1: Reg(7),
    };
    emit_square(&mut prog, sq, X, [Reg(10), Reg(11)]);
    prog.push(Insn::Store { addr: 6, ra: sq.c0 })
        .push(Insn::Store { addr: 7, ra: sq.c1 });
    emit_square(&mut prog, Z, Z, [Reg(10), Reg(11)]);
    prog.push(Insn::Store { addr: 8, ra: Z.c0 })
        .push(Insn::Store { addr: 9, ra: Z.c1 });
    emit_mul(&mut prog, Y, Y, Y, [Reg(10), Reg(11), Reg(12)]);
    prog.push(Insn::Store { addr: 10, ra: Y.c0 })
        .push(Insn::Store { addr: 11, ra: Y.c1 });
    let words = prog.finish();
    dev.load_program(0, &words).unwrap();

    for (i, x) in values.iter().enumerate() {
        let y = values[(i * 7 + 3) % values.len()];
        let [x0, x1] = limbs(x);
        let [y0, y1] = limbs(&y);
        dev.write_elements(0, &[x0, x1, y0, y1]).unwrap();
        dev.run(0, 100_000).unwrap();
        let got = dev.read_elements(4, 8).unwrap();
        let xy = *x * y;
        assert_eq!([got[0], got[1]], limbs(&xy), "x * y, value {i}");
        assert_eq!([got[2], got[3]], limbs(&x.square()), "x^2, value {i}");
        assert_eq!(
            [got[4], got[5]],
            limbs(&xy.square()),
            "(x y)^2 in place, value {i}"
        );
        assert_eq!([got[6], got[7]], limbs(&(y * y)), "y * y into y, value {i}");
    }
}
