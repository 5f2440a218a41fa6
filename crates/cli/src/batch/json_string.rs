//! A JSON string literal's contents, escapes decoded, in wiped memory. Hex fields need
//! no escapes, but JSON allows them (`"\u0030\u0031"` is `"01"`); serde_json decodes
//! them through a scratch buffer that grows and is freed with the key still in it.

use zeroize::Zeroizing;

use crate::secret_buf::SecretBuf;

/// The text of `literal` (a JSON string, quotes included, as serde_json has already
/// checked it), or `None` if it is not one.
pub fn unescape(literal: &str) -> Option<Zeroizing<String>> {
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    // Escapes only shorten the text.
    let mut text = SecretBuf::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => match chars.next()? {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => unicode_escape(&mut chars)?,
                _ => return None,
            },
            c => c,
        };
        text.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    text.into_string()
}

/// The character of a `\uXXXX` escape (the `\u` already read), or of a surrogate pair
/// `\uD8XX\uDCXX`.
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> Option<char> {
    let first = code_unit(chars)?;
    if !(0xd800..0xdc00).contains(&first) {
        return char::from_u32(u32::from(first));
    }
    if (chars.next(), chars.next()) != (Some('\\'), Some('u')) {
        return None;
    }
    char::decode_utf16([first, code_unit(chars)?]).next()?.ok()
}

/// Four hex digits.
fn code_unit(chars: &mut std::str::Chars<'_>) -> Option<u16> {
    (0..4).try_fold(0u16, |unit, _| {
        let digit = chars.next()?.to_digit(16)?;
        Some(unit << 4 | digit as u16)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_serde_json_decodes() {
        for literal in [
            r#""00ff""#,
            r#""\u0030\u0031""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\ud83d\ude00x""#,
            r#""""#,
        ] {
            let expected: String = serde_json::from_str(literal).unwrap();
            assert_eq!(unescape(literal).as_deref(), Some(&expected), "{literal}");
        }
        for bad in [r#""\x""#, r#""\ud83dx""#, r#""\u12""#, "nope"] {
            assert!(unescape(bad).is_none(), "{bad}");
        }
    }
}
