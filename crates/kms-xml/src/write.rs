//! KmsResponse documents out: the element order of the schema, namespace declarations on
//! KmsResponse, `xsi:type="KeyContentType"` on the user keys, keys as lower-case hex.
//! The output holds secret keys, so it is built in one buffer, reserved up front so that
//! it never grows (a grown buffer leaves copies behind), and wiped on drop.

use zeroize::Zeroizing;

use crate::document::{KmsCertificate, KmsKeySet, KmsMessage, KmsResponse};
use crate::{NAMESPACE, XSI_NAMESPACE};

struct Out {
    s: Zeroizing<String>,
}

impl Out {
    fn raw(&mut self, text: &str) {
        self.s.push_str(text);
    }

    fn escaped(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.raw("&amp;"),
                '<' => self.raw("&lt;"),
                '>' => self.raw("&gt;"),
                '"' => self.raw("&quot;"),
                '\'' => self.raw("&apos;"),
                c => self.s.push(c),
            }
        }
    }

    fn field(&mut self, indent: usize, name: &str, value: &str) {
        self.indent(indent);
        self.raw("<");
        self.raw(name);
        self.raw(">");
        self.escaped(value);
        self.raw("</");
        self.raw(name);
        self.raw(">\n");
    }

    fn opt(&mut self, indent: usize, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.field(indent, name, v);
        }
    }

    /// A key as hex, written digit by digit straight into the buffer.
    fn key(&mut self, indent: usize, name: &str, typed: bool, bytes: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.indent(indent);
        self.raw("<");
        self.raw(name);
        if typed {
            self.raw(" xsi:type=\"KeyContentType\"");
        }
        self.raw(">");
        for b in bytes {
            self.s.push(HEX[usize::from(b >> 4)] as char);
            self.s.push(HEX[usize::from(b & 15)] as char);
        }
        self.raw("</");
        self.raw(name);
        self.raw(">\n");
    }

    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.raw("  ");
        }
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Writes a response document.
pub fn write_response(r: &KmsResponse) -> Zeroizing<Vec<u8>> {
    let sets = match &r.message {
        KmsMessage::KeyProv(p) => p.key_sets.len(),
        KmsMessage::Init(_) => 0,
    };
    let mut out = Out {
        s: Zeroizing::new(String::with_capacity(4096 + 4096 * sets + 2 * text_len(r))),
    };
    out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.raw(&format!(
        "<KmsResponse xmlns=\"{NAMESPACE}\" xmlns:xsi=\"{XSI_NAMESPACE}\" Version=\""
    ));
    out.escaped(&r.version);
    out.raw("\">\n");
    out.field(1, "UserUri", &r.user_uri);
    out.field(1, "KmsUri", &r.kms_uri);
    out.field(1, "Time", &r.time);
    out.opt(1, "KmsId", r.kms_id.as_deref());
    out.field(1, "ClientReqUrl", &r.client_req_url);
    out.raw("  <KmsMessage>\n");
    match &r.message {
        KmsMessage::Init(init) => {
            out.raw("    <KmsInit Version=\"");
            out.escaped(&init.version);
            out.raw("\">\n");
            certificate(&mut out, &init.certificate);
            out.raw("    </KmsInit>\n");
        }
        KmsMessage::KeyProv(prov) => {
            out.raw("    <KmsKeyProv Version=\"");
            out.escaped(&prov.version);
            out.raw("\">\n");
            for set in &prov.key_sets {
                key_set(&mut out, set);
            }
            out.raw("    </KmsKeyProv>\n");
        }
    }
    out.raw("  </KmsMessage>\n</KmsResponse>\n");
    // Moving the String's buffer into a Vec copies nothing.
    let s = std::mem::take(&mut *out.s);
    Zeroizing::new(s.into_bytes())
}

/// A bound on the escaped text's length, for the reservation.
fn text_len(r: &KmsResponse) -> usize {
    let mut n = r.user_uri.len() + r.kms_uri.len() + r.time.len() + r.client_req_url.len();
    if let KmsMessage::KeyProv(p) = &r.message {
        n += p
            .key_sets
            .iter()
            .map(|k| k.user_uri.len() + k.kms_uri.len())
            .sum::<usize>();
    }
    n * 3
}

fn certificate(out: &mut Out, c: &KmsCertificate) {
    out.raw("      <KmsCertificate Version=\"");
    out.escaped(&c.version);
    out.raw("\" Role=\"");
    out.escaped(&c.role);
    out.raw("\"");
    if let Some(g) = c.is_security_gateway {
        out.raw(" IsSecurityGateway=\"");
        out.raw(bool_text(g));
        out.raw("\"");
    }
    out.raw(">\n");
    let i = 4;
    out.opt(i, "CertUri", c.cert_uri.as_deref());
    out.field(i, "KmsUri", &c.kms_uri);
    out.opt(i, "Issuer", c.issuer.as_deref());
    out.opt(i, "ValidFrom", c.valid_from.as_deref());
    out.opt(i, "ValidTo", c.valid_to.as_deref());
    out.opt(i, "Revoked", c.revoked.map(bool_text));
    out.field(i, "UserIdFormat", &c.user_id_format);
    out.field(i, "UserKeyPeriod", &c.user_key_period.to_string());
    out.field(i, "UserKeyOffset", &c.user_key_offset.to_string());
    out.key(i, "PubEncKey", false, &c.pub_enc_key);
    out.key(i, "PubAuthKey", false, &c.pub_auth_key);
    out.opt(
        i,
        "ParameterSet",
        c.parameter_set.map(|p| p.to_string()).as_deref(),
    );
    out.raw("      </KmsCertificate>\n");
}

fn key_set(out: &mut Out, k: &KmsKeySet) {
    out.raw("      <KmsKeySet Version=\"");
    out.escaped(&k.version);
    out.raw("\">\n");
    let i = 4;
    out.field(i, "KmsUri", &k.kms_uri);
    out.opt(i, "CertUri", k.cert_uri.as_deref());
    out.opt(i, "Issuer", k.issuer.as_deref());
    out.field(i, "UserUri", &k.user_uri);
    out.key(i, "UserID", false, &k.user_id);
    out.opt(i, "ValidFrom", k.valid_from.as_deref());
    out.opt(i, "ValidTo", k.valid_to.as_deref());
    out.field(i, "KeyPeriodNo", &k.key_period_no.to_string());
    out.opt(i, "Revoked", k.revoked.map(bool_text));
    out.key(i, "UserDecryptKey", true, &k.user_decrypt_key);
    out.key(i, "UserSigningKeySSK", true, &k.user_signing_key_ssk);
    out.key(i, "UserPubTokenPVT", true, &k.user_pub_token_pvt);
    out.raw("      </KmsKeySet>\n");
}
