//! What is measured: the workloads, the small pool of users and messages they draw from,
//! and one batch run with its result check, so that wrong work is never reported as fast.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use pairing::backend::{PairingBackend, PairingJob};
use pairing::{pairing, Fp, PfValue};
use sakke::{
    decapsulate_batch, encapsulate_batch, encapsulate_to, DecapItem, EncapItem, EncapsulatedData,
    Identifier, Kms, ReceiverKey, Ssv,
};

/// One kind of batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    FpMul,
    Pairing,
    DecapTables,
    DecapNoTables,
    EncapTables,
    EncapNoTables,
}

impl Workload {
    /// In run order: F_p multiplication first, as every "M per op" figure divides by it.
    pub const ALL: [Workload; 6] = [
        Workload::FpMul,
        Workload::Pairing,
        Workload::DecapTables,
        Workload::DecapNoTables,
        Workload::EncapTables,
        Workload::EncapNoTables,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::FpMul => "fp-mul",
            Workload::Pairing => "pairing",
            Workload::DecapTables => "decap-tables",
            Workload::DecapNoTables => "decap-no-tables",
            Workload::EncapTables => "encap-tables",
            Workload::EncapNoTables => "encap-no-tables",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Workload::FpMul => "modmul_batch: a[i] * b[i] mod p, 1024-bit",
            Workload::Pairing => "pairing_batch: <[b]P + Z, R> normalised to PF_p, no line tables",
            Workload::DecapTables => {
                "decapsulate_batch with every RSK's line table and every identity's \
                 fixed-base table prepared before timing"
            }
            Workload::DecapNoTables => {
                "decapsulate_batch on a backend with no table budget, every job stripped \
                 of its table name (no resident or in-batch tables)"
            }
            Workload::EncapTables => {
                "encapsulate_batch with every recipient's fixed-base table prepared \
                 before timing"
            }
            Workload::EncapNoTables => {
                "encapsulate_batch on a backend with no table budget, every job stripped \
                 of its table name"
            }
        }
    }
}

/// One encapsulated SSV, and the pairing the "pairing" workload recomputes.
struct Message {
    receiver: usize,
    ssv: Ssv,
    encapsulated: EncapsulatedData,
    pairing: PfValue,
}

/// Users and messages generated once and reused by every cell, so that setup does not
/// dominate the run; batches cycle through them.
pub struct Fixture {
    pub receivers: Vec<ReceiverKey>,
    messages: Vec<Message>,
    operands: Vec<(Fp, Fp)>,
}

impl Fixture {
    /// A fresh KMS, `receivers` users and `per_receiver` messages to each; `tick` is
    /// called after each user and each message, for a progress bar.
    pub fn generate(receivers: usize, per_receiver: usize, mut tick: impl FnMut()) -> Result<Self> {
        let kms = Kms::generate();
        let kms_pub = kms.public_key();
        let mut keys = Vec::with_capacity(receivers);
        for i in 0..receivers {
            let id = Identifier::rfc6509("2026-11", &format!("tel:+447700{:06}", 900000 + i))
                .context("building identifier")?;
            let rsk = kms.issue_rsk(&id).context("issuing RSK")?;
            keys.push(ReceiverKey::new(&id, &kms_pub, rsk).context("validating RSK")?);
            tick();
        }
        let mut messages = Vec::with_capacity(receivers * per_receiver);
        for _ in 0..per_receiver {
            for (receiver, key) in keys.iter().enumerate() {
                let ssv = Ssv::random();
                let encapsulated = encapsulate_to(&ssv, key.recipient());
                let pairing = pairing(key.recipient().base_point(), encapsulated.point());
                messages.push(Message {
                    receiver,
                    ssv,
                    encapsulated,
                    pairing,
                });
                tick();
            }
        }
        let operands = messages
            .iter()
            .flat_map(|m| {
                let r = m.encapsulated.point();
                let base = keys[m.receiver].recipient().base_point();
                [(r.x(), r.y()), (base.x(), r.x())]
            })
            .collect();
        Ok(Fixture {
            receivers: keys,
            messages,
            operands,
        })
    }

    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// The first `size` messages, cycling.
    fn cycle(&self, size: usize) -> impl Iterator<Item = &Message> {
        self.messages.iter().cycle().take(size)
    }

    /// A batch of `size` items of `workload`, with the results it must produce.
    pub fn batch(&self, workload: Workload, size: usize) -> Batch<'_> {
        let inputs = match workload {
            Workload::FpMul => {
                let (a, b): (Vec<Fp>, Vec<Fp>) =
                    self.operands.iter().copied().cycle().take(size).unzip();
                let expected = a.iter().zip(&b).map(|(x, y)| x * y).collect();
                Inputs::FpMul { a, b, expected }
            }
            Workload::Pairing => {
                let (jobs, expected) = self
                    .cycle(size)
                    .map(|m| {
                        let job = PairingJob {
                            fixed: *self.receivers[m.receiver].recipient().base_point(),
                            table: None,
                            at: *m.encapsulated.point(),
                        };
                        (job, m.pairing)
                    })
                    .unzip();
                Inputs::Pairing { jobs, expected }
            }
            Workload::DecapTables | Workload::DecapNoTables => {
                let (items, expected) = self
                    .cycle(size)
                    .map(|m| {
                        let item = DecapItem {
                            encapsulated: &m.encapsulated,
                            key: &self.receivers[m.receiver],
                        };
                        (item, &m.ssv)
                    })
                    .unzip();
                Inputs::Decap { items, expected }
            }
            Workload::EncapTables | Workload::EncapNoTables => {
                let (items, expected) = self
                    .cycle(size)
                    .map(|m| {
                        let item = EncapItem {
                            ssv: &m.ssv,
                            to: self.receivers[m.receiver].recipient(),
                        };
                        (item, &m.encapsulated)
                    })
                    .unzip();
                Inputs::Encap { items, expected }
            }
        };
        Batch { workload, inputs }
    }
}

