//! `GUID`: the 16-byte identifier of record ids, record types, roles and adapter names.
//!
//! One type for every layer. Its bytes are the Windows in-memory layout of the `GUID`
//! structure (`Data1`, `Data2` and `Data3` little-endian, `Data4` as is), which is what
//! `PEER_RECORD`, certificates and the store hold ([MS-PPSEC] 2.2.1.1.3, [MS-DTYP] 2.3.4).
//! The text form is the registry form `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` with
//! `Data1`..`Data3` most significant digit first ([MS-PPSEC] 2.2.1.1.3).

use std::fmt;
use std::str::FromStr;

/// A GUID, kept in its Windows in-memory byte layout.
///
/// ```
/// use peernet_protocol::Guid;
///
/// let g: Guid = "{78563412-BC9A-F0DE-0FED-CBA987654321}".parse()?;
/// assert_eq!(g.to_bytes()[..4], [0x12, 0x34, 0x56, 0x78]);
/// assert_eq!(g.to_string(), "{78563412-bc9a-f0de-0fed-cba987654321}");
/// # Ok::<(), peernet_protocol::ParseGuidError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Guid([u8; 16]);

impl Guid {
    /// The all-zero GUID (`GUID_NULL`).
    pub const NULL: Guid = Guid([0; 16]);

    /// From the four `GUID` fields (`Data1`, `Data2`, `Data3`, `Data4`).
    pub const fn from_fields(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Guid {
        let a = d1.to_le_bytes();
        let b = d2.to_le_bytes();
        let c = d3.to_le_bytes();
        Guid([
            a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4],
            d4[5], d4[6], d4[7],
        ])
    }

    /// From the 16 bytes of the Windows in-memory layout.
    pub const fn from_bytes(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }

    /// From a slice of exactly 16 bytes (in-memory layout); `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Guid> {
        <[u8; 16]>::try_from(bytes).ok().map(Guid)
    }

    /// The 16 bytes of the Windows in-memory layout.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The 16 bytes of the Windows in-memory layout, borrowed.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The four `GUID` fields (`Data1`, `Data2`, `Data3`, `Data4`).
    pub fn fields(self) -> (u32, u16, u16, [u8; 8]) {
        let b = self.0;
        let mut d4 = [0u8; 8];
        d4.copy_from_slice(&b[8..]);
        (
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]]),
            d4,
        )
    }

    /// The text form without braces, lowercase: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    pub fn to_unbraced_string(self) -> String {
        let (d1, d2, d3, d4) = self.fields();
        let mut s = format!("{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-", d4[0], d4[1]);
        for b in &d4[2..] {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }
}

impl From<[u8; 16]> for Guid {
    fn from(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }
}

impl From<Guid> for [u8; 16] {
    fn from(g: Guid) -> [u8; 16] {
        g.0
    }
}

impl AsRef<[u8]> for Guid {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Guid {
    /// The registry form `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, lowercase.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.to_unbraced_string())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

/// The text given to [`Guid::from_str`] is not a GUID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, braces optional)")]
pub struct ParseGuidError {
    /// The text that was refused (cut to 64 characters).
    pub text: String,
}

impl FromStr for Guid {
    type Err = ParseGuidError;

    /// Reads `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, in braces or not, hex digits of either
    /// case. Nothing else is accepted (no white space, no other grouping).
    fn from_str(s: &str) -> Result<Guid, ParseGuidError> {
        let bad = || ParseGuidError {
            text: s.chars().take(64).collect(),
        };
        let inner = match (s.strip_prefix('{'), s.ends_with('}')) {
            (Some(rest), true) => &rest[..rest.len() - 1],
            (None, false) => s,
            _ => return Err(bad()),
        };
        let bytes = inner.as_bytes();
        if bytes.len() != 36 {
            return Err(bad());
        }
        let mut digits = [0u8; 32];
        let mut n = 0;
        for (i, &c) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return Err(bad());
                }
                continue;
            }
            digits[n] = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(bad()),
            };
            n += 1;
        }
        // Text order: Data1..Data3 most significant first, Data4 as is.
        let mut text = [0u8; 16];
        for (i, out) in text.iter_mut().enumerate() {
            *out = (digits[2 * i] << 4) | digits[2 * i + 1];
        }
        text[0..4].reverse();
        text[4..6].reverse();
        text[6..8].reverse();
        Ok(Guid(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_ppsec_example_layout() {
        // [MS-PPSEC] 2.2.1.1.3: octets 12 34 56 78 9A BC DE F0 0F ED CB A9 87 65 43 21.
        let bytes = [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65,
            0x43, 0x21,
        ];
        let g = Guid::from_bytes(bytes);
        assert_eq!(g.to_string(), "{78563412-bc9a-f0de-0fed-cba987654321}");
        assert_eq!(
            g.fields(),
            (
                0x78563412,
                0xbc9a,
                0xf0de,
                [0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21]
            )
        );
        assert_eq!(
            Guid::from_fields(
                0x78563412,
                0xbc9a,
                0xf0de,
                [0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21]
            ),
            g
        );
        for text in [
            "{78563412-BC9A-F0DE-0FED-CBA987654321}",
            "78563412-bc9a-f0de-0fed-cba987654321",
        ] {
            assert_eq!(text.parse::<Guid>(), Ok(g), "{text}");
        }
        assert_eq!(
            g.to_unbraced_string(),
            "78563412-bc9a-f0de-0fed-cba987654321"
        );
        assert_eq!(
            format!("{g:?}"),
            "Guid({78563412-bc9a-f0de-0fed-cba987654321})"
        );
    }

    #[test]
    fn refuses_other_forms() {
        for bad in [
            "",
            "{}",
            "{78563412-bc9a-f0de-0fed-cba987654321",
            "78563412-bc9a-f0de-0fed-cba987654321}",
            "{{78563412-bc9a-f0de-0fed-cba987654321}}",
            "78563412bc9af0de0fedcba987654321",
            "78563412-bc9a-f0de-0fedc-ba987654321",
            "7856341g-bc9a-f0de-0fed-cba987654321",
            " 78563412-bc9a-f0de-0fed-cba987654321",
            "+8563412-bc9a-f0de-0fed-cba987654321",
            "78563412-bc9a-f0de-0fed-cba98765432é",
        ] {
            assert!(bad.parse::<Guid>().is_err(), "{bad:?}");
        }
        assert!(
            "nope"
                .parse::<Guid>()
                .unwrap_err()
                .to_string()
                .contains("'nope' is not a GUID")
        );
    }

    #[test]
    fn round_trips_and_orders_by_bytes() {
        let a = Guid::from_bytes([1; 16]);
        let b = Guid::from_bytes([2; 16]);
        assert!(a < b);
        assert_eq!(a.to_string().parse::<Guid>(), Ok(a));
        assert_eq!(<[u8; 16]>::from(a), [1; 16]);
        assert_eq!(Guid::from_slice(&[1; 16]), Some(a));
        assert_eq!(Guid::from_slice(&[1; 15]), None);
        assert_eq!(Guid::default(), Guid::NULL);
    }
}
