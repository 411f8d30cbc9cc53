//! ASN.1 character-string contents: UniversalString (UCS-4) for peer names and
//! classifiers in otherNames, BMPString (UCS-2) for friendly names.

/// Encode a string as UniversalString content (UCS-4 big-endian).
pub(crate) fn ucs4(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| (c as u32).to_be_bytes()).collect()
}

/// Decode UniversalString content.
pub(crate) fn from_ucs4(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(4) {
        return None;
    }
    // Peer names and classifiers are nearly always ASCII: take the low bytes in one pass.
    if b.chunks_exact(4)
        .all(|c| c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] < 0x80)
    {
        return String::from_utf8(b.chunks_exact(4).map(|c| c[3]).collect()).ok();
    }
    // Sized up front: collecting `Option<char>`s into a String grows it by doubling
    // (no size hint through the `Option` shunt), which showed in chain validation profiles.
    let mut s = String::with_capacity(b.len() / 4);
    for c in b.chunks_exact(4) {
        s.push(char::from_u32(u32::from_be_bytes([
            c[0], c[1], c[2], c[3],
        ]))?);
    }
    Some(s)
}

/// Decode BMPString content (UCS-2 big-endian, surrogate pairs tolerated).
pub(crate) fn from_bmp(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_ucs4_round_trips_ascii_and_beyond_and_refuses_bad_input() {
        for s in [
            "",
            "0.participant",
            "abc.DEF_123",
            "pässword",
            "𝄞x",
            "\u{7f}\u{80}",
        ] {
            assert_eq!(from_ucs4(&ucs4(s)).as_deref(), Some(s), "{s:?}");
        }
        assert_eq!(from_ucs4(&[0, 0, 0]), None, "length not a multiple of 4");
        assert_eq!(from_ucs4(&[0, 0, 0xD8, 0]), None, "surrogate");
        assert_eq!(from_ucs4(&[0, 0x11, 0, 0]), None, "beyond U+10FFFF");
        assert_eq!(
            from_ucs4(&[1, 0, 0, 0x41]),
            None,
            "high byte set, low byte ASCII"
        );
    }
}
