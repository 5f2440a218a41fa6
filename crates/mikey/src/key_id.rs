//! 3GPP MCX key identifiers (TS 33.180 5.2.3, TS 33.179 F.1.3): every distributed key
//! has a 32-bit ID whose top 4 bits say what the key is for, and a group key travels
//! under a per-recipient GUK-ID so that two members' SRTP streams never share a key.

use zeroize::Zeroizing;

use crate::error::{MikeyError, Result};
use crate::wiped_hmac::{Hmac, Sha256};

/// FC of the GUK-ID salt derivation (TS 33.179 F.1.3).
const GUK_ID_FC: u8 = 0x50;
/// The purpose tag's place in a key ID.
const TAG_SHIFT: u32 = 28;
const LOW_28: u32 = (1 << TAG_SHIFT) - 1;

/// What a distributed key is for: the purpose tag, the top 4 bits of its key ID. Tags
/// 0-2 are confirmed by TS 33.180 text and the Streamwide messages; 3-6 come from two
/// implementations (sw_mikey_sakke, a wolfSSL draft), which agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// 0: group master key, GMK.
    Gmk,
    /// 1: private call key, PCK.
    Pck,
    /// 2: client-server key, CSK.
    Csk,
    /// 3: signalling protection key between MCX servers, SPK.
    Spk,
    /// 4: MCData file-distribution key, MKFC.
    Mkfc,
    /// 5: MCX server-client control key, MSCCK.
    Mscck,
    /// 6: multicast signalling key, MuSiK.
    Musik,
}

impl KeyPurpose {
    /// The purpose tagged in `key_id`.
    pub fn of(key_id: u32) -> Result<Self> {
        Self::from_tag((key_id >> TAG_SHIFT) as u8)
    }

    /// The purpose for a 4-bit tag.
    pub fn from_tag(tag: u8) -> Result<Self> {
        Ok(match tag {
            0 => KeyPurpose::Gmk,
            1 => KeyPurpose::Pck,
            2 => KeyPurpose::Csk,
            3 => KeyPurpose::Spk,
            4 => KeyPurpose::Mkfc,
            5 => KeyPurpose::Mscck,
            6 => KeyPurpose::Musik,
            other => return Err(MikeyError::UnknownKeyPurpose(other)),
        })
    }

    /// The 4-bit tag.
    pub fn tag(self) -> u8 {
        self as u8
    }

    /// The key ID with this purpose and the low 28 bits of `random`.
    pub fn key_id(self, random: u32) -> u32 {
        u32::from(self.tag()) << TAG_SHIFT | random & LOW_28
    }

    /// The short name TS 33.180 uses.
    pub fn name(self) -> &'static str {
        match self {
            KeyPurpose::Gmk => "GMK",
            KeyPurpose::Pck => "PCK",
            KeyPurpose::Csk => "CSK",
            KeyPurpose::Spk => "SPK",
            KeyPurpose::Mkfc => "MKFC",
            KeyPurpose::Mscck => "MSCCK",
            KeyPurpose::Musik => "MuSiK",
        }
    }
}

