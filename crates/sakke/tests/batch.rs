//! Batched SAKKE on a backend equals the single-item path, and survives a faulty backend.

use std::sync::atomic::{AtomicUsize, Ordering};

use pairing::backend::{BatchResult, Capabilities, ScalarMulJob, TableKey, TableStats};
use pairing::{AffinePoint, Fp, PairingJob, PfValue, Scalar};
use rand::{rngs::StdRng, SeedableRng};
use sakke::{
    decapsulate_batch, decapsulate_with, encapsulate_batch, encapsulate_to, CpuBackend, CpuConfig,
    DecapItem, EncapItem, EncapsulatedData, Identifier, Kms, PairingBackend, ReceiverKey,
    RecipientKey, SakkeError, Ssv,
};

struct Users {
    receivers: Vec<ReceiverKey>,
    recipients: Vec<RecipientKey>,
}

/// Three identities under two KMSs.
fn users() -> Users {
    let mut rng = StdRng::seed_from_u64(21);
    let kmss = [Kms::generate_from(&mut rng), Kms::generate_from(&mut rng)];
    let mut receivers = Vec::new();
    let mut recipients = Vec::new();
    for (i, uri) in [
        "tel:+447700900001",
        "tel:+447700900002",
        "sip:carol@example.org",
    ]
    .iter()
    .enumerate()
    {
        let kms = &kmss[i % 2];
        let id = Identifier::rfc6509("2026-11", uri).unwrap();
        receivers
            .push(ReceiverKey::new(&id, &kms.public_key(), kms.issue_rsk(&id).unwrap()).unwrap());
        recipients.push(RecipientKey::new(&id, &kms.public_key()).unwrap());
    }
    Users {
        receivers,
        recipients,
    }
}

fn ssv(i: usize) -> Ssv {
    Ssv::from([i as u8; 16])
}

#[test]
fn batches_equal_single_items() {
    let u = users();
    let cpu = CpuBackend::new(CpuConfig::default()).unwrap();
    for n in [0usize, 1, 7, 12] {
        let ssvs: Vec<Ssv> = (0..n).map(ssv).collect();
        let items: Vec<EncapItem> = (0..n)
            .map(|i| EncapItem {
                ssv: &ssvs[i],
                to: &u.recipients[i % 3],
            })
            .collect();
        let enc = encapsulate_batch(&cpu, &items);
        assert_eq!(enc.retried, 0);
        let eds: Vec<EncapsulatedData> = enc.results.into_iter().map(|r| r.unwrap()).collect();
        for (i, ed) in eds.iter().enumerate() {
            assert_eq!(
                *ed,
                encapsulate_to(&ssvs[i], &u.recipients[i % 3]),
                "encapsulation {i} of {n}"
            );
        }
        // Item 0 goes to the wrong receiver when n > 1.
        let items: Vec<DecapItem> = (0..n)
            .map(|i| DecapItem {
                encapsulated: &eds[i],
                key: &u.receivers[if i == 0 && n > 1 { 1 } else { i % 3 }],
            })
            .collect();
        let dec = decapsulate_batch(&cpu, &items);
        for (i, result) in dec.results.iter().enumerate() {
            assert_eq!(
                *result,
                decapsulate_with(items[i].encapsulated, items[i].key)
            );
            if i == 0 && n > 1 {
                assert_eq!(*result, Err(SakkeError::TestFailed));
            } else {
                assert_eq!(result.as_ref().unwrap(), &ssvs[i]);
            }
        }
        // Only the genuinely bad item goes back to the CPU.
        assert_eq!(dec.retried, usize::from(n > 1));
    }
}

/// Wraps the CPU backend and corrupts one pairing value and one TEST point per batch.
struct Faulty {
    inner: CpuBackend,
    corrupted: AtomicUsize,
    /// Fail every scalar-multiplication batch as a whole, like a device that went away.
    offline: bool,
}

