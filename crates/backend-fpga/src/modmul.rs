//! Batches of Montgomery products on the card: the operands go into data memory, one
//! straight-line program multiplies each pair and stores the product over its first
//! operand, and the products come back.

use crate::device::{Device, Limbs};
use crate::error::FpgaError;
use crate::program::{cycle_budget, Insn, Program, Reg};

/// The program for `pairs` products: pair i is elements 2i and 2i + 1, its product goes
/// to element 2i.
pub fn modmul_program(pairs: usize) -> Vec<u32> {
    let mut p = Program::new();
    for i in 0..pairs {
        let a = (2 * i) as u16;
        p.push(Insn::Load {
            rd: Reg(0),
            addr: a,
        })
        .push(Insn::Load {
            rd: Reg(1),
            addr: a + 1,
        })
        .push(Insn::Mul {
            rd: Reg(2),
            ra: Reg(0),
            rb: Reg(1),
        })
        .push(Insn::Store {
            addr: a,
            ra: Reg(2),
        });
    }
    p.finish().to_vec() // public: the same for every input
}

/// a * b * 2^-1024 mod p for each pair (operands below p, in the CPU's limb layout), in
/// as many runs as data memory needs.
pub fn modmul_batch(
    device: &mut Device,
    pairs: &[(Limbs, Limbs)],
) -> Result<Vec<Limbs>, FpgaError> {
    let per_run = (device.config().data_elements as usize / 2)
        .min((device.config().program_words as usize - 1) / 4);
    let mut out = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(per_run.max(1)) {
        let elements: Vec<Limbs> = chunk.iter().flat_map(|(a, b)| [*a, *b]).collect();
        device.write_elements(0, &elements)?;
        let program = modmul_program(chunk.len());
        device.load_program(0, &program)?;
        device.run(0, cycle_budget(&program, device.config().word_bits))?;
        let back = device.read_elements(0, elements.len())?;
        out.extend(back.into_iter().step_by(2));
    }
    Ok(out)
}
