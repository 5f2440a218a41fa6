//! SAKKE on single messages: loading the KMS master key, issuing RSKs, building receiver
//! keys (RSK validation), encapsulation (g^r, [r]([b]P + Z)), decapsulation and TEST.

use std::sync::OnceLock;

use sakke::{
    decapsulate_with, encapsulate_to, finish_decapsulation, EncapsulatedData, Identifier, Kms,
    ReceiverKey, RecipientKey, Rsk, Ssv,
};

use crate::secret::{bytes128, output, secret, secret_part};

/// The KMS, two users' receiver keys and a sender's view of each, built from secrets the
/// first time a case asks (by [`keys_and_issue`], which runs first).
pub struct Keys {
    pub receivers: [ReceiverKey; 2],
}

impl Keys {
    pub fn recipient(&self, i: usize) -> &RecipientKey {
        self.receivers[i].recipient()
    }
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut z = bytes128("sakke master key");
        z[0] &= 0x1f; // below q, whose top byte is 0x26
        let kms = Kms::from_secret_bytes(&secret(z)).expect("master key in range");
        let receivers = ["tel:+447700900123", "tel:+447700900456"].map(|uri| {
            let id = Identifier::rfc6509("2026-11", uri).expect("identifier");
            let rsk = kms.issue_rsk(&id).expect("issued RSK");
            ReceiverKey::new(&id, &kms.public_key(), rsk).expect("valid RSK")
        });
        Keys { receivers }
    })
}

/// A secret SSV for a label.
pub fn ssv(label: &str) -> Ssv {
    let mut bytes = [0u8; sakke::SSV_BYTES];
    bytes.copy_from_slice(&bytes128(label)[..sakke::SSV_BYTES]);
    secret(Ssv::from(bytes))
}

/// Loading a master key (range check, Z = [z]P), issuing RSKs ([(a + z)^-1]P, with the
/// inversion mod q and RSK validation) and building receiver keys (validation again, the
/// table name hashed from the RSK); then an RSK loaded back from its encoding, as from a
/// key store (decoding, curve and subgroup checks).
pub fn keys_and_issue() {
    let keys = keys();
    let stored = keys.receivers[0].rsk().to_bytes();
    secret_part(&stored[..], 1);
    let loaded = Rsk::from_bytes(&stored[..]).expect("stored RSK loads");
    output(&*loaded.to_bytes());
}

/// R = [r]([b]P + Z) and H = SSV xor mask(g^r), r derived from a secret SSV.
pub fn encapsulate() {
    let ed = encapsulate_to(&ssv("encapsulate"), keys().recipient(0));
    output(&ed.to_bytes());
}

/// w = <R, K_b> with the secret RSK, the SSV unmasked, r re-derived and TEST passed.
pub fn decapsulate() {
    let keys = keys();
    let ed = encapsulate_to(&ssv("decapsulate"), keys.recipient(0));
    let recovered = decapsulate_with(&ed, &keys.receivers[0]).expect("TEST passes");
    output(recovered.as_bytes());
}

/// TEST failing: a ciphertext for one user opened by the other, whose w (secret, from
/// their own RSK) unmasks a wrong SSV and so a wrong r.
pub fn test_rejects() {
    let keys = keys();
    let ed = encapsulate_to(&ssv("misdirected"), keys.recipient(0));
    let ed = EncapsulatedData::from_bytes(&ed.to_bytes()).expect("parses");
    let rejected = decapsulate_with(&ed, &keys.receivers[1]).is_err();
    assert!(rejected, "TEST must fail for the wrong recipient");
    // TEST with a secret pairing value handed in directly, as batched decapsulation does.
    let w = secret(pairing::PfValue::generator());
    let result = finish_decapsulation(&ed, keys.recipient(1), &w);
    assert!(result.is_err(), "TEST must fail for an unrelated w");
}
