//! Criterion benchmarks of SAKKE encapsulation and decapsulation (single item, one core).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sakke::{decapsulate_with, encapsulate_to, Identifier, Kms, ReceiverKey, RecipientKey, Ssv};

fn bench(c: &mut Criterion) {
    let kms = Kms::generate();
    let id = Identifier::rfc6509("2026-11", "tel:+447700900123").unwrap();
    let rsk = kms.issue_rsk(&id).unwrap();
    let recipient = RecipientKey::new(&id, &kms.public_key()).unwrap();
    let receiver = ReceiverKey::new(&id, &kms.public_key(), rsk).unwrap();
    let ssv = Ssv::random();
    let ed = encapsulate_to(&ssv, &recipient);

    c.bench_function("encapsulate", |b| {
        b.iter(|| encapsulate_to(black_box(&ssv), black_box(&recipient)))
    });
    c.bench_function("decapsulate", |b| {
        b.iter(|| decapsulate_with(black_box(&ed), black_box(&receiver)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
