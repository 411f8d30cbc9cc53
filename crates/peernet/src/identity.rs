//! Identity Manager functions (Windows p2p.h: PeerIdentityCreate … PeerCreatePeerName).

use std::fmt;

use peernet_crypto::cert::IdcParams;
use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{Certificate, PeerName, PrivateKey, Profile, chain, pkcs7};
use peernet_protocol::{IdentityExport, IdentityInfo, utf16_len};
use peernet_storage::NewIdentity;

use crate::context::Peernet;
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::secret::Secret;

/// Longest friendly name, in UTF-16 units (256 with the terminator).
pub const MAX_FRIENDLY_NAME_LEN: usize = 255;

/// `PEER_NAME_PAIR`: a peer name with its friendly name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamePair {
    /// `pwzPeerName`.
    pub peer_name: String,
    /// `pwzFriendlyName`.
    pub friendly_name: String,
}

/// What the store records about an identity (peernet extension, for `identity show`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityDetails {
    /// The peer name.
    pub peer_name: String,
    /// The local friendly name.
    pub friendly_name: String,
    /// The key's profile.
    pub profile: Profile,
    /// When the identity was stored.
    pub created: std::time::SystemTime,
    /// Whether it is the default identity.
    pub is_default: bool,
    /// The identity certificate (DER).
    pub idc: Vec<u8>,
}

/// The private key of an identity (what `PeerIdentityGetCryptKey` hands out as a CSP
/// handle on Windows). Zeroized on drop; `Debug` shows only the peer name and profile.
pub struct IdentityKey {
    peer_name: String,
    key: PrivateKey,
}

impl IdentityKey {
    /// The identity's peer name.
    pub fn peer_name(&self) -> &str {
        &self.peer_name
    }

    /// The key's profile.
    pub fn profile(&self) -> Profile {
        self.key.profile()
    }

    /// The public key, DER SubjectPublicKeyInfo (the IDC's key).
    pub fn public_key_der(&self) -> &[u8] {
        self.key.public_key_der()
    }

    /// Signs `message` with the profile's algorithm (RSA PKCS#1 v1.5 SHA-1 / ECDSA P-256 SHA-256).
    ///
    /// # Errors
    /// `E_FAIL` if signing fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.key
            .sign(message)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "signing failed", e))
    }

    /// The key itself, for use with `peernet-crypto`.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityKey")
            .field("peer_name", &self.peer_name)
            .field("profile", &self.key.profile())
            .finish_non_exhaustive()
    }
}

/// The profile a store row names ([`Profile`]'s `FromStr`); an unknown name is a damaged
/// store (`PEER_E_CERT_STORE_CORRUPTED`).
pub(crate) fn stored_profile(s: &str) -> Result<Profile> {
    s.parse().map_err(|_| {
        Error::api(
            hr::PEER_E_CERT_STORE_CORRUPTED,
            format!("the store names an unknown profile '{s}'"),
        )
    })
}

/// `E_INVALIDARG` for an empty required name (a NULL or empty string on Windows).
pub(crate) fn require(value: &str, what: &str) -> Result<()> {
    if value.is_empty() {
        Err(Error::invalid_arg(format!("{what} is required")))
    } else {
        Ok(())
    }
}

fn check_friendly_name(name: &str) -> Result<()> {
    if utf16_len(name) > MAX_FRIENDLY_NAME_LEN || name.contains('\0') {
        return Err(Error::invalid_arg(format!(
            "the friendly name has {} UTF-16 units or a NUL; at most {MAX_FRIENDLY_NAME_LEN} are allowed",
            utf16_len(name)
        )));
    }
    Ok(())
}

impl Peernet {
    /// Loads an identity row, `PEER_E_NOT_FOUND` naming it and the store when missing.
    pub(crate) fn load_identity(&self, peer_name: &str) -> Result<peernet_storage::Identity> {
        require(peer_name, "an identity peer name")?;
        self.store.identity(peer_name).map_err(|e| match e {
            peernet_storage::Error::NotFound { .. } => Error::storage_as(
                hr::PEER_E_NOT_FOUND,
                format!(
                    "no identity named '{peer_name}' in store '{}'; list identities or import it first",
                    self.store.dir().display()
                ),
                e,
            ),
            e => Error::storage(e),
        })
    }

