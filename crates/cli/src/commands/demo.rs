//! `sakke demo`: the whole SAKKE life cycle on throwaway keys, with timings.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use sakke::{
    decapsulate_batch, decapsulate_with, encapsulate_batch, encapsulate_to, DecapItem, EncapItem,
    Identifier, Kms, ReceiverKey, RecipientKey, Ssv,
};
use serde::Serialize;

use crate::identity::KeyPeriod;
use crate::output::progress;

#[derive(Args)]
pub struct DemoArgs {
    /// Number of identities to provision and exchange a key with.
    #[arg(long, short = 'n', default_value_t = 10)]
    count: u32,

    /// Key period used in the RFC 6509 identifiers ("YYYY-MM").
    #[arg(long, value_name = "YYYY-MM", default_value = "2026-11")]
    period: KeyPeriod,

    /// Backend for the batched stages (`sakke backends` lists them).
    #[arg(long, value_name = "NAME", default_value = "cpu")]
    backend: String,
}

#[derive(Serialize)]
struct Stage {
    name: &'static str,
    count: u32,
    seconds: f64,
    per_second: f64,
    ms_each: f64,
}

impl Stage {
    fn new(name: &'static str, count: u32, elapsed: Duration) -> Stage {
        let seconds = elapsed.as_secs_f64();
        Stage {
            name,
            count,
            seconds,
            per_second: if seconds > 0.0 {
                f64::from(count) / seconds
            } else {
                0.0
            },
            ms_each: if count > 0 {
                seconds * 1000.0 / f64::from(count)
            } else {
                0.0
            },
        }
    }
}

#[derive(Serialize)]
struct Report {
    /// Where the batched stages ran.
    backend: String,
    kms_public_key: String,
    identities: u32,
    all_ssvs_match: bool,
    stages: Vec<Stage>,
}

/// The identifier of demo user `i`: "YYYY-MM\0tel:+4477009NNNNN\0".
fn identity(period: KeyPeriod, i: u32) -> Result<Identifier> {
    Identifier::rfc6509(
        &period.to_string(),
        &format!("tel:+447700{:06}", 900000 + i),
    )
    .context("building identifier")
}

pub fn run(args: &DemoArgs, json: bool) -> Result<()> {
    let n = args.count;
    let mut stages = Vec::new();

    let start = Instant::now();
    let kms = Kms::generate();
    let kms_pub = kms.public_key();
    stages.push(Stage::new("kms setup", 1, start.elapsed()));

    let bar = progress(u64::from(n), "issue RSKs", json);
    let start = Instant::now();
    let mut receivers = Vec::with_capacity(n as usize);
    for i in 0..n {
        let id = identity(args.period, i)?;
        let rsk = kms.issue_rsk(&id).context("issuing RSK")?;
        receivers.push((id, rsk));
        bar.inc(1);
    }
    bar.finish_and_clear();
    stages.push(Stage::new("issue rsk", n, start.elapsed()));

    let bar = progress(u64::from(n), "validate RSKs", json);
    let start = Instant::now();
    let mut keys = Vec::with_capacity(n as usize);
    for (id, rsk) in receivers {
        keys.push(ReceiverKey::new(&id, &kms_pub, rsk).context("RSK failed validation")?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    stages.push(Stage::new("validate rsk", n, start.elapsed()));

    let bar = progress(u64::from(n), "encapsulate", json);
    let start = Instant::now();
    let mut sent = Vec::with_capacity(n as usize);
    for key in &keys {
        let recipient = RecipientKey::new(key.recipient().identifier(), &kms_pub)?;
        let ssv = Ssv::random();
        let ed = encapsulate_to(&ssv, &recipient);
        sent.push((ssv, ed));
        bar.inc(1);
    }
    bar.finish_and_clear();
    stages.push(Stage::new("encapsulate", n, start.elapsed()));

    let bar = progress(u64::from(n), "decapsulate", json);
    let start = Instant::now();
    let mut all_match = true;
    for (key, (ssv, ed)) in keys.iter().zip(&sent) {
        let got = decapsulate_with(ed, key).context("decapsulation failed")?;
        all_match &= got == *ssv;
        bar.inc(1);
    }
    bar.finish_and_clear();
    stages.push(Stage::new("decapsulate", n, start.elapsed()));

    // The same work again as one batch each on the backend: what a gateway runs.
    let backend = engine::open(&args.backend, &engine::BackendOptions::default())?;
    let recipients: Vec<&RecipientKey> = keys.iter().map(|k| k.recipient()).collect();
    let ssvs: Vec<Ssv> = (0..n).map(|_| Ssv::random()).collect();
    let items: Vec<EncapItem> = ssvs
        .iter()
        .zip(&recipients)
        .map(|(ssv, to)| EncapItem { ssv, to })
        .collect();
    let start = Instant::now();
    let encapsulated = encapsulate_batch(backend.as_ref(), &items);
    stages.push(Stage::new("encap batch", n, start.elapsed()));
    let eds = encapsulated
        .results
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .context("batched encapsulation failed")?;
    let items: Vec<DecapItem> = eds
        .iter()
        .zip(&keys)
        .map(|(encapsulated, key)| DecapItem { encapsulated, key })
        .collect();
    let start = Instant::now();
    let decapsulated = decapsulate_batch(backend.as_ref(), &items);
    stages.push(Stage::new("decap batch", n, start.elapsed()));
    for (got, ssv) in decapsulated.results.iter().zip(&ssvs) {
        all_match &= got.as_ref().is_ok_and(|got| got == ssv);
    }

    let report = Report {
        backend: backend.name().to_string(),
        kms_public_key: hex::encode(kms_pub.to_bytes()),
        identities: n,
        all_ssvs_match: all_match,
        stages,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("KMS public key Z: {}...", &report.kms_public_key[..34]);
        println!(
            "Provisioned {n} identities (RFC 6509 form {}\\0tel:+447700900000\\0 ...)",
            args.period
        );
        println!(
            "{:<14} {:>8} {:>12} {:>12}",
            "stage", "count", "ms each", "per second"
        );
        for s in &report.stages {
            println!(
                "{:<14} {:>8} {:>12.3} {:>12.1}",
                s.name, s.count, s.ms_each, s.per_second
            );
        }
        println!("(batch stages on backend {})", report.backend);
        println!(
            "SSVs recovered and TEST passed for all {n}, single and batched: {}",
            if all_match { "yes" } else { "NO" }
        );
    }
    if !all_match {
        bail!("a decapsulated SSV differed from the one sent");
    }
    Ok(())
}
