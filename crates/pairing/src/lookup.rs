//! Constant-time reads of signed-digit tables, shared by every windowed multiplication
//! and exponentiation.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// Something a signed digit can negate: points (negate y) and norm-one F_p2 values
/// (conjugate).
pub(crate) trait SignedEntry: ConditionallySelectable {
    /// The value for digit 0.
    fn zero_digit() -> Self;
    /// The value for -d given the value for d.
    fn negate(&self) -> Self;
}

/// table[|d| - 1], negated when d < 0, or the digit-0 value when d = 0. Every entry is read
/// whatever d is, so the digit (a piece of a secret scalar) leaves no trace in which
/// memory was touched.
#[inline]
pub(crate) fn lookup_signed<T: SignedEntry>(table: &[T], d: i8) -> T {
    let neg = Choice::from(((d as u8) >> 7) & 1);
    let abs = (d as i16).unsigned_abs() as u8;
    let mut r = T::zero_digit();
    for (j, entry) in table.iter().enumerate() {
        r = T::conditional_select(&r, entry, abs.ct_eq(&((j + 1) as u8)));
    }
    T::conditional_select(&r, &r.negate(), neg)
}
