//! [`Secret`]: every password the public API takes (identity and configuration export and
//! import, password joins, group passwords), and the [MS-PPSEC] 2.2.1.2 password hash.

use std::fmt;

/// A secret string (a password): zeroized on drop, never printed by `Debug`.
///
/// ```
/// use peernet::Secret;
///
/// let pw = Secret::from("hunter2");
/// assert_eq!(pw.expose(), "hunter2");
/// assert_eq!(format!("{pw:?}"), "Secret(<redacted>)");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(zeroize::Zeroizing::new(secret.into()))
    }

    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (e.g. "no password" for a configuration
    /// export).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The text lives in a `Zeroizing<String>`, which wipes it when the `Secret` (or a clone)
/// is dropped.
impl zeroize::ZeroizeOnDrop for Secret {}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

impl From<&String> for Secret {
    fn from(s: &String) -> Secret {
        Secret::new(s.as_str())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret::new(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The [MS-PPSEC] 2.2.1.2 password hash string: SHA-1 over UTF-16LE `password\0` followed
/// by UTF-16LE `MS P2P Grouping\0`, each nibble written as `'a' + nibble` (40 characters).
///
/// ```
/// assert_eq!(&*peernet::password_hash_string(&"password".into()), "ekpckgmohmldapihpfphiebdkkcaheipipcjcpai");
/// ```
pub fn password_hash_string(password: &Secret) -> zeroize::Zeroizing<String> {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    for u in password.expose().encode_utf16().chain([0]) {
        buf.extend_from_slice(&u.to_le_bytes());
    }
    for u in "MS P2P Grouping".encode_utf16().chain([0]) {
        buf.extend_from_slice(&u.to_le_bytes());
    }
    h.update(&buf[..]);
    let digest = h.finalize();
    let mut out = zeroize::Zeroizing::new(String::with_capacity(40));
    for b in digest.iter() {
        out.push(char::from(b'a' + (b >> 4)));
        out.push(char::from(b'a' + (b & 0x0f)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret::from("hunter2")),
            "Secret(<redacted>)"
        );
    }

    #[test]
    fn password_hash_vector() {
        assert_eq!(
            &*password_hash_string(&"password".into()),
            "ekpckgmohmldapihpfphiebdkkcaheipipcjcpai"
        );
    }
}
