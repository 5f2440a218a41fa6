//! Running one batch: the backend operation for its kind, a rerun on the CPU when the
//! backend fails the whole batch, and for I_MESSAGEs the checks before and the replay
//! cache after the decapsulation.

use std::sync::Mutex;

use mikey::eccsi::VerifierCache;
use mikey::{verify_i_message, ReplayCache, VerifiedIMessage, VerifyParams};
use pairing::backend::{BackendError, PairingBackend};
use rayon::prelude::*;
use sakke::{
    decapsulate_batch, encapsulate_batch, try_decapsulate_batch, try_encapsulate_batch,
    BatchOutcome, DecapItem, EncapItem,
};

use super::job::{Answer, EngineError, Job, Kind, OpenRequest, Outcome, ReplayCheck};

/// Where a batch runs: its backend, and the CPU backend that takes over if it fails.
pub struct Target<'a> {
    pub backend: &'a dyn PairingBackend,
    /// `None` when `backend` is the CPU backend itself.
    pub cpu: Option<&'a dyn PairingBackend>,
}

/// What opening I_MESSAGEs keeps from batch to batch.
pub struct OpenCaches {
    /// Accepted I_MESSAGEs, against replay (RFC 3830 5.4).
    pub replay: Mutex<ReplayCache>,
    /// Prepared ECCSI verifiers of recent senders: a gateway hears the same senders
    /// again and again, and a prepared verify costs about a quarter of a cold one.
    pub verifiers: VerifierCache,
}

/// What running a batch produced.
pub struct Ran {
    /// One outcome per job, in order.
    pub outcomes: Vec<Outcome>,
    /// Items recomputed on the CPU after failing TEST.
    pub retried: usize,
    /// The backend's failure, when the batch was rerun on the CPU.
    pub failure: Option<BackendError>,
}

/// Computes every job of a batch of one `kind`.
pub fn run_batch(kind: Kind, jobs: &[&Job], target: &Target<'_>, caches: &OpenCaches) -> Ran {
    match kind {
        Kind::Decap => decap_batch(jobs, target, caches),
        Kind::Encap => encap_batch(jobs, target),
        Kind::ModMul => modmul_batch(jobs, target),
    }
}

/// Runs `op` on the target's backend; if that fails the whole batch, on the CPU backend
/// with `op`, and as a last resort `last` (which cannot fail as a whole).
fn with_fallback<T>(
    target: &Target<'_>,
    op: impl Fn(&dyn PairingBackend) -> Result<T, BackendError>,
    last: impl FnOnce(&dyn PairingBackend) -> T,
) -> (T, Option<BackendError>) {
    match op(target.backend) {
        Ok(done) => (done, None),
        Err(failure) => {
            let cpu = target.cpu.unwrap_or(target.backend);
            let done = match target.cpu.map(&op) {
                Some(Ok(done)) => done,
                _ => last(cpu),
            };
            (done, Some(failure))
        }
    }
}

fn decap_batch(jobs: &[&Job], target: &Target<'_>, caches: &OpenCaches) -> Ran {
    // I_MESSAGEs first pass every check short of decapsulation, in parallel.
    let mut checked: Vec<Result<Option<VerifiedIMessage>, EngineError>> = jobs
        .par_iter()
        .map(|job| match job {
            Job::OpenIMessage(request) => verify(request, &caches.verifiers).map(Some),
            _ => Ok(None),
        })
        .collect();
    {
        let cache = caches.replay.lock().unwrap_or_else(|e| e.into_inner());
        for (c, job) in checked.iter_mut().zip(jobs) {
            if let (Ok(Some(v)), Job::OpenIMessage(request)) = (&c, job) {
                if request.replay == ReplayCheck::Caller {
                    continue;
                }
                if let Err(e) = cache.check(v.replay_key()) {
                    *c = Err(e.into());
                }
            }
        }
    }
    let mut items = Vec::with_capacity(jobs.len());
    for (job, check) in jobs.iter().zip(&checked) {
        match (job, check) {
            (Job::Decapsulate { key, encapsulated }, _) => {
                items.push(DecapItem { encapsulated, key })
            }
            (Job::OpenIMessage(request), Ok(Some(v))) => items.push(DecapItem {
                encapsulated: v.encapsulated(),
                key: &request.key,
            }),
            _ => {}
        }
    }
    let (outcome, failure): (BatchOutcome<sakke::Ssv>, _) = with_fallback(
        target,
        |b| try_decapsulate_batch(b, &items),
        |cpu| decapsulate_batch(cpu, &items),
    );
    let retried = outcome.retried;
    let mut ssvs = outcome.results.into_iter();
    let mut cache = caches.replay.lock().unwrap_or_else(|e| e.into_inner());
    let outcomes = jobs
        .iter()
        .zip(checked)
        .map(|(job, check)| match (job, check) {
            (_, Err(e)) => Err(e),
            (Job::Decapsulate { .. }, _) => next(&mut ssvs)?.map(Answer::Ssv),
            (Job::OpenIMessage(request), Ok(Some(v))) => {
                let ssv = next(&mut ssvs)??;
                let opened = match request.replay {
                    ReplayCheck::Engine => v.finish(ssv, &mut cache)?,
                    ReplayCheck::Caller => v.finish(ssv, &mut ReplayCache::new(1))?,
                };
                Ok(Answer::Opened(Box::new(opened)))
            }
            _ => Err(EngineError::Internal("job in the wrong batch".into())),
        })
        .collect();
    Ran {
        outcomes,
        retried,
        failure,
    }
}