    pub(crate) fn identity_cert(&self, row: &peernet_storage::Identity) -> Result<Certificate> {
        Certificate::from_der(&row.idc).map_err(|e| {
            Error::crypto_as(
                hr::PEER_E_CERT_STORE_CORRUPTED,
                format!(
                    "the stored certificate of identity '{}' is unreadable",
                    row.peer_name
                ),
                e,
            )
        })
    }

    /// The identity's PKCS#8 private key as stored (unsealed, not parsed).
    pub(crate) fn identity_private_key_der(
        &self,
        peer_name: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        self.store
            .identity_private_key(peer_name)
            .map_err(|e| match e {
                peernet_storage::Error::NotFound { .. } => Error::storage_as(
                    hr::PEER_E_NOT_FOUND,
                    format!(
                        "no identity named '{peer_name}' in store '{}'",
                        self.store.dir().display()
                    ),
                    e,
                ),
                e => Error::storage(e),
            })
    }

    pub(crate) fn identity_private_key(&self, peer_name: &str) -> Result<PrivateKey> {
        let der = self.identity_private_key_der(peer_name)?;
        PrivateKey::from_pkcs8_der(&der).map_err(|e| {
            Error::crypto_as(
                hr::PEER_E_CERT_STORE_CORRUPTED,
                format!("the stored key of identity '{peer_name}' is unreadable"),
                e,
            )
        })
    }

