//! SAKKE on the GPU backend: RFC 6508 Appendix A decapsulated on the device, batched
//! encapsulation byte-identical to the CPU's, several identities under two KMSs in one
//! batch, and a faulty device (one wrong pairing or multiplication per batch) still
//! yielding every right SSV, with the retries counted.

mod common;

use backend_gpu::{Fault, GpuBackend, GpuConfig};
use common::open_backend;
use pairing::backend::TablePolicy;
use rand::{rngs::StdRng, SeedableRng};
use sakke::{
    decapsulate_batch, encapsulate_batch, encapsulate_to, CpuBackend, CpuConfig, DecapItem,
    EncapItem, EncapsulatedData, Identifier, Kms, KmsPublicKey, PairingBackend, ReceiverKey,
    RecipientKey, Rsk, Ssv,
};

#[path = "../../sakke/tests/vectors/rfc6508.rs"]
mod vectors;

use vectors::*;

fn tabled(fault: Option<Fault>) -> Option<GpuBackend> {
    open_backend(GpuConfig {
        tables: TablePolicy::Always,
        fault,
        ..GpuConfig::default()
    })
}

#[test]
fn rfc6508_appendix_a_decapsulates_on_the_gpu() {
    let Some(gpu) = tabled(None) else { return };
    let id = Identifier::new(h(B)).expect("RFC identifier");
    let kms = KmsPublicKey::from_bytes(&point(ZX, ZY)).expect("RFC KMS key");
    let rsk = Rsk::from_bytes(&point(KBX, KBY)).expect("RFC RSK");
    let key = ReceiverKey::new(&id, &kms, rsk).expect("valid");
    let ed = EncapsulatedData::from_bytes(&[point(RBX, RBY), h(HINT)].concat()).expect("RFC");
    // Twice in one batch, so the key gets a table: both Miller kernels see the vector.
    let item = DecapItem {
        encapsulated: &ed,
        key: &key,
    };
    let out = decapsulate_batch(&gpu, &[item, item]);
    assert_eq!(out.retried, 0, "the device's results passed TEST");
    assert!(out.backend_error.is_none());
    for ssv in out.results {
        assert_eq!(ssv.expect("decapsulated").as_bytes().to_vec(), h(SSV));
    }
    // Encapsulating the RFC's SSV on the device gives the RFC's ciphertext.
    let recipient = RecipientKey::new(&id, &kms).expect("valid");
    let ssv = Ssv::from_bytes(&h(SSV)).expect("16 bytes");
    let out = encapsulate_batch(
        &gpu,
        &[EncapItem {
            ssv: &ssv,
            to: &recipient,
        }],
    );
    let ed = out.results[0].as_ref().expect("encapsulated");
    assert_eq!(ed.to_bytes().to_vec(), [point(RBX, RBY), h(HINT)].concat());
}

struct Users {
    receivers: Vec<ReceiverKey>,
    recipients: Vec<RecipientKey>,
}

/// Four identities under two KMSs.
fn users() -> Users {
    let mut rng = StdRng::seed_from_u64(95);
    let kmss = [Kms::generate_from(&mut rng), Kms::generate_from(&mut rng)];
    let (mut receivers, mut recipients) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let kms = &kmss[i % 2];
        let id = Identifier::rfc6509("2026-12", &format!("tel:+4477009000{i:02}")).unwrap();
        let rsk = kms.issue_rsk(&id).unwrap();
        receivers.push(ReceiverKey::new(&id, &kms.public_key(), rsk).unwrap());
        recipients.push(RecipientKey::new(&id, &kms.public_key()).unwrap());
    }
    Users {
        receivers,
        recipients,
    }
}

/// Encapsulates n SSVs on `encap` (checking each against the CPU's single-item path),
/// then decapsulates them on `gpu`, checking every SSV; returns the decapsulation
/// retries.
fn round_trip(encap: &dyn PairingBackend, gpu: &GpuBackend, u: &Users, n: usize) -> usize {
    let ssvs: Vec<Ssv> = (0..n).map(|i| Ssv::from([i as u8 + 1; 16])).collect();
    let items: Vec<EncapItem> = (0..n)
        .map(|i| EncapItem {
            ssv: &ssvs[i],
            to: &u.recipients[i % 4],
        })
        .collect();
    let encapsulated = encapsulate_batch(encap, &items);
    assert!(encapsulated.backend_error.is_none());
    let eds: Vec<EncapsulatedData> = encapsulated
        .results
        .into_iter()
        .zip(&items)
        .map(|(ed, it)| {
            let ed = ed.expect("encapsulated");
            assert_eq!(
                ed,
                encapsulate_to(it.ssv, it.to),
                "byte-identical to the CPU"
            );
            ed
        })
        .collect();
    let decap: Vec<DecapItem> = (0..n)
        .map(|i| DecapItem {
            encapsulated: &eds[i],
            key: &u.receivers[i % 4],
        })
        .collect();
    let out = decapsulate_batch(gpu, &decap);
    assert!(out.backend_error.is_none());
    for (got, want) in out.results.into_iter().zip(&ssvs) {
        assert_eq!(got.expect("decapsulated").as_bytes(), want.as_bytes());
    }
    out.retried
}

#[test]
fn mixed_identities_and_kmss_round_trip_on_the_gpu() {
    let Some(gpu) = tabled(None) else { return };
    let u = users();
    assert_eq!(round_trip(&gpu, &gpu, &u, 9), 0);
    let stats = gpu.table_stats();
    assert!(
        stats.tables >= 4,
        "line and base tables of the keys used twice: {stats:?}"
    );
}

#[test]
fn a_faulty_device_costs_retries_never_a_wrong_ssv() {
    let u = users();
    let cpu = CpuBackend::new(CpuConfig::default()).expect("cpu");
    for fault in [Fault::CorruptPairing, Fault::CorruptScalarMul] {
        let Some(gpu) = tabled(Some(fault)) else {
            return;
        };
        // One corrupted item per batch: found by TEST and recomputed on the CPU.
        assert_eq!(round_trip(&cpu, &gpu, &u, 5), 1, "{fault:?}");
    }
}
