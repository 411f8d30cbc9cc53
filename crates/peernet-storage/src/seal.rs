//! Sealing of secrets under the store key: AES-256-GCM (ring) with a random 96-bit nonce
//! and associated data that binds each blob to the row it belongs to.
//!
//! Blob layout: `version (1 byte, = 1) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Length of the store key in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// Version byte at the start of every sealed blob.
const BLOB_VERSION: u8 = 1;

/// Domain-separation label at the start of all associated data.
const AAD_LABEL: &[u8] = b"peernet-storage/seal/v1";

/// What a sealed blob holds; part of its associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// An identity's PKCS#8 private key.
    IdentityKey,
    /// A group's PKCS#8 private key (held by the owner).
    GroupKey,
    /// A group's password verifier.
    PasswordVerifier,
    /// The store's network node key (ed25519 secret).
    NodeKey,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::IdentityKey => b"identity-key",
            Purpose::GroupKey => b"group-key",
            Purpose::PasswordVerifier => b"group-password-verifier",
            Purpose::NodeKey => b"node-key",
        }
    }
}

/// Builds the associated data `label || purpose || identity || group`, each field
/// prefixed by its length (u32, big endian) so that no two rows share associated data.
pub(crate) fn associated_data(purpose: Purpose, identity: &str, group: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + identity.len());
    for field in [
        AAD_LABEL,
        purpose.label(),
        identity.as_bytes(),
        group.unwrap_or("").as_bytes(),
    ] {
        // Field lengths are bounded by SQLite's string limit (< 2^31).
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// Why a blob could not be unsealed.
#[derive(Debug)]
pub(crate) enum UnsealError {
    /// Too short, unknown version, wrong key, tampered, or bound to another row.
    Invalid(&'static str),
}

/// The 32-byte store key. Wiped on drop; `Debug` never shows it.
pub(crate) struct StoreKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey(<redacted>)")
    }
}

impl StoreKey {
    /// Wraps key bytes read from `store.key`.
    pub(crate) fn from_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        StoreKey { bytes }
    }

    fn aead_key(&self) -> LessSafeKey {
        // AES_256_GCM takes exactly KEY_LEN bytes, which the array type guarantees.
        match UnboundKey::new(&AES_256_GCM, &self.bytes[..]) {
            Ok(k) => LessSafeKey::new(k),
            Err(_) => unreachable!("AES-256-GCM accepts a 32-byte key"),
        }
    }

    /// Seals `plaintext` with a fresh random nonce.
    pub(crate) fn seal(
        &self,
        rng: &SystemRandom,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ring::error::Unspecified> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut in_out = Zeroizing::new(plaintext.to_vec());
        self.aead_key().seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut *in_out,
        )?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        blob.push(BLOB_VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&in_out);
        Ok(blob)
    }

    /// Opens a blob made by [`StoreKey::seal`] with the same associated data.
    pub(crate) fn unseal(
        &self,
        aad: &[u8],
        blob: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, UnsealError> {
        let tag_len = AES_256_GCM.tag_len();
        if blob.len() < 1 + NONCE_LEN + tag_len {
            return Err(UnsealError::Invalid("sealed blob is too short"));
        }
        if blob[0] != BLOB_VERSION {
            return Err(UnsealError::Invalid("sealed blob has an unknown version"));
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&blob[1..1 + NONCE_LEN]);
        let mut in_out = Zeroizing::new(blob[1 + NONCE_LEN..].to_vec());
        let plain_len = self
            .aead_key()
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut in_out,
            )
            .map_err(|_| {
                UnsealError::Invalid(
                    "authentication failed (wrong store.key, tampered row, or blob moved between rows)",
                )
            })?
            .len();
        in_out.truncate(plain_len);
        Ok(in_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> StoreKey {
        StoreKey::from_bytes(Zeroizing::new([byte; KEY_LEN]))
    }

    #[test]
    fn round_trip_and_binding() {
        let rng = SystemRandom::new();
        let k = key(7);
        let aad = associated_data(Purpose::IdentityKey, "a.b", None);
        let blob = k.seal(&rng, &aad, b"secret").expect("seal");
        assert_eq!(&k.unseal(&aad, &blob).expect("unseal")[..], b"secret");
        // A second seal uses a fresh nonce.
        assert_ne!(blob, k.seal(&rng, &aad, b"secret").expect("seal"));
        // Other row, other purpose, other key, tampering: all refused.
        let other_row = associated_data(Purpose::IdentityKey, "a.c", None);
        assert!(k.unseal(&other_row, &blob).is_err());
        let other_purpose = associated_data(Purpose::GroupKey, "a.b", None);
        assert!(k.unseal(&other_purpose, &blob).is_err());
        assert!(key(8).unseal(&aad, &blob).is_err());
        let mut tampered = blob.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(k.unseal(&aad, &tampered).is_err());
        assert!(k.unseal(&aad, &blob[..10]).is_err());
        let mut wrong_version = blob;
        wrong_version[0] = 2;
        assert!(k.unseal(&aad, &wrong_version).is_err());
    }

    #[test]
    fn associated_data_is_unambiguous() {
        let a = associated_data(Purpose::GroupKey, "ab", Some("c"));
        let b = associated_data(Purpose::GroupKey, "a", Some("bc"));
        assert_ne!(a, b);
    }

    #[test]
    fn debug_is_redacted() {
        let text = format!("{:?}", key(0x41));
        assert_eq!(text, "StoreKey(<redacted>)");
    }
}
