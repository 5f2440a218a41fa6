//! The AVX-512 IFMA lanes (crates/pairing/src/simd) cannot run under valgrind, so their
//! branches are audited in the machine code instead: every conditional jump in every
//! function of `pairing::simd`, in the build ct-taint is (profile ct: the release
//! settings, with line tables). Deterministic: no timing, nothing run on the lanes.
//!
//! Each conditional jump must pass three rules.
//!
//! 1. Its flags do not come from lane data. The lanes' values live in zmm and k
//!    registers; the instruction that sets the jump's flags, and every instruction that
//!    (within the same straight-line block) computed a register it reads, must read no
//!    vector or mask register. A mask turned into a branch, as the compiler did to the
//!    portable neg_mod, fails here.
//! 2. Its source line is public control flow. The line tables give the jump's innermost
//!    line in crates/pairing; that line must be in [`PUBLIC_LINES`], which says why its
//!    condition is public. A jump from anywhere else (an `if` on a digit, a select turned
//!    into a branch) fails, whatever its registers.
//! 3. It has the shape its reason claims. A counted loop compares a register with a
//!    constant (or steps it by one); a bounds check leads straight to the panic; a drop
//!    skips a call to free. This guards rule 2 against a jump the compiler attributed to
//!    a loop line it merged into.
//!
//! Two exceptions, each checked for its own shape: the stack probe of a large frame
//! (`sub $0x1000, %rsp` until the frame is mapped; its count is the frame size), which
//! has no source line; and a loop counter the compiler keeps in a vector register (to
//! broadcast it for the row scan's comparison), zeroed before the loop and stepped by a
//! constant in it.
//!
//! What this cannot see: a branch on lane data stored to memory and reloaded into a
//! general register within one block (rule 1 does not follow memory). Rule 2 still
//! catches such a branch unless the compiler gave it one of the listed lines.

#![cfg(target_arch = "x86_64")]

mod common;
mod disasm;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use disasm::{Function, Insn, Reg};

/// Why a jump on a given line cannot depend on a secret, and the shape that proves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// A loop over a constant range or a fixed-size array: its counter is compared with a
    /// constant, or stepped by one towards zero.
    CountedLoop,
    /// A loop over a table's rows: the count is the table's length (public).
    TableLength,
    /// A digit of the non-adjacent form of q - 1, a public constant of the curve.
    NafDigit,
    /// An index made of loop counters, checked against a table's length: the jump leads
    /// straight to the panic.
    BoundsCheck,
    /// The number of items in a batch, or whether a table has its vector form.
    BatchShape,
    /// Where a window's bits lie in the limbs: a function of the window's position only.
    BitPosition,
    /// A closing brace: freeing a vector, if it has a capacity, on the way out.
    Drop,
}

use Why::*;