    /// `PeerIdentityCreate`: generates a key pair of `profile` (None → the context's default
    /// profile), issues the identity certificate (IDC) and stores both. Returns the peer name
    /// `<authority>.<classifier>`. `classifier` None means the empty classifier;
    /// `friendly_name` None or empty means the peer name.
    ///
    /// # Errors
    /// `PEER_E_INVALID_CLASSIFIER` / `PEER_E_CLASSIFIER_TOO_LONG` (more than 149 UTF-16 units),
    /// `E_INVALIDARG` (friendly name over 255 units), `PEER_E_ALREADY_EXISTS` (same key and
    /// classifier), `PEER_E_NO_KEY_ACCESS`.
    pub fn identity_create(
        &self,
        classifier: Option<&str>,
        friendly_name: Option<&str>,
        profile: Option<Profile>,
    ) -> Result<String> {
        let classifier = classifier.unwrap_or("");
        peernet_crypto::name::validate_classifier(classifier)
            .map_err(|e| Error::crypto(hr::E_INVALIDARG, "invalid identity classifier", e))?;
        if let Some(f) = friendly_name {
            check_friendly_name(f)?;
        }
        let profile = profile.unwrap_or(self.options.default_profile);
        let key = PrivateKey::generate(profile)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "key generation failed", e))?;
        self.store_new_identity(key, classifier, friendly_name)
    }

    fn store_new_identity(
        &self,
        key: PrivateKey,
        classifier: &str,
        friendly_name: Option<&str>,
    ) -> Result<String> {
        let name = key
            .peer_name(classifier)
            .map_err(|e| Error::crypto(hr::E_INVALIDARG, "invalid identity classifier", e))?;
        let friendly = match friendly_name {
            Some(f) if !f.is_empty() => f.to_owned(),
            _ => name.as_str().to_owned(),
        };
        // The IDC's subject name is limited to 255 units; the peer name (≤ 190) always fits.
        let idc = IdcParams::new(name.clone(), &friendly, self.now())
            .and_then(|p| p.issue(&key))
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot issue the identity certificate", e))?;
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the key", e))?;
        self.store
            .insert_identity(
                &NewIdentity {
                    peer_name: name.as_str().to_owned(),
                    friendly_name: friendly,
                    profile: key.profile().as_str().to_owned(),
                    idc: idc.der().to_vec(),
                },
                &pkcs8,
            )
            .map_err(Error::storage)?;
        Ok(name.as_str().to_owned())
    }

    /// `PeerIdentityDelete`: removes the identity, its certificate and private key.
    ///
    /// # Errors
    /// `PEER_E_GROUPS_EXIST` while the identity has groups (delete them first),
    /// `PEER_E_NOT_FOUND`.
    pub fn identity_delete(&self, identity: &str) -> Result<()> {
        require(identity, "an identity peer name")?;
        self.store.delete_identity(identity).map_err(|e| match e {
            peernet_storage::Error::NotFound { .. } => Error::storage_as(
                hr::PEER_E_NOT_FOUND,
                format!(
                    "no identity named '{identity}' in store '{}'",
                    self.store.dir().display()
                ),
                e,
            ),
            e => Error::storage(e),
        })?;
        self.forget_identity(identity);
        Ok(())
    }

    /// `PeerEnumIdentities`: every identity as (peer name, friendly name), sorted by peer name.
    ///
    /// # Errors
    /// Store failures (`PEER_E_NO_KEY_ACCESS`, `E_FAIL`).
    pub fn enum_identities(&self) -> Result<Vec<NamePair>> {
        let mut v: Vec<NamePair> = self
            .store
            .identities()
            .map_err(Error::storage)?
            .into_iter()
            .map(|i| NamePair {
                peer_name: i.peer_name,
                friendly_name: i.friendly_name,
            })
            .collect();
        v.sort_by(|a, b| a.peer_name.cmp(&b.peer_name));
        Ok(v)
    }

    /// `PeerIdentityGetFriendlyName`.
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND`.
    pub fn identity_get_friendly_name(&self, identity: &str) -> Result<String> {
        Ok(self.load_identity(identity)?.friendly_name)
    }

    /// `PeerIdentitySetFriendlyName`: `None` or empty resets it to the peer name. Changes the
    /// local name only; the IDC keeps the name it was issued with.
    ///
    /// # Errors
    /// `E_INVALIDARG` (over 255 UTF-16 units), `PEER_E_NOT_FOUND`.
    pub fn identity_set_friendly_name(
        &self,
        identity: &str,
        friendly_name: Option<&str>,
    ) -> Result<()> {
        let name = match friendly_name {
            Some(f) if !f.is_empty() => {
                check_friendly_name(f)?;
                f
            }
            _ => identity,
        };
        self.load_identity(identity)?;
        self.store
            .set_identity_friendly_name(identity, name)
            .map_err(Error::storage)
    }

    /// The default identity if one exists, without creating it (what a NULL identity means
    /// to `PeerEnumGroups`, which must not make one).
    ///
    /// # Errors
    /// Store failures, with the store's HRESULT.
    pub fn identity_existing_default(&self) -> Result<Option<String>> {
        self.store.default_identity().map_err(Error::storage)
    }

    /// `PeerIdentityGetDefault`: the default identity, created on first use (as Windows
    /// does) with the empty classifier and the context's default profile.
    ///
    /// # Errors
    /// Store failures.
    pub fn identity_get_default(&self) -> Result<String> {
        if let Some(name) = self.store.default_identity().map_err(Error::storage)? {
            return Ok(name);
        }
        let name = self.identity_create(None, None, None)?;
        // Another process may have made one meanwhile: keep the first default.
        if let Some(existing) = self.store.default_identity().map_err(Error::storage)? {
            if existing != name {
                let _ = self.store.delete_identity(&name);
            }
            return Ok(existing);
        }
        self.store
            .set_default_identity(&name)
            .map_err(Error::storage)?;
        Ok(name)
    }

    /// Details of one identity (peernet extension).
    ///
    /// # Errors
    /// `E_INVALIDARG` (empty name), `PEER_E_NOT_FOUND`.
    pub fn identity_details(&self, identity: &str) -> Result<IdentityDetails> {
        let row = self.load_identity(identity)?;
        Ok(IdentityDetails {
            profile: stored_profile(&row.profile)?,
            peer_name: row.peer_name,
            friendly_name: row.friendly_name,
            created: row.created,
            is_default: row.is_default,
            idc: row.idc,
        })
    }

    /// Makes `identity` the default identity (peernet extension; Windows has no setter).
    ///
    /// # Errors
    /// `E_INVALIDARG` (empty name), `PEER_E_NOT_FOUND`.
    pub fn identity_set_default(&self, identity: &str) -> Result<()> {
        self.load_identity(identity)?;
        self.store
            .set_default_identity(identity)
            .map_err(Error::storage)
    }

    /// Resolves an optional identity argument (None → the default identity).
    pub(crate) fn identity_or_default(&self, identity: Option<&str>) -> Result<String> {
        match identity {
            Some(i) if !i.is_empty() => Ok(i.to_owned()),
            _ => self.identity_get_default(),
        }
    }

    /// `PeerCreatePeerName`: `identity` (any secure peer name; its authority is used, as
    /// .NET passes one) + `classifier` → `<authority>.<classifier>`; no identity → the
    /// unsecured `0.<classifier>`; no classifier → the identity's own name. Does not create
    /// an identity and does not consult the store.
    ///
    /// # Errors
    /// `E_INVALIDARG`: both arguments missing, a bad peer name, an unsecured name as
    /// identity, or a bad classifier.
    pub fn create_peer_name(
        &self,
        identity: Option<&str>,
        classifier: Option<&str>,
    ) -> Result<String> {
        create_peer_name(identity, classifier)
    }

    /// `PeerIdentityGetXML`: the public `PEERIDENTITYINFO` document (the IDC as PKCS#7,
    /// PPSEC 2.2.6.2) an inviter needs. `None` → the default identity.
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND`; `PEER_E_CERT_STORE_CORRUPTED` when the stored IDC does not parse
    /// (it is never handed out unread).
    pub fn identity_get_xml(&self, identity: Option<&str>) -> Result<String> {
        let identity = self.identity_or_default(identity)?;
        let row = self.load_identity(&identity)?;
        self.identity_cert(&row)?;
        let p7 = pkcs7::encode(&[row.idc])
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the IDC", e))?;
        IdentityInfo { idc: p7 }
            .to_xml_string()
            .map_err(|e| Error::xml("cannot write PEERIDENTITYINFO", e, hr::E_FAIL))
    }

    /// `PeerIdentityGetCryptKey`: the identity's private key as a typed handle (a CSP handle
    /// has no portable meaning).
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND`, `PEER_E_NO_KEY_ACCESS`, `PEER_E_CERT_STORE_CORRUPTED`.
    pub fn identity_get_crypt_key(&self, identity: &str) -> Result<IdentityKey> {
        require(identity, "an identity peer name")?;
        let key = self.identity_private_key(identity)?;
        Ok(IdentityKey {
            peer_name: identity.to_owned(),
            key,
        })
    }

    /// `PeerIdentityExport`: `PEERIDENTITYEXPORT` holding a PFX of the IDC and private key
    /// under `password` (PFX profile = the identity's profile, iterations per
    /// [`crate::Options::pfx_iterations`]). The identity stays in the store.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty password (the file carries the private key),
    /// `PEER_E_NOT_FOUND`, `PEER_E_NO_KEY_ACCESS`; `PEER_E_CERT_STORE_CORRUPTED` when the
    /// stored IDC does not parse or is not the stored key's.
    pub fn identity_export(&self, identity: &str, password: &Secret) -> Result<String> {
        let password = password.expose();
        if password.is_empty() {
            return Err(Error::invalid_arg(
                "an identity export carries the private key: give a non-empty password",
            ));
        }
        let row = self.load_identity(identity)?;
        // A garbage IDC is the store's damage, not the caller's (it used to reach the PFX
        // writer and come back as E_FAIL).
        self.identity_cert(&row)?;
        // The stored PKCS#8 goes into the PFX as it is: every writer of the store
        // (create, import) stores `PrivateKey::to_pkcs8_der`, and the seal is
        // authenticated, so parsing and re-encoding it (an RSA key's CRT set-up, about a
        // tenth of a windows export) would give the same bytes.
        let profile = stored_profile(&row.profile)?;
        let pkcs8 = self.identity_private_key_der(identity)?;
        let opts = Pkcs12WriteOptions::new(match profile {
            Profile::Windows => Pkcs12Profile::Windows,
            _ => Pkcs12Profile::Modern,
        })
        .with_iterations(self.options.iterations_for(profile))
        .with_friendly_name(row.friendly_name.clone());
        let pfx = pkcs12::write(std::slice::from_ref(&row.idc), &pkcs8, password, &opts)
            .map_err(|e| match e {
                // The writer checks that the key is the certificate's: a stored IDC of
                // another key is a damaged store.
                peernet_crypto::PkcsError::PfxKeyCertificateMismatch => Error::crypto_as(
                    hr::PEER_E_CERT_STORE_CORRUPTED,
                    format!(
                        "the stored certificate of identity '{identity}' is not its key's; the store is damaged"
                    ),
                    e,
                ),
                e => Error::crypto(hr::E_FAIL, "cannot write the PFX", e),
            })?;
        IdentityExport::new(identity, pfx)
            .to_xml_string()
            .map_err(|e| Error::xml("cannot write PEERIDENTITYEXPORT", e, hr::E_FAIL))
    }

    /// `PeerIdentityImport`: reads a `PEERIDENTITYEXPORT`, opens the PFX with `password`,
    /// validates the IDC, checks that the key belongs to it and that `PEERNAME` is the name
    /// the key and classifier give, then stores the identity. Returns its peer name.
    /// Nothing changes in the store on failure.
    ///
    /// ```
    /// # fn main() -> Result<(), peernet::Error> {
    /// use peernet::{Peernet, Profile, hresult};
    /// let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    /// let (a, b) = (Peernet::open(a.path())?, Peernet::open(b.path())?);
    /// let me = a.identity_create(Some("me"), Some("Me"), Some(Profile::Windows))?;
    /// let xml = a.identity_export(&me, &"a strong password".into())?;
    /// let err = b.identity_import(&xml, &"wrong".into()).unwrap_err();
    /// assert_eq!(err.hresult(), hresult::ERROR_INVALID_PASSWORD);
    /// assert_eq!(b.identity_import(&xml, &"a strong password".into())?, me);
    /// assert_eq!(b.identity_get_friendly_name(&me)?, "Me");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `ERROR_INVALID_PASSWORD` (0x80070056) for a wrong password; `E_INVALIDARG` for a
    /// malformed or altered document, PFX or certificate, or a `PEERNAME` that does not
    /// match; `PEER_E_ALREADY_EXISTS` when the identity is already in this store.
    pub fn identity_import(&self, xml: &str, password: &Secret) -> Result<String> {
        let password = password.expose();
        let doc = IdentityExport::parse_str(xml)
            .map_err(|e| Error::xml("not a valid PEERIDENTITYEXPORT", e, hr::E_INVALIDARG))?;
        let claimed = PeerName::parse(&doc.peer_name).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "PEERNAME is not a valid peer name", e)
        })?;
        let contents = pkcs12::read(&doc.data, password).map_err(|e| match e {
            peernet_crypto::PkcsError::InvalidPassword => Error::crypto_as(
                hr::ERROR_INVALID_PASSWORD,
                "wrong password for this identity export; use the password given at export",
                e,
            ),
            e => Error::crypto_as(
                hr::E_INVALIDARG,
                "the exported PFX is damaged or altered",
                e,
            ),
        })?;
        // Checked as fully as `from_pkcs8_der` (a bad key is refused here, not at signing),
        // without building the signing key: the import needs only the public key and the
        // canonical bytes to store, which for our own exports are the bytes as received.
        let key = PrivateKey::check_pkcs8_der(&contents.private_key).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "the PFX holds an unusable private key", e)
        })?;
        let idc_der = contents
            .certificates
            .first()
            .ok_or_else(|| Error::invalid_arg("the PFX holds no identity certificate"))?;
        let idc = Certificate::from_der(idc_der).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "the identity certificate is malformed", e)
        })?;
        chain::validate_idc(&idc, key.profile(), self.now()).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "the identity certificate is not valid", e)
        })?;
        if idc.public_key_der() != key.public_key_der() {
            return Err(Error::invalid_arg(
                "the private key in the PFX does not belong to its identity certificate",
            ));
        }
        let expected = key.peer_name(claimed.classifier()).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "PEERNAME has an invalid classifier", e)
        })?;
        if expected != claimed || idc.subject_peer_name().as_ref() != Some(&claimed) {
            return Err(Error::invalid_arg(format!(
                "PEERNAME '{}' is not the name of the exported key and certificate ('{}'); the document was altered",
                claimed.as_str(),
                expected.as_str()
            )));
        }
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the key", e))?;
        let friendly = contents
            .friendly_name
            .clone()
            .filter(|f| !f.is_empty() && utf16_len(f) <= MAX_FRIENDLY_NAME_LEN)
            .unwrap_or_else(|| idc.subject_friendly_name().to_owned());
        self.store
            .insert_identity(
                &NewIdentity {
                    peer_name: claimed.as_str().to_owned(),
                    friendly_name: friendly,
                    profile: key.profile().as_str().to_owned(),
                    idc: idc.der().to_vec(),
                },
                &pkcs8,
            )
            .map_err(|e| match e {
                peernet_storage::Error::AlreadyExists { .. } => Error::storage_as(
                    hr::PEER_E_ALREADY_EXISTS,
                    format!(
                        "identity '{}' is already in store '{}'",
                        claimed.as_str(),
                        self.store.dir().display()
                    ),
                    e,
                ),
                e => Error::storage(e),
            })?;
        Ok(claimed.as_str().to_owned())
    }
}

