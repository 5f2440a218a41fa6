//! Simulated figures of the core (bench-results/*-fpga-sim.txt): cycles per MUL, ADD, SUB,
//! MOV instruction (from the card's cycle counter: simulated, exact), cycles per product in
//! a modmul batch, and the simulator's rate in clock cycles per host second.
//!
//! cargo run --release -p sakke-backend-fpga --example sim_rate

use std::time::Instant;

use backend_fpga::program::{Insn, Program, Reg};
use backend_fpga::{modmul_batch, Device, FpgaError, Limbs};

/// Card cycles per instruction: a program of 1 + n copies minus one of 1 copy, over n.
fn per_insn(dev: &mut Device, insn: Insn, n: usize) -> Result<f64, FpgaError> {
    let mut cycles = [0u64; 2];
    for (k, count) in [1, 1 + n].into_iter().enumerate() {
        let mut p = Program::new();
        for _ in 0..count {
            p.push(insn);
        }
        dev.load_program(0, &p.finish())?;
        cycles[k] = dev.run(0, 10_000_000)?.cycles;
    }
    Ok((cycles[1] - cycles[0]) as f64 / n as f64)
}

fn main() -> Result<(), FpgaError> {
    let mut dev = Device::sim()?;
    let c = dev.config();
    println!(
        "core: W = {} bits, {} registers, {} data elements, {} program words",
        c.word_bits, c.registers, c.data_elements, c.program_words
    );
    let (r0, r1, r2) = (Reg(0), Reg(1), Reg(2));
    // Registers start at zero; the operands do not change the schedule (constant time).
    for (name, insn) in [
        (
            "MUL",
            Insn::Mul {
                rd: r2,
                ra: r0,
                rb: r1,
            },
        ),
        (
            "ADD",
            Insn::Add {
                rd: r2,
                ra: r0,
                rb: r1,
            },
        ),
        (
            "SUB",
            Insn::Sub {
                rd: r2,
                ra: r0,
                rb: r1,
            },
        ),
        ("MOV", Insn::Mov { rd: r2, ra: r0 }),
        ("LOAD", Insn::Load { rd: r2, addr: 0 }),
        ("STORE", Insn::Store { addr: 0, ra: r2 }),
    ] {
        println!(
            "{name:5}: {:.1} cycles per instruction",
            per_insn(&mut dev, insn, 200)?
        );
    }

    // A straight run of MULs: the simulator's rate with no host transfers in it.
    let mut p = Program::new();
    for _ in 0..4000 {
        p.push(Insn::Mul {
            rd: r2,
            ra: r2,
            rb: r1,
        });
    }
    dev.load_program(0, &p.finish())?;
    let (t, before) = (Instant::now(), dev.clocked_cycles());
    let run = dev.run(0, 100_000_000)?;
    let secs = t.elapsed().as_secs_f64();
    let clocked = dev.clocked_cycles() - before;
    println!(
        "4000 MULs: {} card cycles; simulated {} cycles in {secs:.3} s = {:.0} cycles/s, {:.0} products/s",
        run.cycles,
        clocked,
        clocked as f64 / secs,
        4000.0 / secs
    );

    // A modmul batch as the tests run it, host transfers included.
    let mut x: Limbs = [0x0123_4567_89AB_CDEF; 16];
    x[15] = 0x1234;
    let pairs = vec![(x, x); 2048];
    let (t, before) = (Instant::now(), dev.clocked_cycles());
    modmul_batch(&mut dev, &pairs)?;
    let secs = t.elapsed().as_secs_f64();
    let clocked = dev.clocked_cycles() - before;
    println!(
        "modmul_batch of 2048: {:.0} clocked cycles per product (transfers included), {secs:.3} s = {:.0} products/s",
        clocked as f64 / 2048.0,
        2048.0 / secs
    );
    Ok(())
}
