//! The three rules (and two exceptions) a conditional jump must pass: see main.rs.

use std::collections::HashSet;

use crate::disasm::{self, Function, Insn, Reg};
use crate::public_lines::Why::{self, *};
use crate::public_lines::PUBLIC_LINES;
use crate::Line;

/// Rules 1 to 3 for the conditional jump at `index` of `f`; the problem, if any.
pub fn audit(
    f: &Function,
    index: usize,
    joins: &HashSet<u64>,
    line: Option<&Line>,
) -> Option<String> {
    let insns = &f.insns;
    let Some(setter) = flag_setter(insns, index, joins) else {
        return Some("its flags are set on another path".into());
    };
    let vector_counter = match lane_source(insns, setter, joins) {
        Some(at) if is_vector_counter(insns, index, &insns[at]) => true,
        Some(at) => {
            let culprit = &insns[at];
            return Some(format!(
                "its flags depend on lane data ({:x}: {})",
                culprit.addr, culprit.text
            ));
        }
        None => false,
    };
    if is_stack_probe(insns, setter) {
        return None;
    }
    let reasons = line.and_then(|(file, _, text)| {
        PUBLIC_LINES
            .iter()
            .find(|(f, t, _)| f == file && t == text)
            .map(|e| e.2)
    });
    let Some(reasons) = reasons else {
        return Some("not on a line listed as public control flow".into());
    };
    let shaped = |why: &Why| match why {
        CountedLoop => looks_counted(&insns[setter]),
        BoundsCheck => insns[index]
            .target
            .as_ref()
            .is_some_and(|t| leads_to_panic(f, t.0)),
        Drop => skips_a_free(insns, index),
        TableLength | NafDigit | BatchShape | BitPosition => true,
    };
    // A counter kept in a vector register is only accepted as a counted loop.
    let fits = if vector_counter {
        reasons.contains(&CountedLoop) && shaped(&CountedLoop)
    } else {
        reasons.iter().any(shaped)
    };
    (!fits).then(|| format!("does not look like any of {reasons:?}"))
}

/// The instruction whose flags the jump at `index` reads, walking back through
/// straight-line code (past other conditional jumps, which keep the flags) but not past
/// a place where another path joins.
fn flag_setter(insns: &[Insn], index: usize, joins: &HashSet<u64>) -> Option<usize> {
    let mut i = index;
    while i > 0 {
        if joins.contains(&insns[i].addr) && i != index {
            return None;
        }
        i -= 1;
        let insn = &insns[i];
        if insn.ends_block() || insn.is_call() {
            return None;
        }
        if insn.writes_flags() {
            return Some(i);
        }
    }
    None
}

/// Rule 1: the instruction, if any, that reads a vector or mask register and feeds the
/// flags at `setter` (itself, or an instruction computing its registers in the block).
fn lane_source(insns: &[Insn], setter: usize, joins: &HashSet<u64>) -> Option<usize> {
    if insns[setter].vector_or_mask().is_some() {
        return Some(setter);
    }
    let mut wanted: HashSet<Reg> = insns[setter].read_registers().into_iter().collect();
    let mut i = setter;
    while i > 0 && !wanted.is_empty() && !joins.contains(&insns[i].addr) {
        i -= 1;
        let insn = &insns[i];
        if insn.ends_block() || insn.is_call() {
            break;
        }
        let Some(written) = insn.written_register() else {
            continue;
        };
        if !wanted.contains(&written) {
            continue;
        }
        if insn.vector_or_mask().is_some() {
            return Some(i);
        }
        if insn.overwrites() {
            wanted.remove(&written);
        }
        wanted.extend(insn.read_registers());
    }
    None
}

/// The one vector register allowed to decide a jump: a loop counter the compiler keeps in
/// a vector register (to broadcast it), extracted for the loop test. It must be zeroed
/// before the loop and only have a constant added to it inside.
fn is_vector_counter(insns: &[Insn], jump: usize, source: &Insn) -> bool {
    let Some(Reg::Vector(v)) = source.vector_or_mask() else {
        return false;
    };
    let Some(head) = insns[jump]
        .target
        .as_ref()
        .and_then(|t| insns.iter().position(|i| i.addr == t.0))
    else {
        return false;
    };
    let is_v = |op: &String| disasm::register(op) == Some(Reg::Vector(v));
    let writes_v = |i: &&Insn| i.operands.last().is_some_and(is_v);
    let steps_by_constant = insns.get(head..jump).is_some_and(|body| {
        body.iter().filter(writes_v).all(|i| {
            i.mnemonic.starts_with("vpadd")
                && i.operands.len() == 3
                && i.operands[0].ends_with("(%rip)")
                && is_v(&i.operands[1])
        })
    });
    let zeroed = insns[..head].iter().rev().find(writes_v).is_some_and(|i| {
        (i.mnemonic.starts_with("vpxor") || i.mnemonic.starts_with("vxorp"))
            && i.operands.iter().all(is_v)
    });
    steps_by_constant && zeroed
}

/// Rule 3 for loops: the flags come from comparing a register with a constant (zero
/// included, as `test r, r`), or from stepping a register by a constant.
fn looks_counted(setter: &Insn) -> bool {
    let m = setter.mnemonic.as_str();
    let ops = &setter.operands;
    let gpr = |op: &String| matches!(disasm::register(op), Some(Reg::Gpr(_)));
    let constant_and_register = ops.len() == 2 && ops[0].starts_with('$') && gpr(&ops[1]);
    let compare = m.starts_with("cmp") && constant_and_register;
    let zero_test = m.starts_with("test") && ops.len() == 2 && ops[0] == ops[1] && gpr(&ops[0]);
    let step = (m.starts_with("add") || m.starts_with("sub")) && constant_and_register;
    let unit_step = (m.starts_with("inc") || m.starts_with("dec")) && ops.len() == 1;
    compare || zero_test || step || unit_step
}

/// Rule 3 for bounds checks: the jump lands on code that, through at most a few
/// unconditional jumps, calls a panic function before it branches or returns.
fn leads_to_panic(f: &Function, target: u64) -> bool {
    let mut at = target;
    for _ in 0..4 {
        let Some(start) = f.insns.iter().position(|i| i.addr == at) else {
            return false;
        };
        let mut next = None;
        for insn in f.insns[start..].iter().take(12) {
            if insn.is_call() {
                return insn.callee().contains("panic");
            }
            if insn.mnemonic == "jmp" {
                next = insn.target.as_ref().map(|t| t.0);
                break;
            }
            if insn.mnemonic.starts_with('j') || insn.ends_block() {
                return false;
            }
        }
        match next {
            Some(t) => at = t,
            None => return false,
        }
    }
    false
}

/// Rule 3 for drops: the jump skips a call that frees memory, right after it.
fn skips_a_free(insns: &[Insn], jump: usize) -> bool {
    insns[jump + 1..]
        .iter()
        .take(4)
        .find(|i| i.is_call())
        .is_some_and(|call| call.callee().contains("free") || call.callee().contains("dealloc"))
}

/// The stack probe: `cmp %reg, %rsp` after `sub $0x1000, %rsp`.
fn is_stack_probe(insns: &[Insn], setter: usize) -> bool {
    let cmp = &insns[setter];
    let probes = insns[setter.saturating_sub(4)..setter]
        .iter()
        .any(|i| i.text.replace(' ', "") == "sub$0x1000,%rsp");
    cmp.mnemonic == "cmp" && cmp.operands.get(1).map(String::as_str) == Some("%rsp") && probes
}
