//! Responder side: accept a MIKEY-SAKKE I_MESSAGE (RFC 6509 2.2.2, RFC 3830 5.3).
//!
//! Order of checks: strict parse and I_MESSAGE structure; identities (who it is for,
//! who signed it); timestamp window; replay cache; ECCSI signature; SAKKE decapsulation
//! with its TEST; 3GPP key parameters, if sent, authenticated under the SSV; only then
//! is the message recorded in the replay cache and the SSV released. Any failure
//! returns an error and no key. The initiator opens its own message the same way, from
//! the SAKKE-to-self extension ([`open_own_i_message`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eccsi::{Kpak, Signature, VerifierCache, VerifyingKey};
use sakke::{EncapsulatedData, Identifier, KmsPublicKey, ReceiverKey, Rsk, Ssv};

use crate::error::{MikeyError, PayloadKind, Result};
use crate::i_message::IMessage;
use crate::identifier::{PartyId, UID_LEN};
use crate::idr::{IdRole, IdType, Idr};
use crate::key_parameters::{KeyParameters, KeyParametersForm, EXT_KEY_PARAMETERS};
use crate::keys::SessionKeys;
use crate::message::{Message, Payload};
use crate::replay::{ReplayCache, ReplayKey};
use crate::sakke_payload::IdScheme;
use crate::timestamp::NtpTimestamp;

/// What the responder needs to accept an I_MESSAGE.
#[derive(Debug)]
pub struct ResponderParams<'a> {
    /// This responder. Its scheme must match the SAKKE payload's ID scheme; any IDRr
    /// (URI) or responder-UID IDR in the message must name it.
    pub responder: &'a PartyId,
    /// The initiator the caller expects, if it knows. When `None`, the initiator named
    /// in IDRi (scheme 1) or in the initiator-UID IDR (scheme 2) is used, and the
    /// signature proves it; the result reports who it was.
    pub expected_initiator: Option<&'a PartyId>,
    /// This responder's SAKKE Receiver Secret Key for the message's key period.
    pub rsk: &'a Rsk,
    /// SAKKE public key Z of the responder's KMS.
    pub responder_kms: &'a KmsPublicKey,
    /// ECCSI KPAK of the initiator's KMS.
    pub initiator_kpak: &'a Kpak,
    /// Largest accepted difference between the T payload and the local clock.
    pub max_skew: Duration,
    /// Prepared verifiers of the senders heard from before (see [`VerifyParams::verifiers`]).
    pub verifiers: Option<&'a VerifierCache>,
}

/// An accepted I_MESSAGE.
#[derive(Debug)]
pub struct OpenedIMessage {
    /// The decoded message.
    pub message: Message,
    /// Who signed it (URI for scheme 1; UID, and URI if sent, for scheme 2).
    pub initiator: PartyId,
    /// The T payload's time.
    pub time: NtpTimestamp,
    /// The SSV, which is the TGK.
    pub ssv: Ssv,
    /// Key-derivation context (TGK, PRF, CSB ID, RAND) for TEK / salt derivation.
    pub keys: SessionKeys,
    /// The 3GPP key parameters (General Extension type 7), authenticated, and the form
    /// they came in; `None` when the message has none.
    pub key_parameters: Option<(KeyParameters, KeyParametersForm)>,
}

/// Check, authenticate and decrypt an I_MESSAGE. `now` is the local clock (passed in
/// so that callers and tests control it); `cache` is this responder's replay cache.
pub fn open_i_message(
    bytes: &[u8],
    params: &ResponderParams<'_>,
    cache: &mut ReplayCache,
    now: SystemTime,
) -> Result<OpenedIMessage> {
    let checks = VerifyParams {
        responder: params.responder,
        expected_initiator: params.expected_initiator,
        initiator_kpak: params.initiator_kpak,
        max_skew: params.max_skew,
        verifiers: params.verifiers,
    };
    let verified = verify_i_message(bytes, &checks, cache, now)?;
    let ssv = sakke::decapsulate(
        verified.encapsulated(),
        verified.responder_identifier(),
        params.responder_kms,
        params.rsk,
    )
    .map_err(MikeyError::Decapsulation)?;
    verified.finish(ssv, cache)
}

/// [`open_i_message`] with the responder's key already validated: a responder that
/// opens message after message holds a [`ReceiverKey`] for the key period (checked once,
/// one pairing) instead of passing the bare RSK, which is validated again on every call
/// and so doubles the cost of an open. `key` must have been issued for the responder's
/// identifier for the message's key period, or the result is
/// [`MikeyError::ReceiverKeyMismatch`] (nothing enters the replay cache).
pub fn open_i_message_with(
    bytes: &[u8],
    params: &VerifyParams<'_>,
    key: &ReceiverKey,
    cache: &mut ReplayCache,
    now: SystemTime,
) -> Result<OpenedIMessage> {
    let verified = verify_i_message(bytes, params, cache, now)?;
    if verified.responder_identifier() != key.recipient().identifier() {
        return Err(MikeyError::ReceiverKeyMismatch);
    }
    let ssv =
        sakke::decapsulate_with(verified.encapsulated(), key).map_err(MikeyError::Decapsulation)?;
    verified.finish(ssv, cache)
}

