//! F_p2 = F_p[i] with i^2 = -1, where the Miller loop accumulates its value.

use core::ops::{Add, Mul, Neg, Sub};

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::DefaultIsZeroes;

use crate::fp::Fp;

/// c0 + i * c1. Debug output hides the value.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Fp2 {
    pub c0: Fp,
    pub c1: Fp,
}

impl DefaultIsZeroes for Fp2 {}

crate::macros::impl_redacted_debug!(Fp2);

impl Fp2 {
    pub const ZERO: Fp2 = Fp2 {
        c0: Fp::ZERO,
        c1: Fp::ZERO,
    };
    pub const ONE: Fp2 = Fp2 {
        c0: Fp::ONE,
        c1: Fp::ZERO,
    };

    pub const fn new(c0: Fp, c1: Fp) -> Fp2 {
        Fp2 { c0, c1 }
    }

    /// (a + ib)^2 = (a + b)(a - b) + i * 2ab: two multiplications.
    #[inline(always)]
    pub fn square(&self) -> Fp2 {
        let sum = self.c0 + self.c1;
        let diff = self.c0 - self.c1;
        let prod = self.c0 * self.c1;
        Fp2 {
            c0: sum * diff,
            c1: prod.double(),
        }
    }

    /// a - ib.
    pub fn conjugate(&self) -> Fp2 {
        Fp2 {
            c0: self.c0,
            c1: -self.c1,
        }
    }

    /// Multiplication by an element of F_p.
    #[inline(always)]
    pub fn mul_by_fp(&self, k: &Fp) -> Fp2 {
        Fp2 {
            c0: self.c0 * k,
            c1: self.c1 * k,
        }
    }

    /// The inverse, (a - ib) / (a^2 + b^2); zero maps to zero.
    pub fn invert(&self) -> Fp2 {
        let norm_inv = (self.c0.square() + self.c1.square()).invert();
        self.conjugate().mul_by_fp(&norm_inv)
    }
}

impl ConstantTimeEq for Fp2 {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.c0.ct_eq(&other.c0) & self.c1.ct_eq(&other.c1)
    }
}

impl ConditionallySelectable for Fp2 {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Fp2 {
            c0: Fp::conditional_select(&a.c0, &b.c0, choice),
            c1: Fp::conditional_select(&a.c1, &b.c1, choice),
        }
    }
}

impl<'a> Add<&'a Fp2> for &Fp2 {
    type Output = Fp2;
    #[inline(always)]
    fn add(self, rhs: &'a Fp2) -> Fp2 {
        Fp2 {
            c0: self.c0 + rhs.c0,
            c1: self.c1 + rhs.c1,
        }
    }
}

impl<'a> Sub<&'a Fp2> for &Fp2 {
    type Output = Fp2;
    #[inline(always)]
    fn sub(self, rhs: &'a Fp2) -> Fp2 {
        Fp2 {
            c0: self.c0 - rhs.c0,
            c1: self.c1 - rhs.c1,
        }
    }
}

impl<'a> Mul<&'a Fp2> for &Fp2 {
    type Output = Fp2;
    /// Karatsuba: three F_p multiplications.
    #[inline(always)]
    fn mul(self, rhs: &'a Fp2) -> Fp2 {
        let aa = self.c0 * rhs.c0;
        let bb = self.c1 * rhs.c1;
        let cross = (self.c0 + self.c1) * (rhs.c0 + rhs.c1);
        Fp2 {
            c0: aa - bb,
            c1: cross - aa - bb,
        }
    }
}

impl Neg for &Fp2 {
    type Output = Fp2;
    fn neg(self) -> Fp2 {
        Fp2 {
            c0: -self.c0,
            c1: -self.c1,
        }
    }
}

impl Neg for Fp2 {
    type Output = Fp2;
    fn neg(self) -> Fp2 {
        -&self
    }
}

crate::macros::impl_binops!(Fp2);