/// The lines, relative to crates/pairing/src, that may hold a conditional jump, and why.
/// The lane arithmetic, select and look-up code (fp8.rs, ext8.rs, the row scans) has
/// counted loops only; ext8.rs has none at all.
const PUBLIC_LINES: &[(&str, &str, &[Why])] = &[
    // Lane arithmetic: Montgomery multiplication's 20 rounds, per-limb loops, the lane
    // loads and stores; from52's test of where a 52-bit limb straddles two words.
    ("simd/fp8.rs", "for bi in b.iter() {", &[CountedLoop]),
    ("simd/fp8.rs", "for j in 0..L {", &[CountedLoop]),
    (
        "simd/fp8.rs",
        "for (k, lane) in lanes.iter().enumerate() {",
        &[CountedLoop],
    ),
    ("simd/fp8.rs", "core::array::from_fn(|k| {", &[CountedLoop]),
    (
        "simd/fp8.rs",
        "for (j, &limb) in x.iter().enumerate() {",
        &[CountedLoop],
    ),
    ("simd/fp8.rs", "if off > 12 && w + 1 < N {", &[BitPosition]),
    // Miller loops over q - 1, and their line tables.
    (
        "simd/batch8.rs",
        "for i in (0..MILLER_DIGITS - 1).rev() {",
        &[CountedLoop],
    ),
    ("simd/batch8.rs", "if MILLER_NAF[i] == 0 {", &[NafDigit]),
    (
        "simd/batch8.rs",
        "let ry = match MILLER_NAF[i] {",
        &[NafDigit],
    ),
    (
        "simd/batch8.rs",
        "let a = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s]));",
        &[BoundsCheck],
    ),
    (
        "simd/batch8.rs",
        "let b = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s + 1]));",
        &[BoundsCheck],
    ),
    // Window loops and the signed-digit row scans: every entry read, in a fixed order.
    // (base_group has 206 windows; gt_group as many as the table has rows, also 206.)
    (
        "simd/batch8.rs",
        "for w in 0..windows {",
        &[CountedLoop, TableLength],
    ),
    (
        "simd/batch8.rs",
        "for w in (0..windows).rev() {",
        &[CountedLoop],
    ),
    ("simd/batch8.rs", "if w + 1 != windows {", &[CountedLoop]),
    ("simd/batch8.rs", "for j in 1..=16usize {", &[CountedLoop]),
    (
        "simd/batch8.rs",
        "for (j, entry) in table.iter().enumerate() {",
        &[CountedLoop],
    ),
    (
        "simd/batch8.rs",
        "let ex = Fp8::from_montgomery_lanes(rows.map(|r| &r[w * 16 + j - 1][0]));",
        &[BoundsCheck],
    ),
    (
        "simd/batch8.rs",
        "let e = &rows[w * 16 + j - 1];",
        &[BoundsCheck],
    ),
    // Eight scalars recoded into signed digits (the recoding itself: scalar.rs below).
    (
        "simd/batch8.rs",
        "let digits = scalars.map(|k| k.signed_digits());",
        &[CountedLoop],
    ),
    (
        "simd/batch8.rs",
        "let digits = exps.map(|k| k.mul(&half).signed_digits());",
        &[CountedLoop],
    ),
    (
        "scalar.rs",
        "for (i, digit) in d.iter_mut().enumerate() {",
        &[CountedLoop],
    ),
    (
        "scalar.rs",
        "if off + count > 64 && limb + 1 < N {",
        &[BitPosition],
    ),
    ("scalar.rs", "self.d.zeroize();", &[CountedLoop]),
    // Batch plumbing: groups of eight, the padded last group, tables with a vector form.
    (
        "simd/batch8.rs",
        "let rows: [&[[Limbs52; 2]]; 8] = tables.map(|t| t.vector_rows().unwrap_or(&[]));",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "if jobs.iter().any(|(t, _)| t.vector_rows().is_none()) {",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "let mut out = Vec::with_capacity(values.len() + 8);",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "for group in super::lanes(values) {",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "out.extend(Fp8::from_canonical(&group.map(|v| v.to_canonical())).to_montgomery_lanes());",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "let mut out = Vec::with_capacity(jobs.len() + 8);",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "for g in super::lanes(jobs) {",
        &[BatchShape],
    ),
    ("simd/batch8.rs", "out.extend(group(&g));", &[BatchShape]),
    ("simd/batch8.rs", "}", &[Drop]),
    (
        "simd/mod.rs",
        ".map(|c| core::array::from_fn(|k| c[k.min(c.len() - 1)]))",
        &[BatchShape],
    ),
];

/// The entry points of the lanes: `target_feature` functions, never inlined into the
/// portable callers, so they are in the binary under these names or the build changed.
const ENTRY_POINTS: &[&str] = &[
    "pairing::simd::batch8::tabled_group",
    "pairing::simd::batch8::plain_group",
    "pairing::simd::batch8::base_group",
    "pairing::simd::batch8::window_group",
    "pairing::simd::batch8::gt_group",
];

/// A source line: path under crates/pairing/src, number, text.
type Line = (String, usize, String);

