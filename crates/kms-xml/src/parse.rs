//! Element tree -> typed documents: the schema's sequences (order, required, repeated
//! fields), numbers, booleans, times, and key encodings (hex or base64, as KMSs differ;
//! see NOTES 4.3). Structure and encodings only: [`crate::validate`] checks the keys.
//!
//! Elements in other namespaces are skipped where the schema has its `##other`
//! wildcards, except XML-DSig signatures and XML-Enc encrypted keys, which are refused
//! wherever they appear: a signature that is not checked must not look accepted.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use zeroize::Zeroizing;

use crate::document::{
    KmsCertificate, KmsInit, KmsKeyProv, KmsKeySet, KmsMessage, KmsResponse, USER_ID_LEN,
};
use crate::error::{KmsXmlError, Result};
use crate::tree::{self, Element};
use crate::{NAMESPACE, XMLDSIG_NAMESPACE, XMLENC_NAMESPACE, XSI_NAMESPACE};

/// Parses a KmsResponse document (structure and encodings; keys not yet validated).
pub fn parse_response(bytes: &[u8]) -> Result<KmsResponse> {
    let root = tree::parse(bytes)?;
    let in_ns = root.ns.as_deref() == Some(NAMESPACE);
    match root.local.as_str() {
        "SignedKmsResponse" if in_ns => {
            return Err(KmsXmlError::Signed {
                element: root.qname.clone(),
            })
        }
        "KmsResponse" if in_ns => {}
        "KmsResponse" | "SignedKmsResponse" => {
            return Err(KmsXmlError::WrongNamespace {
                element: root.qname.clone(),
                found: root.ns.clone(),
            })
        }
        _ => {
            return Err(KmsXmlError::WrongRoot {
                found: root.qname.clone(),
            })
        }
    }
    refuse_signed_or_encrypted(&root)?;
    response(&root)
}

/// Refuses a ds:Signature or xenc:EncryptedKey anywhere, and keys typed
/// EncKeyContentType, before anything else is read.
fn refuse_signed_or_encrypted(e: &Element) -> Result<()> {
    let ns = e.ns.as_deref();
    if ns == Some(XMLDSIG_NAMESPACE) && e.local == "Signature"
        || ns == Some(NAMESPACE) && e.local.starts_with("Signed")
    {
        return Err(KmsXmlError::Signed {
            element: e.qname.clone(),
        });
    }
    let enc_type = e
        .attr_ns(XSI_NAMESPACE, "type")
        .is_some_and(|t| local_part(t) == "EncKeyContentType");
    if ns == Some(XMLENC_NAMESPACE) && e.local == "EncryptedKey" || enc_type {
        return Err(KmsXmlError::EncryptedKey {
            element: e.qname.clone(),
        });
    }
    e.children.iter().try_for_each(refuse_signed_or_encrypted)
}

fn local_part(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname).trim()
}

/// How often a field of a sequence may appear.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Occurs {
    One,
    Optional,
    Many,
}
use Occurs::{Many, One, Optional};

/// The children of `parent` (named `name`) sorted into the fields of a sequence.
struct Fields<'a> {
    parent: &'static str,
    schema: &'static [(&'static str, Occurs)],
    found: Vec<Vec<&'a Element>>,
}

fn fields<'a>(
    e: &'a Element,
    name: &'static str,
    schema: &'static [(&'static str, Occurs)],
) -> Result<Fields<'a>> {
    if !e.text.trim().is_empty() {
        return Err(KmsXmlError::UnexpectedText { element: name });
    }
    let mut found: Vec<Vec<&Element>> = vec![Vec::new(); schema.len()];
    let mut last = 0;
    for child in &e.children {
        if child.ns.as_deref() != Some(NAMESPACE) {
            if child.ns.is_none() {
                // Unqualified: most likely a document without the default namespace.
                return Err(KmsXmlError::WrongNamespace {
                    element: child.qname.clone(),
                    found: None,
                });
            }
            continue; // the ##other wildcard
        }
        let Some(i) = schema.iter().position(|(n, _)| *n == child.local) else {
            return Err(KmsXmlError::Unexpected {
                parent: name,
                element: child.qname.clone(),
            });
        };
        if i < last {
            return Err(KmsXmlError::OutOfOrder {
                parent: name,
                element: schema[i].0,
                before: schema[last].0,
            });
        }
        if !found[i].is_empty() && schema[i].1 != Many {
            return Err(KmsXmlError::Repeated {
                parent: name,
                field: schema[i].0,
            });
        }
        found[i].push(child);
        last = i;
    }
    for (i, (field, occurs)) in schema.iter().enumerate() {
        if *occurs == One && found[i].is_empty() {
            return Err(KmsXmlError::Missing {
                parent: name,
                field,
            });
        }
    }
    Ok(Fields {
        parent: name,
        schema,
        found,
    })
}