/// What the checks before decapsulation need: everything in [`ResponderParams`] but the
/// SAKKE keys. A batching engine verifies each message with these, decapsulates many at
/// once, then calls [`VerifiedIMessage::finish`] for each.
#[derive(Debug, Clone, Copy)]
pub struct VerifyParams<'a> {
    /// This responder (see [`ResponderParams::responder`]).
    pub responder: &'a PartyId,
    /// The initiator the caller expects, if it knows.
    pub expected_initiator: Option<&'a PartyId>,
    /// ECCSI KPAK of the initiator's KMS.
    pub initiator_kpak: &'a Kpak,
    /// Largest accepted difference between the T payload and the local clock.
    pub max_skew: Duration,
    /// Where a responder that hears from the same senders again and again keeps their
    /// prepared verifiers (HS and a fixed-base table for Y = [HS]PVT + KPAK, a key
    /// period's worth): a verify then costs about a quarter of a cold one. Entries are
    /// keyed by the full key material (identifier, PVT, KPAK), so the verdict is always
    /// that of a cold verify. `None` verifies cold.
    pub verifiers: Option<&'a VerifierCache>,
}

/// An I_MESSAGE whose structure, identities, timestamp window, replay status and ECCSI
/// signature have been checked. What is left is the SAKKE decapsulation (with its TEST)
/// to [`responder_identifier`](Self::responder_identifier), then [`finish`](Self::finish).
#[derive(Debug)]
pub struct VerifiedIMessage {
    message: Message,
    initiator: PartyId,
    time: NtpTimestamp,
    rand: Vec<u8>,
    replay_key: ReplayKey,
    responder_id: Identifier,
    encapsulated: EncapsulatedData,
}

/// Every check of an I_MESSAGE short of decapsulation, in the order of the module docs.
/// The replay cache is only consulted; nothing enters it before [`VerifiedIMessage::finish`].
pub fn verify_i_message(
    bytes: &[u8],
    params: &VerifyParams<'_>,
    cache: &ReplayCache,
    now: SystemTime,
) -> Result<VerifiedIMessage> {
    let message = Message::parse(bytes)?;
    let im = IMessage::new(&message)?;
    let scheme = im.sakke.id_scheme;
    if params.responder.scheme() != scheme {
        return Err(MikeyError::IdSchemeMismatch(scheme));
    }
    check_responder(&im, params.responder)?;
    let initiator = resolve_initiator(&im, scheme, params.expected_initiator)?;
    let checks = SignedChecks {
        bytes,
        kpak: params.initiator_kpak,
        verifiers: params.verifiers,
        max_skew: params.max_skew,
        cache,
        now,
    };
    let replay_key = checks.run(&im, &initiator)?;
    let responder_id = Identifier::new(params.responder.identifier(im.time)?)
        .map_err(MikeyError::SakkeIdentifier)?;
    let encapsulated =
        EncapsulatedData::from_bytes(&im.sakke.data).map_err(MikeyError::Decapsulation)?;
    let (time, rand) = (im.time, im.rand.to_vec());
    Ok(VerifiedIMessage {
        message,
        initiator,
        time,
        rand,
        replay_key,
        responder_id,
        encapsulated,
    })
}

/// What the initiator of an I_MESSAGE needs to open it again, from the SAKKE-to-self
/// extension (TS 33.180 E.5): its own identity and keys. Another device of the same
/// user, or a GMS reading back what it sent, is in this position.
#[derive(Debug)]
pub struct OwnParams<'a> {
    /// The initiator, as it signed the message: its IDRs must name it.
    pub initiator: &'a PartyId,
    /// Its SAKKE RSK for the message's key period.
    pub rsk: &'a Rsk,
    /// SAKKE public key Z of its KMS.
    pub kms: &'a KmsPublicKey,
    /// ECCSI KPAK of its KMS.
    pub kpak: &'a Kpak,
    /// Largest accepted difference between the T payload and the local clock.
    pub max_skew: Duration,
    /// Prepared verifiers (see [`VerifyParams::verifiers`]).
    pub verifiers: Option<&'a VerifierCache>,
}

