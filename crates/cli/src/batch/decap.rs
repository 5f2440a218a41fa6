//! `decap-batch` lines: `{"id", "kms_public_key", "identity", "rsk", "encapsulated"}`
//! to `{"id", "ssv"}`.

use sakke::{
    decapsulate_batch, receiver_key_digest, DecapItem, EncapsulatedData, Identifier, KmsPublicKey,
    PairingBackend, ReceiverKey, Rsk,
};

use super::{merge_results, parse_request, sakke_error, Id, KeyCache, LineError, LineResult};
use crate::secret_hex;

const FIELDS: [&str; 4] = ["kms_public_key", "identity", "rsk", "encapsulated"];

/// Validated receiver keys for one run: RSK validation (a pairing) happens once per
/// distinct (Z, identity, RSK), not once per line. Keyed by a digest of those bytes
/// ([`receiver_key_digest`]), so looking a key up never compares RSK bytes.
pub type ReceiverKeyCache = KeyCache<[u8; 32], ReceiverKey>;

fn receiver_key(z: &[u8], identity: &[u8], rsk: &[u8]) -> Result<ReceiverKey, LineError> {
    let z = KmsPublicKey::from_bytes(z).map_err(|e| sakke_error("kms_public_key", e))?;
    let id = Identifier::new(identity).map_err(|e| sakke_error("identity", e))?;
    let rsk = Rsk::from_bytes(rsk).map_err(|e| sakke_error("rsk", e))?;
    ReceiverKey::new(&id, &z, rsk).map_err(|e| sakke_error("rsk", e))
}

/// A request that parsed and whose key validated: ready for the backend.
pub struct DecapWork {
    key: ReceiverKey,
    encapsulated: EncapsulatedData,
}

/// Parses and validates one request line; the pairing work is left for
/// [`decapsulate_chunk`], which hands a whole chunk to the backend at once.
pub fn parse_decap_line(
    line: &str,
    cache: &ReceiverKeyCache,
) -> (Id, Result<DecapWork, LineError>) {
    let request = match parse_request(line, &FIELDS) {
        Ok(r) => r,
        Err((id, err)) => return (id, Err(err)),
    };
    let work = (|| {
        request.require(&FIELDS)?;
        let kms_public_key = request.hex_required("kms_public_key")?;
        let identity = request.hex_required("identity")?;
        let rsk = request.hex_required("rsk")?;
        let encapsulated = request.hex_required("encapsulated")?;
        let encapsulated = EncapsulatedData::from_bytes(&encapsulated)
            .map_err(|e| sakke_error("encapsulated", e))?;
        let key = cache.with(
            receiver_key_digest(&kms_public_key, &identity, &rsk),
            || receiver_key(&kms_public_key, &identity, &rsk),
            |key| key.clone(),
        )?;
        Ok(DecapWork { key, encapsulated })
    })();
    (request.id, work)
}

/// Decapsulates every parsed line of a chunk in one backend batch (pairings and TEST on
/// the backend, failures retried on the CPU); returns the results in order and the
/// number of retried items.
pub fn decapsulate_chunk(
    backend: &dyn PairingBackend,
    parsed: Vec<(Id, Result<DecapWork, LineError>)>,
) -> (Vec<LineResult>, usize) {
    let items: Vec<DecapItem> = parsed
        .iter()
        .filter_map(|(_, w)| w.as_ref().ok())
        .map(|w| DecapItem {
            encapsulated: &w.encapsulated,
            key: &w.key,
        })
        .collect();
    let outcome = decapsulate_batch(backend, &items);
    let retried = outcome.retried;
    let results = merge_results(parsed, outcome.results, "encapsulated", |_, ssv| {
        vec![("ssv", secret_hex::encode(ssv.as_bytes()))]
    });
    (results, retried)
}
