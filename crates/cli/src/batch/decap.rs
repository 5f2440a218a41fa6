//! `decap-batch` lines: `{"id", "kms_public_key", "identity", "rsk", "encapsulated"}`
//! to `{"id", "ssv"}`.

use sakke::{decapsulate_with, EncapsulatedData, Identifier, KmsPublicKey, ReceiverKey, Rsk};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{parse_request, sakke_error, KeyCache, LineError, LineResult};

const FIELDS: [&str; 4] = ["kms_public_key", "identity", "rsk", "encapsulated"];

/// The bytes a receiver key is built from: (Z, identity, RSK). Holds a secret: wiped.
#[derive(PartialEq, Eq, Hash, Zeroize, ZeroizeOnDrop)]
pub struct ReceiverKeyBytes {
    kms_public_key: Vec<u8>,
    identity: Vec<u8>,
    rsk: Vec<u8>,
}

/// Validated receiver keys for one run: RSK validation (a pairing) happens once per
/// distinct (Z, identity, RSK), not once per line.
pub type ReceiverKeyCache = KeyCache<ReceiverKeyBytes, ReceiverKey>;

fn receiver_key(z: &[u8], identity: &[u8], rsk: &[u8]) -> Result<ReceiverKey, LineError> {
    let z = KmsPublicKey::from_bytes(z).map_err(|e| sakke_error("kms_public_key", e))?;
    let id = Identifier::new(identity).map_err(|e| sakke_error("identity", e))?;
    let rsk = Rsk::from_bytes(rsk).map_err(|e| sakke_error("rsk", e))?;
    ReceiverKey::new(&id, &z, rsk).map_err(|e| sakke_error("rsk", e))
}

/// Processes one request line. This is the unit a batched backend replaces: it sees the
/// line and the run's key cache and returns the line's result.
pub fn process_decap_line(line: &str, cache: &ReceiverKeyCache) -> LineResult {
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
        request.require(&FIELDS)?;
        let kms_public_key = request.hex_required("kms_public_key")?;
        let identity = request.hex_required("identity")?;
        let rsk = request.hex_required("rsk")?;
        let encapsulated = request.hex_required("encapsulated")?;
        let ed = EncapsulatedData::from_bytes(&encapsulated)
            .map_err(|e| sakke_error("encapsulated", e))?;
        let key = ReceiverKeyBytes {
            kms_public_key: kms_public_key.to_vec(),
            identity: identity.to_vec(),
            rsk: rsk.to_vec(),
        };
        cache.with(
            key,
            || receiver_key(&kms_public_key, &identity, &rsk),
            |key| {
                let key = key.as_ref().map_err(Clone::clone)?;
                let ssv = decapsulate_with(&ed, key).map_err(|e| sakke_error("encapsulated", e))?;
                Ok(vec![("ssv", Zeroizing::new(hex::encode(ssv.as_bytes())))])
            },
        )
    })();
    LineResult {
        id: request.id,
        outcome,
    }
}