impl<'a> Fields<'a> {
    fn index(&self, field: &str) -> usize {
        self.schema
            .iter()
            .position(|(n, _)| *n == field)
            .expect("field in schema")
    }

    fn element(&self, field: &str) -> Option<&'a Element> {
        self.found[self.index(field)].first().copied()
    }

    fn all(&self, field: &str) -> &[&'a Element] {
        &self.found[self.index(field)]
    }

    fn required(&self, field: &'static str) -> Result<&'a Element> {
        self.element(field).ok_or(KmsXmlError::Missing {
            parent: self.parent,
            field,
        })
    }

    /// A string field, trimmed; empty is refused.
    fn string(&self, field: &'static str) -> Result<String> {
        text(self.required(field)?, field)
    }

    fn opt_string(&self, field: &'static str) -> Result<Option<String>> {
        self.element(field).map(|e| text(e, field)).transpose()
    }

    fn number(&self, field: &'static str) -> Result<u64> {
        number(&self.string(field)?, field)
    }

    fn opt_number(&self, field: &'static str) -> Result<Option<u64>> {
        self.opt_string(field)?
            .map(|s| number(&s, field))
            .transpose()
    }

    fn opt_bool(&self, field: &'static str) -> Result<Option<bool>> {
        self.opt_string(field)?
            .map(|s| boolean(&s, field))
            .transpose()
    }

    fn time(&self, field: &'static str) -> Result<String> {
        let t = self.string(field)?;
        check_time(&t, field)?;
        Ok(t)
    }

    fn opt_time(&self, field: &'static str) -> Result<Option<String>> {
        let t = self.opt_string(field)?;
        if let Some(t) = &t {
            check_time(t, field)?;
        }
        Ok(t)
    }

    /// A key of `len` bytes: hex digits, or base64. An `xsi:type` may be absent (plain
    /// hex, as some KMSs send) or KeyContentType.
    fn key(&self, field: &'static str, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let e = self.required(field)?;
        if let Some(t) = e.attr_ns(XSI_NAMESPACE, "type") {
            if local_part(t) != "KeyContentType" {
                return Err(KmsXmlError::BadAttribute {
                    element: field,
                    attribute: "xsi:type",
                    value: t.to_string(),
                    reason: "a key is KeyContentType (EncKeyContentType is not built)",
                });
            }
        }
        if !e.children.is_empty() {
            return Err(KmsXmlError::Unexpected {
                parent: field,
                element: e.children[0].qname.clone(),
            });
        }
        decode_key(&e.text, field, len)
    }
}

fn text(e: &Element, field: &'static str) -> Result<String> {
    if let Some(child) = e.children.first() {
        return Err(KmsXmlError::Unexpected {
            parent: field,
            element: child.qname.clone(),
        });
    }
    let t = e.text.trim();
    if t.is_empty() {
        return Err(KmsXmlError::Empty { field });
    }
    Ok(t.to_string())
}

/// xsd:integer restricted to what fits u64: optional '+', decimal digits.
fn number(s: &str, field: &'static str) -> Result<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KmsXmlError::BadNumber {
            field,
            value: s.into(),
        });
    }
    digits.parse().map_err(|_| KmsXmlError::BadNumber {
        field,
        value: s.into(),
    })
}

fn boolean(s: &str, field: &'static str) -> Result<bool> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(KmsXmlError::BadBoolean {
            field,
            value: s.into(),
        }),
    }
}

