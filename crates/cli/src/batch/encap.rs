//! `encap-batch` lines: `{"id", "kms_public_key", "identity", "ssv"?}` to
//! `{"id", "ssv", "encapsulated"}`.

use sakke::{
    encapsulate_batch, EncapItem, Identifier, KmsPublicKey, PairingBackend, RecipientKey, Ssv,
};
use zeroize::Zeroizing;

use super::{merge_results, parse_request, sakke_error, Id, KeyCache, LineError, LineResult};
use crate::secret_hex;

/// The fields of a request besides `id`; `ssv` is optional.
const FIELDS: [&str; 3] = ["kms_public_key", "identity", "ssv"];

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

/// A request that parsed: the recipient and the SSV to send.
pub struct EncapWork {
    to: RecipientKey,
    ssv: Ssv,
}

/// Parses one request line (a missing SSV is drawn from the OS generator here).
pub fn parse_encap_line(
    line: &str,
    cache: &RecipientKeyCache,
) -> (Id, Result<EncapWork, LineError>) {
    let request = match parse_request(line, &FIELDS) {
        Ok(r) => r,
        Err((id, err)) => return (id, Err(err)),
    };
    let work = (|| {
        request.require(&["kms_public_key", "identity"])?;
        let kms_public_key = request.hex_required("kms_public_key")?;
        let identity = request.hex_required("identity")?;
        let ssv = match request.hex("ssv")? {
            Some(bytes) => Ssv::from_bytes(&bytes).map_err(|e| sakke_error("ssv", e))?,
            None => Ssv::random(),
        };
        let bytes = RecipientKeyBytes {
            kms_public_key: kms_public_key.to_vec(),
            identity: identity.to_vec(),
        };
        let to = cache.with(
            bytes,
            || recipient_key(&kms_public_key, &identity),
            |k| k.clone(),
        )?;
        Ok(EncapWork { to, ssv })
    })();
    (request.id, work)
}

/// Encapsulates every parsed line of a chunk in one backend batch.
pub fn encapsulate_chunk(
    backend: &dyn PairingBackend,
    parsed: Vec<(Id, Result<EncapWork, LineError>)>,
) -> (Vec<LineResult>, usize) {
    let items: Vec<EncapItem> = parsed
        .iter()
        .filter_map(|(_, w)| w.as_ref().ok())
        .map(|w| EncapItem {
            ssv: &w.ssv,
            to: &w.to,
        })
        .collect();
    let outcome = encapsulate_batch(backend, &items);
    let retried = outcome.retried;
    let results = merge_results(parsed, outcome.results, "identity", |w, ed| {
        vec![
            ("ssv", secret_hex::encode(w.ssv.as_bytes())),
            ("encapsulated", Zeroizing::new(hex::encode(ed.to_bytes()))),
        ]
    });
    (results, retried)
}