/// Check, authenticate and decrypt an I_MESSAGE its own initiator sent, through its
/// SAKKE-to-self extension: the same checks as [`open_i_message`], with the initiator in
/// the responder's place. A message without the extension is [`MikeyError::NoSakkeToSelf`].
pub fn open_own_i_message(
    bytes: &[u8],
    params: &OwnParams<'_>,
    cache: &mut ReplayCache,
    now: SystemTime,
) -> Result<OpenedIMessage> {
    let message = Message::parse(bytes)?;
    let im = IMessage::new(&message)?;
    let own = im.sakke_to_self()?.ok_or(MikeyError::NoSakkeToSelf)?;
    let scheme = own.id_scheme;
    if params.initiator.scheme() != scheme || im.sakke.id_scheme != scheme {
        return Err(MikeyError::IdSchemeMismatch(scheme));
    }
    let initiator = resolve_initiator(&im, scheme, Some(params.initiator))?;
    let checks = SignedChecks {
        bytes,
        kpak: params.kpak,
        verifiers: params.verifiers,
        max_skew: params.max_skew,
        cache,
        now,
    };
    let replay_key = checks.run(&im, &initiator)?;
    let own_id =
        Identifier::new(initiator.identifier(im.time)?).map_err(MikeyError::SakkeIdentifier)?;
    let encapsulated =
        EncapsulatedData::from_bytes(&own.data).map_err(MikeyError::Decapsulation)?;
    let (time, rand) = (im.time, im.rand.to_vec());
    let ssv = sakke::decapsulate(&encapsulated, &own_id, params.kms, params.rsk)
        .map_err(MikeyError::Decapsulation)?;
    let verified = VerifiedIMessage {
        message,
        initiator,
        time,
        rand,
        replay_key,
        responder_id: own_id,
        encapsulated,
    };
    verified.finish(ssv, cache)
}

/// The checks every way of opening makes once it knows who signed: timestamp window,
/// replay cache (consulted only), ECCSI signature.
struct SignedChecks<'a> {
    bytes: &'a [u8],
    kpak: &'a Kpak,
    verifiers: Option<&'a VerifierCache>,
    max_skew: Duration,
    cache: &'a ReplayCache,
    now: SystemTime,
}

impl SignedChecks<'_> {
    fn run(&self, im: &IMessage<'_>, signer: &PartyId) -> Result<ReplayKey> {
        check_window(im.time, self.now, self.max_skew)?;
        let replay_key = ReplayKey::new(im.message.hdr.csb_id, im.time, im.rand);
        self.cache.check(&replay_key)?;

        // RFC 3830 5.2: the signature covers everything before the signature field. The
        // parser guarantees SIGN is the last payload and nothing follows it.
        let signed = self
            .bytes
            .len()
            .checked_sub(im.sign.signature.len())
            .and_then(|end| self.bytes.get(..end))
            .ok_or(MikeyError::MissingPayload(PayloadKind::Sign))?;
        let signature =
            Signature::from_bytes(&im.sign.signature).map_err(MikeyError::BadSignature)?;
        let id = signer.identifier(im.time)?;
        match self.verifiers {
            Some(verifiers) => verifiers.verify(&id, self.kpak, signed, &signature),
            None => VerifyingKey::new(&id, *self.kpak).verify(signed, &signature),
        }
        .map_err(MikeyError::BadSignature)?;
        Ok(replay_key)
    }
}

impl VerifiedIMessage {
    /// The SAKKE Encapsulated Data to decapsulate.
    pub fn encapsulated(&self) -> &EncapsulatedData {
        &self.encapsulated
    }

    /// The recipient's SAKKE identifier for the message's key period (the month of T,
    /// or the UID for it): the RSK used must be the one issued for it.
    pub fn responder_identifier(&self) -> &Identifier {
        &self.responder_id
    }

    /// Who signed it.
    pub fn initiator(&self) -> &PartyId {
        &self.initiator
    }

    /// What the replay cache knows the message by: a caller that verified it against
    /// another cache (or none) checks its own with this before decapsulating.
    pub fn replay_key(&self) -> &ReplayKey {
        &self.replay_key
    }

    /// Records the message in the replay cache (refusing it if an identical one got
    /// there first) and releases the keys. `ssv` must come from a decapsulation whose
    /// TEST passed.
    /// The 3GPP key parameters, if sent, are opened with the SSV first: parameters that
    /// do not authenticate reject the message.
    pub fn finish(self, ssv: Ssv, cache: &mut ReplayCache) -> Result<OpenedIMessage> {
        let csb_id = self.message.hdr.csb_id;
        let key_parameters = self
            .message
            .payloads
            .iter()
            .find_map(|p| match p {
                Payload::GeneralExtension(ext) if ext.ext_type == EXT_KEY_PARAMETERS => Some(ext),
                _ => None,
            })
            .map(|ext| KeyParameters::open(ext, ssv.as_bytes(), csb_id))
            .transpose()?;
        cache.insert(self.replay_key)?;
        let keys = SessionKeys::new(
            ssv.as_bytes(),
            self.message.hdr.prf,
            self.message.hdr.csb_id,
            &self.rand,
        );
        Ok(OpenedIMessage {
            message: self.message,
            initiator: self.initiator,
            time: self.time,
            ssv,
            keys,
            key_parameters,
        })
    }
}