/// xsd:dateTime: YYYY-MM-DDTHH:MM:SS, optional .fraction, optional Z or +hh:mm / -hh:mm.
fn check_time(s: &str, field: &'static str) -> Result<()> {
    let bad = || KmsXmlError::BadTime {
        field,
        value: s.into(),
    };
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return Err(bad());
    }
    let field2 = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    if !(1..=12).contains(&field2(5..7))
        || !(1..=31).contains(&field2(8..10))
        || field2(11..13) > 24
        || field2(14..16) > 59
        || field2(17..19) > 60
    {
        return Err(bad());
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(bad());
        }
        rest = &frac[n..];
    }
    let zone_ok = match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    };
    if zone_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Hex digits if the text is all hex and has the right length, else base64 (standard
/// alphabet, padding optional); whitespace anywhere is ignored. Wiped on drop.
pub(crate) fn decode_key(
    text: &str,
    field: &'static str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    if compact.is_empty() {
        return Err(KmsXmlError::Empty { field });
    }
    let is_hex = compact.len().is_multiple_of(2) && compact.bytes().all(|b| b.is_ascii_hexdigit());
    let decoded = if is_hex && (compact.len() == 2 * len || !looks_base64(&compact, len)) {
        let mut out = Zeroizing::new(vec![0u8; compact.len() / 2]);
        hex::decode_to_slice(compact.as_bytes(), &mut out[..])
            .map_err(|_| KmsXmlError::BadEncoding { field })?;
        out
    } else {
        let mut out = Zeroizing::new(vec![0u8; compact.len() * 3 / 4 + 3]);
        let n = STANDARD
            .decode_slice(compact.as_bytes(), &mut out[..])
            .or_else(|_| STANDARD_NO_PAD.decode_slice(compact.as_bytes(), &mut out[..]))
            .map_err(|_| KmsXmlError::BadEncoding { field })?;
        out.truncate(n);
        out
    };
    if decoded.len() != len {
        return Err(KmsXmlError::WrongLength {
            field,
            expected: len,
            got: decoded.len(),
        });
    }
    Ok(decoded)
}

/// Whether hex-looking text is rather base64 of `len` bytes (same length as base64).
fn looks_base64(s: &str, len: usize) -> bool {
    s.len() == len.div_ceil(3) * 4 || s.len() == (len * 4).div_ceil(3)
}

/// The `Version` attribute, if present (kept for round trips).
fn version(e: &Element, default: &str) -> String {
    e.attr("Version").unwrap_or(default).to_string()
}

const RESPONSE: &[(&str, Occurs)] = &[
    ("UserUri", One),
    ("KmsUri", One),
    ("Time", One),
    ("KmsId", Optional),
    ("ClientReqUrl", One),
    ("KmsMessage", Optional),
    ("KmsError", Optional),
];

fn response(e: &Element) -> Result<KmsResponse> {
    let f = fields(e, "KmsResponse", RESPONSE)?;
    if let Some(err) = f.element("KmsError") {
        let ef = fields(
            err,
            "KmsError",
            &[("ErrorCode", One), ("ErrorMsg", Optional)],
        )?;
        return Err(KmsXmlError::KmsError {
            code: ef.string("ErrorCode")?,
            message: ef.opt_string("ErrorMsg")?.unwrap_or_default(),
        });
    }
    let message = f.element("KmsMessage").ok_or(KmsXmlError::Missing {
        parent: "KmsResponse",
        field: "KmsMessage",
    })?;
    Ok(KmsResponse {
        version: version(e, "1.0.0"),
        user_uri: f.string("UserUri")?,
        kms_uri: f.string("KmsUri")?,
        time: f.time("Time")?,
        kms_id: f.opt_string("KmsId")?,
        client_req_url: f.string("ClientReqUrl")?,
        message: kms_message(message)?,
    })
}

const MESSAGE: &[(&str, Occurs)] = &[
    ("KmsInit", Optional),
    ("KmsKeyProv", Optional),
    ("KmsCertCache", Optional),
];

