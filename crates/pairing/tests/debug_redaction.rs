//! Debug never prints a secret: the types that can hold one (field elements, scalars,
//! points, pairing values, and the backend jobs built from them) print `<redacted>`, and
//! no piece of the value appears in the output.

use pairing::backend::{PairingJob, ScalarMulJob, TableKey};
use pairing::{AffinePoint, Fp2, JacobianPoint, PfValue, Scalar};

/// Fails unless `text` says `<redacted>` and shows no 6 consecutive bytes of any secret,
/// in hex of either case or as a decimal list, and no long run of hex digits (a dump of
/// limbs in some other form).
fn assert_hides(text: &str, secrets: &[&[u8]]) {
    assert!(text.contains("<redacted>"), "not redacted: {text}");
    let lower = text.to_lowercase();
    for secret in secrets {
        for w in secret.windows(6) {
            let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
            assert!(!lower.contains(&hex), "{text} shows {hex}");
            let decimal = format!("{w:?}");
            let decimal = decimal.trim_matches(['[', ']']);
            assert!(!text.contains(decimal), "{text} shows {decimal}");
        }
    }
    let longest = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest < 12, "{text} has a run of {longest} hex digits");
}

fn secret_scalar() -> Scalar {
    let mut bytes = [0x5au8; 128];
    bytes[0] = 0x1d;
    Option::from(Scalar::from_be_bytes(&bytes).expect("128 bytes")).expect("below q")
}

/// [k]P for a secret k: what an RSK looks like to the code.
fn secret_point() -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&secret_scalar())
        .to_affine()
}

#[test]
fn field_elements_scalars_and_pairing_values_print_redacted() {
    let k = secret_scalar();
    let x = secret_point().x();
    let w = PfValue::generator().pow(&k);
    let pair = Fp2::new(x, secret_point().y());
    assert_eq!(format!("{x:?}"), "Fp(<redacted>)");
    assert_eq!(format!("{k:?}"), "Scalar(<redacted>)");
    assert_eq!(format!("{pair:?}"), "Fp2(<redacted>)");
    assert_eq!(format!("{w:?}"), "PfValue(<redacted>)");
    for text in [
        format!("{x:?}"),
        format!("{k:?}"),
        format!("{w:?}"),
        format!("{pair:#?}"),
    ] {
        assert_hides(&text, &[&x.to_bytes(), &k.to_be_bytes(), &w.to_bytes()]);
    }
}

#[test]
fn points_and_jobs_print_redacted() {
    let rsk = secret_point();
    let coordinates: [&[u8]; 2] = [&rsk.x().to_bytes(), &rsk.y().to_bytes()];
    let k = secret_scalar();
    let pairing_job = PairingJob {
        fixed: rsk,
        table: Some(TableKey([7; 32])),
        at: AffinePoint::generator(),
    };
    let mul_job = ScalarMulJob {
        base: AffinePoint::generator(),
        table: None,
        scalar: k,
    };
    let jacobian = JacobianPoint::from(rsk).double();
    for text in [
        format!("{rsk:?}"),
        format!("{jacobian:?}"),
        format!("{pairing_job:?}"),
        format!("{pairing_job:#?}"),
        format!("{mul_job:?}"),
    ] {
        assert_hides(&text, &coordinates);
        assert_hides(&text, &[&k.to_be_bytes()]);
    }
    // What is public stays: which table a job names.
    assert!(format!("{pairing_job:?}").contains("TableKey([7, 7"));
}
