//! The sequencer's instruction set (hdl/rtl/sequencer.v) and a builder for programs.
//!
//! Registers are the core's working F_p registers; addresses are data memory elements.
//! A program's control flow is the instruction list itself: it runs straight through to
//! HALT, so its cycle count never depends on the data.

use subtle::{Choice, ConditionallySelectable};
use zeroize::{Zeroize, Zeroizing};

/// A register index (0..Config::registers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg(pub u8);

impl Reg {
    /// `a` where `choice` is set, else `b`, without a branch: the programs for a secret
    /// scalar pick registers by its bits, so the pick must not be a jump.
    pub fn select(choice: Choice, a: Reg, b: Reg) -> Reg {
        Reg(u8::conditional_select(&b.0, &a.0, choice))
    }
}

/// One instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    Halt,
    /// rd <- mem[addr]
    Load {
        rd: Reg,
        addr: u16,
    },
    /// mem[addr] <- ra
    Store {
        addr: u16,
        ra: Reg,
    },
    /// rd <- ra * rb * 2^-1024 mod p (Montgomery: the product of two Montgomery forms)
    Mul {
        rd: Reg,
        ra: Reg,
        rb: Reg,
    },
    /// rd <- ra + rb mod p
    Add {
        rd: Reg,
        ra: Reg,
        rb: Reg,
    },
    /// rd <- ra - rb mod p
    Sub {
        rd: Reg,
        ra: Reg,
        rb: Reg,
    },
    /// rd <- ra
    Mov {
        rd: Reg,
        ra: Reg,
    },
}

const OP_HALT: u32 = 0;
const OP_LOAD: u32 = 1;
const OP_STORE: u32 = 2;
const OP_MUL: u32 = 3;
const OP_ADD: u32 = 4;
const OP_SUB: u32 = 5;
const OP_MOV: u32 = 6;

/// Register fields are 6 bits wide in the encoding.
fn reg(r: Reg) -> u32 {
    u32::from(r.0 & 0x3F)
}

fn rrr(op: u32, rd: Reg, ra: Reg, rb: Reg) -> u32 {
    op << 28 | reg(rd) << 22 | reg(ra) << 16 | reg(rb) << 10
}

impl Insn {
    /// The 32-bit instruction word.
    pub fn encode(self) -> u32 {
        match self {
            Insn::Halt => OP_HALT << 28,
            Insn::Load { rd, addr } => OP_LOAD << 28 | reg(rd) << 22 | u32::from(addr),
            Insn::Store { addr, ra } => OP_STORE << 28 | reg(ra) << 16 | u32::from(addr),
            Insn::Mul { rd, ra, rb } => rrr(OP_MUL, rd, ra, rb),
            Insn::Add { rd, ra, rb } => rrr(OP_ADD, rd, ra, rb),
            Insn::Sub { rd, ra, rb } => rrr(OP_SUB, rd, ra, rb),
            Insn::Mov { rd, ra } => OP_MOV << 28 | reg(rd) << 22 | reg(ra) << 16,
        }
    }
}

/// Cycles the multiplier takes per product at word size `word_bits` (hdl/rtl/mont_mul.v):
/// S (S + 3) + S + 3 with S = 1024 / word_bits.
pub fn mul_latency(word_bits: u32) -> u64 {
    let s = u64::from(1024 / word_bits.max(1));
    s * (s + 3) + s + 3
}

/// The card's cycle count for a program that runs to its HALT, from the sequencer's fixed
/// schedule (hdl/rtl/sequencer.v): MUL 7 plus the multiplier's latency, ADD and SUB 9,
/// LOAD, STORE and MOV 5, and 3 for the start and the HALT. Exact: the tests compare it
/// with the cycle counter. No data enters it.
pub fn cycles(words: &[u32], word_bits: u32) -> u64 {
    let mul = mul_latency(word_bits) + 7;
    let body: u64 = words
        .iter()
        .take_while(|w| *w >> 28 != OP_HALT)
        .map(|w| match w >> 28 {
            OP_MUL => mul,
            OP_ADD | OP_SUB => 9,
            _ => 5,
        })
        .sum();
    body + 3
}

/// The cycle limit to run a program under: twice its schedule, and some.
pub fn cycle_budget(words: &[u32], word_bits: u32) -> u64 {
    2 * cycles(words, word_bits) + 10_000
}

/// rd <- ra * rb, rd <- ra + rb, rd <- ra - rb: the three-register forms the point
/// formulas are written in.
pub(crate) fn mul(p: &mut Program, rd: Reg, ra: Reg, rb: Reg) {
    p.push(Insn::Mul { rd, ra, rb });
}
pub(crate) fn add(p: &mut Program, rd: Reg, ra: Reg, rb: Reg) {
    p.push(Insn::Add { rd, ra, rb });
}
pub(crate) fn sub(p: &mut Program, rd: Reg, ra: Reg, rb: Reg) {
    p.push(Insn::Sub { rd, ra, rb });
}

/// A program under construction, kept encoded; [`Program::finish`] appends the HALT.
/// The words are wiped on drop: a program for a secret scalar is as secret as it.
#[derive(Clone, Debug, Default)]
pub struct Program {
    words: Vec<u32>,
}

impl Drop for Program {
    fn drop(&mut self) {
        self.words.zeroize();
    }
}

impl Program {
    pub fn new() -> Program {
        Program::default()
    }

    pub fn push(&mut self, insn: Insn) -> &mut Program {
        self.words.push(insn.encode());
        self
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The instruction words, ending in HALT, wiped when dropped.
    pub fn finish(&self) -> Zeroizing<Vec<u32>> {
        let mut out = Vec::with_capacity(self.words.len() + 1);
        out.extend_from_slice(&self.words);
        out.push(Insn::Halt.encode());
        Zeroizing::new(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_sequencer_fields() {
        assert_eq!(Insn::Halt.encode(), 0);
        assert_eq!(
            Insn::Load {
                rd: Reg(1),
                addr: 0x12
            }
            .encode(),
            0x1040_0012
        );
        assert_eq!(
            Insn::Store {
                addr: 3,
                ra: Reg(2)
            }
            .encode(),
            0x2002_0003
        );
        let rrr = Insn::Mul {
            rd: Reg(2),
            ra: Reg(0),
            rb: Reg(1),
        }
        .encode();
        assert_eq!(rrr, 0x3080_0400);
        assert_eq!(
            Insn::Mov {
                rd: Reg(5),
                ra: Reg(2)
            }
            .encode(),
            0x6142_0000
        );
        let mut p = Program::new();
        p.push(Insn::Mov {
            rd: Reg(1),
            ra: Reg(0),
        });
        assert_eq!(*p.finish(), vec![0x6040_0000, 0]);
    }

    #[test]
    fn select_picks_without_a_branch() {
        assert_eq!(Reg::select(Choice::from(1), Reg(3), Reg(7)), Reg(3));
        assert_eq!(Reg::select(Choice::from(0), Reg(3), Reg(7)), Reg(7));
    }

    #[test]
    fn cycle_model() {
        assert_eq!(mul_latency(64), 323);
        assert_eq!(mul_latency(32), 1155);
        let one_product = crate::modmul_program(1);
        assert_eq!(cycles(&one_product, 64), 348);
    }
}
