//! Batch key processing (README "Batch formats"): one JSON request a line in, one JSON
//! result a line out, in the same order. Every problem with a line becomes an error
//! result `"<kind>: <message>"` for that line; `kind` is a stable snake_case word that
//! workloads can count and match on.

pub mod decap;
pub mod encap;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::jsonl::{Unreadable, MAX_LINE_BYTES};

/// Why one line failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub kind: &'static str,
    pub message: String,
}

impl LineError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> LineError {
        LineError {
            kind,
            message: message.into(),
        }
    }

    /// The error for a line that was not text at all.
    pub fn unreadable(why: &Unreadable) -> LineError {
        let message = match why {
            Unreadable::NotUtf8 => "line is not UTF-8".to_string(),
            Unreadable::TooLong(len) => {
                format!("line is {len} bytes, longer than {MAX_LINE_BYTES}")
            }
        };
        LineError::new("malformed_json", message)
    }
}

/// One output line: the request's id, then either result fields (in order) or an error.
pub struct LineResult {
    pub id: Value,
    pub outcome: Result<Fields, LineError>,
}

impl LineResult {
    pub fn is_ok(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// `{"id": ..., <fields>...}` or `{"id": ..., "error": "<kind>: <message>"}`, id first.
impl Serialize for LineResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        match &self.outcome {
            Ok(fields) => {
                for (name, value) in fields {
                    map.serialize_entry(name, value.as_str())?;
                }
            }
            Err(err) => map.serialize_entry("error", &format!("{}: {}", err.kind, err.message))?,
        }
        map.end()
    }
}

/// A request line parsed as far as its JSON object and id.
pub struct Request {
    pub id: Value,
    pub fields: Map<String, Value>,
}

/// Parses a request line; on failure, the error and whatever id could be found.
pub fn parse_request(line: &str) -> Result<Request, (Value, LineError)> {
    if line.trim().is_empty() {
        return Err((Value::Null, LineError::new("malformed_json", "empty line")));
    }
    let value: Value = serde_json::from_str(line)
        .map_err(|e| (Value::Null, LineError::new("malformed_json", e.to_string())))?;
    let Value::Object(mut fields) = value else {
        return Err((
            Value::Null,
            LineError::new("malformed_json", "line is not a JSON object"),
        ));
    };
    let Some(id) = fields.remove("id") else {
        return Err((
            Value::Null,
            LineError::new("missing_field", "\"id\" is required"),
        ));
    };
    Ok(Request { id, fields })
}

impl Request {
    /// Checks that every required field is present, in order, before decoding any.
    pub fn require(&self, names: &[&'static str]) -> Result<(), LineError> {
        match names.iter().find(|n| !self.fields.contains_key(**n)) {
            Some(name) => Err(LineError::new(
                "missing_field",
                format!("\"{name}\" is required"),
            )),
            None => Ok(()),
        }
    }

    /// A hex string field as bytes (in a buffer wiped on drop: it may be a key).
    /// `None` when absent or null.
    pub fn hex(&self, name: &'static str) -> Result<Option<Zeroizing<Vec<u8>>>, LineError> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => hex::decode(s)
                .map(|b| Some(Zeroizing::new(b)))
                .map_err(|e| LineError::new("bad_hex", format!("\"{name}\": {e}"))),
            Some(other) => Err(LineError::new(
                "bad_hex",
                format!(
                    "\"{name}\" must be a string of hex digits, got {}",
                    json_type(other)
                ),
            )),
        }
    }

