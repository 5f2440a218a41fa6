//! Just enough of objdump's AT&T listing to reason about conditional jumps: functions,
//! instructions, operands, registers, and which instructions write the flags.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

/// One decoded instruction.
#[derive(Debug, Clone)]
pub struct Insn {
    pub addr: u64,
    pub mnemonic: String,
    /// Operands in AT&T order (sources first, destination last).
    pub operands: Vec<String>,
    /// The target of a direct jump or call, and the symbol objdump names for it.
    pub target: Option<(u64, String)>,
    /// objdump's note after `#`: the symbol an indirect call or a rip-relative operand
    /// refers to.
    pub comment: String,
    pub text: String,
}

pub struct Function {
    pub name: String,
    pub insns: Vec<Insn>,
}

/// Every function in `exe` whose demangled name starts with `prefix`.
pub fn functions(objdump: &Path, exe: &Path, prefix: &str) -> Vec<Function> {
    let output = Command::new(objdump)
        .args(["-d", "-C", "-w", "--no-show-raw-insn"])
        .arg(exe)
        .output()
        .expect("objdump runs");
    assert!(
        output.status.success(),
        "objdump failed on {}",
        exe.display()
    );
    let listing = String::from_utf8_lossy(&output.stdout);
    let mut out: Vec<Function> = Vec::new();
    let mut current: Option<Function> = None;
    for line in listing.lines() {
        if let Some(name) = line.strip_suffix(">:").and_then(|l| l.split_once(" <")) {
            out.extend(current.take());
            current = name.1.starts_with(prefix).then(|| Function {
                name: name.1.to_string(),
                insns: Vec::new(),
            });
        } else if let Some(f) = current.as_mut() {
            f.insns.extend(parse_insn(line));
        }
    }
    out.extend(current);
    out
}

fn parse_insn(line: &str) -> Option<Insn> {
    let (addr, rest) = line.trim_start().split_once(":\t")?;
    let addr = u64::from_str_radix(addr, 16).ok()?;
    let (rest, comment) = rest.split_once(" #").unwrap_or((rest, ""));
    let rest = rest.trim();
    let (mnemonic, ops) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let mut ops = ops.trim().to_string();
    let mut target = None;
    // "jne 1234 <sym+0x10>": a direct target.
    if let Some((a, sym)) = ops.split_once(" <") {
        if let Ok(t) = u64::from_str_radix(a.trim(), 16) {
            target = Some((t, sym.trim_end_matches('>').to_string()));
            ops.clear();
        }
    }
    Some(Insn {
        addr,
        mnemonic: mnemonic.to_string(),
        operands: split_operands(&ops),
        target,
        comment: comment.trim().to_string(),
        text: rest.to_string(),
    })
}

