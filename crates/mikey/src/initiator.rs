//! Initiator side: build and sign a MIKEY-SAKKE I_MESSAGE (RFC 6509 2.2.1).

use eccsi::SigningKey;
use rand_core::CryptoRngCore;
use sakke::{Identifier, KmsPublicKey, Ssv};

use crate::error::{MikeyError, Result};
use crate::general_extension::GeneralExtension;
use crate::hdr::{CsIdMap, DataType, Hdr, PrfFunc};
use crate::identifier::PartyId;
use crate::idr::{IdRole, IdType, Idr};
use crate::key_parameters::KeyParameters;
use crate::keys::SessionKeys;
use crate::message::{Message, Payload};
use crate::rand_payload::RandPayload;
use crate::sakke_payload::SakkePayload;
use crate::security_policy::SecurityPolicy;
use crate::sign::{SignatureType, ECCSI_SIGNATURE_LEN};
use crate::timestamp::{NtpTimestamp, Timestamp};

/// RAND length the initiator sends (RFC 3830 6.11: at least 128 bits).
const RAND_LEN: usize = 16;

/// What the initiator needs to build an I_MESSAGE.
#[derive(Debug)]
pub struct IMessageParams<'a> {
    /// The initiator (signer). Its identifier for the T month must be the identifier
    /// `signing_key` was issued for.
    pub initiator: &'a PartyId,
    /// The responder, to whose identifier the SSV is encapsulated. Same ID scheme as
    /// the initiator.
    pub responder: &'a PartyId,
    /// The initiator's ECCSI key (RFC 6507), already validated.
    pub signing_key: &'a SigningKey,
    /// The SAKKE public key Z of the responder's KMS.
    pub responder_kms: &'a KmsPublicKey,
    /// URI of the initiator's KMS, sent as IDRkmsi if present (default: an
    /// [`PartyId::Mcx`] initiator's KMS URI).
    pub kms_initiator_uri: Option<&'a str>,
    /// URI of the responder's KMS, sent as IDRkmsr if present (default: an
    /// [`PartyId::Mcx`] responder's KMS URI).
    pub kms_responder_uri: Option<&'a str>,
    /// CSB ID; `None` picks a random one (RFC 3830 6.1 recommends random).
    pub csb_id: Option<u32>,
    /// Crypto sessions.
    pub cs_id_map: CsIdMap,
    /// PRF for key derivation.
    pub prf: PrfFunc,
    /// Timestamp for the T payload (NTP-UTC); `None` uses the system clock.
    pub time: Option<NtpTimestamp>,
    /// SSV to send (e.g. a group key sent to each member); `None` draws a fresh one.
    pub ssv: Option<&'a Ssv>,
    /// SP payloads to include.
    pub security_policies: Vec<SecurityPolicy>,
    /// Also encapsulate the SSV to the initiator itself, under its KMS's Z (3GPP
    /// SAKKE-to-self, TS 33.180 E.5), so that it can open the message later.
    pub sakke_to_self: Option<&'a KmsPublicKey>,
    /// General Extension payloads to include after the SAKKE payload (and the
    /// SAKKE-to-self extension).
    pub extensions: Vec<GeneralExtension>,
    /// 3GPP key parameters, sealed under the SSV for the CSB ID, sent last before SIGN.
    pub key_parameters: Option<KeyParameters>,
}

impl<'a> IMessageParams<'a> {
    /// Parameters with defaults: random CSB ID, empty CS ID map, PRF-HMAC-SHA-256 (as
    /// 3GPP MCX uses; choose [`PrfFunc::MikeyHmacSha1`] for peers that only implement
    /// the RFC 3830 mandatory PRF), current time, fresh SSV, no KMS IDs, SP, extensions
    /// or SAKKE-to-self.
    pub fn new(
        initiator: &'a PartyId,
        responder: &'a PartyId,
        signing_key: &'a SigningKey,
        responder_kms: &'a KmsPublicKey,
    ) -> Self {
        IMessageParams {
            initiator,
            responder,
            signing_key,
            responder_kms,
            kms_initiator_uri: None,
            kms_responder_uri: None,
            csb_id: None,
            cs_id_map: CsIdMap::Empty,
            prf: PrfFunc::HmacSha256,
            time: None,
            ssv: None,
            security_policies: Vec::new(),
            sakke_to_self: None,
            extensions: Vec::new(),
            key_parameters: None,
        }
    }
}

/// A built I_MESSAGE and the initiator's copy of the shared secret.
#[derive(Debug)]
pub struct BuiltIMessage {
    /// The signed message.
    pub bytes: Vec<u8>,
    /// The SSV, which is the TGK.
    pub ssv: Ssv,
    /// Key-derivation context (TGK, PRF, CSB ID, RAND) for TEK / salt derivation.
    pub keys: SessionKeys,
    /// The T payload's time.
    pub time: NtpTimestamp,
}

