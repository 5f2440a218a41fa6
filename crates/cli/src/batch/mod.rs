//! Batch key processing (README "Batch formats"): one JSON request a line in, one JSON
//! result a line out, in the same order. Every problem with a line becomes an error
//! result `"<kind>: <message>"` for that line; `kind` is a stable snake_case word that
//! workloads can count and match on.

pub mod decap;
pub mod encap;
mod json_string;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::error::Category;
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

use crate::jsonl::{Unreadable, MAX_LINE_BYTES};
use crate::secret_hex;

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

/// A request's `id`, exactly as it was written (any JSON value, echoed byte for byte);
/// `None` where the line had none that could be read, printed as null.
pub type Id = Option<Box<RawValue>>;

/// One output line: the request's id, then either result fields (in order) or an error.
pub struct LineResult {
    pub id: Id,
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
        match &self.id {
            Some(raw) => map.serialize_entry("id", raw)?,
            None => map.serialize_entry("id", &())?,
        }
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

/// Every member of a JSON object in order, duplicates included, values left as raw
/// JSON text borrowed from the line.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A request line parsed as far as its members: each allowed field at most once, raw.
pub struct Request<'a> {
    pub id: Id,
    fields: Vec<(String, &'a RawValue)>,
}

/// Parses a request line whose fields must be `id` and some of `allowed`; on failure,
/// the error and the id when it could be found.
pub fn parse_request<'a>(line: &'a str, allowed: &[&str]) -> Result<Request<'a>, (Id, LineError)> {
    if line.trim().is_empty() {
        return Err((None, LineError::new("malformed_json", "empty line")));
    }
    let Members(members) = serde_json::from_str(line).map_err(|e| {
        let message = match e.classify() {
            Category::Data => "line is not a JSON object".to_string(),
            _ => e.to_string(),
        };
        (None, LineError::new("malformed_json", message))
    })?;
    let id: Id = members
        .iter()
        .find(|(name, _)| name == "id")
        .map(|(_, raw)| (*raw).to_owned());
    let fail = |kind, message: String| Err((id.clone(), LineError::new(kind, message)));
    for (i, (name, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(earlier, _)| earlier == name) {
            return fail(
                "duplicate_field",
                format!("\"{name}\" appears more than once"),
            );
        }
    }
    if let Some((name, _)) = members
        .iter()
        .find(|(name, _)| name != "id" && !allowed.contains(&name.as_str()))
    {
        let mut known = vec!["id"];
        known.extend_from_slice(allowed);
        return fail(
            "unknown_field",
            format!(
                "\"{name}\" is not a request field (fields are {}; names are case-sensitive)",
                known.join(", ")
            ),
        );
    }
    if id.is_none() {
        return fail("missing_field", "\"id\" is required".to_string());
    }
    let fields = members
        .into_iter()
        .filter(|(name, _)| name != "id")
        .collect();
    Ok(Request { id, fields })
}

impl<'a> Request<'a> {
    fn field(&self, name: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, raw)| *raw)
    }

    /// Checks that every required field is present, in order, before decoding any.
    pub fn require(&self, names: &[&'static str]) -> Result<(), LineError> {
        match names.iter().find(|n| self.field(n).is_none()) {
            Some(name) => Err(LineError::new(
                "missing_field",
                format!("\"{name}\" is required"),
            )),
            None => Ok(()),
        }
    }

    /// A hex string field as bytes, decoded into a buffer of the final size that is
    /// wiped on drop (it may be a key). `None` when absent or null.
    pub fn hex(&self, name: &'static str) -> Result<Option<Zeroizing<Vec<u8>>>, LineError> {
        let Some(raw) = self.field(name) else {
            return Ok(None);
        };
        let bad = |what: String| LineError::new("bad_hex", format!("\"{name}\": {what}"));
        let text = raw.get();
        if text == "null" {
            return Ok(None);
        }
        if !text.starts_with('"') {
            return Err(bad(format!(
                "must be a string of hex digits, got {}",
                json_type(text)
            )));
        }
        // Hex digits need no escapes, so the string is usually its own text, borrowed
        // from the line; one with escapes is decoded into a wiped buffer (serde_json
        // would decode it through buffers it frees unwiped, and quote it in errors).
        let escaped: Zeroizing<String>;
        let digits: &str = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(plain) if !plain.contains('\\') => plain,
            _ => {
                escaped = json_string::unescape(text)
                    .ok_or_else(|| bad("not a valid JSON string".to_string()))?;
                &escaped
            }
        };
        let bytes = secret_hex::decode(digits).map_err(|e| bad(e.to_string()))?;
        Ok(Some(bytes))
    }

    /// A required hex field (presence checked by [`Request::require`]).
    pub fn hex_required(&self, name: &'static str) -> Result<Zeroizing<Vec<u8>>, LineError> {
        self.hex(name)?
            .ok_or_else(|| LineError::new("missing_field", format!("\"{name}\" is required")))
    }
}

