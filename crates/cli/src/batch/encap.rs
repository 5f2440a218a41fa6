//! `encap-batch` lines: `{"id", "kms_public_key", "identity", "ssv"?}` to
//! `{"id", "ssv", "encapsulated"}`.

use sakke::{encapsulate_to, Identifier, KmsPublicKey, RecipientKey, Ssv};
use zeroize::Zeroizing;

use super::{parse_request, sakke_error, KeyCache, LineError, LineResult};

/// The bytes a recipient key is built from: (Z, identity). Public.
#[derive(PartialEq, Eq, Hash)]
pub struct RecipientKeyBytes {
    kms_public_key: Vec<u8>,
    identity: Vec<u8>,
}

/// Decoded recipient keys for one run: Z's subgroup check and [b]P + Z happen once per
/// distinct (Z, identity).
pub type RecipientKeyCache = KeyCache<RecipientKeyBytes, RecipientKey>;

fn recipient_key(z: &[u8], identity: &[u8]) -> Result<RecipientKey, LineError> {
    let z = KmsPublicKey::from_bytes(z).map_err(|e| sakke_error("kms_public_key", e))?;
    let id = Identifier::new(identity).map_err(|e| sakke_error("identity", e))?;
    RecipientKey::new(&id, &z).map_err(|e| sakke_error("identity", e))
}

/// Processes one request line (see [`super::decap::process_decap_line`]).
pub fn process_encap_line(line: &str, cache: &RecipientKeyCache) -> LineResult {
    let request = match parse_request(line) {
        Ok(r) => r,
        Err((id, err)) => {
            return LineResult {
                id,
                outcome: Err(err),
            }
        }
    };
    let outcome = (|| {
        request.require(&["kms_public_key", "identity"])?;
        let kms_public_key = request.hex_required("kms_public_key")?;
        let identity = request.hex_required("identity")?;
        let ssv = match request.hex("ssv")? {
            Some(bytes) => Ssv::from_bytes(&bytes).map_err(|e| sakke_error("ssv", e))?,
            None => Ssv::random(),
        };
        let key = RecipientKeyBytes {
            kms_public_key: kms_public_key.to_vec(),
            identity: identity.to_vec(),
        };
        cache.with(
            key,
            || recipient_key(&kms_public_key, &identity),
            |key| {
                let key = key.as_ref().map_err(Clone::clone)?;
                let ed = encapsulate_to(&ssv, key);
                Ok(vec![
                    ("ssv", Zeroizing::new(hex::encode(ssv.as_bytes()))),
                    ("encapsulated", Zeroizing::new(hex::encode(ed.to_bytes()))),
                ])
            },
        )
    })();
    LineResult {
        id: request.id,
        outcome,
    }
}
