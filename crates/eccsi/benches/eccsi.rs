//! Criterion benchmarks of ECCSI sign and verify on one core: the previous path (plain
//! p256 multiplications, `hazmat::*_reference`) beside the current one, verify cold (no
//! per-sender state) and through a prepared verifier / the LRU cache, and the cost of
//! preparing a sender. Compare the reference and new figures of one run, not across runs.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use eccsi::rand_core::OsRng;
use eccsi::{hazmat, Kms, PreparedVerifier, SigningKey, VerifierCache, VerifyingKey};

const ID: &[u8] = b"2026-12\0tel:+447700900123\0";
const MSG: &[u8] = b"an I_MESSAGE of modest length, signed once and verified by the responder";

fn bench(c: &mut Criterion) {
    let kms = Kms::generate(&mut OsRng);
    let kpak = kms.kpak();
    let keys = kms.issue(ID, &mut OsRng).unwrap();
    let pvt = keys.pvt;
    let signer = SigningKey::new(ID, keys.ssk, pvt, kpak).unwrap();
    let j = [0x5au8; 32];
    let sig = signer.sign_with_j(MSG, &j).unwrap();
    let verifier = VerifyingKey::new(ID, kpak);
    let prepared = verifier.prepare(&pvt);
    let cache = VerifierCache::new(16);
    cache.verify(ID, &kpak, MSG, &sig).unwrap();

    c.bench_function("sign/reference", |b| {
        b.iter(|| hazmat::sign_with_j_reference(&signer, black_box(MSG), black_box(&j)).unwrap())
    });
    c.bench_function("sign/table", |b| {
        b.iter(|| signer.sign_with_j(black_box(MSG), black_box(&j)).unwrap())
    });
    c.bench_function("verify/reference", |b| {
        b.iter(|| hazmat::verify_reference(ID, &kpak, black_box(MSG), black_box(&sig)).unwrap())
    });
    c.bench_function("verify/cold", |b| {
        b.iter(|| verifier.verify(black_box(MSG), black_box(&sig)).unwrap())
    });
    c.bench_function("verify/prepared", |b| {
        b.iter(|| prepared.verify(black_box(MSG), black_box(&sig)).unwrap())
    });
    c.bench_function("verify/cache-hit", |b| {
        b.iter(|| {
            cache
                .verify(ID, &kpak, black_box(MSG), black_box(&sig))
                .unwrap()
        })
    });
    c.bench_function("prepare-sender", |b| {
        b.iter(|| PreparedVerifier::new(ID, black_box(pvt), kpak))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
