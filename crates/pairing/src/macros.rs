//! Boilerplate: the by-value and assigning forms of +, -, * in terms of the by-reference
//! implementations, and Debug for types that may hold a secret.

macro_rules! impl_binops {
    ($t:ty) => {
        impl core::ops::Add<$t> for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, rhs: $t) -> $t {
                &self + &rhs
            }
        }
        impl<'a> core::ops::Add<&'a $t> for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, rhs: &'a $t) -> $t {
                &self + rhs
            }
        }
        impl core::ops::Sub<$t> for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, rhs: $t) -> $t {
                &self - &rhs
            }
        }
        impl<'a> core::ops::Sub<&'a $t> for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, rhs: &'a $t) -> $t {
                &self - rhs
            }
        }
        impl core::ops::Mul<$t> for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, rhs: $t) -> $t {
                &self * &rhs
            }
        }
        impl<'a> core::ops::Mul<&'a $t> for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, rhs: &'a $t) -> $t {
                &self * rhs
            }
        }
        impl core::ops::AddAssign<$t> for $t {
            #[inline(always)]
            fn add_assign(&mut self, rhs: $t) {
                *self = &*self + &rhs;
            }
        }
        impl<'a> core::ops::AddAssign<&'a $t> for $t {
            #[inline(always)]
            fn add_assign(&mut self, rhs: &'a $t) {
                *self = &*self + rhs;
            }
        }
        impl core::ops::SubAssign<$t> for $t {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: $t) {
                *self = &*self - &rhs;
            }
        }
        impl<'a> core::ops::SubAssign<&'a $t> for $t {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: &'a $t) {
                *self = &*self - rhs;
            }
        }
        impl core::ops::MulAssign<$t> for $t {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: $t) {
                *self = &*self * &rhs;
            }
        }
        impl<'a> core::ops::MulAssign<&'a $t> for $t {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: &'a $t) {
                *self = &*self * rhs;
            }
        }
    };
}

pub(crate) use impl_binops;

/// `Type(<redacted>)`: field elements, scalars and points hold secrets as often as not
/// (RSK coordinates, pairing values, line coefficients, r), and the type cannot tell
/// which, so Debug never shows the value. Public values print through their encodings.
macro_rules! impl_redacted_debug {
    ($($t:ident),*) => {
        $(
            impl core::fmt::Debug for $t {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str(concat!(stringify!($t), "(<redacted>)"))
                }
            }
        )*
    };
}

pub(crate) use impl_redacted_debug;
