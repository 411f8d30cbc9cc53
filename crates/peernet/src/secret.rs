//! [`Secret`]: every password the public API takes (identity and configuration export and
//! import, password joins, group passwords).

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
}
