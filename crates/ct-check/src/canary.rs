//! Deliberate leaks, run with `--canary`: the test checks that memcheck reports both, so
//! that a client request that silently stopped working cannot pass for a clean run.

use crate::secret::secret;

/// A branch on a secret byte, and a table read at a secret index.
pub fn leak() {
    let byte = secret(std::hint::black_box(0x5au8));
    if byte > 0x40 {
        eprintln!("ct-taint: canary branch taken");
    }
    let table = std::hint::black_box([0u8; 256]);
    let read = table[usize::from(byte)];
    eprintln!("ct-taint: canary read {}", std::hint::black_box(read));
}
