//! A small, bounded element tree read with quick-xml: the documents are a few KiB, and a
//! tree makes the schema's sequence rules easy to check in one place.
//!
//! What is refused here, before any field is looked at: a DTD of any kind (so no entity
//! is ever declared, let alone expanded: billion-laughs documents stop at `<!DOCTYPE`),
//! references other than the five XML entities and character references, unknown
//! namespace prefixes, mismatched or missing end tags, and documents over the size and
//! depth limits. Text is read borrowed from the input and copied once into buffers that
//! are wiped on drop, since element text includes the secret keys.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use zeroize::Zeroizing;

use crate::error::{KmsXmlError, Result};

/// Largest document accepted: a KeyProv response for many users still fits.
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Deepest nesting accepted (the schema needs 5; foreign extensions get some room).
const MAX_DEPTH: usize = 32;

/// One element: its namespace, local name, attributes, children and text.
pub(crate) struct Element {
    pub ns: Option<String>,
    /// The qualified name as written, for messages.
    pub qname: String,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    /// Concatenated character data (references resolved), untrimmed; wiped on drop.
    pub text: Zeroizing<String>,
}

pub(crate) struct Attr {
    pub ns: Option<String>,
    pub local: String,
    pub value: String,
}

impl Element {
    /// The value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == name)
            .map(|a| a.value.as_str())
    }

    /// The value of attribute `name` in namespace `ns`.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.local == name)
            .map(|a| a.value.as_str())
    }
}

fn malformed(e: impl std::fmt::Display) -> KmsXmlError {
    KmsXmlError::Malformed(e.to_string())
}

fn namespace(result: &ResolveResult<'_>) -> Result<Option<String>> {
    match result {
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unknown(prefix) => Err(malformed(format!(
            "namespace prefix {prefix:?} is not declared"
        ))),
    }
}

/// Parses a document into its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(KmsXmlError::TooLarge {
            len: bytes.len(),
            max: MAX_DOCUMENT_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| KmsXmlError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(malformed)?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(malformed("content after the root element"));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let ns = namespace(&ns)?;
                let qname = start.name().as_ref().to_owned();
                let local = start.local_name().as_ref().to_owned();
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(malformed)?;
                    let key = attr.key;
                    if key.as_ref().starts_with("xmlns") {
                        continue;
                    }
                    let (attr_ns, attr_local) = reader.resolver().resolve_attribute(key);
                    let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                        Ok(v) => v.into_owned(),
                        Err(e) => return Err(entity_error(e)),
                    };
                    attrs.push(Attr {
                        ns: namespace(&attr_ns)?,
                        local: attr_local.as_ref().to_owned(),
                        value,
                    });
                }
                let element = Element {
                    ns,
                    qname,
                    local,
                    attrs,
                    children: Vec::new(),
                    text: Zeroizing::new(String::new()),
                };
                if is_empty {
                    close(&mut stack, &mut root, element);
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(KmsXmlError::TooDeep { max: MAX_DEPTH });
                    }
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| malformed("end tag without a start tag"))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), root.is_some())?,
            Event::CData(c) => {
                push_text(&mut stack, &c.xml10_content(), root.is_some())?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c,
                    None => match &*r {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(KmsXmlError::UnknownEntity(other.to_string())),
                    },
                };
                push_text(
                    &mut stack,
                    resolved.encode_utf8(&mut [0; 4]),
                    root.is_some(),
                )?;
            }
            Event::DocType(_) => return Err(KmsXmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(KmsXmlError::Truncated {
            open: open.qname.clone(),
        });
    }
    root.ok_or_else(|| KmsXmlError::Truncated {
        open: "the root element".into(),
    })
}

/// Maps an attribute unescaping failure: an unknown entity gets its own error.
fn entity_error(e: quick_xml::Error) -> KmsXmlError {
    if let quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) =
        &e
    {
        return KmsXmlError::UnknownEntity(name.clone());
    }
    malformed(e)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str, after_root: bool) -> Result<()> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if after_root => Err(malformed("text after the root element")),
        None => Err(malformed("text before the root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_attributes_and_text() {
        let doc = br#"<?xml version="1.0"?><a xmlns="urn:x" xmlns:p="urn:p" p:t="v&amp;w" k="1"><b>x&lt;&#x41;<![CDATA[<c>]]></b><p:c/></a>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.ns.as_deref(), Some("urn:x"));
        assert_eq!(root.local, "a");
        assert_eq!(root.attr("k"), Some("1"));
        assert_eq!(root.attr_ns("urn:p", "t"), Some("v&w"));
        assert_eq!(root.children[0].text.as_str(), "x<A<c>");
        assert_eq!(root.children[1].ns.as_deref(), Some("urn:p"));
        assert_eq!(root.children[1].qname, "p:c");
    }

    #[test]
    fn refuses_dtds_entities_and_broken_documents() {
        let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert!(matches!(parse(laughs), Err(KmsXmlError::Doctype)));
        assert!(matches!(
            parse(b"<a>&lol;</a>"),
            Err(KmsXmlError::UnknownEntity(n)) if n == "lol"
        ));
        assert!(matches!(
            parse(b"<a k='&lol;'/>"),
            Err(KmsXmlError::UnknownEntity(_)) | Err(KmsXmlError::Malformed(_))
        ));
        assert!(matches!(
            parse(b"<a><b>x</b>"),
            Err(KmsXmlError::Truncated { open }) if open == "a"
        ));
        assert!(matches!(parse(b""), Err(KmsXmlError::Truncated { .. })));
        assert!(matches!(
            parse(b"<a><b></a>"),
            Err(KmsXmlError::Malformed(_))
        ));
        assert!(matches!(parse(b"<a/><b/>"), Err(KmsXmlError::Malformed(_))));
        assert!(matches!(parse(b"<p:a/>"), Err(KmsXmlError::Malformed(_))));
        assert!(matches!(parse(b"<a>\xff</a>"), Err(KmsXmlError::NotUtf8)));
        let deep = "<a>".repeat(40);
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(KmsXmlError::TooDeep { .. })
        ));
    }
}
