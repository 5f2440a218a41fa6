//! Secret tainting for constant-time checks under valgrind memcheck (the "ctgrind"
//! technique, after Adam Langley's ctgrind).
//!
//! Memcheck reports a conditional jump or a memory address computed from undefined
//! bytes. Marking a secret undefined with [`mark_secret`] turns every branch or table
//! index that depends on it into a report; [`declassify`] marks a value defined again
//! where the protocol makes it public (a TEST verdict, a ciphertext, a public key).
//!
//! The requests are valgrind's "client request" instruction sequence: four rotations of
//! rdi that add up to 128 bits (so leave it unchanged) and `xchg rbx, rbx`. On a real
//! processor they do nothing and cost a few cycles, so the library carries its
//! declassification points in every build and the code checked under valgrind is the
//! code that ships. On targets other than x86-64 every function here is a no-op.

#![no_std]

use subtle::{Choice, ConditionallySelectable, CtOption};

/// Memcheck's requests, from `valgrind/memcheck.h`: VG_USERREQ_TOOL_BASE('M', 'C') + n.
const MEMCHECK_BASE: usize = ((b'M' as usize) << 24) | ((b'C' as usize) << 16);
const MAKE_MEM_UNDEFINED: usize = MEMCHECK_BASE + 1;
const MAKE_MEM_DEFINED: usize = MEMCHECK_BASE + 2;
/// From `valgrind/valgrind.h`: answers the number of valgrind layers, 0 natively.
const RUNNING_ON_VALGRIND: usize = 0x1001;

/// Marks the bytes of `value` as secret: memcheck reports any branch or address that
/// depends on them. The bytes themselves are unchanged.
#[inline]
pub fn mark_secret<T: ?Sized>(value: &T) {
    let (addr, len) = span(value);
    request(0, [MAKE_MEM_UNDEFINED, addr, len, 0, 0, 0]);
}

/// Marks the bytes of `value` as public again. Call it only where the value is an
/// output the protocol reveals, and say why at the call.
#[inline]
pub fn declassify<T: ?Sized>(value: &T) {
    let (addr, len) = span(value);
    request(0, [MAKE_MEM_DEFINED, addr, len, 0, 0, 0]);
}

/// `value`, declassified: for a verdict about to decide a branch.
#[inline]
pub fn declassified<T: Copy>(value: T) -> T {
    declassify(&value);
    value
}

/// A verdict the protocol makes public (a key loads or is refused, TEST passes or
/// fails), as the bool to branch on.
#[inline]
pub fn public_verdict(verdict: Choice) -> bool {
    bool::from(declassified(verdict))
}

/// The value of `option` when its presence is public (a decoding accepted or refused):
/// only the presence is declassified, the value stays secret.
#[inline]
pub fn public_option<T: ConditionallySelectable + Default>(option: CtOption<T>) -> Option<T> {
    let present = public_verdict(option.is_some());
    present.then(|| option.unwrap_or(T::default()))
}

/// Whether this process runs under valgrind.
pub fn running_on_valgrind() -> bool {
    request(0, [RUNNING_ON_VALGRIND, 0, 0, 0, 0, 0]) != 0
}

fn span<T: ?Sized>(value: &T) -> (usize, usize) {
    (
        value as *const T as *const u8 as usize,
        core::mem::size_of_val(value),
    )
}

/// Valgrind's client request: the result in rdx, `default` when not under valgrind.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn request(default: usize, args: [usize; 6]) -> usize {
    let result;
    // SAFETY: the rotations leave rdi as it was and xchg rbx, rbx swaps a register with
    // itself, so natively this changes nothing but the flags (not preserved here). Under
    // valgrind it reads the six words at rax and writes rdx. Memory is not marked
    // read-only or untouched: the compiler must keep the marked bytes in memory, and
    // reload them afterwards, rather than carry copies in registers across the request.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") default => result,
            in("rax") args.as_ptr(),
            out("rdi") _,
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn request(default: usize, _args: [usize; 6]) -> usize {
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Natively the requests change nothing and report no valgrind.
    #[test]
    fn requests_are_no_ops_natively() {
        let secret = [0x5au8; 32];
        mark_secret(&secret);
        declassify(&secret[..]);
        assert_eq!(declassified(7u32), 7);
        assert_eq!(secret, [0x5au8; 32]);
        assert!(!running_on_valgrind());
    }

    #[test]
    fn verdicts_keep_their_values() {
        assert!(public_verdict(Choice::from(1)));
        assert!(!public_verdict(Choice::from(0)));
        assert_eq!(public_option(CtOption::new(9u64, Choice::from(1))), Some(9));
        assert_eq!(public_option(CtOption::new(9u64, Choice::from(0))), None);
    }
}
