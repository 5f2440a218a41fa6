//! Hex for secrets, in buffers of their final size that are wiped on drop: `hex::decode`
//! collects into a `Vec` that grows, freeing each smaller copy of the key unwiped.

use zeroize::Zeroizing;

/// Decodes hex digits (either case).
pub fn decode(digits: &str) -> Result<Zeroizing<Vec<u8>>, hex::FromHexError> {
    // An odd length is refused by `decode_to_slice` before the sizes are compared.
    let mut bytes = Zeroizing::new(vec![0u8; digits.len() / 2]);
    hex::decode_to_slice(digits, &mut bytes)?;
    Ok(bytes)
}

/// Encodes as lower-case hex.
pub fn encode(bytes: &[u8]) -> Zeroizing<String> {
    let mut digits = Zeroizing::new(vec![0u8; 2 * bytes.len()]);
    // The output is exactly twice the input, so this cannot fail.
    let _ = hex::encode_to_slice(bytes, &mut digits);
    let text = String::from_utf8(std::mem::take(&mut *digits));
    Zeroizing::new(text.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_what_hex_rejects() {
        assert_eq!(&decode("00fFa0").unwrap()[..], [0x00, 0xff, 0xa0]);
        assert_eq!(encode(&[0x00, 0xff, 0xa0]).as_str(), "00ffa0");
        assert_eq!(decode("abc").unwrap_err(), hex::FromHexError::OddLength);
        assert_eq!(
            decode("0g").unwrap_err(),
            hex::FromHexError::InvalidHexCharacter { c: 'g', index: 1 }
        );
        assert!(decode("").unwrap().is_empty());
    }
}
