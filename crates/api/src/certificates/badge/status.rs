//! The bits of a W3C Bitstring Status List: one bit per certificate (1 = revoked), the
//! first position in the list's most significant bit of the first byte, gzip-compressed
//! and written as multibase base64url (`u…`). A list holds 131,072 positions (16 KiB, the
//! minimum the standard asks for, so that a list says little about any one holder).

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Positions per list.
pub const LIST_SIZE: i64 = 131_072;

/// The `encodedList` of a list whose positions `set` are revoked.
pub fn encoded_list(set: &[usize]) -> Result<String, String> {
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for &i in set {
        let byte = bits
            .get_mut(i / 8)
            .ok_or_else(|| format!("position {i} is outside the list"))?;
        *byte |= 0x80 >> (i % 8);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bits).map_err(|e| e.to_string())?;
    let packed = gz.finish().map_err(|e| e.to_string())?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(packed)))
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn decoded(list: &str) -> Vec<u8> {
        let packed = URL_SAFE_NO_PAD.decode(&list[1..]).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn the_first_position_is_the_high_bit_of_the_first_byte() {
        let list = encoded_list(&[0, 9, 131_071]).unwrap();
        assert!(list.starts_with('u'));
        let bits = decoded(&list);
        assert_eq!(bits.len(), 16_384);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[16_383], 0b0000_0001);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 3);
        assert!(encoded_list(&[131_072]).is_err());
    }
}
