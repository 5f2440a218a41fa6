//! The `cpu-scalar` backend's batch paths: pairings with and without line tables, scalar
//! multiplications and TEST with and without fixed-base tables, powers of g, and the
//! batched SAKKE stages with a CPU retry.

use pairing::backend::{CpuBackend, CpuConfig, PairingBackend, PairingJob, ScalarMulJob};
use sakke::{decapsulate_batch, encapsulate_batch, encapsulate_to, DecapItem, EncapItem};

use crate::kem::{keys, ssv};
use crate::secret::{output, scalar};

/// The portable backend on one thread (memcheck runs threads one at a time anyway).
fn backend() -> CpuBackend {
    CpuBackend::new(CpuConfig {
        threads: 1,
        vector: false,
        ..CpuConfig::default()
    })
    .expect("backend")
}

/// Pairings against a prepared line table, against a table built inside the batch (a
/// key met twice) and without one (a key met once).
pub fn pairings() {
    let keys = keys();
    let backend = backend();
    let prepared = &keys.receivers[0];
    backend
        .prepare_pairing_table(prepared.line_table_key(), prepared.rsk_point())
        .expect("table fits");
    let at = *encapsulate_to(&ssv("pairing batch"), keys.recipient(0)).point();
    let job = |i: usize| PairingJob {
        fixed: *keys.receivers[i].rsk_point(),
        table: Some(keys.receivers[i].line_table_key()),
        at,
    };
    let jobs = [job(0), job(1), job(1)];
    let untabled = PairingJob {
        table: None,
        ..job(0)
    };
    for result in backend.pairing_batch(&jobs).expect("batch") {
        output(&result.expect("item"));
    }
    for result in backend.pairing_batch(&[untabled]).expect("batch") {
        output(&result.expect("item"));
    }
}

/// [k]B and TEST's comparison for secret k, with a prepared fixed-base table, one built
/// in the batch and none.
pub fn scalar_muls() {
    let keys = keys();
    let backend = backend();
    let tabled = keys.recipient(0);
    backend
        .prepare_base_table(tabled.base_table_key(), tabled.base_point())
        .expect("table fits");
    let job = |i: usize, label: &str| ScalarMulJob {
        base: *keys.recipient(i).base_point(),
        table: Some(keys.recipient(i).base_table_key()),
        scalar: scalar(label),
    };
    let jobs = [job(0, "mul 0"), job(1, "mul 1"), job(1, "mul 2")];
    let untabled = [ScalarMulJob {
        table: None,
        ..job(0, "mul 3")
    }];
    let points = backend.scalar_mul_batch(&jobs).expect("batch");
    let expected: Vec<_> = points.iter().map(|p| *p.as_ref().expect("item")).collect();
    output(&expected[..]);
    for verdict in backend
        .scalar_mul_eq_batch(&jobs, &expected)
        .expect("batch")
    {
        output(&verdict.expect("item"));
    }
    for point in backend.scalar_mul_batch(&untabled).expect("batch") {
        output(&point.expect("item"));
    }
}

/// g^r for secret exponents.
pub fn gt_pows() {
    let backend = backend();
    let exponents = [scalar("gt 0"), scalar("gt 1")];
    for value in backend.gt_pow_batch(&exponents).expect("batch") {
        output(&value.expect("item"));
    }
}

/// Batched encapsulation and decapsulation on the backend, one item failing TEST (a
/// ciphertext sent to the other user) and so retried on the CPU.
pub fn sakke_batches() {
    let keys = keys();
    let backend = backend();
    let ssvs = [ssv("batch 0"), ssv("batch 1"), ssv("batch 2")];
    let encap: Vec<EncapItem> = ssvs
        .iter()
        .zip([0, 0, 1])
        .map(|(ssv, i)| EncapItem {
            ssv,
            to: keys.recipient(i),
        })
        .collect();
    let sealed = encapsulate_batch(&backend, &encap);
    let eds: Vec<_> = sealed
        .results
        .into_iter()
        .map(|r| r.expect("encapsulated"))
        .collect();
    let decap: Vec<DecapItem> = eds
        .iter()
        .zip([0, 0, 0])
        .map(|(encapsulated, i)| DecapItem {
            encapsulated,
            key: &keys.receivers[i],
        })
        .collect();
    let opened = decapsulate_batch(&backend, &decap);
    assert_eq!(
        opened.retried, 1,
        "the misdirected item is retried on the CPU"
    );
    for (result, expected) in opened.results.iter().zip([true, true, false]) {
        assert_eq!(result.is_ok(), expected);
        if let Ok(ssv) = result {
            output(ssv.as_bytes());
        }
    }
}
