//! Batched encapsulation and decapsulation on any [`PairingBackend`].
//!
//! Decapsulation: pairings on the backend, hashes on the CPU, TEST's scalar
//! multiplications on the backend, and the comparison here. TEST catches a wrong pairing
//! or multiplication as surely as a forged ciphertext, so an item that fails it is
//! computed again on the CPU before it is reported: a faulty accelerator costs time, never
//! a wrong key.

use pairing::backend::{BackendError, PairingBackend, PairingJob, ScalarMulJob};
use pairing::Scalar;
use zeroize::{Zeroize, Zeroizing};

use crate::hash::pairing_mask;
use crate::kem::{decapsulate_with, derive_r, encapsulate_to};
use crate::{EncapsulatedData, ReceiverKey, RecipientKey, SakkeError, Ssv};

/// One decapsulation request.
#[derive(Clone, Copy, Debug)]
pub struct DecapItem<'a> {
    pub encapsulated: &'a EncapsulatedData,
    pub key: &'a ReceiverKey,
}

/// One encapsulation request.
#[derive(Clone, Copy, Debug)]
pub struct EncapItem<'a> {
    pub ssv: &'a Ssv,
    pub to: &'a RecipientKey,
}

/// Results in request order, and how much work went back to the CPU.
#[derive(Debug)]
pub struct BatchOutcome<T> {
    pub results: Vec<Result<T, SakkeError>>,
    /// Items recomputed on the CPU after the backend's result failed TEST or the item
    /// failed on the device.
    pub retried: usize,
    /// Set when the whole batch failed on the backend and ran on the CPU instead.
    pub backend_error: Option<BackendError>,
}

/// Drops the elements where they lie, then wipes the whole buffer: the bytes a `None`
/// does not use are copied from the stack with it, and can hold the previous SSV.
fn wipe<T>(items: &mut Vec<T>) {
    items.clear();
    items.spare_capacity_mut().zeroize();
}

fn xor(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    core::array::from_fn(|i| a[i] ^ b[i])
}

