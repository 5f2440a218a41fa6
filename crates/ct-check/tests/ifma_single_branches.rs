//! The AVX-512 IFMA single product (crates/pairing/src/ifma.rs) never runs under
//! memcheck: valgrind's virtual CPU has no AVX-512, so ct-taint takes the portable path
//! there. Its machine code is audited instead, in the build ct-taint is (profile ct):
//! each copy of `pairing::ifma::mont_mul_reduced` (one per modulus) holds the 20
//! unrolled steps, 12 IFMA instructions each, and no conditional jump at all. A mask
//! the compiler turned into a branch, or a bounds check left on a digit position, fails.

#![cfg(target_arch = "x86_64")]

mod common;
#[allow(dead_code)]
#[path = "ifma_branches/disasm.rs"]
mod disasm;

#[test]
fn ifma_single_product_has_no_conditional_jump() {
    let Some(objdump) = common::require_tool("objdump", "binutils") else {
        return;
    };
    let exe = common::ct_taint();
    let functions = disasm::functions(&objdump, &exe, "pairing::ifma::mont_mul_reduced");
    // One copy per modulus (p for F_p, q for scalars) that ct-taint multiplies in.
    assert!(
        !functions.is_empty(),
        "no pairing::ifma::mont_mul_reduced in {}: the audit would not see it",
        exe.display()
    );
    for f in &functions {
        let madds = f
            .insns
            .iter()
            .filter(|i| i.mnemonic.starts_with("vpmadd52"))
            .count();
        assert_eq!(
            madds, 240,
            "{}: 20 steps of low and high halves of a b_i and m y_i on three registers",
            f.name
        );
        let jumps: Vec<String> = f
            .insns
            .iter()
            .filter(|i| i.is_conditional_jump())
            .map(|i| format!("    {:x}: {}", i.addr, i.text))
            .collect();
        assert!(
            jumps.is_empty(),
            "{}: conditional jumps in the single product:\n{}",
            f.name,
            jumps.join("\n")
        );
    }
}
