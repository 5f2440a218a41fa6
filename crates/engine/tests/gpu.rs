//! The engine with the registry's `gpu` backend as its accelerator (lavapipe in CI):
//! full batches of decapsulations go to the device and every SSV comes back right.
#![cfg(feature = "gpu")]

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::cpu;
use engine::scheduler::{Answer, Engine, EngineConfig, Job, Priority, SubmitOptions};
use engine::{BackendOptions, RegistryError, TablePolicy};
use pairing::backend::PairingBackend;
use sakke::{encapsulate_to, Identifier, Kms, ReceiverKey, Ssv};

const NORMAL: SubmitOptions = SubmitOptions {
    priority: Priority::Normal,
    deadline: None,
};

/// The gpu backend, or None (a skip) where there is no adapter; under CI it must open.
fn gpu() -> Option<Arc<dyn PairingBackend>> {
    let options = BackendOptions {
        tables: TablePolicy::Always,
        ..BackendOptions::default()
    };
    match engine::open("gpu", &options) {
        Ok(b) => Some(Arc::from(b)),
        Err(e @ RegistryError::Unavailable { .. })
            if !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") =>
        {
            eprintln!("skipping GPU test: {e}");
            None
        }
        Err(e) => panic!("opening the gpu backend: {e}"),
    }
}

#[test]
fn full_batches_run_on_the_gpu_and_every_ssv_comes_back() {
    let Some(gpu) = gpu() else { return };
    let kms = Kms::generate();
    let keys: Vec<Arc<ReceiverKey>> = ["tel:+447700900001", "tel:+447700900002"]
        .iter()
        .map(|uri| {
            let id = Identifier::rfc6509("2026-12", uri).unwrap();
            let rsk = kms.issue_rsk(&id).unwrap();
            Arc::new(ReceiverKey::new(&id, &kms.public_key(), rsk).unwrap())
        })
        .collect();
    let engine = Engine::new(
        EngineConfig {
            max_batch: 8,
            preferred_batch_sizes: vec![8],
            max_queue_delay: Duration::from_millis(50),
            offload_min_batch: 8,
            ..EngineConfig::default()
        },
        cpu(1),
        vec![Arc::clone(&gpu)],
    )
    .unwrap();
    let ssvs: Vec<Ssv> = (0..16).map(|i| Ssv::from([i as u8 + 1; 16])).collect();
    let tickets: Vec<_> = ssvs
        .iter()
        .enumerate()
        .map(|(i, ssv)| {
            let key = &keys[i % 2];
            engine.submit(
                Job::Decapsulate {
                    key: Arc::clone(key),
                    encapsulated: encapsulate_to(ssv, key.recipient()),
                },
                NORMAL,
            )
        })
        .collect();
    for (ssv, t) in ssvs.iter().zip(tickets) {
        match t.wait().unwrap() {
            Answer::Ssv(got) => assert!(got == *ssv),
            other => panic!("not an SSV: {other:?}"),
        }
    }
    let stats = gpu.table_stats();
    assert!(
        stats.misses + stats.hits > 0,
        "the gpu took batches: {stats:?}"
    );
    let m = engine.metrics();
    assert_eq!(m.cpu_retries.load(Ordering::Relaxed), 0);
    assert_eq!(m.backend_failures.load(Ordering::Relaxed), 0);
}