fn kms_message(e: &Element) -> Result<KmsMessage> {
    let f = fields(e, "KmsMessage", MESSAGE)?;
    let present: Vec<&str> = MESSAGE
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| f.element(n).is_some())
        .collect();
    match present.as_slice() {
        ["KmsInit"] => kms_init(f.required("KmsInit")?).map(KmsMessage::Init),
        ["KmsKeyProv"] => kms_key_prov(f.required("KmsKeyProv")?).map(KmsMessage::KeyProv),
        ["KmsCertCache"] => Err(KmsXmlError::WrongMessage {
            found: "KmsCertCache",
            expected: "KmsInit or KmsKeyProv",
        }),
        [] => Err(KmsXmlError::Missing {
            parent: "KmsMessage",
            field: "KmsInit or KmsKeyProv",
        }),
        _ => Err(KmsXmlError::Repeated {
            parent: "KmsMessage",
            field: "message (KmsInit, KmsKeyProv or KmsCertCache: one only)",
        }),
    }
}

const INIT: &[(&str, Occurs)] = &[
    ("KmsCertificate", One),
    ("NewTransportKey", Many),
    ("NewIntegrityKey", Many),
];

fn kms_init(e: &Element) -> Result<KmsInit> {
    let f = fields(e, "KmsInit", INIT)?;
    for field in ["NewTransportKey", "NewIntegrityKey"] {
        if let Some(k) = f.all(field).first() {
            return Err(KmsXmlError::EncryptedKey {
                element: k.qname.clone(),
            });
        }
    }
    Ok(KmsInit {
        version: version(e, "1.0.0"),
        certificate: certificate(f.required("KmsCertificate")?)?,
    })
}

const KEY_PROV: &[(&str, Occurs)] = &[
    ("KmsKeySet", Many),
    ("NewTransportKey", Many),
    ("NewIntegrityKey", Many),
];

fn kms_key_prov(e: &Element) -> Result<KmsKeyProv> {
    let f = fields(e, "KmsKeyProv", KEY_PROV)?;
    for field in ["NewTransportKey", "NewIntegrityKey"] {
        if let Some(k) = f.all(field).first() {
            return Err(KmsXmlError::EncryptedKey {
                element: k.qname.clone(),
            });
        }
    }
    let key_sets = f
        .all("KmsKeySet")
        .iter()
        .map(|k| key_set(k))
        .collect::<Result<Vec<_>>>()?;
    Ok(KmsKeyProv {
        version: version(e, "1.0.0"),
        key_sets,
    })
}

const CERTIFICATE: &[(&str, Occurs)] = &[
    ("CertUri", Optional),
    ("KmsUri", One),
    ("Issuer", Optional),
    ("ValidFrom", Optional),
    ("ValidTo", Optional),
    ("Revoked", Optional),
    ("UserIdFormat", One),
    ("UserKeyPeriod", One),
    ("UserKeyOffset", One),
    ("PubEncKey", One),
    ("PubAuthKey", One),
    ("ParameterSet", Optional),
    ("KmsDomainList", Optional),
];

fn certificate(e: &Element) -> Result<KmsCertificate> {
    let f = fields(e, "KmsCertificate", CERTIFICATE)?;
    let is_security_gateway = e
        .attr("IsSecurityGateway")
        .map(|v| boolean(v.trim(), "IsSecurityGateway"))
        .transpose()?;
    let role = e.attr("Role").unwrap_or("Root").trim().to_string();
    if role != "Root" && role != "External" {
        return Err(KmsXmlError::BadAttribute {
            element: "KmsCertificate",
            attribute: "Role",
            value: role,
            reason: "must be Root or External",
        });
    }
    Ok(KmsCertificate {
        version: version(e, "1.1.0"),
        role,
        is_security_gateway,
        cert_uri: f.opt_string("CertUri")?,
        kms_uri: f.string("KmsUri")?,
        issuer: f.opt_string("Issuer")?,
        valid_from: f.opt_time("ValidFrom")?,
        valid_to: f.opt_time("ValidTo")?,
        revoked: f.opt_bool("Revoked")?,
        user_id_format: f.string("UserIdFormat")?,
        user_key_period: f.number("UserKeyPeriod")?,
        user_key_offset: f.number("UserKeyOffset")?,
        pub_enc_key: f.key("PubEncKey", sakke::POINT_BYTES)?.to_vec(),
        pub_auth_key: f.key("PubAuthKey", eccsi::POINT_LEN)?.to_vec(),
        parameter_set: f.opt_number("ParameterSet")?,
    })
}

