//! F_p2 and the curve on eight lanes: the formulas of `fp2.rs` and `point.rs`, written
//! against [`Fp8`]. (Rust trait methods cannot carry `target_feature`, so the scalar code
//! cannot simply be made generic without losing the vector instructions.)
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::__mmask8;

use super::fp8::Fp8;

/// Eight F_p2 elements c0 + i c1.
#[derive(Clone, Copy)]
pub(crate) struct Fp2x8 {
    pub(crate) c0: Fp8,
    pub(crate) c1: Fp8,
}

impl Fp2x8 {
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn one() -> Fp2x8 {
        let mut one = [0u64; crate::arith::N];
        one[0] = 1;
        Fp2x8 {
            c0: Fp8::constant(&one),
            c1: Fp8::zero(),
        }
    }

    /// (a + b)(a - b) + i 2ab.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn square(&self) -> Fp2x8 {
        let sum = self.c0.add(&self.c1);
        let diff = self.c0.sub(&self.c1);
        let prod = self.c0.mul(&self.c1);
        Fp2x8 {
            c0: sum.mul(&diff),
            c1: prod.double(),
        }
    }

    /// Karatsuba: three multiplications.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn mul(&self, o: &Fp2x8) -> Fp2x8 {
        let aa = self.c0.mul(&o.c0);
        let bb = self.c1.mul(&o.c1);
        let cross = self.c0.add(&self.c1).mul(&o.c0.add(&o.c1));
        Fp2x8 {
            c0: aa.sub(&bb),
            c1: cross.sub(&aa).sub(&bb),
        }
    }

    /// self * (u + i y), three multiplications.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn mul_by_line(&self, u: &Fp8, y: &Fp8) -> Fp2x8 {
        let t0 = self.c0.mul(u);
        let t1 = self.c1.mul(y);
        let t2 = self.c0.add(&self.c1).mul(&u.add(y));
        Fp2x8 {
            c0: t0.sub(&t1),
            c1: t2.sub(&t0).sub(&t1),
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn conjugate(&self) -> Fp2x8 {
        Fp2x8 {
            c0: self.c0,
            c1: self.c1.neg(),
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn select(a: &Fp2x8, b: &Fp2x8, mask: __mmask8) -> Fp2x8 {
        Fp2x8 {
            c0: Fp8::select(&a.c0, &b.c0, mask),
            c1: Fp8::select(&a.c1, &b.c1, mask),
        }
    }
}

/// Eight Jacobian points; `z = 0` marks the identity.
#[derive(Clone, Copy)]
pub(crate) struct Jac8 {
    pub(crate) x: Fp8,
    pub(crate) y: Fp8,
    pub(crate) z: Fp8,
}

/// Eight affine points, with a lane mask of identities.
#[derive(Clone, Copy)]
pub(crate) struct Aff8 {
    pub(crate) x: Fp8,
    pub(crate) y: Fp8,
    pub(crate) infinity: __mmask8,
}

impl Jac8 {
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn identity() -> Jac8 {
        let one = Fp2x8::one().c0;
        Jac8 {
            x: one,
            y: one,
            z: Fp8::zero(),
        }
    }

    /// The identity-aware mixed addition of `JacobianPoint::add_mixed_distinct`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn add_mixed_distinct(&self, o: &Aff8) -> Jac8 {
        let (sum, _, _) = self.add_with_line(&o.x, &o.y);
        let lifted = Jac8 {
            x: o.x,
            y: o.y,
            z: Fp2x8::one().c0,
        };
        let out = Jac8::select(&sum, &lifted, self.z.is_zero());
        Jac8::select(&out, self, o.infinity)
    }

    /// dbl-2001-b (a = -3), as `JacobianPoint::double`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn double(&self) -> Jac8 {
        self.double_with_line().0
    }

    /// Doubles and returns the tangent's (alpha, delta, old X, gamma, Z3), from which the
    /// line alpha (delta x + X) - 2 gamma + i Z3 delta y is evaluated, as in `miller.rs`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn double_with_line(&self) -> (Jac8, [Fp8; 5]) {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let s = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = s.double().add(&s);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let y3 = alpha
            .mul(&beta4.sub(&x3))
            .sub(&gamma.square().double().double().double());
        (
            Jac8 {
                x: x3,
                y: y3,
                z: z3,
            },
            [alpha, delta, self.x, gamma, z3],
        )
    }

    /// madd-2007-bl without identity handling (inside the Miller loop the running point is
    /// never the identity nor +-R), returning (rr, Z3) for the chord rr (x + rx) - ry Z3 +
    /// i Z3 y.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn add_with_line(&self, rx: &Fp8, ry: &Fp8) -> (Jac8, Fp8, Fp8) {
        let z1z1 = self.z.square();
        let u2 = rx.mul(&z1z1);
        let s2 = ry.mul(&self.z.mul(&z1z1));
        let h = u2.sub(&self.x);
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let rr = s2.sub(&self.y).double();
        let v = self.x.mul(&i);
        let x3 = rr.square().sub(&j).sub(&v.double());
        let y3 = rr.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        (
            Jac8 {
                x: x3,
                y: y3,
                z: z3,
            },
            rr,
            z3,
        )
    }

    /// add-2007-bl with identities selected in but not the doubling case, as
    /// `JacobianPoint::add_distinct`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn add_distinct(&self, o: &Jac8) -> Jac8 {
        let z1z1 = self.z.square();
        let z2z2 = o.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = o.x.mul(&z1z1);
        let s1 = self.y.mul(&o.z).mul(&z2z2);
        let s2 = o.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let i = h.double().square();
        let j = h.mul(&i);
        let r = s2.sub(&s1).double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&o.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        let out = Jac8::select(
            &Jac8 {
                x: x3,
                y: y3,
                z: z3,
            },
            o,
            self.z.is_zero(),
        );
        Jac8::select(&out, self, o.z.is_zero())
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn select(a: &Jac8, b: &Jac8, mask: __mmask8) -> Jac8 {
        Jac8 {
            x: Fp8::select(&a.x, &b.x, mask),
            y: Fp8::select(&a.y, &b.y, mask),
            z: Fp8::select(&a.z, &b.z, mask),
        }
    }
}