    /// A required hex field (presence checked by [`Request::require`]).
    pub fn hex_required(&self, name: &'static str) -> Result<Zeroizing<Vec<u8>>, LineError> {
        self.hex(name)?
            .ok_or_else(|| LineError::new("missing_field", format!("\"{name}\" is required")))
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// How many distinct keys a cache holds before it starts over, bounding memory
/// (a validated receiver key is about 1 KB) on inputs with millions of users.
pub const CACHE_CAPACITY: usize = 1 << 16;

type Slot<V> = Arc<OnceLock<Result<V, LineError>>>;

/// A run-wide cache of decoded and validated keys, keyed by the request bytes they came
/// from. Shared by the worker threads: the first line with a key does the work, lines
/// with the same key that arrive meanwhile wait for it, and errors are cached too.
pub struct KeyCache<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
}

impl<K: Eq + Hash, V> Default for KeyCache<K, V> {
    fn default() -> Self {
        KeyCache {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> KeyCache<K, V> {
    /// Runs `with` on the cached value for `key`, computing it with `init` once.
    pub fn with<R>(
        &self,
        key: K,
        init: impl FnOnce() -> Result<V, LineError>,
        with: impl FnOnce(&Result<V, LineError>) -> R,
    ) -> R {
        let slot = {
            // A worker that panicked cannot leave the map half-updated: recover it.
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.len() >= CACHE_CAPACITY && !slots.contains_key(&key) {
                slots.clear();
            }
            Arc::clone(slots.entry(key).or_default())
        };
        with(slot.get_or_init(init))
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Output fields of a successful line, in order.
pub type Fields = Vec<(&'static str, Zeroizing<String>)>;

/// Puts a chunk back together after its parsed lines went to the backend as one batch:
/// `results` holds one entry per line that parsed, in order; lines that did not parse
/// keep their error. `error_field` names the field a SAKKE failure is reported against.
pub fn merge_results<W, T>(
    parsed: Vec<(Value, Result<W, LineError>)>,
    results: Vec<Result<T, sakke::SakkeError>>,
    error_field: &'static str,
    fields: impl Fn(&W, T) -> Fields,
) -> Vec<LineResult> {
    let mut results = results.into_iter();
    parsed
        .into_iter()
        .map(|(id, work)| {
            let outcome = work.and_then(|w| match results.next() {
                Some(Ok(value)) => Ok(fields(&w, value)),
                Some(Err(e)) => Err(sakke_error(error_field, e)),
                None => Err(LineError::new(
                    "internal",
                    "backend returned too few results",
                )),
            });
            LineResult { id, outcome }
        })
        .collect()
}

/// Maps a SAKKE error to a line error whose kind names the field it came from.
pub fn sakke_error(field: &'static str, err: sakke::SakkeError) -> LineError {
    use sakke::SakkeError as E;
    let kind = match err {
        E::RskInvalid => "rsk_invalid",
        E::NotInSubgroup => "not_in_subgroup",
        E::TestFailed => "test_failed",
        E::DegenerateIdentifier | E::IdentifierOutOfRange { .. } => "identity",
        _ => field,
    };
    LineError::new(kind, err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> &'static str {
        parse_request(line).err().unwrap().1.kind
    }

    #[test]
    fn request_parsing_errors_have_kinds() {
        assert_eq!(kind(""), "malformed_json");
        assert_eq!(kind("{"), "malformed_json");
        assert_eq!(kind("[1]"), "malformed_json");
        assert_eq!(kind("{\"rsk\": \"00\"}"), "missing_field");
        let r = parse_request("{\"id\": 7, \"a\": \"0g\", \"b\": 5, \"c\": null}")
            .ok()
            .unwrap();
        assert_eq!(r.id, 7);
        assert_eq!(r.hex("a").unwrap_err().kind, "bad_hex");
        assert_eq!(r.hex("b").unwrap_err().kind, "bad_hex");
        assert!(r.hex("c").unwrap().is_none());
        assert_eq!(
            r.require(&["a", "d"]).unwrap_err().message,
            "\"d\" is required"
        );
    }

    #[test]
    fn results_put_id_first() {
        let ok = LineResult {
            id: Value::from("x"),
            outcome: Ok(vec![("ssv", Zeroizing::new("00".into()))]),
        };
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"id":"x","ssv":"00"}"#
        );
        let err = LineResult {
            id: Value::Null,
            outcome: Err(LineError::new("bad_hex", "m")),
        };
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"id":null,"error":"bad_hex: m"}"#
        );
    }

    #[test]
    fn cache_computes_once() {
        let cache: KeyCache<u8, u32> = KeyCache::default();
        let mut calls = 0;
        for _ in 0..3 {
            cache.with(
                1,
                || {
                    calls += 1;
                    Ok(5)
                },
                |v| assert_eq!(v, &Ok(5)),
            );
        }
        assert_eq!(calls, 1);
        assert_eq!(cache.len(), 1);
    }
}