enum Inputs<'f> {
    FpMul {
        a: Vec<Fp>,
        b: Vec<Fp>,
        expected: Vec<Fp>,
    },
    Pairing {
        jobs: Vec<PairingJob>,
        expected: Vec<PfValue>,
    },
    Decap {
        items: Vec<DecapItem<'f>>,
        expected: Vec<&'f Ssv>,
    },
    Encap {
        items: Vec<EncapItem<'f>>,
        expected: Vec<&'f EncapsulatedData>,
    },
}

/// A prepared batch: built once per cell, run many times.
pub struct Batch<'f> {
    workload: Workload,
    inputs: Inputs<'f>,
}

/// What one run of a batch took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Run {
    /// The backend call alone: building inputs and checking results are not timed.
    pub elapsed: Duration,
    /// Items the batched SAKKE code recomputed on the CPU.
    pub retried: usize,
    /// Whether the whole batch failed on the backend and ran on the CPU instead.
    pub backend_failed: bool,
}

impl Batch<'_> {
    pub fn len(&self) -> usize {
        match &self.inputs {
            Inputs::FpMul { a, .. } => a.len(),
            Inputs::Pairing { jobs, .. } => jobs.len(),
            Inputs::Decap { items, .. } => items.len(),
            Inputs::Encap { items, .. } => items.len(),
        }
    }

    /// Runs the batch once on `backend` and checks every result.
    pub fn run(&self, backend: &dyn PairingBackend) -> Result<Run> {
        let name = self.workload.name();
        let wrong = |i: usize| {
            anyhow::anyhow!(
                "{name} on backend {}: item {i} of {} came back wrong",
                backend.name(),
                self.len()
            )
        };
        match &self.inputs {
            Inputs::FpMul { a, b, expected } => {
                let start = Instant::now();
                let got = backend.modmul_batch(a, b);
                let elapsed = start.elapsed();
                let got = got.with_context(|| format!("{name} on backend {}", backend.name()))?;
                if got.len() != expected.len() {
                    bail!("{name}: {} results for {} items", got.len(), expected.len());
                }
                if let Some(i) = got.iter().zip(expected).position(|(g, e)| g != e) {
                    return Err(wrong(i));
                }
                Ok(Run {
                    elapsed,
                    ..Run::default()
                })
            }
            Inputs::Pairing { jobs, expected } => {
                let start = Instant::now();
                let got = backend.pairing_batch(jobs);
                let elapsed = start.elapsed();
                let got = got.with_context(|| format!("{name} on backend {}", backend.name()))?;
                if got.len() != expected.len() {
                    bail!("{name}: {} results for {} items", got.len(), expected.len());
                }
                for (i, (g, e)) in got.iter().zip(expected).enumerate() {
                    match g {
                        Ok(g) if g == e => {}
                        Ok(_) => return Err(wrong(i)),
                        Err(err) => bail!("{name}: item {i} failed on the device: {err}"),
                    }
                }
                Ok(Run {
                    elapsed,
                    ..Run::default()
                })
            }
            Inputs::Decap { items, expected } => {
                let start = Instant::now();
                let out = decapsulate_batch(backend, items);
                let elapsed = start.elapsed();
                check(&out.results, expected, |g, e| g == *e).map_err(wrong)?;
                Ok(Run {
                    elapsed,
                    retried: out.retried,
                    backend_failed: out.backend_error.is_some(),
                })
            }
            Inputs::Encap { items, expected } => {
                let start = Instant::now();
                let out = encapsulate_batch(backend, items);
                let elapsed = start.elapsed();
                check(&out.results, expected, |g, e| g == *e).map_err(wrong)?;
                Ok(Run {
                    elapsed,
                    retried: out.retried,
                    backend_failed: out.backend_error.is_some(),
                })
            }
        }
    }
}

/// The index of the first result that is an error or differs from what was expected
/// (or the length, if counts differ).
fn check<T, E, X>(
    got: &[Result<T, E>],
    expected: &[X],
    same: impl Fn(&T, &X) -> bool,
) -> Result<(), usize> {
    if got.len() != expected.len() {
        return Err(got.len().min(expected.len()));
    }
    match got.iter().zip(expected).position(|(g, e)| match g {
        Ok(g) => !same(g, e),
        Err(_) => true,
    }) {
        Some(i) => Err(i),
        None => Ok(()),
    }
}
