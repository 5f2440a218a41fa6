//! Every single-item operation gives the same bytes on each single-product path the
//! processor has (AVX-512 IFMA, BMI2/ADX, portable): field products and inversions,
//! scalar multiplication (windowed and fixed-base), the pairing (plain and through a
//! line table), g^k, and scalars mod q. One test in its own binary, since the switches
//! are process-wide.

#![cfg(target_arch = "x86_64")]

use pairing::{
    gt_table, pairing, AffinePoint, BaseTable, Fp, JacobianPoint, LineTable, PfValue, Scalar,
};
use rand::{rngs::StdRng, RngCore, SeedableRng};

fn scalar(rng: &mut StdRng) -> Scalar {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    bytes[0] &= 0x1f; // below q (a 1022-bit prime)
    Option::from(Scalar::from_be_bytes(&bytes).unwrap()).unwrap()
}

/// Everything computed from one seed, as bytes.
fn outputs(seed: u64) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let g = AffinePoint::generator();
    let (k, r) = (scalar(&mut rng), scalar(&mut rng));
    let point = |p: &JacobianPoint| p.to_affine().to_bytes().unwrap().to_vec();
    let q_jac = JacobianPoint::from(g).mul(&k);
    let q = q_jac.to_affine();
    let x = q.x();
    let mut out = vec![
        (x * q.y()).to_bytes().to_vec(),
        x.square().to_bytes().to_vec(),
        x.invert().to_bytes().to_vec(),
        x.invert_fermat().to_bytes().to_vec(),
        point(&q_jac),
        point(&BaseTable::new(&q).mul(&r)),
        pairing(&g, &q).to_bytes().to_vec(),
        pairing::final_exponentiation(&LineTable::new(&q).miller_loop(&g))
            .to_bytes()
            .to_vec(),
        gt_table().pow(&r).to_bytes().to_vec(),
        PfValue::generator().pow(&k).to_bytes().to_vec(),
        k.mul(&r).to_be_bytes().to_vec(),
        k.invert().to_be_bytes().to_vec(),
    ];
    out.push(Fp::from_u64(seed + 2).invert().to_bytes().to_vec());
    out
}

/// Turns the paths on or off; false when the processor lacks the one asked for.
fn select(ifma: bool, adx: bool) -> bool {
    pairing::ifma::set_enabled(ifma);
    pairing::adx::set_enabled(adx);
    assert_eq!(
        pairing::ifma::available(),
        ifma && pairing::ifma::supported()
    );
    assert_eq!(pairing::adx::available(), adx && pairing::adx::supported());
    (!ifma || pairing::ifma::supported()) && (!adx || pairing::adx::supported())
}

#[test]
fn every_product_path_gives_the_same_bytes_everywhere() {
    for seed in 0..3 {
        assert!(select(false, false));
        let portable = outputs(seed);
        for (ifma, adx, name) in [(false, true, "adx"), (true, false, "ifma")] {
            if !select(ifma, adx) {
                continue;
            }
            let fast = outputs(seed);
            assert_eq!(fast.len(), portable.len());
            for (i, (a, b)) in fast.iter().zip(&portable).enumerate() {
                assert_eq!(
                    a, b,
                    "seed {seed}, output {i}: {name} differs from portable"
                );
            }
        }
    }
    select(true, true);
    for (feature, required, present) in [
        ("SAKKE_REQUIRE_ADX", "BMI2/ADX", pairing::adx::supported()),
        (
            "SAKKE_REQUIRE_IFMA",
            "AVX-512 IFMA",
            pairing::ifma::supported(),
        ),
    ] {
        assert!(
            present || std::env::var_os(feature).is_none(),
            "{feature} is set but the processor lacks {required}"
        );
    }
}
