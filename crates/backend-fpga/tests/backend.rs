//! `FpgaBackend` (`fpga-sim`) through the `PairingBackend` trait, against the CPU
//! reference: products, plain and tabled pairings, scalar multiplication and TEST, g^k,
//! tables, the card's cycle count, and a hang that fails one item and leaves the card
//! working.

mod common;

use backend_fpga::{FpgaBackend, FpgaConfig};
use pairing::backend::{ItemError, PairingBackend, PairingJob, ScalarMulJob, TableKey};
use pairing::{pairing as cpu_pairing, AffinePoint, Fp, JacobianPoint, PfValue, Scalar};

fn backend() -> Option<FpgaBackend> {
    match FpgaBackend::sim(FpgaConfig::default()) {
        Ok(b) => Some(b),
        Err(e) => {
            common::missing(&e.to_string());
            None
        }
    }
}

fn multiple(k: u64) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&Scalar::from_u64(k))
        .to_affine()
}

#[test]
fn products_pairings_scalar_muls_and_g_to_the_k_equal_the_cpu() {
    let Some(b) = backend() else { return };
    assert_eq!(b.name(), "fpga-sim");

    let a: Vec<Fp> = (1..6)
        .map(|i| Fp::from_u64(i * 1_000_003) - Fp::ONE)
        .collect();
    let c: Vec<Fp> = (1..6).map(|i| Fp::ZERO - Fp::from_u64(i)).collect();
    assert_eq!(b.device_cycles(), Some(0), "a fresh card has run nothing");
    let got = b.modmul_batch(&a, &c).unwrap();
    for ((x, y), r) in a.iter().zip(&c).zip(&got) {
        assert_eq!(r.to_bytes(), (*x * *y).to_bytes());
    }
    // The card's cycles for the batch, counted through the trait: the same again for
    // other values (the program's schedule is fixed), and more for a longer batch.
    let first = b.device_cycles().unwrap();
    assert!(first > 0);
    let other: Vec<Fp> = c.iter().map(|x| x.square()).collect();
    b.modmul_batch(&other, &a).unwrap();
    assert_eq!(b.device_cycles().unwrap(), 2 * first);
    b.modmul_batch(
        &[a.clone(), a.clone()].concat(),
        &[c.clone(), c.clone()].concat(),
    )
    .unwrap();
    assert!(b.device_cycles().unwrap() > 3 * first);

    let key = TableKey([7; 32]);
    let (rsk, r1, r2) = (multiple(5), multiple(3), multiple(9));
    b.prepare_pairing_table(key, &rsk).unwrap();
    assert_eq!(b.table_stats().tables, 1);
    // Tabled, plain, tabled: the plain program's data must leave the resident table be.
    let jobs = [
        PairingJob {
            fixed: rsk,
            table: Some(key),
            at: r1,
        },
        PairingJob {
            fixed: rsk,
            table: None,
            at: r2,
        },
        PairingJob {
            fixed: rsk,
            table: Some(key),
            at: r2,
        },
    ];
    let values = b.pairing_batch(&jobs).unwrap();
    for (job, v) in jobs.iter().zip(values) {
        assert_eq!(
            v.unwrap().to_bytes(),
            cpu_pairing(&job.fixed, &job.at).to_bytes()
        );
    }

    let k = Scalar::from_u64(0xDEAD_BEEF_F00D);
    let job = ScalarMulJob {
        base: r1,
        table: None,
        scalar: k,
    };
    let want = JacobianPoint::from(r1).mul(&k).to_affine();
    let got = b.scalar_mul_batch(&[job]).unwrap().remove(0).unwrap();
    assert_eq!(got.to_bytes(), want.to_bytes());
    let eq = b.scalar_mul_eq_batch(&[job, job], &[want, r1]).unwrap();
    assert_eq!(eq, vec![Ok(true), Ok(false)]);

    let g = b.gt_pow_batch(&[k]).unwrap().remove(0).unwrap();
    assert_eq!(g.to_bytes(), PfValue::generator().pow(&k).to_bytes());

    b.clear_tables();
    assert_eq!(b.table_stats().tables, 0);
}

#[test]
fn a_hang_fails_its_item_and_the_next_batch_is_right() {
    let Some(b) = backend() else { return };
    let key = TableKey([1; 32]);
    let (rsk, r) = (multiple(2), multiple(3));
    b.prepare_pairing_table(key, &rsk).unwrap();
    let job = PairingJob {
        fixed: rsk,
        table: Some(key),
        at: r,
    };
    b.inject_hang().unwrap();
    let failed = b.pairing_batch(&[job]).unwrap().remove(0);
    assert!(
        matches!(&failed, Err(ItemError::Device(m)) if m.contains("timed out")),
        "{failed:?}"
    );
    let value = b.pairing_batch(&[job]).unwrap().remove(0).unwrap();
    assert_eq!(value.to_bytes(), cpu_pairing(&rsk, &r).to_bytes());
}
