//! 3GPP key parameters (General Extension type 7, TS 33.180 E.6 / TS 33.179 E.6): what a
//! distributed key is, whether it is revoked, when it starts and stops, and for GMKs the
//! groups it serves.
//!
//! The body is an MCData protected payload (TS 24.282 style) sealed with AES-128-GCM
//! under a key derived from the key the I_MESSAGE carries, so only its receiver reads
//! it:
//!
//! ```text
//! 0x43 type | date-time (5) | payload ID (4) | seq (1) | algorithm (1) = 1
//! IV (16) | DPPK-ID (4) = HDR CSB ID | payload type (1) = 0 | length (2) | ciphertext || tag
//! ```
//!
//! The layout, the DPCK derivation and the AAD were read from sw_mikey_sakke and confirmed
//! by the Streamwide messages (their tags verify); TS 24.282 itself was not at hand. The
//! plaintext is key type (1), status (4), activation time (5), expiry time (5), text
//! (2-octet length + bytes) and, for group keys, a Group IDs element (2-octet length +
//! bytes, kept as sent: its entry layout is not pinned down by any vector).
//!
//! Older Streamwide builds sent the plaintext bare, with key types counted from 1
//! (the "legacy" form of Test 4); it is read, never built.

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes128;
use aes_gcm::AesGcm;
use zeroize::Zeroizing;

use crate::error::{MikeyError, PayloadKind, Result};
use crate::general_extension::GeneralExtension;
use crate::key_id::KeyPurpose;
use crate::reader::{len_u16, Reader};
use crate::wiped_hmac::{Hmac, Sha256};

const P: PayloadKind = PayloadKind::GeneralExtension;

/// General Extension type of the 3GPP key parameters (IANA MIKEY registry value 7).
pub const EXT_KEY_PARAMETERS: u8 = 7;

/// MCData message type of a protected data payload (0x03 with the encryption bit 0x40).
const PROTECTED_PAYLOAD: u8 = 0x43;
/// Payload algorithm 1: AES-128-GCM.
const AES_128_GCM: u8 = 1;
/// FC of the DPCK derivation from a DPPK (TS 33.180 F.1.5, as sw_mikey_sakke applies it).
const DPCK_FC: u8 = 0x53;
const IV_LEN: usize = 16;
const TAG_LEN: usize = 16;
/// Octets before the IV that the AAD covers: type, date-time, payload ID, seq, algorithm.
const HEAD_LEN: usize = 12;

/// AES-128-GCM with the 16-octet IV the protected payload carries as its nonce.
type Aes128Gcm16 = AesGcm<Aes128, U16>;

/// A 5-octet time of the key parameters (activation, expiry). Zero means "from the
/// message time" / "no expiry"; other values are kept as sent (their encoding is not
/// confirmed by any vector).
pub type ParameterTime = [u8; 5];

/// The decoded key parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyParameters {
    /// What the key is for.
    pub key_type: KeyPurpose,
    /// Status bits: bit 0 set = key in force (clear = revoked), bit 1 = shared with a
    /// security gateway.
    pub status: u32,
    /// When the key comes into force.
    pub activation_time: ParameterTime,
    /// When it stops.
    pub expiry_time: ParameterTime,
    /// Free text.
    pub text: Vec<u8>,
    /// The Group IDs element of a group key, as sent (absent for other keys).
    pub group_ids: Option<Vec<u8>>,
}

/// How the type 7 extension was carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyParametersForm {
    /// Sealed in an MCData protected payload, authenticated under the carried key.
    Protected,
    /// Bare, from an older Streamwide build: readable by anyone, authenticated only by
    /// the I_MESSAGE signature.
    Legacy,
}

impl KeyParameters {
    /// In-force key parameters for `key_type` with zero times and no text; a GMK gets an
    /// empty Group IDs element (count 0), as the Streamwide GMS sends.
    pub fn new(key_type: KeyPurpose) -> Self {
        KeyParameters {
            key_type,
            status: 1,
            activation_time: [0; 5],
            expiry_time: [0; 5],
            text: Vec::new(),
            group_ids: (key_type == KeyPurpose::Gmk).then(|| vec![0]),
        }
    }

    /// Whether status bit 0 says the key is in force (not revoked).
    pub fn in_force(&self) -> bool {
        self.status & 1 == 1
    }

    fn encode_plain(&self) -> Result<Vec<u8>> {
        let mut out = vec![self.key_type.tag()];
        out.extend_from_slice(&self.status.to_be_bytes());
        out.extend_from_slice(&self.activation_time);
        out.extend_from_slice(&self.expiry_time);
        out.extend_from_slice(&len_u16(self.text.len(), P, "key parameters text")?.to_be_bytes());
        out.extend_from_slice(&self.text);
        if let Some(groups) = &self.group_ids {
            out.extend_from_slice(&len_u16(groups.len(), P, "group IDs")?.to_be_bytes());
            out.extend_from_slice(groups);
        }
        Ok(out)
    }

