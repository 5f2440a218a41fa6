//! One message at a time on one thread: what a quiet gateway pays per call set-up beside
//! the batches — ECCSI sign and verify (cold, and through the sender's cached verifier)
//! and an I_MESSAGE opened end to end by `mikey::open_i_message` (parse, identities,
//! timestamp and replay checks, verify, decapsulation with its TEST, key derivation).
//! Each figure is also given in M, one portable F_p product timed in the same section
//! (beside the product on the path in use), so that runs on a loaded machine still
//! compare. Every result is checked.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::{Kpak, Signature, SigningKey, VerifierCache, VerifyingKey};
use mikey::sakke::{Identifier, KmsPublicKey, ReceiverKey, Rsk, Ssv};
use mikey::{build_i_message, open_i_message, open_i_message_with, IMessageParams, PartyId};
use mikey::{NtpTimestamp, ReplayCache, ResponderParams, VerifyParams};
use pairing::Fp;
use serde::Serialize;

/// Distinct I_MESSAGEs the open figures cycle through.
const MESSAGES: usize = 4;
/// F_p products per timed call, so that the loop costs nothing beside them.
const CHAIN: u64 = 64;

/// One single-message operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOp {
    FpMulPortable,
    FpMulAdx,
    FpMul,
    EccsiSign,
    EccsiVerifyCold,
    EccsiVerifyCached,
    OpenCold,
    OpenCached,
    OpenKeyCached,
}

impl MessageOp {
    /// In run order: the portable F_p product first, as every M figure divides by it.
    pub const ALL: [MessageOp; 9] = [
        MessageOp::FpMulPortable,
        MessageOp::FpMulAdx,
        MessageOp::FpMul,
        MessageOp::EccsiSign,
        MessageOp::EccsiVerifyCold,
        MessageOp::EccsiVerifyCached,
        MessageOp::OpenCold,
        MessageOp::OpenCached,
        MessageOp::OpenKeyCached,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MessageOp::FpMulPortable => "fp-mul-portable",
            MessageOp::FpMulAdx => "fp-mul-adx",
            MessageOp::FpMul => "fp-mul-one",
            MessageOp::EccsiSign => "eccsi-sign",
            MessageOp::EccsiVerifyCold => "eccsi-verify-cold",
            MessageOp::EccsiVerifyCached => "eccsi-verify-cached",
            MessageOp::OpenCold => "imessage-open-cold",
            MessageOp::OpenCached => "imessage-open-cached",
            MessageOp::OpenKeyCached => "imessage-open-key-cached",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            MessageOp::FpMulPortable => {
                "one 1024-bit Montgomery product a * b mod p on the portable code (M)"
            }
            MessageOp::FpMulAdx => {
                "one 1024-bit Montgomery product with the IFMA product off: BMI2/ADX where \
                 the processor has it, else portable"
            }
            MessageOp::FpMul => {
                "one 1024-bit Montgomery product on the path in use (AVX-512 IFMA, else \
                 BMI2/ADX, where the processor has it)"
            }
            MessageOp::EccsiSign => "ECCSI sign of an I_MESSAGE body (fixed-base table for G)",
            MessageOp::EccsiVerifyCold => "ECCSI verify with no state kept for the sender",
            MessageOp::EccsiVerifyCached => {
                "ECCSI verify through the sender's entry in a VerifierCache"
            }
            MessageOp::OpenCold => {
                "mikey::open_i_message end to end from the bare RSK (validated again each \
                 call), cold ECCSI verify"
            }
            MessageOp::OpenCached => {
                "mikey::open_i_message end to end from the bare RSK, the sender's verifier \
                 cached"
            }
            MessageOp::OpenKeyCached => {
                "mikey::open_i_message_with a receiver key validated once (no tables), \
                 the sender's verifier cached: what a responder opening many messages pays"
            }
        }
    }
}

/// One operation's figures.
#[derive(Debug, Clone, Serialize)]
pub struct MessageCell {
    pub op: &'static str,
    pub description: &'static str,
    pub ops: u64,
    /// Timed seconds.
    pub seconds: f64,
    pub us_per_op: f64,
    /// Time per op over the time of one `fp-mul-portable` product of the same run.
    pub m_per_op: f64,
}