impl core::fmt::Display for KeyPurpose {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The 28-bit GUK-ID salt: the low 28 bits of
/// HMAC-SHA-256(GMK, 0x50 || URI || 2-octet length of URI), URI being the receiving
/// member's MC service ID.
fn guk_id_salt(gmk: &[u8], receiver_uri: &str) -> Result<u32> {
    let len = u16::try_from(receiver_uri.len()).map_err(|_| MikeyError::InvalidUri)?;
    let mut mac = Zeroizing::new([0u8; 32]);
    Hmac::<Sha256>::new(gmk).mac_into(
        &[&[GUK_ID_FC], receiver_uri.as_bytes(), &len.to_be_bytes()],
        &mut mac[..],
    );
    let tail = u32::from_be_bytes([mac[28], mac[29], mac[30], mac[31]]);
    Ok(tail & LOW_28)
}

/// The GUK-ID under which `gmk` (ID `gmk_id`) is sent to `receiver_uri`: the purpose
/// tag kept, the low 28 bits XORed with the receiver's salt. It is the HDR CSB ID of
/// a GMK I_MESSAGE.
pub fn guk_id(gmk_id: u32, gmk: &[u8], receiver_uri: &str) -> Result<u32> {
    Ok(gmk_id ^ guk_id_salt(gmk, receiver_uri)?)
}

/// The GMK-ID back from a received GUK-ID, with the receiver's own URI (the XOR is its
/// own inverse).
pub fn gmk_id_from_guk_id(guk_id: u32, gmk: &[u8], receiver_uri: &str) -> Result<u32> {
    self::guk_id(guk_id, gmk, receiver_uri)
}

/// A received key's purpose and ID from the HDR CSB ID of its I_MESSAGE: for a GMK the
/// CSB ID is the GUK-ID, turned back into the GMK-ID with the receiver's URI; for every
/// other purpose it is the key ID itself (PCK-ID, CSK-ID, ...).
pub fn received_key_id(csb_id: u32, key: &[u8], receiver_uri: &str) -> Result<(KeyPurpose, u32)> {
    let purpose = KeyPurpose::of(csb_id)?;
    let id = match purpose {
        KeyPurpose::Gmk => gmk_id_from_guk_id(csb_id, key, receiver_uri)?,
        _ => csb_id,
    };
    Ok((purpose, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMK: [u8; 16] = [
        0x07, 0xd1, 0xa1, 0x67, 0x7a, 0xc3, 0x6d, 0x8e, 0x81, 0x62, 0x04, 0x84, 0x68, 0x9b, 0x3c,
        0x2d,
    ];

    /// Streamwide Test 1 and Test 4: the same GMK to two members, two GUK-IDs.
    #[test]
    fn streamwide_guk_ids() {
        let alice = "sip:alice@streamwide.com";
        let iwf = "sip:iwf_legacy_v1.1.x_format@streamwide.com";
        assert_eq!(guk_id_salt(&GMK, alice).unwrap(), 0x0b58_96d3);
        assert_eq!(guk_id(0x0df9_bc39, &GMK, alice).unwrap(), 0x06a1_2aea);
        assert_eq!(guk_id(0x0df9_bc39, &GMK, iwf).unwrap(), 0x0482_09a7);
        assert_eq!(
            gmk_id_from_guk_id(0x06a1_2aea, &GMK, alice).unwrap(),
            0x0df9_bc39
        );
        assert_eq!(
            gmk_id_from_guk_id(0x0482_09a7, &GMK, iwf).unwrap(),
            0x0df9_bc39
        );
    }

    #[test]
    fn purposes_and_tags() {
        assert_eq!(KeyPurpose::of(0x0df9_bc39).unwrap(), KeyPurpose::Gmk);
        assert_eq!(KeyPurpose::of(0x1699_2638).unwrap(), KeyPurpose::Pck);
        assert_eq!(KeyPurpose::of(0x2ddd_5bf0).unwrap(), KeyPurpose::Csk);
        for tag in 0..7u8 {
            let p = KeyPurpose::from_tag(tag).unwrap();
            assert_eq!(p.tag(), tag);
            let id = p.key_id(0xffff_ffff);
            assert_eq!(id, u32::from(tag) << 28 | 0x0fff_ffff);
            assert_eq!(KeyPurpose::of(id).unwrap(), p);
            // A GUK-ID keeps the tag.
            assert_eq!(
                KeyPurpose::of(guk_id(id, &GMK, "sip:x").unwrap()).unwrap(),
                p
            );
        }
        for tag in 7..16u8 {
            assert!(matches!(
                KeyPurpose::of(u32::from(tag) << 28),
                Err(MikeyError::UnknownKeyPurpose(t)) if t == tag
            ));
        }
        assert_eq!(KeyPurpose::Musik.to_string(), "MuSiK");
    }

    #[test]
    fn received_ids() {
        let alice = "sip:alice@streamwide.com";
        assert_eq!(
            received_key_id(0x06a1_2aea, &GMK, alice).unwrap(),
            (KeyPurpose::Gmk, 0x0df9_bc39)
        );
        assert_eq!(
            received_key_id(0x1699_2638, &GMK, alice).unwrap(),
            (KeyPurpose::Pck, 0x1699_2638)
        );
        assert!(matches!(
            received_key_id(0xf000_0000, &GMK, alice),
            Err(MikeyError::UnknownKeyPurpose(15))
        ));
    }

    #[test]
    fn oversized_uri_is_refused() {
        assert!(matches!(
            guk_id(0, &GMK, &"a".repeat(65_536)),
            Err(MikeyError::InvalidUri)
        ));
    }
}
