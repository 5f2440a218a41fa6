//! Scalars mod q: strict decoding of secrets and ephemerals, hash-to-scalar reduction, and
//! random non-zero draws. Arithmetic on them is p256's constant-time `Scalar`, except the one
//! inversion per signature (`mont256`).

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::NonZeroScalar;
use p256::{FieldBytes, NistP256, Scalar, U256};
use rand_core::CryptoRngCore;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{EccsiError, Result};

/// Length of an encoded scalar or integer, N = Ceiling(lg(p)/8) = 32 for P-256.
pub const SCALAR_LEN: usize = 32;

/// How many draws a fallible RNG gets before we call it broken: a uniform 32-byte draw is
/// >= q with probability about 2^-32, so 64 rejections in a row do not happen by chance.
const MAX_DRAWS: usize = 64;

/// Decodes a 32-byte big-endian integer that must lie in [1, q-1].
pub(crate) fn nonzero_from_bytes(bytes: &[u8]) -> Result<Zeroizing<Scalar>> {
    let array: Zeroizing<[u8; SCALAR_LEN]> = Zeroizing::new(
        bytes
            .try_into()
            .map_err(|_| EccsiError::ScalarLength(bytes.len()))?,
    );
    let repr = Zeroizing::new(FieldBytes::from(*array));
    // The value may be secret (KSAK, SSK, v, j); the verdicts are declassified, as the
    // caller learns them from the result.
    let scalar = ctgrind::public_option(Scalar::from_repr(*repr))
        .map(Zeroizing::new)
        .ok_or(EccsiError::ScalarOutOfRange)?;
    if is_zero(&scalar) {
        return Err(EccsiError::ScalarZero);
    }
    Ok(scalar)
}

/// The 32-byte big-endian encoding of a scalar.
pub(crate) fn to_bytes(scalar: &Scalar) -> [u8; SCALAR_LEN] {
    scalar.to_repr().into()
}

/// Reduces a 32-byte big-endian integer (a hash output or an x-coordinate) modulo q.
pub(crate) fn reduce(bytes: &[u8; SCALAR_LEN]) -> Scalar {
    <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*bytes))
}

/// Draws a uniform scalar in [1, q-1] from an infallible RNG (RngCore's contract).
pub(crate) fn random_nonzero(rng: &mut impl CryptoRngCore) -> Zeroizing<Scalar> {
    Zeroizing::new(*NonZeroScalar::<NistP256>::random(rng))
}

/// Draws a uniform scalar in [1, q-1], surfacing RNG failure as [`EccsiError::Rng`].
pub(crate) fn try_random_nonzero(rng: &mut impl CryptoRngCore) -> Result<Zeroizing<Scalar>> {
    for _ in 0..MAX_DRAWS {
        let mut buf = Zeroizing::new([0u8; SCALAR_LEN]);
        rng.try_fill_bytes(buf.as_mut())
            .map_err(|_| EccsiError::Rng)?;
        if let Ok(scalar) = nonzero_from_bytes(buf.as_ref()) {
            return Ok(scalar);
        }
    }
    Err(EccsiError::Rng)
}

/// The zero checks the RFC mandates, on values that may be secret (an SSK, HE + r SSK):
/// constant time, and the verdict declassified, since a zero aborts or restarts the
/// operation for everyone to see.
pub(crate) fn is_zero(scalar: &Scalar) -> bool {
    ctgrind::public_verdict(scalar.ct_eq(&Scalar::ZERO))
}