/// Decapsulates every item, with the pairings and TEST multiplications on `backend`.
pub fn decapsulate_batch(
    backend: &dyn PairingBackend,
    items: &[DecapItem<'_>],
) -> BatchOutcome<Ssv> {
    outcome(decapsulate_on(backend, items), || {
        items
            .iter()
            .map(|it| decapsulate_with(it.encapsulated, it.key))
            .collect()
    })
}

/// Like [`decapsulate_batch`], but a failure of the whole batch on the backend is
/// returned instead of being recomputed here: for a scheduler that reroutes the batch
/// to another backend and takes the failing one out of rotation. Items failing TEST are
/// still recomputed on the CPU.
pub fn try_decapsulate_batch(
    backend: &dyn PairingBackend,
    items: &[DecapItem<'_>],
) -> Result<BatchOutcome<Ssv>, BackendError> {
    decapsulate_on(backend, items).map(computed)
}

/// Like [`encapsulate_batch`], returning a whole-batch failure instead of recomputing.
pub fn try_encapsulate_batch(
    backend: &dyn PairingBackend,
    items: &[EncapItem<'_>],
) -> Result<BatchOutcome<EncapsulatedData>, BackendError> {
    encapsulate_on(backend, items).map(computed)
}

fn computed<T>((results, retried): (Vec<Result<T, SakkeError>>, usize)) -> BatchOutcome<T> {
    BatchOutcome {
        results,
        retried,
        backend_error: None,
    }
}

/// The outcome of a batch: the backend's results, or, if the whole batch failed there,
/// every item computed on the CPU and counted as retried.
fn outcome<T>(
    on_backend: Result<(Vec<Result<T, SakkeError>>, usize), BackendError>,
    on_cpu: impl FnOnce() -> Vec<Result<T, SakkeError>>,
) -> BatchOutcome<T> {
    match on_backend {
        Ok(done) => computed(done),
        Err(err) => {
            let results = on_cpu();
            BatchOutcome {
                retried: results.len(),
                results,
                backend_error: Some(err),
            }
        }
    }
}

type Decapsulated = (Vec<Result<Ssv, SakkeError>>, usize);

fn decapsulate_on(
    backend: &dyn PairingBackend,
    items: &[DecapItem<'_>],
) -> Result<Decapsulated, BackendError> {
    let pairing_jobs: Vec<PairingJob> = items
        .iter()
        .map(|it| PairingJob {
            fixed: *it.key.rsk().point(),
            table: Some(it.key.line_table_key()),
            at: *it.encapsulated.point(),
        })
        .collect();
    let ws = backend.pairing_batch(&pairing_jobs);
    // The jobs hold copies of RSKs.
    let mut pairing_jobs = pairing_jobs;
    for job in pairing_jobs.iter_mut() {
        job.fixed.zeroize();
    }
    // Pairing values unmask SSVs: wiped once used.
    let mut ws = ws?;

    // Unmask and re-derive r on the CPU.
    let mut ssvs: Vec<Option<Ssv>> = Vec::with_capacity(items.len());
    let mut test_jobs: Vec<ScalarMulJob> = Vec::with_capacity(items.len());
    for (it, w) in items.iter().zip(&ws) {
        let to = it.key.recipient();
        let (ssv, r) = match w {
            Ok(w) => {
                let ssv = Ssv::from(xor(it.encapsulated.hint(), &pairing_mask(w)));
                let r = derive_r(&ssv, to.identifier());
                (Some(ssv), *r)
            }
            Err(_) => (None, Scalar::ZERO),
        };
        ssvs.push(ssv);
        test_jobs.push(ScalarMulJob {
            base: *to.base_point(),
            table: Some(to.base_table_key()),
            scalar: r,
        });
    }
    for w in ws.iter_mut().flatten() {
        w.zeroize();
    }
    let expected: Vec<_> = items.iter().map(|it| *it.encapsulated.point()).collect();
    let tests = backend.scalar_mul_eq_batch(&test_jobs, &expected);
    for job in test_jobs.iter_mut() {
        job.zeroize();
    }
    let tests = tests?;
    // Declassified: TEST's verdicts are the results (an SSV, or a retry and its verdict).
    ctgrind::declassify(&tests[..]);

    // The SSVs are cloned out, not moved: `ssvs` wipes them where they lie as it drops,
    // whereas a moved-from buffer would be freed with them in it.
    let mut retried = 0;
    let results = items
        .iter()
        .zip(&ssvs)
        .zip(&tests)
        .map(|((it, ssv), passed)| match ssv {
            Some(ssv) if matches!(passed, Ok(true)) => Ok(ssv.clone()),
            _ => {
                retried += 1;
                decapsulate_with(it.encapsulated, it.key)
            }
        })
        .collect();
    wipe(&mut ssvs);
    Ok((results, retried))
}

/// Encapsulates every item: R = [r]([b]P + Z) and g^r on `backend`, hashes on the CPU.
pub fn encapsulate_batch(
    backend: &dyn PairingBackend,
    items: &[EncapItem<'_>],
) -> BatchOutcome<EncapsulatedData> {
    outcome(encapsulate_on(backend, items), || {
        items
            .iter()
            .map(|it| Ok(encapsulate_to(it.ssv, it.to)))
            .collect()
    })
}

type Encapsulated = (Vec<Result<EncapsulatedData, SakkeError>>, usize);

fn encapsulate_on(
    backend: &dyn PairingBackend,
    items: &[EncapItem<'_>],
) -> Result<Encapsulated, BackendError> {
    let rs: Zeroizing<Vec<Scalar>> = Zeroizing::new(
        items
            .iter()
            .map(|it| *derive_r(it.ssv, it.to.identifier()))
            .collect(),
    );
    let mut jobs: Vec<ScalarMulJob> = items
        .iter()
        .zip(rs.iter())
        .map(|(it, r)| ScalarMulJob {
            base: *it.to.base_point(),
            table: Some(it.to.base_table_key()),
            scalar: *r,
        })
        .collect();
    let points = backend.scalar_mul_batch(&jobs);
    for job in jobs.iter_mut() {
        job.zeroize();
    }
    let points = points?;
    // Declassified: the points are the ciphertexts' R, which go on the wire.
    ctgrind::declassify(&points[..]);
    let mut g_rs = backend.gt_pow_batch(&rs)?;
    let mut retried = 0;
    let results = items
        .iter()
        .zip(points)
        .zip(g_rs.iter())
        .map(|((it, point), g_r)| match (point, g_r) {
            (Ok(point), Ok(g_r)) if !bool::from(point.is_identity()) => Ok(EncapsulatedData::new(
                point,
                xor(it.ssv.as_bytes(), &pairing_mask(g_r)),
            )),
            _ => {
                retried += 1;
                Ok(encapsulate_to(it.ssv, it.to))
            }
        })
        .collect();
    for g_r in g_rs.iter_mut().flatten() {
        g_r.zeroize();
    }
    Ok((results, retried))
}
