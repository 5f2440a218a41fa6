//! Making secrets, and ending cases: how the cases talk to memcheck.

use pairing::{Fp, Scalar};

/// `value`, marked secret: from here on memcheck reports any branch or memory address
/// that depends on its bytes, however far the value travels.
pub fn secret<T>(value: T) -> T {
    ctgrind::mark_secret(&value);
    value
}

/// Marks `bytes[from..]` secret and `bytes[..from]` public: an encoding whose format
/// byte anyone may read.
pub fn secret_part(bytes: &[u8], from: usize) {
    ctgrind::declassify(&bytes[..from]);
    ctgrind::mark_secret(&bytes[from..]);
}

/// Ends a case by handing its result back to the caller. Whatever the code under test
/// returned may now be inspected (compared, printed), so it is declassified here: this
/// is the boundary of the check, not a claim that the value is public.
pub fn output<T: ?Sized>(value: &T) {
    ctgrind::declassify(value);
}

/// 128 deterministic bytes for a label: the secrets differ from case to case and are the
/// same on every run, so a report can be reproduced.
pub fn bytes128(label: &str) -> [u8; 128] {
    *sakke::hash::blocks::<128>(label.as_bytes())
}

/// A scalar below q for a label, marked secret.
pub fn scalar(label: &str) -> Scalar {
    secret(Scalar::reduce_be_bytes(&bytes128(label)))
}

/// An F_p element for a label (below 2^1023 < p), marked secret.
pub fn fp(label: &str) -> Fp {
    let mut bytes = bytes128(label);
    bytes[0] &= 0x7f;
    let x = Option::<Fp>::from(Fp::from_bytes(&bytes)).expect("below p");
    secret(x)
}
