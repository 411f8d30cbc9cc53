//! `PeerGroupExportConfig` / `PeerGroupImportConfig` (the p2p.h pages of that name), and clouds.

use std::sync::Arc;

use peernet_crypto::chain::{self, ChainPolicy};
use peernet_crypto::{PeerName, PrivateKey, Profile, encrypted_key, pkcs7};
use peernet_protocol::GroupConfig;
use peernet_storage::{GroupCloud, GroupSecrets, NewGroup};

use crate::context::Peernet;
use crate::error::{Error, Result};
use crate::group::{
    DEFAULT_MEMBER_DATA_LIFETIME, Group, MIN_PRESENCE_LIFETIME, PEER_GROUP_GMC_AUTHENTICATION,
    scope_from_storage, scope_to_storage, validate_with_time_status,
};
use crate::hresult as hr;
use crate::secret::Secret;

/// What [`Peernet::group_import_config`] imported.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportedConfig {
    /// The identity's peer name (pass to [`Peernet::group_open`]).
    pub identity: String,
    /// The group's peer name.
    pub group_peer_name: String,
}

impl Group {
    /// `PeerGroupExportConfig`: `PEERGROUPCONFIG` with the identity and group peer names,
    /// the cloud as recorded, scope, cloud flags and the GMC chain (PKCS#7). When this
    /// identity holds the group key (the owner), `GROUPKEY` carries it encrypted under
    /// `password` (PBES2; iterations per [`crate::Options::pfx_iterations`]). Only
    /// `GROUPKEY` is secret: for a non-owner the password protects nothing and may be empty.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_GROUP_NOT_READY` (no credentials yet),
    /// `E_INVALIDARG` (empty password with a group key), `PEER_E_NO_KEY_ACCESS`.
    pub fn export_config(&self, password: &Secret) -> Result<String> {
        let password = password.expose();
        let ctx = self.ctx();
        let row = self.row()?;
        if row.gmc_chain.is_empty() {
            return Err(Error::api(
                hr::PEER_E_GROUP_NOT_READY,
                "this membership has no credentials yet; connect first",
            ));
        }
        let gmc = pkcs7::encode(&row.gmc_chain)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the chain", e))?;
        let group_key = match ctx
            .store
            .group_private_key(&row.identity, &row.group_peer_name)
            .map_err(Error::storage)?
        {
            Some(der) => {
                if password.is_empty() {
                    return Err(Error::invalid_arg(
                        "the configuration carries the group's private key: give a non-empty password",
                    ));
                }
                let iterations = match ctx.options.pfx_iterations {
                    Some(n) => n,
                    None => ctx.options.iterations_for(self.profile()),
                };
                Some(
                    encrypted_key::seal(&der, password, iterations).map_err(|e| {
                        Error::crypto(hr::E_FAIL, "cannot encrypt the group key", e)
                    })?,
                )
            }
            None => None,
        };
        GroupConfig {
            identity_peer_name: row.identity.clone(),
            group_peer_name: row.group_peer_name.clone(),
            cloud_name: row.cloud.name.clone(),
            scope: scope_from_storage(row.cloud.scope),
            cloud_flags: row.cloud.flags,
            gmc,
            group_key,
        }
        .to_xml_string()
        .map_err(|e| Error::xml("cannot write PEERGROUPCONFIG", e, hr::E_FAIL))
    }
}

