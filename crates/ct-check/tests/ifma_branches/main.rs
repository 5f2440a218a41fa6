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
//!    line in crates/pairing; that line must be in `PUBLIC_LINES` (public_lines.rs), which
//!    says why its
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

#[path = "../common/mod.rs"]
mod common;
mod disasm;
mod lines;
mod public_lines;
mod rules;

use disasm::Function;

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
pub type Line = (String, usize, String);

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
    let lines = lines::source_lines(&addr2line, &exe, &addrs);
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
            if let Some(problem) = rules::audit(f, index, &joins, line.as_ref()) {
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