/// One sender, one responder, and messages between them, made once.
struct Fixture {
    responder: PartyId,
    initiator: PartyId,
    rsk: Rsk,
    key: ReceiverKey,
    z: KmsPublicKey,
    kpak: Kpak,
    signing: SigningKey,
    /// The sender's ECCSI identifier and one signed body, for the sign/verify figures.
    identifier: Vec<u8>,
    body: Vec<u8>,
    signature: Signature,
    messages: Vec<(Vec<u8>, Ssv)>,
    now: SystemTime,
}

impl Fixture {
    fn generate() -> Result<Fixture> {
        let sakke_kms = mikey::sakke::Kms::generate();
        let eccsi_kms = mikey::eccsi::Kms::generate(&mut OsRng);
        let initiator = PartyId::Uri("tel:+447700900123".into());
        let responder = PartyId::Uri("tel:+447700900456".into());
        let now = SystemTime::now();
        let time = NtpTimestamp::from_system_time(now).context("the clock")?;
        let identifier = initiator.identifier(time)?;
        let keys = eccsi_kms.issue(&identifier, &mut OsRng)?;
        let signing = SigningKey::new(&identifier, keys.ssk, keys.pvt, eccsi_kms.kpak())?;
        let responder_id = Identifier::new(responder.identifier(time)?)?;
        let rsk = sakke_kms.issue_rsk(&responder_id)?;
        let z = sakke_kms.public_key();
        let key = ReceiverKey::new(&responder_id, &z, rsk.clone())?;

        let mut params = IMessageParams::new(&initiator, &responder, &signing, &z);
        params.time = Some(time);
        let mut messages = Vec::with_capacity(MESSAGES);
        for _ in 0..MESSAGES {
            let built = build_i_message(&params, &mut OsRng)?;
            messages.push((built.bytes, built.ssv));
        }
        let body = messages[0].0[..messages[0].0.len() - mikey::ECCSI_SIGNATURE_LEN].to_vec();
        let signature = signing.sign(&body, &mut OsRng);
        Ok(Fixture {
            responder,
            initiator,
            rsk,
            key,
            z,
            kpak: eccsi_kms.kpak(),
            signing,
            identifier,
            body,
            signature,
            messages,
            now,
        })
    }

    fn responder_params<'a>(&'a self, verifiers: Option<&'a VerifierCache>) -> ResponderParams<'a> {
        ResponderParams {
            responder: &self.responder,
            expected_initiator: Some(&self.initiator),
            rsk: &self.rsk,
            responder_kms: &self.z,
            initiator_kpak: &self.kpak,
            max_skew: Duration::from_secs(24 * 3600),
            verifiers,
        }
    }

    /// Opens message `i` (a fresh replay cache each time: the same bytes again are a
    /// replay), from the validated key or else the bare RSK, and checks the SSV.
    fn open(&self, i: usize, verifiers: Option<&VerifierCache>, validated: bool) -> Result<()> {
        let (bytes, ssv) = &self.messages[i % self.messages.len()];
        let params = self.responder_params(verifiers);
        let mut replay = ReplayCache::new(1);
        let opened = if validated {
            let checks = VerifyParams {
                responder: params.responder,
                expected_initiator: params.expected_initiator,
                initiator_kpak: params.initiator_kpak,
                max_skew: params.max_skew,
                verifiers,
            };
            open_i_message_with(bytes, &checks, &self.key, &mut replay, self.now)?
        } else {
            open_i_message(bytes, &params, &mut replay, self.now)?
        };
        if opened.ssv != *ssv {
            bail!("an I_MESSAGE opened to the wrong SSV");
        }
        Ok(())
    }
}

/// Runs `call` (which does `per_call` operations) at least once and until `min_time`
/// has been timed; a failed call ends the measurement with its error.
fn time_calls(
    min_time: Duration,
    per_call: u64,
    mut call: impl FnMut(usize) -> Result<()>,
) -> Result<(u64, f64)> {
    call(0)?; // warm the caches; not timed
    let mut calls = 0usize;
    let start = Instant::now();
    loop {
        call(calls)?;
        calls += 1;
        if start.elapsed() >= min_time {
            break;
        }
    }
    Ok((calls as u64 * per_call, start.elapsed().as_secs_f64()))
}

