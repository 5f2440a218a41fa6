//! Criterion benchmarks of SAKKE encapsulation and decapsulation on one core: single
//! items, and batches of 64 on the CPU backend with tables, with and without the vector
//! unit. Divide a batch figure by 64 for the cost per item.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sakke::{
    decapsulate_batch, decapsulate_with, encapsulate_batch, encapsulate_to, CpuBackend, CpuConfig,
    DecapItem, EncapItem, Identifier, Kms, PairingBackend, ReceiverKey, RecipientKey, Ssv,
};

const BATCH: usize = 64;

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

    let ssvs: Vec<Ssv> = (0..BATCH).map(|_| Ssv::random()).collect();
    let eds: Vec<_> = ssvs.iter().map(|s| encapsulate_to(s, &recipient)).collect();
    let decaps: Vec<DecapItem> = eds
        .iter()
        .map(|e| DecapItem {
            encapsulated: e,
            key: &receiver,
        })
        .collect();
    let encaps: Vec<EncapItem> = ssvs
        .iter()
        .map(|s| EncapItem {
            ssv: s,
            to: &recipient,
        })
        .collect();
    for vector in [false, true] {
        let cpu = CpuBackend::new(CpuConfig {
            threads: 1,
            vector,
            ..CpuConfig::default()
        })
        .unwrap();
        cpu.prepare_pairing_table(receiver.line_table_key(), receiver.rsk_point())
            .unwrap();
        cpu.prepare_base_table(recipient.base_table_key(), recipient.base_point())
            .unwrap();
        let tag = if vector { "vector" } else { "scalar" };
        c.bench_function(&format!("decapsulate_batch64_tables_{tag}"), |b| {
            b.iter(|| decapsulate_batch(&cpu, black_box(&decaps)))
        });
        c.bench_function(&format!("encapsulate_batch64_tables_{tag}"), |b| {
            b.iter(|| encapsulate_batch(&cpu, black_box(&encaps)))
        });
        // No table can be kept: every pairing and TEST runs from scratch.
        let plain = CpuBackend::new(CpuConfig {
            threads: 1,
            vector,
            line_table_budget_bytes: 0,
            base_table_budget_bytes: 0,
            ..CpuConfig::default()
        })
        .unwrap();
        c.bench_function(&format!("decapsulate_batch64_no_tables_{tag}"), |b| {
            b.iter(|| decapsulate_batch(&plain, black_box(&decaps)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
