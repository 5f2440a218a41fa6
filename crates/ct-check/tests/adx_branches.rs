//! The BMI2/ADX single product (crates/pairing/src/adx.rs) never runs under memcheck:
//! valgrind's virtual CPU does not report ADX, so ct-taint takes the portable path
//! there. Its branches are audited in the machine code instead, in the build ct-taint is
//! (profile ct): every function of `pairing::adx` that holds the product (the assembly
//! and the masked final subtraction inlined after it) may have exactly one conditional
//! jump, the round counter's `dec; jne` that closes the assembly loop. A mask the
//! compiler turned back into a branch, or any other jump, fails.

#![cfg(target_arch = "x86_64")]

mod common;
#[allow(dead_code)]
#[path = "ifma_branches/disasm.rs"]
mod disasm;

#[test]
fn adx_product_branches_only_on_its_round_count() {
    let Some(objdump) = common::require_tool("objdump", "binutils") else {
        return;
    };
    let exe = common::ct_taint();
    let functions: Vec<_> = disasm::functions(&objdump, &exe, "pairing::adx::mont_mul")
        .into_iter()
        .filter(|f| f.insns.iter().any(|i| i.mnemonic == "adox"))
        .collect();
    // One copy per modulus (p for F_p, q for scalars) that ct-taint multiplies in.
    assert!(
        !functions.is_empty(),
        "no pairing::adx::mont_mul* holding the product in {}: the audit would not see it",
        exe.display()
    );
    for f in &functions {
        let mulx = f.insns.iter().filter(|i| i.mnemonic == "mulx").count();
        assert_eq!(
            mulx, 32,
            "{}: 16 products and 16 reduction products a round",
            f.name
        );
        let jumps: Vec<usize> = (0..f.insns.len())
            .filter(|&i| f.insns[i].is_conditional_jump())
            .collect();
        let listing = |i: usize| -> String {
            f.insns[i.saturating_sub(4)..=i]
                .iter()
                .map(|x| format!("    {:x}: {}", x.addr, x.text))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            jumps.len(),
            1,
            "{}: expected only the round counter's jump, found:\n{}",
            f.name,
            jumps
                .iter()
                .map(|&i| listing(i))
                .collect::<Vec<_>>()
                .join("\n\n")
        );
        let jump = jumps[0];
        let setter = f.insns[..jump]
            .iter()
            .rev()
            .find(|i| i.writes_flags())
            .expect("an instruction sets the jump's flags");
        assert!(
            f.insns[jump].mnemonic == "jne" && setter.mnemonic == "dec",
            "{}: the one jump is not the counted loop:\n{}",
            f.name,
            listing(jump)
        );
        let target = f.insns[jump].target.as_ref().map(|(addr, _)| *addr);
        let loop_start = f.insns.iter().position(|i| Some(i.addr) == target);
        assert!(
            loop_start.is_some_and(|s| f.insns[s..jump]
                .iter()
                .filter(|i| i.mnemonic == "mulx")
                .count()
                == 32),
            "{}: the jump does not close the loop over the 32 products",
            f.name
        );
    }
}