    /// `legacy`: key types counted from 1 (GMK 1, PCK 2, CSK 3).
    fn decode_plain(bytes: &[u8], legacy: bool) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let raw_type = r.u8(P, "key type")?;
        let tag = if legacy {
            raw_type.checked_sub(1).ok_or(MikeyError::BadValue {
                payload: P,
                field: "key type",
                value: 0,
            })?
        } else {
            raw_type
        };
        let key_type = KeyPurpose::from_tag(tag)?;
        let status = r.u32(P, "status")?;
        let activation_time = r.array(P, "activation time")?;
        let expiry_time = r.array(P, "expiry time")?;
        let len = usize::from(r.u16(P, "key parameters text length")?);
        let text = r.bytes(len, P, "key parameters text")?.to_vec();
        let group_ids = if r.remaining() > 0 {
            let len = usize::from(r.u16(P, "group IDs length")?);
            Some(r.bytes(len, P, "group IDs")?.to_vec())
        } else {
            None
        };
        if r.remaining() > 0 {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "key parameters",
                len: bytes.len(),
            });
        }
        Ok(KeyParameters {
            key_type,
            status,
            activation_time,
            expiry_time,
            text,
            group_ids,
        })
    }

    /// The type 7 extension carrying these parameters, sealed under `key` (the GMK, PCK,
    /// CSK, ... the message carries) for the message whose CSB ID is `csb_id`. `iv` must
    /// be fresh for every message sealed under one key.
    pub fn seal(&self, key: &[u8], csb_id: u32, iv: [u8; IV_LEN]) -> Result<GeneralExtension> {
        let plain = Zeroizing::new(self.encode_plain()?);
        let mut head = vec![PROTECTED_PAYLOAD];
        head.extend_from_slice(&[0, 0, 0, 0, 1]); // date-time, as the Streamwide GMS sends
        head.extend_from_slice(&[0; 4]); // payload ID: 0 (ignored)
        head.push(0); // payload sequence number: 0 (ignored)
        head.push(AES_128_GCM);
        head.extend_from_slice(&iv);
        head.extend_from_slice(&csb_id.to_be_bytes());
        let sealed = cipher(key, csb_id)
            .encrypt(
                (&iv).into(),
                Payload {
                    msg: &plain,
                    aad: &aad(&head[..HEAD_LEN], &iv, csb_id),
                },
            )
            .map_err(|_| MikeyError::KeyParametersTag)?;
        let mut data = head;
        data.push(0); // payload type
        data.extend_from_slice(
            &len_u16(sealed.len(), P, "protected payload length")?.to_be_bytes(),
        );
        data.extend_from_slice(&sealed);
        Ok(GeneralExtension {
            ext_type: EXT_KEY_PARAMETERS,
            data,
        })
    }

    /// Reads a type 7 extension of a message whose CSB ID is `csb_id` and which carried
    /// `key`. A protected payload must name that CSB ID as its DPPK-ID and authenticate
    /// under the key, and the key type must be the purpose the CSB ID tags; anything
    /// else is an error, never parameters.
    pub fn open(
        ext: &GeneralExtension,
        key: &[u8],
        csb_id: u32,
    ) -> Result<(KeyParameters, KeyParametersForm)> {
        if ext.ext_type != EXT_KEY_PARAMETERS {
            return Err(MikeyError::BadValue {
                payload: P,
                field: "type",
                value: ext.ext_type.into(),
            });
        }
        let (params, form) = match ext.data.first() {
            Some(1..=3) => (
                KeyParameters::decode_plain(&ext.data, true)?,
                KeyParametersForm::Legacy,
            ),
            _ => (
                KeyParameters::open_protected(&ext.data, key, csb_id)?,
                KeyParametersForm::Protected,
            ),
        };
        // The key ID (or GUK-ID) in the CSB ID tags the same purpose.
        let tagged = KeyPurpose::of(csb_id)?;
        if tagged != params.key_type {
            return Err(MikeyError::KeyParametersPurposeMismatch {
                key_type: params.key_type,
                tagged,
            });
        }
        Ok((params, form))
    }

    fn open_protected(data: &[u8], key: &[u8], csb_id: u32) -> Result<KeyParameters> {
        match data.first() {
            Some(&PROTECTED_PAYLOAD) => {}
            Some(&other) => {
                return Err(MikeyError::BadValue {
                    payload: P,
                    field: "key parameters message type",
                    value: other.into(),
                })
            }
            None => {
                return Err(MikeyError::Truncated {
                    payload: P,
                    field: "key parameters message type",
                })
            }
        }
        let mut r = Reader::new(data);
        let head = r.bytes(HEAD_LEN, P, "protected payload header")?;
        if head[HEAD_LEN - 1] != AES_128_GCM {
            return Err(MikeyError::BadValue {
                payload: P,
                field: "payload algorithm",
                value: head[HEAD_LEN - 1].into(),
            });
        }
        let iv: [u8; IV_LEN] = r.array(P, "IV")?;
        let dppk_id = r.u32(P, "DPPK-ID")?;
        if dppk_id != csb_id {
            return Err(MikeyError::KeyParametersIdMismatch { dppk_id, csb_id });
        }
        let payload_type = r.u8(P, "payload type")?;
        if payload_type != 0 {
            return Err(MikeyError::BadValue {
                payload: P,
                field: "payload type",
                value: payload_type.into(),
            });
        }
        let len = usize::from(r.u16(P, "protected payload length")?);
        let sealed = r.bytes(len, P, "protected payload")?;
        if r.remaining() > 0 || len < TAG_LEN {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "protected payload length",
                len,
            });
        }
        let plain = Zeroizing::new(
            cipher(key, csb_id)
                .decrypt(
                    (&iv).into(),
                    Payload {
                        msg: sealed,
                        aad: &aad(head, &iv, dppk_id),
                    },
                )
                .map_err(|_| MikeyError::KeyParametersTag)?,
        );
        KeyParameters::decode_plain(&plain, false)
    }
}