impl Peernet {
    /// `PeerGroupImportConfig`: imports a `PEERGROUPCONFIG`. The identity must already be
    /// in this store (import it first). The chain is re-ordered, validated with the group's
    /// profile and must end in the identity's key (an expired chain is accepted; open
    /// reports it). `GROUPKEY`, when present, is opened with `password` and must be the
    /// GRC's key. `overwrite` false refuses an existing configuration; true replaces it in
    /// one transaction. The cloud is resolved when the group is opened.
    ///
    /// ```no_run
    /// # fn f(pn: &peernet::Peernet, xml: &str) -> Result<(), peernet::Error> {
    /// let imported = pn.group_import_config(xml, &"pw".into(), false)?;
    /// let group = pn.group_open(&imported.identity, &imported.group_peer_name, None)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `E_INVALIDARG` (malformed document, chain or key; a chain of another group or
    /// ending in another key), `PEER_E_UNSUPPORTED_VERSION`, `PEER_E_NOT_FOUND` (the
    /// identity, named), `ERROR_INVALID_PASSWORD` (GROUPKEY), `PEER_E_ALREADY_EXISTS`.
    pub fn group_import_config(
        &self,
        xml: &str,
        password: &Secret,
        overwrite: bool,
    ) -> Result<ImportedConfig> {
        let password = password.expose();
        let cfg = GroupConfig::parse_str(xml)
            .map_err(|e| Error::xml("not a valid PEERGROUPCONFIG", e, hr::E_INVALIDARG))?;
        let identity = cfg.identity_peer_name.clone();
        let id_row = self.store.identity(&identity).map_err(|e| match e {
            peernet_storage::Error::NotFound { .. } => Error::storage_as(
                hr::PEER_E_NOT_FOUND,
                format!(
                    "the configuration is for identity '{identity}', which is not in store '{}'; import that identity first",
                    self.store.dir().display()
                ),
                e,
            ),
            e => Error::storage(e),
        })?;
        let idc = self.identity_cert(&id_row)?;
        let gpn = PeerName::parse(&cfg.group_peer_name)
            .map_err(|e| Error::crypto_as(hr::E_INVALIDARG, "GROUPPEERNAME is invalid", e))?;
        fn bad(what: &str, e: impl Into<peernet_crypto::Error>) -> Error {
            Error::crypto_as(hr::E_INVALIDARG, what, e)
        }
        let ders = pkcs7::decode(&cfg.gmc).map_err(|e| bad("the GMC chain is damaged", e))?;
        let certs = chain::order_chain(&ders).map_err(|e| bad("the GMC chain is invalid", e))?;
        let profile = Profile::of_public_key(certs[0].public_key_der())
            .ok_or_else(|| Error::invalid_arg("the group root key is of no supported profile"))?;
        if certs.len() < 2 {
            return Err(Error::invalid_arg(
                "the chain has no membership certificate",
            ));
        }
        let policy = ChainPolicy::new(profile, self.now())
            .group(&gpn)
            .leaf_public_key(idc.public_key_der());
        // Any time status is accepted: an expired membership imports and opens as expired.
        validate_with_time_status(&certs, policy).map_err(|e| {
            bad(
                &format!(
                    "the chain is not a valid membership of '{}' for '{identity}'",
                    gpn.as_str()
                ),
                e,
            )
        })?;
        let group_key = match &cfg.group_key {
            None => None,
            Some(blob) => {
                let der = encrypted_key::open(blob, password).map_err(|e| match e {
                    peernet_crypto::PkcsError::InvalidPassword => Error::crypto_as(
                        hr::ERROR_INVALID_PASSWORD,
                        "wrong password for the group key in this configuration",
                        e,
                    ),
                    e => bad("GROUPKEY is damaged", e),
                })?;
                let key = PrivateKey::from_pkcs8_der(&der)
                    .map_err(|e| bad("GROUPKEY is not a usable key", e))?;
                if key.public_key_der() != certs[0].public_key_der() {
                    return Err(Error::invalid_arg(
                        "GROUPKEY is not the key of this group's root certificate",
                    ));
                }
                Some(der)
            }
        };
        let existing = match self.store.group(&identity, gpn.as_str()) {
            Ok(g) => Some(g),
            Err(peernet_storage::Error::NotFound { .. }) => None,
            Err(e) => return Err(Error::storage(e)),
        };
        if existing.is_some() && !overwrite {
            return Err(Error::api(
                hr::PEER_E_ALREADY_EXISTS,
                format!(
                    "identity '{identity}' already has a configuration for group '{}'; pass overwrite to replace it",
                    gpn.as_str()
                ),
            ));
        }
        let properties = match &existing {
            Some(g) => g.properties.clone(),
            None => peernet_storage::GroupProperties {
                friendly_name: certs[0].subject_friendly_name().to_owned(),
                flags: 0,
                creator_peer_name: if group_key.is_some() {
                    identity.clone()
                } else {
                    String::new()
                },
                comment: String::new(),
                member_data_lifetime: DEFAULT_MEMBER_DATA_LIFETIME,
                presence_lifetime: MIN_PRESENCE_LIFETIME,
                authentication_schemes: PEER_GROUP_GMC_AUTHENTICATION,
                password_role: None,
            },
        };
        let ordered: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
        let new = NewGroup {
            identity: identity.clone(),
            group_peer_name: gpn.as_str().to_owned(),
            classifier: gpn.classifier().to_owned(),
            cloud: GroupCloud {
                name: cfg.cloud_name.clone(),
                scope: scope_to_storage(cfg.scope),
                scope_id: 0,
                flags: cfg.cloud_flags,
            },
            profile: profile.as_str().to_owned(),
            gmc_chain: ordered.clone(),
            properties,
            status: 0,
        };
        let secrets = GroupSecrets {
            group_key: group_key.as_ref().map(|k| k.as_slice()),
            password_verifier: None,
        };
        if overwrite {
            self.store.upsert_group(&new, secrets).map(|_| ())
        } else {
            self.store.insert_group(&new, secrets)
        }
        .map_err(Error::storage)?;
        // Validated above as `group_open` would (profile, group, this identity's key): the
        // open takes it from the cache.
        self.remember(&identity, gpn.as_str(), ordered, Arc::new(certs));
        Ok(ImportedConfig {
            identity,
            group_peer_name: gpn.as_str().to_owned(),
        })
    }

    /// The clouds this machine knows (`Global_` always).
    ///
    /// # Errors
    /// Store failures.
    pub fn clouds(&self) -> Result<Vec<peernet_storage::Cloud>> {
        self.store.clouds().map_err(Error::storage)
    }

    /// Adds a cloud.
    ///
    /// # Errors
    /// `E_INVALIDARG` (empty name), `PEER_E_ALREADY_EXISTS`.
    pub fn add_cloud(&self, cloud: &peernet_storage::Cloud) -> Result<()> {
        self.store.add_cloud(cloud).map_err(Error::storage)
    }

    /// Removes a cloud (`Global_` cannot be removed).
    ///
    /// # Errors
    /// `E_INVALIDARG` (`Global_`), `PEER_E_NOT_FOUND`.
    pub fn remove_cloud(&self, name: &str) -> Result<()> {
        self.store.remove_cloud(name).map_err(Error::storage)
    }
}