fn check_window(time: NtpTimestamp, now: SystemTime, max_skew: Duration) -> Result<()> {
    let now_nanos = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    let skew = time.unix_nanos() - now_nanos;
    if skew.unsigned_abs() > max_skew.as_nanos() {
        let skew_seconds = i64::try_from(skew / 1_000_000_000).unwrap_or(if skew < 0 {
            i64::MIN
        } else {
            i64::MAX
        });
        return Err(MikeyError::TimestampOutOfWindow { skew_seconds });
    }
    Ok(())
}

/// The URI in an IDR payload (ID type URI or NAI, printable ASCII).
fn idr_uri(idr: &Idr) -> Result<&str> {
    if idr.id_type == IdType::ByteString {
        return Err(MikeyError::BadIdType {
            role: idr.role,
            id_type: idr.id_type.to_u8(),
        });
    }
    core::str::from_utf8(&idr.data).map_err(|_| MikeyError::InvalidUri)
}

/// The UID in an IDR payload (32 bytes, any ID type).
fn idr_uid(idr: &Idr) -> Result<[u8; UID_LEN]> {
    idr.data
        .as_slice()
        .try_into()
        .map_err(|_| MikeyError::BadLength {
            payload: PayloadKind::Idr,
            field: "ID data",
            len: idr.data.len(),
        })
}

/// Every IDR naming the responder must name us, as far as we know our own names. An
/// [`PartyId::Mcx`] responder also checks IDRkmsr and classifies a UID mismatch.
fn check_responder(im: &IMessage<'_>, me: &PartyId) -> Result<()> {
    if let (Some(idr), Some(uri)) = (im.idr(IdRole::Responder), me.uri()) {
        if idr.data != uri.as_bytes() {
            return Err(MikeyError::WrongResponder);
        }
    }
    let sent_uid = im.idr(IdRole::ResponderUid).map(|i| &i.data[..]);
    if let PartyId::Mcx(m) = me {
        let sent_kms = im.idr(IdRole::KmsResponder).map(|i| &i.data[..]);
        m.check(im.time, IdRole::ResponderUid, sent_uid, sent_kms)?;
    } else if let (Some(sent), Some(uid)) = (sent_uid, me.uid()) {
        if sent != &uid[..] {
            return Err(MikeyError::WrongResponder);
        }
    }
    Ok(())
}

/// Who the signer is: from the message's IDRs, reconciled with what the caller expects.
fn resolve_initiator(
    im: &IMessage<'_>,
    scheme: IdScheme,
    expected: Option<&PartyId>,
) -> Result<PartyId> {
    let sent_uri = im.idr(IdRole::Initiator).map(idr_uri).transpose()?;
    if let (Some(sent), Some(want)) = (sent_uri, expected.and_then(PartyId::uri)) {
        if sent != want {
            return Err(MikeyError::WrongInitiator);
        }
    }
    match scheme {
        IdScheme::TelUriMonthly => {
            if expected.is_some_and(|e| e.scheme() != scheme) {
                return Err(MikeyError::IdSchemeMismatch(scheme));
            }
            let uri = expected
                .and_then(PartyId::uri)
                .or(sent_uri)
                .ok_or(MikeyError::MissingIdentity("initiator URI"))?;
            Ok(PartyId::Uri(uri.to_string()))
        }
        IdScheme::ThreeGppUid => {
            let uid = match expected {
                Some(PartyId::Mcx(m)) => {
                    let sent_uid = im.idr(IdRole::InitiatorUid).map(|i| &i.data[..]);
                    let sent_kms = im.idr(IdRole::KmsInitiator).map(|i| &i.data[..]);
                    m.check(im.time, IdRole::InitiatorUid, sent_uid, sent_kms)?;
                    return Ok(PartyId::Mcx(m.clone()));
                }
                Some(PartyId::Uid { uid, .. }) => {
                    let sent_uid = im.idr(IdRole::InitiatorUid).map(idr_uid).transpose()?;
                    if sent_uid.is_some_and(|s| s != *uid) {
                        return Err(MikeyError::WrongInitiator);
                    }
                    *uid
                }
                Some(PartyId::Uri(_)) => return Err(MikeyError::IdSchemeMismatch(scheme)),
                None => im
                    .idr(IdRole::InitiatorUid)
                    .map(idr_uid)
                    .transpose()?
                    .ok_or(MikeyError::MissingIdentity("initiator UID"))?,
            };
            let uri = expected
                .and_then(PartyId::uri)
                .or(sent_uri)
                .map(str::to_string);
            Ok(PartyId::Uid { uid, uri })
        }
    }
}