/// AAD: the payload header, the IV and the DPPK-ID (32 octets).
fn aad(head: &[u8], iv: &[u8; IV_LEN], dppk_id: u32) -> Vec<u8> {
    [head, iv, &dppk_id.to_be_bytes()].concat()
}

/// AES-128-GCM under the DPCK: the low 16 octets of
/// HMAC-SHA-256(key, 0x53 || DPPK-ID || 0x0004), the 3GPP KDF with the DPPK-ID as P0.
fn cipher(key: &[u8], dppk_id: u32) -> Aes128Gcm16 {
    let mut mac = Zeroizing::new([0u8; 32]);
    Hmac::<Sha256>::new(key).mac_into(&[&[DPCK_FC], &dppk_id.to_be_bytes(), &[0, 4]], &mut mac[..]);
    Aes128Gcm16::new_from_slice(&mac[16..]).expect("16-octet key")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 16] = [7; 16];

    #[test]
    fn seal_then_open() {
        for tag in 0..7u8 {
            let purpose = KeyPurpose::from_tag(tag).unwrap();
            let mut params = KeyParameters::new(purpose);
            params.text = b"incident 42".to_vec();
            let csb_id = purpose.key_id(0x0234_5678);
            let ext = params.seal(&KEY, csb_id, [9; 16]).unwrap();
            let (got, form) = KeyParameters::open(&ext, &KEY, csb_id).unwrap();
            assert_eq!((&got, form), (&params, KeyParametersForm::Protected));
            // Parameters for a key whose ID tags another purpose.
            let other = KeyPurpose::from_tag((tag + 1) % 7)
                .unwrap()
                .key_id(0x0234_5678);
            let ext = params.seal(&KEY, other, [9; 16]).unwrap();
            assert!(matches!(
                KeyParameters::open(&ext, &KEY, other),
                Err(MikeyError::KeyParametersPurposeMismatch { key_type, .. }) if key_type == purpose
            ));
        }
    }

    #[test]
    fn another_key_id_or_tampering_is_refused() {
        let ext = KeyParameters::new(KeyPurpose::Pck)
            .seal(&KEY, 0x1000_0001, [1; 16])
            .unwrap();
        assert!(matches!(
            KeyParameters::open(&ext, &KEY, 0x1000_0002),
            Err(MikeyError::KeyParametersIdMismatch {
                dppk_id: 0x1000_0001,
                csb_id: 0x1000_0002
            })
        ));
        assert!(matches!(
            KeyParameters::open(&ext, &[8; 16], 0x1000_0001),
            Err(MikeyError::KeyParametersTag)
        ));
        // Every octet but the DPPK-ID and the framing is authenticated.
        for at in (0..HEAD_LEN)
            .chain(HEAD_LEN..HEAD_LEN + IV_LEN)
            .chain(35..ext.data.len())
        {
            let mut bad = ext.clone();
            bad.data[at] ^= 0x01;
            assert!(
                KeyParameters::open(&bad, &KEY, 0x1000_0001).is_err(),
                "octet {at}"
            );
        }
        let mut short = ext.clone();
        short.data.truncate(40);
        assert!(KeyParameters::open(&short, &KEY, 0x1000_0001).is_err());
    }

    #[test]
    fn legacy_form_counts_key_types_from_one() {
        // Streamwide Test 4's extension.
        let data = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let ext = GeneralExtension {
            ext_type: EXT_KEY_PARAMETERS,
            data: data.to_vec(),
        };
        let (got, form) = KeyParameters::open(&ext, &KEY, 0).unwrap();
        assert_eq!(form, KeyParametersForm::Legacy);
        assert_eq!(got.key_type, KeyPurpose::Gmk);
        assert!(got.in_force());
        assert_eq!(got.group_ids, None);
    }
}
