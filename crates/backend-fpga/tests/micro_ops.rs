//! Each micro-op on the simulated card against num-bigint: LOAD, STORE, MOV, MUL, ADD and
//! SUB, on edge operands (wrap-around at p, zero, equal operands) and random ones.

mod common;

use backend_fpga::program::{Insn, Program, Reg};
use backend_fpga::Device;
use common::*;
use num_bigint::BigUint;
use rand::SeedableRng;

const R0: Reg = Reg(0);
const R1: Reg = Reg(1);

/// Runs `op` (over r0 = a, r1 = b into r2, stored at element 2) and returns element 2.
fn binary(dev: &mut Device, op: Insn, a: &BigUint, b: &BigUint) -> BigUint {
    dev.write_elements(0, &[to_limbs(a), to_limbs(b), [0; 16]])
        .unwrap();
    let mut p = Program::new();
    p.push(Insn::Load { rd: R0, addr: 0 })
        .push(Insn::Load { rd: R1, addr: 1 })
        .push(op)
        .push(Insn::Store {
            addr: 2,
            ra: Reg(2),
        });
    dev.load_program(0, &p.finish()).unwrap();
    dev.run(0, 10_000).unwrap();
    to_big(&dev.read_elements(2, 1).unwrap()[0])
}

fn operands() -> Vec<(BigUint, BigUint)> {
    let p = p();
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut v = vec![
        (BigUint::ZERO, BigUint::ZERO),
        (&p - 1u32, BigUint::from(1u32)),
        (BigUint::from(1u32), &p - 1u32),
        (&p - 1u32, &p - 1u32),
        (BigUint::ZERO, BigUint::from(1u32)),
        (&p >> 1, (&p >> 1) + 1u32),
    ];
    for _ in 0..40 {
        let x = random_below_p(&mut rng);
        v.push((x.clone(), x));
        v.push((random_below_p(&mut rng), random_below_p(&mut rng)));
    }
    v
}

#[test]
fn add_sub_mul() {
    let Some(mut dev) = sim() else { return };
    let p = p();
    let rd = Reg(2);
    for (a, b) in operands() {
        let add = binary(&mut dev, Insn::Add { rd, ra: R0, rb: R1 }, &a, &b);
        assert_eq!(add, (&a + &b) % &p, "{a:x} + {b:x}");
        let sub = binary(&mut dev, Insn::Sub { rd, ra: R0, rb: R1 }, &a, &b);
        assert_eq!(sub, (&a + &p - &b) % &p, "{a:x} - {b:x}");
        let mul = binary(&mut dev, Insn::Mul { rd, ra: R0, rb: R1 }, &a, &b);
        assert_eq!(mul, mont(&a, &b), "{a:x} * {b:x}");
    }
}

/// The destination may be a source: MUL r0, r0, r0 squares in place.
#[test]
fn destination_may_be_a_source() {
    let Some(mut dev) = sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let a = random_below_p(&mut rng);
    dev.write_elements(0, &[to_limbs(&a)]).unwrap();
    let mut p = Program::new();
    p.push(Insn::Load { rd: R0, addr: 0 })
        .push(Insn::Mul {
            rd: R0,
            ra: R0,
            rb: R0,
        })
        .push(Insn::Add {
            rd: R0,
            ra: R0,
            rb: R0,
        })
        .push(Insn::Store { addr: 0, ra: R0 });
    dev.load_program(0, &p.finish()).unwrap();
    dev.run(0, 10_000).unwrap();
    let want = mont(&a, &a) * 2u32 % common::p();
    assert_eq!(to_big(&dev.read_elements(0, 1).unwrap()[0]), want);
}

/// LOAD, MOV and STORE move values unchanged, across every register and many elements;
/// untouched elements stay as the host wrote them.
#[test]
fn load_mov_store() {
    let Some(mut dev) = sim() else { return };
    let regs = dev.config().registers as u8;
    let n = dev.config().data_elements as u16;
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let values: Vec<BigUint> = (0..regs).map(|_| random_below_p(&mut rng)).collect();
    let limbs: Vec<_> = values.iter().map(to_limbs).collect();
    dev.write_elements(0, &limbs).unwrap();
    let sentinel = to_limbs(&(p() - 7u32));
    dev.write_elements(n - 1, &[sentinel]).unwrap();
    // Element i -> r_i -> element 50 + i; then MOV r_(i+1) <- r_i -> element 100 + i.
    let mut p = Program::new();
    for i in 0..regs {
        p.push(Insn::Load {
            rd: Reg(i),
            addr: u16::from(i),
        });
    }
    for i in 0..regs {
        p.push(Insn::Store {
            addr: 50 + u16::from(i),
            ra: Reg(i),
        });
    }
    for i in 0..regs {
        p.push(Insn::Mov {
            rd: Reg((i + 1) % regs),
            ra: Reg(i),
        });
        p.push(Insn::Store {
            addr: 100 + u16::from(i),
            ra: Reg((i + 1) % regs),
        });
    }
    dev.load_program(0, &p.finish()).unwrap();
    dev.run(0, 100_000).unwrap();
    assert_eq!(dev.read_elements(50, regs as usize).unwrap(), limbs);
    // Each MOV reads the register the one before it wrote: the chain carries element 0's
    // value through every register.
    let back = dev.read_elements(100, regs as usize).unwrap();
    for b in &back {
        assert_eq!(*b, limbs[0]);
    }
    assert_eq!(dev.read_elements(n - 1, 1).unwrap()[0], sentinel);
    assert_eq!(dev.read_elements(0, regs as usize).unwrap(), limbs);
}

/// The card says who it is and how it was built.
#[test]
fn id_version_config() {
    let Some(mut dev) = sim() else { return };
    assert_eq!(
        dev.read_reg(backend_fpga::regs::REG_ID).unwrap(),
        backend_fpga::regs::ID
    );
    assert_eq!(dev.version().unwrap(), 0x0001_0000);
    let c = dev.config();
    assert_eq!(
        (c.word_bits, c.registers, c.data_elements, c.program_words),
        (64, 32, 4096, 65536)
    );
}