/// `PeerCreatePeerName` without a context (it needs no store); see
/// [`Peernet::create_peer_name`].
///
/// ```
/// assert_eq!(peernet::create_peer_name(None, Some("chat")).unwrap(), "0.chat");
/// let id = "6520c005f63fc1864b7d8f3cabebd4916ae7f33d.JohnDoe";
/// assert_eq!(peernet::create_peer_name(Some(id), Some("x")).unwrap(),
///            "6520c005f63fc1864b7d8f3cabebd4916ae7f33d.x");
/// ```
///
/// # Errors
/// `E_INVALIDARG`.
pub fn create_peer_name(identity: Option<&str>, classifier: Option<&str>) -> Result<String> {
    fn bad(what: &str, e: impl Into<peernet_crypto::Error>) -> Error {
        Error::crypto_as(hr::E_INVALIDARG, what, e)
    }
    match (identity, classifier) {
        (None, None) => Err(Error::invalid_arg("give an identity, a classifier or both")),
        (None, Some(c)) => PeerName::unsecured(c)
            .map(|n| n.as_str().to_owned())
            .map_err(|e| bad("invalid classifier", e)),
        (Some(i), c) => {
            let id = PeerName::parse(i).map_err(|e| bad("invalid identity peer name", e))?;
            if !id.is_secure() {
                return Err(Error::invalid_arg(format!(
                    "'{i}' is an unsecured name; pass no identity to make an unsecured name"
                )));
            }
            match c {
                None => Ok(id.as_str().to_owned()),
                Some(c) => id
                    .with_classifier(c)
                    .map(|n| n.as_str().to_owned())
                    .map_err(|e| bad("invalid classifier", e)),
            }
        }
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use crate::Options;

    /// `identity_export` puts the stored PKCS#8 into the PFX without parsing it: the PFX
    /// must still hold exactly the canonical encoding (`PrivateKey::to_pkcs8_der`, what
    /// the export wrote before), for created and for imported identities, in both profiles.
    #[test]
    fn export_holds_the_canonical_pkcs8_and_the_idc() {
        for profile in [Profile::Windows, Profile::Modern] {
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let opts = Options::default().with_pfx_iterations(1);
            let a = Peernet::open_with(a.path(), opts.clone()).unwrap();
            let b = Peernet::open_with(b.path(), opts).unwrap();
            let me = a
                .identity_create(Some("me"), Some("Me"), Some(profile))
                .unwrap();
            let canonical = a
                .identity_get_crypt_key(&me)
                .unwrap()
                .private_key()
                .to_pkcs8_der()
                .unwrap();
            let xml = a.identity_export(&me, &"pw".into()).unwrap();
            let pfx = pkcs12::read(&IdentityExport::parse_str(&xml).unwrap().data, "pw").unwrap();
            assert_eq!(*pfx.private_key, *canonical);
            assert_eq!(pfx.certificates, vec![a.identity_details(&me).unwrap().idc]);
            assert_eq!(pfx.friendly_name.as_deref(), Some("Me"));
            // Imported, then exported again from the other store: the same key bytes.
            assert_eq!(b.identity_import(&xml, &"pw".into()).unwrap(), me);
            let again = b.identity_export(&me, &"pw2".into()).unwrap();
            let pfx2 =
                pkcs12::read(&IdentityExport::parse_str(&again).unwrap().data, "pw2").unwrap();
            assert_eq!(*pfx2.private_key, *canonical);
            assert_eq!(pfx2.certificates, pfx.certificates);
        }
    }
}
