//! The pairing against RFC 6509 Appendix A, the RFC's own pseudocode, and its algebra.

mod common;

use common::*;
use num_bigint::BigUint;
use pairing::{pairing, AffinePoint, JacobianPoint, PfValue};
use rand::{rngs::StdRng, SeedableRng};

const G_HEX: &str = "66FC2A43 2B6EA392 148F1586 7D623068 C6A87BD1 FB94C41E 27FABE65 8E015A87
    371E9474 4C96FEDA 449AE956 3F8BC446 CBFDA85D 5D00EF57 7072DA8F 541721BE
    EE0FAED1 828EAB90 B99DFB01 38C78433 55DF0460 B4A9FD74 B4F1A32B CAFA1FFA
    D682C033 A7942BCC E3720F20 B9B7B040 3C8CAE87 B7A0042A CDE0FAB3 6461EA46";

#[test]
fn g_is_pairing_of_generator_with_itself() {
    let p = AffinePoint::generator();
    assert_eq!(pf_big(&pairing(&p, &p)), hex_big(G_HEX));
    assert_eq!(pf_big(&PfValue::generator()), hex_big(G_HEX));
}

#[test]
fn rfc_pseudocode_transcription_gives_g() {
    let g = gen_big();
    assert_eq!(rfc_pairing(&g, &g), hex_big(G_HEX));
}

fn random_point(rng: &mut StdRng) -> (BigUint, AffinePoint) {
    let k = random_below(rng, &q());
    let pt = JacobianPoint::from(AffinePoint::generator())
        .mul(&scalar(&k))
        .to_affine();
    (k, pt)
}

#[test]
fn projective_equals_affine_rfc_transcription() {
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..3 {
        let (_, r) = random_point(&mut rng);
        let (_, q) = random_point(&mut rng);
        let expected = rfc_pairing(&from_affine(&r).unwrap(), &from_affine(&q).unwrap());
        assert_eq!(pf_big(&pairing(&r, &q)), expected);
    }
}

#[test]
fn bilinear_and_symmetric() {
    let mut rng = StdRng::seed_from_u64(2);
    let g = PfValue::generator();
    for _ in 0..3 {
        let (a, pa) = random_point(&mut rng);
        let (b, pb) = random_point(&mut rng);
        let ab = (&a * &b) % q();
        let e = pairing(&pa, &pb);
        assert_eq!(e, g.pow(&scalar(&ab)), "<[a]P,[b]P> = g^(ab)");
        assert_eq!(e, pairing(&pb, &pa), "symmetry");
    }
}

#[test]
fn pf_pow_matches_repeated_group_law() {
    let g = PfValue::generator();
    let mut acc = PfValue::IDENTITY;
    for k in 0u64..40 {
        assert_eq!(g.pow(&pairing::Scalar::from_u64(k)), acc, "g^{k}");
        acc = acc.mul(&g);
    }
}

#[test]
fn pf_pow_of_order_is_identity() {
    let g = PfValue::generator();
    let q_minus_1 = scalar(&(q() - 1u32));
    // g^(q-1) * g = g^q = 1
    assert_eq!(g.pow(&q_minus_1).mul(&g), PfValue::IDENTITY);
}

#[test]
fn batch_normalisation_matches_single() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut fs = Vec::new();
    for _ in 0..5 {
        let (_, r) = random_point(&mut rng);
        fs.push(
            pairing::miller_loop(&r, &AffinePoint::generator())
                .square()
                .square(),
        );
    }
    fs.insert(2, pairing::Fp2::ZERO);
    let batch = PfValue::batch_from_fp2(&fs);
    for (f, v) in fs.iter().zip(&batch) {
        assert_eq!(PfValue::from_fp2(f), *v);
    }
}

#[test]
fn precomputed_lines_agree_with_plain_pairing() {
    let mut rng = StdRng::seed_from_u64(4);
    for _ in 0..3 {
        let (_, k) = random_point(&mut rng);
        let table = pairing::LineTable::new(&k);
        for _ in 0..2 {
            let (_, r) = random_point(&mut rng);
            let with_table = pairing::final_exponentiation(&table.miller_loop(&r));
            assert_eq!(with_table, pairing(&r, &k), "<R, K> from K's table");
            assert_eq!(with_table, pairing(&k, &r), "symmetry");
        }
    }
    // The RFC's g = <P, P> from P's table.
    let p = AffinePoint::generator();
    let table = pairing::LineTable::new(&p);
    assert_eq!(
        pf_big(&pairing::final_exponentiation(&table.miller_loop(&p))),
        hex_big(G_HEX)
    );
}

#[test]
fn fixed_base_tables_agree_with_window_multiplication() {
    let mut rng = StdRng::seed_from_u64(5);
    let (_, base) = random_point(&mut rng);
    let table = pairing::BaseTable::new(&base);
    let g = PfValue::generator();
    let edge = [
        BigUint::from(0u32),
        BigUint::from(1u32),
        BigUint::from(16u32),
        BigUint::from(17u32),
        q() - 1u32,
    ];
    let randoms: Vec<BigUint> = (0..4).map(|_| random_below(&mut rng, &q())).collect();
    for k in edge.iter().chain(&randoms) {
        let s = scalar(k);
        let expected = JacobianPoint::from(base).mul(&s).to_affine();
        assert_eq!(table.mul(&s).to_affine(), expected, "k = {k}");
        assert_eq!(
            pairing::generator_table().mul(&s).to_affine(),
            JacobianPoint::from(AffinePoint::generator())
                .mul(&s)
                .to_affine()
        );
        assert_eq!(pairing::gt_table().pow(&s), g.pow(&s), "g^k, k = {k}");
    }
}