impl PairingBackend for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, pairing::backend::BackendError> {
        self.inner.modmul_batch(a, b)
    }
    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        let mut out = self.inner.pairing_batch(jobs)?;
        if let Some(Ok(v)) = out.get_mut(2) {
            *v = v.mul(&PfValue::generator());
            self.corrupted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(out)
    }
    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        if self.offline {
            return Err(pairing::backend::BackendError::Device {
                backend: "faulty".into(),
                message: "link down".into(),
            });
        }
        let mut out = self.inner.scalar_mul_batch(jobs)?;
        if let Some(Ok(p)) = out.get_mut(4) {
            *p = p.neg();
            self.corrupted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(out)
    }
    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        self.inner.gt_pow_batch(exponents)
    }
    fn prepare_pairing_table(
        &self,
        key: TableKey,
        fixed: &AffinePoint,
    ) -> Result<(), pairing::backend::BackendError> {
        self.inner.prepare_pairing_table(key, fixed)
    }
    fn prepare_base_table(
        &self,
        key: TableKey,
        base: &AffinePoint,
    ) -> Result<(), pairing::backend::BackendError> {
        self.inner.prepare_base_table(key, base)
    }
    fn table_stats(&self) -> TableStats {
        self.inner.table_stats()
    }
    fn clear_tables(&self) {
        self.inner.clear_tables()
    }
}

#[test]
fn a_corrupted_result_is_retried_on_the_cpu_and_counted() {
    let u = users();
    let faulty = Faulty {
        inner: CpuBackend::new(CpuConfig::default()).unwrap(),
        corrupted: AtomicUsize::new(0),
        offline: false,
    };
    let ssvs: Vec<Ssv> = (0..7).map(ssv).collect();
    let eds: Vec<EncapsulatedData> = (0..7)
        .map(|i| encapsulate_to(&ssvs[i], &u.recipients[i % 3]))
        .collect();
    let items: Vec<DecapItem> = (0..7)
        .map(|i| DecapItem {
            encapsulated: &eds[i],
            key: &u.receivers[i % 3],
        })
        .collect();
    let out = decapsulate_batch(&faulty, &items);
    assert_eq!(faulty.corrupted.load(Ordering::Relaxed), 2);
    for (i, result) in out.results.iter().enumerate() {
        assert_eq!(result.as_ref().unwrap(), &ssvs[i], "item {i}");
    }
    assert_eq!(out.retried, 2);
    assert!(out.backend_error.is_none());
}

#[test]
fn a_failed_batch_runs_on_the_cpu_and_says_so() {
    let u = users();
    let offline = Faulty {
        inner: CpuBackend::new(CpuConfig::default()).unwrap(),
        corrupted: AtomicUsize::new(0),
        offline: true,
    };
    let ssvs: Vec<Ssv> = (0..5).map(ssv).collect();
    let eds: Vec<EncapsulatedData> = (0..5)
        .map(|i| encapsulate_to(&ssvs[i], &u.recipients[i % 3]))
        .collect();
    let items: Vec<DecapItem> = (0..5)
        .map(|i| DecapItem {
            encapsulated: &eds[i],
            key: &u.receivers[i % 3],
        })
        .collect();
    let out = decapsulate_batch(&offline, &items);
    assert!(matches!(
        out.backend_error,
        Some(pairing::backend::BackendError::Device { .. })
    ));
    assert_eq!(out.retried, 5);
    for (i, result) in out.results.iter().enumerate() {
        assert_eq!(result.as_ref().unwrap(), &ssvs[i]);
    }
    let items: Vec<EncapItem> = (0..5)
        .map(|i| EncapItem {
            ssv: &ssvs[i],
            to: &u.recipients[i % 3],
        })
        .collect();
    let out = encapsulate_batch(&offline, &items);
    assert_eq!(out.retried, 5);
    for (result, ed) in out.results.iter().zip(&eds) {
        assert_eq!(result.as_ref().unwrap(), ed);
    }
}
