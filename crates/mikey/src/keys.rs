//! Key derivation from the TGK (RFC 3830 4.1.3) and from an envelope / pre-shared key
//! (RFC 3830 4.1.4). In MIKEY-SAKKE the TGK is the SSV (RFC 6509 3.1); the PRF is the
//! one named in the header.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::hdr::PrfFunc;
use crate::prf::prf;

/// Keys derived from a TGK (RFC 3830 Table 4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TgkKeyKind {
    /// TEK (the SRTP master key): 0x2AD01C64.
    Tek,
    /// Authentication key: 0x1B5C7973.
    Auth,
    /// Encryption key: 0x15798CEF.
    Encr,
    /// Salting key: 0x39A2C14B.
    Salt,
}

impl TgkKeyKind {
    /// The label constant.
    pub fn constant(self) -> u32 {
        match self {
            TgkKeyKind::Tek => 0x2AD0_1C64,
            TgkKeyKind::Auth => 0x1B5C_7973,
            TgkKeyKind::Encr => 0x1579_8CEF,
            TgkKeyKind::Salt => 0x39A2_C14B,
        }
    }
}

/// Keys derived from an envelope or pre-shared key (RFC 3830 Table 4.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvelopeKeyKind {
    /// Encryption key: 0x150533E1.
    Encr,
    /// Authentication key: 0x2D22AC75.
    Auth,
    /// Salt key: 0x29B88916.
    Salt,
}

impl EnvelopeKeyKind {
    /// The label constant.
    pub fn constant(self) -> u32 {
        match self {
            EnvelopeKeyKind::Encr => 0x1505_33E1,
            EnvelopeKeyKind::Auth => 0x2D22_AC75,
            EnvelopeKeyKind::Salt => 0x29B8_8916,
        }
    }
}

/// Label for a TGK derivation: constant || cs_id || csb_id || RAND.
pub fn tgk_label(kind: TgkKeyKind, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut label = Vec::with_capacity(9 + rand.len());
    label.extend_from_slice(&kind.constant().to_be_bytes());
    label.push(cs_id);
    label.extend_from_slice(&csb_id.to_be_bytes());
    label.extend_from_slice(rand);
    label
}

/// Label for an envelope-key derivation: constant || 0xFF || csb_id || RAND.
pub fn envelope_label(kind: EnvelopeKeyKind, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut label = Vec::with_capacity(9 + rand.len());
    label.extend_from_slice(&kind.constant().to_be_bytes());
    label.push(0xff);
    label.extend_from_slice(&csb_id.to_be_bytes());
    label.extend_from_slice(rand);
    label
}

/// A `len`-byte key derived from a TGK for one crypto session (RFC 3830 4.1.3).
pub fn derive_from_tgk(
    func: PrfFunc,
    tgk: &[u8],
    kind: TgkKeyKind,
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    prf(func, tgk, &tgk_label(kind, cs_id, csb_id, rand), &mut out);
    out
}

/// A `len`-byte key derived from an envelope or pre-shared key (RFC 3830 4.1.4).
pub fn derive_from_envelope(
    func: PrfFunc,
    key: &[u8],
    kind: EnvelopeKeyKind,
    csb_id: u32,
    rand: &[u8],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    prf(func, key, &envelope_label(kind, csb_id, rand), &mut out);
    out
}

/// Lengths of the traffic keys to derive, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyLengths {
    /// TEK / SRTP master key.
    pub tek: usize,
    /// Authentication key.
    pub auth_key: usize,
    /// Salt.
    pub salt: usize,
}

impl Default for KeyLengths {
    /// SRTP defaults: AES-128 master key, HMAC-SHA-1 key, 112-bit master salt.
    fn default() -> Self {
        KeyLengths {
            tek: 16,
            auth_key: 20,
            salt: 14,
        }
    }
}

/// Traffic keys for one crypto session. Equality is constant-time.
#[derive(Clone)]
pub struct TrafficKeys {
    /// TEK.
    pub tek: Zeroizing<Vec<u8>>,
    /// Authentication key.
    pub auth_key: Zeroizing<Vec<u8>>,
    /// Salt.
    pub salt: Zeroizing<Vec<u8>>,
}

impl PartialEq for TrafficKeys {
    fn eq(&self, other: &Self) -> bool {
        bool::from(
            self.tek.ct_eq(&other.tek)
                & self.auth_key.ct_eq(&other.auth_key)
                & self.salt.ct_eq(&other.salt),
        )
    }
}

impl Eq for TrafficKeys {}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficKeys { .. }")
    }
}

/// Everything needed to derive traffic keys from an accepted or sent I_MESSAGE: the
/// TGK (= SSV), the PRF, the CSB ID and the RAND.
#[derive(Clone)]
pub struct SessionKeys {
    tgk: Zeroizing<Vec<u8>>,
    prf: PrfFunc,
    csb_id: u32,
    rand: Vec<u8>,
}

impl SessionKeys {
    /// Collect the derivation inputs.
    pub fn new(tgk: &[u8], prf: PrfFunc, csb_id: u32, rand: &[u8]) -> Self {
        SessionKeys {
            tgk: Zeroizing::new(tgk.to_vec()),
            prf,
            csb_id,
            rand: rand.to_vec(),
        }
    }

    /// The TGK (the SAKKE SSV).
    pub fn tgk(&self) -> &[u8] {
        &self.tgk
    }

    /// PRF from the header.
    pub fn prf(&self) -> PrfFunc {
        self.prf
    }

    /// CSB ID from the header.
    pub fn csb_id(&self) -> u32 {
        self.csb_id
    }

    /// RAND from the RAND payload.
    pub fn rand(&self) -> &[u8] {
        &self.rand
    }

    /// One derived key.
    pub fn derive(&self, kind: TgkKeyKind, cs_id: u8, len: usize) -> Zeroizing<Vec<u8>> {
        derive_from_tgk(
            self.prf,
            &self.tgk,
            kind,
            cs_id,
            self.csb_id,
            &self.rand,
            len,
        )
    }

    /// TEK, authentication key and salt for one crypto session.
    pub fn traffic_keys(&self, cs_id: u8, lengths: KeyLengths) -> TrafficKeys {
        TrafficKeys {
            tek: self.derive(TgkKeyKind::Tek, cs_id, lengths.tek),
            auth_key: self.derive(TgkKeyKind::Auth, cs_id, lengths.auth_key),
            salt: self.derive(TgkKeyKind::Salt, cs_id, lengths.salt),
        }
    }
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("prf", &self.prf)
            .field("csb_id", &self.csb_id)
            .finish_non_exhaustive()
    }
}