/// The jump at `index` of `f` with the instructions before it, for a failure message.
fn describe(f: &Function, index: usize, line: Option<&Line>, problem: &str) -> String {
    let context: Vec<String> = f.insns[index.saturating_sub(6)..=index]
        .iter()
        .map(|i| format!("    {:x}: {}", i.addr, i.text))
        .collect();
    let line = line.map_or("no line in crates/pairing".into(), |(file, n, text)| {
        format!("{file}:{n}: {text}")
    });
    format!(
        "{} in {}: {problem}\n  source: {line}\n{}",
        f.insns[index].mnemonic,
        f.name,
        context.join("\n")
    )
}

/// Rules 1 to 3 for the conditional jump at `index` of `f`; the problem, if any.
fn audit(f: &Function, index: usize, joins: &HashSet<u64>, line: Option<&Line>) -> Option<String> {
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

/// For each address, the innermost frame whose file is in crates/pairing/src.
fn source_lines(addr2line: &Path, exe: &Path, addrs: &[u64]) -> HashMap<u64, (String, usize)> {
    let mut out = HashMap::new();
    for chunk in addrs.chunks(500) {
        let output = Command::new(addr2line)
            .arg("-e")
            .arg(exe)
            .args(["-i", "-a"])
            .args(chunk.iter().map(|a| format!("{a:#x}")))
            .output()
            .expect("addr2line runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let mut current = None;
        for line in text.lines() {
            if let Some(hex) = line.strip_prefix("0x") {
                current = u64::from_str_radix(hex, 16).ok();
                continue;
            }
            let Some(addr) = current else { continue };
            let Some((_, rest)) = line.split_once("/crates/pairing/src/") else {
                continue;
            };
            let Some((file, n)) = rest.rsplit_once(':') else {
                continue;
            };
            let n = n.split_whitespace().next().unwrap_or("");
            if let Ok(n) = n.parse::<usize>() {
                out.entry(addr).or_insert((file.to_string(), n));
            }
        }
    }
    out
}

#[test]
fn lane_code_branches_only_on_public_values() {
    let Some(objdump) = common::require_tool("objdump", "binutils") else {
        return;
    };
    let Some(addr2line) = common::require_tool("addr2line", "binutils") else {
        return;
    };
    let exe = common::ct_taint();
    let functions = disasm::functions(&objdump, &exe, "pairing::simd::");
    for entry in ENTRY_POINTS {
        assert!(
            functions.iter().any(|f| f.name == *entry),
            "{entry} is not in {}: the audit would not see it",
            exe.display()
        );
    }
    let addrs: Vec<u64> = functions
        .iter()
        .flat_map(|f| f.insns.iter())
        .filter(|i| i.is_conditional_jump())
        .map(|i| i.addr)
        .collect();
    let lines = source_lines(&addr2line, &exe, &addrs);
    let src = common::workspace().join("crates/pairing/src");
    let read = |file: &str, n: usize| -> String {
        std::fs::read_to_string(src.join(file))
            .ok()
            .and_then(|s| s.lines().nth(n - 1).map(|l| l.trim().to_string()))
            .unwrap_or_default()
    };

    let mut problems = Vec::new();
    let mut audited = 0;
    for f in &functions {
        let joins = disasm::jump_targets(f);
        for (index, insn) in f.insns.iter().enumerate() {
            if !insn.is_conditional_jump() {
                continue;
            }
            audited += 1;
            let line: Option<Line> = lines
                .get(&insn.addr)
                .map(|(file, n)| (file.clone(), *n, read(file, *n)));
            if let Some(problem) = audit(f, index, &joins, line.as_ref()) {
                problems.push(describe(f, index, line.as_ref(), &problem));
            }
        }
    }
    assert!(
        audited > 0,
        "no conditional jumps found: the disassembly was not read"
    );
    assert!(
        problems.is_empty(),
        "{} of {audited} conditional jumps in pairing::simd fail the audit:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