/// Measures every [`MessageOp`] for at least `min_time` each; `tick` is called after each.
pub fn measure_all(
    min_time: Duration,
    mut tick: impl FnMut(MessageOp),
) -> Result<Vec<MessageCell>> {
    let fixture = Fixture::generate().context("setting up the single-message figures")?;
    let verifier = VerifyingKey::new(&fixture.identifier, fixture.kpak);
    let cache = VerifierCache::new(4);
    let mut raw = Vec::with_capacity(MessageOp::ALL.len());
    for op in MessageOp::ALL {
        let (ops, seconds) = match op {
            MessageOp::FpMulPortable => with_paths(false, false, || fp_mul_chain(min_time))?,
            MessageOp::FpMulAdx => with_paths(false, true, || fp_mul_chain(min_time))?,
            MessageOp::FpMul => fp_mul_chain(min_time)?,
            MessageOp::EccsiSign => {
                let mut last = None;
                let timed = time_calls(min_time, 1, |_| {
                    last = Some(fixture.signing.sign(black_box(&fixture.body), &mut OsRng));
                    Ok(())
                })?;
                let last = last.context("no signature made")?;
                verifier
                    .verify(&fixture.body, &last)
                    .context("eccsi-sign made a signature that does not verify")?;
                timed
            }
            MessageOp::EccsiVerifyCold => time_calls(min_time, 1, |_| {
                Ok(verifier.verify(black_box(&fixture.body), &fixture.signature)?)
            })?,
            MessageOp::EccsiVerifyCached => time_calls(min_time, 1, |_| {
                Ok(cache.verify(
                    &fixture.identifier,
                    &fixture.kpak,
                    black_box(&fixture.body),
                    &fixture.signature,
                )?)
            })?,
            MessageOp::OpenCold => time_calls(min_time, 1, |i| fixture.open(i, None, false))?,
            MessageOp::OpenCached => {
                time_calls(min_time, 1, |i| fixture.open(i, Some(&cache), false))?
            }
            MessageOp::OpenKeyCached => {
                time_calls(min_time, 1, |i| fixture.open(i, Some(&cache), true))?
            }
        };
        raw.push((op, ops, seconds));
        tick(op);
    }
    let unit = raw
        .first()
        .map(|&(_, ops, seconds)| seconds * 1e6 / ops as f64)
        .filter(|u| *u > 0.0)
        .context("the F_p product took no time")?;
    Ok(raw
        .into_iter()
        .map(|(op, ops, seconds)| {
            let us_per_op = seconds * 1e6 / ops as f64;
            MessageCell {
                op: op.name(),
                description: op.description(),
                ops,
                seconds,
                us_per_op,
                m_per_op: us_per_op / unit,
            }
        })
        .collect())
}

/// Runs `f` with the IFMA and BMI2/ADX products turned on or off (where they exist),
/// then both back on.
fn with_paths<T>(ifma: bool, adx: bool, f: impl FnOnce() -> T) -> T {
    #[cfg(target_arch = "x86_64")]
    {
        pairing::ifma::set_enabled(ifma);
        pairing::adx::set_enabled(adx);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (ifma, adx);
    let out = f();
    #[cfg(target_arch = "x86_64")]
    {
        pairing::ifma::set_enabled(true);
        pairing::adx::set_enabled(true);
    }
    out
}

/// Dependent products x <- x * y, [`CHAIN`] a call, checked against the same chain
/// computed before timing.
fn fp_mul_chain(min_time: Duration) -> Result<(u64, f64)> {
    let y = Fp::from_u64(0x9e37_79b9_7f4a_7c15).square();
    let start_value = y.square() + Fp::ONE;
    let chain = |mut x: Fp| {
        for _ in 0..CHAIN {
            x = black_box(x) * y;
        }
        x
    };
    let expected = chain(start_value);
    time_calls(min_time, CHAIN, |_| {
        if chain(black_box(start_value)) != expected {
            bail!("the F_p product chain changed its result");
        }
        Ok(())
    })
}