const KEY_SET: &[(&str, Occurs)] = &[
    ("KmsUri", One),
    ("CertUri", Optional),
    ("Issuer", Optional),
    ("UserUri", One),
    ("UserID", One),
    ("ValidFrom", Optional),
    ("ValidTo", Optional),
    ("KeyPeriodNo", One),
    ("Revoked", Optional),
    ("UserDecryptKey", One),
    ("UserSigningKeySSK", One),
    ("UserPubTokenPVT", One),
];

fn key_set(e: &Element) -> Result<KmsKeySet> {
    let f = fields(e, "KmsKeySet", KEY_SET)?;
    let uid = decode_key(&f.string("UserID")?, "UserID", USER_ID_LEN)?;
    let mut user_id = [0u8; USER_ID_LEN];
    user_id.copy_from_slice(&uid);
    Ok(KmsKeySet {
        version: version(e, "1.1.0"),
        kms_uri: f.string("KmsUri")?,
        cert_uri: f.opt_string("CertUri")?,
        issuer: f.opt_string("Issuer")?,
        user_uri: f.string("UserUri")?,
        user_id,
        valid_from: f.opt_time("ValidFrom")?,
        valid_to: f.opt_time("ValidTo")?,
        key_period_no: f.number("KeyPeriodNo")?,
        revoked: f.opt_bool("Revoked")?,
        user_decrypt_key: f.key("UserDecryptKey", sakke::POINT_BYTES)?,
        user_signing_key_ssk: f.key("UserSigningKeySSK", eccsi::SCALAR_LEN)?,
        user_pub_token_pvt: f.key("UserPubTokenPVT", eccsi::POINT_LEN)?.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_from_hex_of_either_case_or_base64() {
        let bytes: Vec<u8> = (0..32).collect();
        let lower = hex::encode(&bytes);
        let upper = lower.to_uppercase();
        let b64 = STANDARD.encode(&bytes);
        for text in [
            lower.as_str(),
            &upper,
            &b64,
            &format!("\n  {lower}\n"),
            b64.trim_end_matches('='),
        ] {
            assert_eq!(
                &decode_key(text, "K", 32).unwrap()[..],
                &bytes[..],
                "{text}"
            );
        }
        assert!(matches!(
            decode_key("zz", "K", 32),
            Err(KmsXmlError::BadEncoding { .. })
        ));
        assert!(matches!(
            decode_key(&lower[2..], "K", 32),
            Err(KmsXmlError::WrongLength { got: 31, .. })
        ));
        assert!(matches!(
            decode_key(" ", "K", 32),
            Err(KmsXmlError::Empty { .. })
        ));
    }

    #[test]
    fn numbers_booleans_and_times() {
        assert_eq!(number("16777215", "N").unwrap(), 16_777_215);
        assert_eq!(number("+0", "N").unwrap(), 0);
        for bad in ["-1", "1e3", "", "18446744073709551616", "0x10"] {
            assert!(
                matches!(number(bad, "N"), Err(KmsXmlError::BadNumber { .. })),
                "{bad}"
            );
        }
        assert!(boolean("true", "B").unwrap());
        assert!(!boolean("0", "B").unwrap());
        assert!(boolean("yes", "B").is_err());
        for ok in [
            "2025-10-02T23:47:52Z",
            "2021-05-10T11:23:02",
            "2021-05-10T11:23:02.125+02:00",
        ] {
            check_time(ok, "T").unwrap();
        }
        for bad in [
            "2021-05-10 11:23:02",
            "2021-13-10T11:23:02",
            "2021-05-10T11:23:02+2",
            "yesterday",
        ] {
            assert!(
                matches!(check_time(bad, "T"), Err(KmsXmlError::BadTime { .. })),
                "{bad}"
            );
        }
    }
}