/// Splits "0x8(%rax,%rbx,1),%rcx" at the commas outside parentheses.
fn split_operands(ops: &str) -> Vec<String> {
    let (mut out, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for ch in ops.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl Insn {
    pub fn is_conditional_jump(&self) -> bool {
        self.mnemonic.starts_with('j') && self.mnemonic != "jmp"
    }

    /// Ends straight-line code: nothing after it runs on the same path.
    pub fn ends_block(&self) -> bool {
        self.mnemonic == "jmp" || self.mnemonic.starts_with("ret") || self.mnemonic == "ud2"
    }

    pub fn is_call(&self) -> bool {
        self.mnemonic.starts_with("call")
    }

    /// Whether the instruction writes the arithmetic flags.
    pub fn writes_flags(&self) -> bool {
        const FLAGS: &[&str] = &[
            "cmp", "test", "add", "sub", "adc", "sbb", "and", "or", "xor", "inc", "dec", "neg",
            "shl", "shr", "sar", "sal", "rol", "ror", "rcl", "rcr", "bt", "bts", "btr", "btc",
            "bsf", "bsr", "tzcnt", "lzcnt", "popcnt", "imul", "mul", "div", "idiv", "andn", "blsr",
            "blsi", "blsmsk", "bextr", "bzhi", "cmpxchg", "xadd", "sahf", "ptest", "vptest",
            "ucomiss", "ucomisd", "comiss", "comisd", "vucomiss", "vucomisd", "vcomiss", "vcomisd",
            "kortestb", "kortestw", "kortestd", "kortestq", "ktestb", "ktestw", "ktestd", "ktestq",
        ];
        let m = self.mnemonic.as_str();
        let base = m
            .strip_suffix(['b', 'w', 'l', 'q'])
            .filter(|b| FLAGS.contains(b));
        FLAGS.contains(&m) || base.is_some()
    }

    /// The register written, for the instructions the dependency walk follows.
    pub fn written_register(&self) -> Option<Reg> {
        let m = self.mnemonic.as_str();
        let compare_only = ["cmp", "test", "bt", "ptest", "vptest", "kortest", "ktest"]
            .iter()
            .any(|p| m.starts_with(p))
            || m.contains("comis");
        if compare_only || m.starts_with("push") || m.starts_with('j') || self.is_call() {
            return None;
        }
        match m {
            "cltq" | "cwtl" => Some(Reg::Gpr("a")),
            "cqto" | "cltd" => Some(Reg::Gpr("d")),
            _ => self.operands.last().and_then(|o| register(o)),
        }
    }

    /// Whether the written register's old value is lost (a move or load, not an update).
    pub fn overwrites(&self) -> bool {
        let m = self.mnemonic.as_str();
        let zeroing = (m.starts_with("xor") || m.starts_with("sub"))
            && self.operands.len() == 2
            && self.operands[0] == self.operands[1];
        zeroing
            || m.starts_with("mov")
            || m.starts_with("lea")
            || m.starts_with("set")
            || m.starts_with("pop")
            || m.starts_with("vmov")
            || m.starts_with("kmov")
    }

    /// Registers whose values the instruction reads (address registers excluded).
    pub fn read_registers(&self) -> Vec<Reg> {
        let mut regs: Vec<Reg> = Vec::new();
        let last = self.operands.len().saturating_sub(1);
        for (i, op) in self.operands.iter().enumerate() {
            if i == last && self.operands.len() > 1 && self.overwrites() {
                continue;
            }
            regs.extend(register(op));
        }
        match self.mnemonic.as_str() {
            "cltq" | "cwtl" | "cqto" | "cltd" => regs.push(Reg::Gpr("a")),
            _ => {}
        }
        regs
    }

    /// The first vector or mask register the instruction reads or writes.
    pub fn vector_or_mask(&self) -> Option<Reg> {
        self.operands
            .iter()
            .filter_map(|o| register(o))
            .find(|r| !matches!(r, Reg::Gpr(_)))
    }

    /// The name of what a call calls, direct or through the GOT.
    pub fn callee(&self) -> &str {
        self.target.as_ref().map_or(self.comment.as_str(), |t| &t.1)
    }
}

/// A register operand: a general-purpose register family (rax, eax, ax, al are "a"), a
/// vector register by number (xmm3, ymm3 and zmm3 are one), or a mask register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reg {
    Gpr(&'static str),
    Vector(u8),
    Mask(u8),
}

/// The register an operand names, if it is a bare register (a `{%k1}` write mask after
/// it included).
pub fn register(op: &str) -> Option<Reg> {
    let name = op.trim().strip_prefix('%')?;
    let name = name.split('{').next().unwrap_or(name);
    for prefix in ["xmm", "ymm", "zmm"] {
        if let Some(n) = name.strip_prefix(prefix).and_then(|n| n.parse().ok()) {
            return Some(Reg::Vector(n));
        }
    }
    if let Some(n) = name.strip_prefix('k').and_then(|n| n.parse().ok()) {
        return Some(Reg::Mask(n));
    }
    const FAMILIES: &[(&str, &[&str])] = &[
        ("a", &["rax", "eax", "ax", "al", "ah"]),
        ("b", &["rbx", "ebx", "bx", "bl", "bh"]),
        ("c", &["rcx", "ecx", "cx", "cl", "ch"]),
        ("d", &["rdx", "edx", "dx", "dl", "dh"]),
        ("si", &["rsi", "esi", "si", "sil"]),
        ("di", &["rdi", "edi", "di", "dil"]),
        ("bp", &["rbp", "ebp", "bp", "bpl"]),
        ("sp", &["rsp", "esp", "sp", "spl"]),
    ];
    for (family, names) in FAMILIES {
        if names.contains(&name) {
            return Some(Reg::Gpr(family));
        }
    }
    const HIGH: &[&str] = &["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
    let base = name.trim_end_matches(['d', 'w', 'b']);
    HIGH.iter().find(|r| **r == base).map(|r| Reg::Gpr(r))
}

/// The addresses that jumps in `f` land on: where straight-line code can be entered.
pub fn jump_targets(f: &Function) -> HashSet<u64> {
    f.insns
        .iter()
        .filter(|i| i.mnemonic.starts_with('j'))
        .filter_map(|i| i.target.as_ref().map(|t| t.0))
        .collect()
}