/// IDR payloads for a party: its URI (role `uri_role`) if known and, for the 3GPP
/// scheme, its UID (role `uid_role`) for `time`. The UID IDR uses ID type URI, as the
/// 3GPP MCX messages of the Streamwide interop set do; an [`PartyId::Mcx`] party is sent
/// by UID alone (TS 33.180 E.7 identity hiding), its URI left to the signalling.
fn party_idrs(
    party: &PartyId,
    time: NtpTimestamp,
    uri_role: IdRole,
    uid_role: IdRole,
) -> Result<Vec<Payload>> {
    let mut out = Vec::new();
    if let (Some(uri), false) = (party.uri(), matches!(party, PartyId::Mcx(_))) {
        out.push(Payload::Idr(Idr::uri(uri_role, uri)));
    }
    if let Some(uid) = party.uid_at(time)? {
        out.push(Payload::Idr(Idr {
            role: uid_role,
            id_type: IdType::Uri,
            data: uid.to_vec(),
        }));
    }
    Ok(out)
}

/// Build and sign an I_MESSAGE:
/// `HDR, T, RAND, IDRi, IDRr, [IDRkmsi], [IDRkmsr], {SP}, SAKKE, [GEXT to self], {GEXT},
/// [GEXT key parameters], SIGN`.
///
/// The SSV is SAKKE-encapsulated to the responder's identifier (RFC 6509 3.2 form with
/// the month of T for scheme 1, the UID for scheme 2). The ECCSI signature covers the
/// whole message up to and including the SIGN payload's type/length header, i.e. all but
/// the signature field (RFC 3830 5.2).
pub fn build_i_message(
    params: &IMessageParams<'_>,
    rng: &mut impl CryptoRngCore,
) -> Result<BuiltIMessage> {
    let scheme = params.responder.scheme();
    if params.initiator.scheme() != scheme {
        return Err(MikeyError::IdSchemeMismatch(scheme));
    }
    let time = match params.time {
        Some(t) => t,
        None => NtpTimestamp::now().ok_or(MikeyError::InvalidTimestamp)?,
    };
    if params.initiator.identifier(time)? != params.signing_key.id() {
        return Err(MikeyError::SigningKeyMismatch);
    }
    let responder_id =
        Identifier::new(params.responder.identifier(time)?).map_err(MikeyError::SakkeIdentifier)?;

    let ssv = match params.ssv {
        Some(ssv) => ssv.clone(),
        None => Ssv::random_from(rng),
    };
    let encapsulated = sakke::encapsulate(&ssv, &responder_id, params.responder_kms)
        .map_err(MikeyError::Encapsulation)?;

    let mut rand = vec![0u8; RAND_LEN];
    rng.fill_bytes(&mut rand);
    let csb_id = params.csb_id.unwrap_or_else(|| rng.next_u32());

    let mut payloads = vec![
        Payload::Timestamp(Timestamp::NtpUtc(time)),
        Payload::Rand(RandPayload { rand: rand.clone() }),
    ];
    payloads.extend(party_idrs(
        params.initiator,
        time,
        IdRole::Initiator,
        IdRole::InitiatorUid,
    )?);
    payloads.extend(party_idrs(
        params.responder,
        time,
        IdRole::Responder,
        IdRole::ResponderUid,
    )?);
    let kms_initiator = params.kms_initiator_uri.or(params.initiator.kms_uri());
    let kms_responder = params.kms_responder_uri.or(params.responder.kms_uri());
    if let Some(uri) = kms_initiator {
        payloads.push(Payload::Idr(Idr::uri(IdRole::KmsInitiator, uri)));
    }
    if let Some(uri) = kms_responder {
        payloads.push(Payload::Idr(Idr::uri(IdRole::KmsResponder, uri)));
    }
    payloads.extend(
        params
            .security_policies
            .iter()
            .cloned()
            .map(Payload::SecurityPolicy),
    );
    payloads.push(Payload::Sakke(SakkePayload {
        id_scheme: scheme,
        data: encapsulated.to_bytes().to_vec(),
    }));
    if let Some(own_kms) = params.sakke_to_self {
        let own_id = Identifier::new(params.initiator.identifier(time)?)
            .map_err(MikeyError::SakkeIdentifier)?;
        let own = sakke::encapsulate(&ssv, &own_id, own_kms).map_err(MikeyError::Encapsulation)?;
        let payload = SakkePayload {
            id_scheme: scheme,
            data: own.to_bytes().to_vec(),
        };
        payloads.push(Payload::GeneralExtension(GeneralExtension::sakke_to_self(
            &payload,
        )?));
    }
    payloads.extend(
        params
            .extensions
            .iter()
            .cloned()
            .map(Payload::GeneralExtension),
    );
    if let Some(key_parameters) = &params.key_parameters {
        let mut iv = [0u8; 16];
        rng.fill_bytes(&mut iv);
        let sealed = key_parameters.seal(ssv.as_bytes(), csb_id, iv)?;
        payloads.push(Payload::GeneralExtension(sealed));
    }

    let message = Message {
        hdr: Hdr {
            data_type: DataType::SakkeMsg,
            v: false,
            prf: params.prf,
            csb_id,
            cs_id_map: params.cs_id_map.clone(),
        },
        payloads,
        sign: None,
    };
    let mut bytes = message.to_signed_bytes(SignatureType::Eccsi, ECCSI_SIGNATURE_LEN)?;
    let signature = params
        .signing_key
        .try_sign(&bytes, rng)
        .map_err(MikeyError::Signing)?;
    bytes.extend_from_slice(&signature.to_bytes());

    let keys = SessionKeys::new(ssv.as_bytes(), params.prf, csb_id, &rand);
    Ok(BuiltIMessage {
        bytes,
        ssv,
        keys,
        time,
    })
}
