//! Faults on the simulated card: each malformed instruction stops the program with its
//! error code and pc; a hung sequencer runs into the host's cycle limit; either way the
//! card is soft-reset and the next run is correct.

mod common;

use backend_fpga::program::{Insn, Program, Reg};
use backend_fpga::{modmul_batch, Device, FpgaError, ProgramFault};
use common::*;
use rand::SeedableRng;

/// A valid prefix of `ok` instructions, then `bad`.
fn malformed(ok: usize, bad: u32) -> Vec<u32> {
    let mut words: Vec<u32> = (0..ok)
        .map(|_| {
            Insn::Mov {
                rd: Reg(1),
                ra: Reg(0),
            }
            .encode()
        })
        .collect();
    words.push(bad);
    words
}

/// A product on the card, checked: the card works after a fault.
fn product_is_right(dev: &mut Device) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let (a, b) = (random_below_p(&mut rng), random_below_p(&mut rng));
    let got = modmul_batch(dev, &[(to_limbs(&a), to_limbs(&b))]).unwrap();
    assert_eq!(to_big(&got[0]), mont(&a, &b));
}

#[test]
fn malformed_programs_give_an_error_status() {
    let Some(mut dev) = sim() else { return };
    let cases = [
        (0xF000_0000, ProgramFault::Opcode),
        (0x7000_0000, ProgramFault::Opcode),
        (0x0000_0001, ProgramFault::Reserved), // HALT with bits
        (
            Insn::Mul {
                rd: Reg(1),
                ra: Reg(0),
                rb: Reg(0),
            }
            .encode()
                | 1,
            ProgramFault::Reserved,
        ),
        (
            Insn::Load {
                rd: Reg(1),
                addr: 0,
            }
            .encode()
                | 1 << 16,
            ProgramFault::Reserved,
        ),
        (
            Insn::Mul {
                rd: Reg(40),
                ra: Reg(0),
                rb: Reg(0),
            }
            .encode(),
            ProgramFault::Register,
        ),
        (
            Insn::Add {
                rd: Reg(0),
                ra: Reg(0),
                rb: Reg(32),
            }
            .encode(),
            ProgramFault::Register,
        ),
        (
            Insn::Store {
                addr: 0,
                ra: Reg(63),
            }
            .encode(),
            ProgramFault::Register,
        ),
        (
            Insn::Load {
                rd: Reg(0),
                addr: 4096,
            }
            .encode(),
            ProgramFault::Address,
        ),
        (
            Insn::Store {
                addr: 0xFFFF,
                ra: Reg(0),
            }
            .encode(),
            ProgramFault::Address,
        ),
    ];
    for (i, (bad, fault)) in cases.into_iter().enumerate() {
        dev.load_program(0, &malformed(i, bad)).unwrap();
        match dev.run(0, 10_000) {
            Err(FpgaError::Program { fault: f, pc }) => {
                assert_eq!((f, pc), (fault, i as u16), "instruction {bad:#010x}");
            }
            other => panic!("instruction {bad:#010x}: {other:?}"),
        }
    }
    product_is_right(&mut dev);
}

/// A program without HALT runs off the end of program memory.
#[test]
fn running_off_the_end_is_an_error() {
    let Some(mut dev) = sim() else { return };
    let words = dev.config().program_words;
    let last = (words - 1) as u16;
    let mut p = Program::new();
    p.push(Insn::Mov {
        rd: Reg(1),
        ra: Reg(0),
    });
    let mov = p.finish()[0];
    dev.load_program(last - 1, &[mov, mov]).unwrap();
    match dev.run(last - 1, 10_000) {
        Err(FpgaError::Program {
            fault: ProgramFault::ProgramCounter,
            pc,
        }) => assert_eq!(pc, last, "the last address run"),
        other => panic!("{other:?}"),
    }
    product_is_right(&mut dev);
}

/// An injected hang: the run times out at the cycle limit, the card is soft-reset (which
/// clears the fault), and the retry gives the right product.
#[test]
fn a_hang_times_out_and_the_retry_is_right() {
    let Some(mut dev) = sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(10);
    let (a, b) = (random_below_p(&mut rng), random_below_p(&mut rng));
    dev.inject_hang().unwrap();
    let pairs = [(to_limbs(&a), to_limbs(&b))];
    match modmul_batch(&mut dev, &pairs) {
        Err(FpgaError::Timeout { cycles }) => assert!(cycles >= 1000, "{cycles}"),
        other => panic!("{other:?}"),
    }
    let status = dev.read_reg(backend_fpga::regs::REG_STATUS).unwrap();
    assert_eq!(
        status & backend_fpga::regs::STATUS_BUSY,
        0,
        "soft reset leaves the card idle"
    );
    assert_eq!(dev.read_reg(backend_fpga::regs::REG_FAULT).unwrap(), 0);
    let got = modmul_batch(&mut dev, &pairs).unwrap();
    assert_eq!(to_big(&got[0]), mont(&a, &b));
}

/// Card memory belongs to the sequencer while it runs: a host write then is dropped.
#[test]
fn host_writes_while_busy_are_dropped() {
    let Some(mut dev) = sim() else { return };
    let x = to_limbs(&(p() - 5u32));
    dev.write_elements(3, &[x]).unwrap();
    dev.inject_hang().unwrap();
    dev.load_program(0, &Program::new().finish()).unwrap();
    dev.write_reg(backend_fpga::regs::REG_DOORBELL, 0).unwrap();
    dev.write_elements(3, &[[0; 16]]).unwrap();
    dev.soft_reset().unwrap();
    assert_eq!(dev.read_elements(3, 1).unwrap()[0], x);
}