/// The JSON type of a raw value, from its first character.
fn json_type(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
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
    fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Output fields of a successful line, in order.
pub type Fields = Vec<(&'static str, Zeroizing<String>)>;

/// Puts a chunk back together after its parsed lines went to the backend as one batch:
/// `results` holds one entry per line that parsed, in order; lines that did not parse
/// keep their error. `error_field` names the field a SAKKE failure is reported against.
///
/// Both are read where they lie rather than moved out (a `Vec`'s buffer keeps what was
/// moved out of it when it is freed), then wiped: they hold receiver keys and SSVs.
pub fn merge_results<W, T>(
    mut parsed: Vec<(Id, Result<W, LineError>)>,
    mut results: Vec<Result<T, sakke::SakkeError>>,
    error_field: &'static str,
    fields: impl Fn(&W, &T) -> Fields,
) -> Vec<LineResult> {
    let mut next = results.iter();
    let merged = parsed
        .iter_mut()
        .map(|(id, work)| {
            let outcome = match work {
                Ok(w) => match next.next() {
                    Some(Ok(value)) => Ok(fields(w, value)),
                    Some(Err(e)) => Err(sakke_error(error_field, e.clone())),
                    None => Err(LineError::new(
                        "internal",
                        "backend returned too few results",
                    )),
                },
                Err(e) => Err(e.clone()),
            };
            LineResult {
                id: id.take(),
                outcome,
            }
        })
        .collect();
    wipe(&mut parsed);
    wipe(&mut results);
    merged
}

/// Drops the elements where they lie, then wipes the whole buffer: the bytes an `Err`
/// does not use are copied from the stack with it, and can hold the previous line's SSV.
fn wipe<T>(items: &mut Vec<T>) {
    items.clear();
    items.spare_capacity_mut().zeroize();
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

    const FIELDS: [&str; 3] = ["a", "b", "c"];

    fn error(line: &str) -> (Option<String>, &'static str, String) {
        let (id, err) = parse_request(line, &FIELDS).err().unwrap();
        (id.map(|raw| raw.get().to_string()), err.kind, err.message)
    }

    #[test]
    fn request_parsing_errors_have_kinds() {
        assert_eq!(error("").1, "malformed_json");
        assert_eq!(error("{").1, "malformed_json");
        assert_eq!(error("[1]").2, "line is not a JSON object");
        assert_eq!(error("{\"a\": \"00\"}").1, "missing_field");
        let r = parse_request("{\"id\": 7, \"a\": \"0g\", \"b\": 5, \"c\": null}", &FIELDS)
            .ok()
            .unwrap();
        assert_eq!(r.id.as_ref().unwrap().get(), "7");
        assert_eq!(r.hex("a").unwrap_err().kind, "bad_hex");
        assert!(r.hex("b").unwrap_err().message.contains("got a number"));
        assert!(r.hex("c").unwrap().is_none());
        assert_eq!(
            r.require(&["a", "d"]).unwrap_err().message,
            "\"d\" is required"
        );
    }

    #[test]
    fn unknown_and_repeated_fields_are_errors_that_keep_the_id() {
        let (id, kind, message) = error(r#"{"id": "x", "A": "00"}"#);
        assert_eq!((id.as_deref(), kind), (Some(r#""x""#), "unknown_field"));
        assert!(
            message.contains("\"A\"") && message.contains("case-sensitive"),
            "{message}"
        );
        let (id, kind, message) = error(r#"{"id": 1, "a": "00", "a": "01"}"#);
        assert_eq!((id.as_deref(), kind), (Some("1"), "duplicate_field"));
        assert_eq!(message, "\"a\" appears more than once");
        assert_eq!(error(r#"{"id": 1, "id": 2}"#).1, "duplicate_field");
    }

    #[test]
    fn hex_fields_decode_with_or_without_escapes() {
        let r = parse_request(
            r#"{"id": 0, "a": "00ff", "b": "\u0030\u0031", "c": "abc"}"#,
            &FIELDS,
        )
        .ok()
        .unwrap();
        assert_eq!(&r.hex("a").unwrap().unwrap()[..], [0x00, 0xff]);
        assert_eq!(&r.hex("b").unwrap().unwrap()[..], [0x01]);
        assert_eq!(r.hex("c").unwrap_err().kind, "bad_hex");
    }

    #[test]
    fn ids_are_echoed_byte_for_byte() {
        for id in [
            "12345678901234567890123456789",
            "12345678901234567890123456788",
            "1e2",
            "-0.0",
            r#""\u00e9""#,
            r#"{"b": [1, 2.50], "a": null}"#,
            "true",
        ] {
            let line = format!(r#"{{"id": {id}, "a": "00"}}"#);
            let r = parse_request(&line, &FIELDS).ok().unwrap();
            let result = LineResult {
                id: r.id,
                outcome: Ok(vec![("ssv", Zeroizing::new("00".into()))]),
            };
            assert_eq!(
                serde_json::to_string(&result).unwrap(),
                format!(r#"{{"id":{id},"ssv":"00"}}"#)
            );
        }
    }

    #[test]
    fn results_put_id_first() {
        let err = LineResult {
            id: None,
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