/// The next result of a batch, or an internal error if the backend returned too few.
fn next<T>(
    results: &mut impl Iterator<Item = Result<T, sakke::SakkeError>>,
) -> Result<Result<T, EngineError>, EngineError> {
    results
        .next()
        .map(|r| r.map_err(EngineError::from))
        .ok_or_else(|| EngineError::Internal("the backend returned too few results".into()))
}

/// RFC 6509's checks, and that the caller's key is the responder's for the message's
/// key period.
fn verify(
    request: &OpenRequest,
    verifiers: &VerifierCache,
) -> Result<VerifiedIMessage, EngineError> {
    let params = VerifyParams {
        responder: &request.responder,
        expected_initiator: request.expected_initiator.as_ref(),
        initiator_kpak: &request.initiator_kpak,
        max_skew: request.max_skew,
        verifiers: Some(verifiers),
    };
    // The engine's own cache is checked after this, under its lock.
    let verified = verify_i_message(&request.bytes, &params, &ReplayCache::new(1), request.now)?;
    if verified.responder_identifier() != request.key.recipient().identifier() {
        return Err(EngineError::WrongKey);
    }
    Ok(verified)
}

fn encap_batch(jobs: &[&Job], target: &Target<'_>) -> Ran {
    let items: Vec<EncapItem> = jobs
        .iter()
        .filter_map(|job| match job {
            Job::Encapsulate { to, ssv } => Some(EncapItem { ssv, to }),
            _ => None,
        })
        .collect();
    let (outcome, failure) = with_fallback(
        target,
        |b| try_encapsulate_batch(b, &items),
        |cpu| encapsulate_batch(cpu, &items),
    );
    let mut results = outcome.results.into_iter();
    let outcomes = jobs
        .iter()
        .map(|job| match job {
            Job::Encapsulate { .. } => next(&mut results)?.map(Answer::Encapsulated),
            _ => Err(EngineError::Internal("job in the wrong batch".into())),
        })
        .collect();
    Ran {
        outcomes,
        retried: outcome.retried,
        failure,
    }
}

fn modmul_batch(jobs: &[&Job], target: &Target<'_>) -> Ran {
    let (a, b): (Vec<_>, Vec<_>) = jobs
        .iter()
        .filter_map(|job| match job {
            Job::ModMul { a, b } => Some((*a, *b)),
            _ => None,
        })
        .unzip();
    let (products, failure) = with_fallback(
        target,
        |backend| backend.modmul_batch(&a, &b).map(Ok),
        |_| {
            Err(EngineError::Internal(
                "modmul failed on every backend".into(),
            ))
        },
    );
    let outcomes = match products {
        Ok(products) => {
            let mut products = products.into_iter();
            jobs.iter()
                .map(|job| match (job, products.next()) {
                    (Job::ModMul { .. }, Some(p)) => Ok(Answer::Product(p)),
                    _ => Err(EngineError::Internal(
                        "the backend returned too few results".into(),
                    )),
                })
                .collect()
        }
        Err(e) => jobs
            .iter()
            .map(|_| Err(EngineError::Internal(e.to_string())))
            .collect(),
    };
    Ran {
        outcomes,
        retried: 0,
        failure,
    }
}
