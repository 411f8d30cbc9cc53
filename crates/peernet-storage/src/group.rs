//! Groups per identity: configuration, properties, the member's GMC chain, the sealed
//! group key (owner only) and the sealed password verifier.

use std::fmt;
use std::time::SystemTime;

use rusqlite::{OptionalExtension, Row, ToSql, Transaction, params};
use zeroize::Zeroizing;

use crate::changes::{ChangeEvent, append_change};
use crate::cloud::{CloudScope, scope_column};
use crate::error::{Error, Result};
use crate::identity::{NewIdentity, require_identity};
use crate::seal::Purpose;
use crate::store::{Store, TxResult, now_secs, system_time};

/// The cloud a group records (`CLOUDNAME`, `SCOPE`, `CLOUDFLAGS` of its configuration).
///
/// The name may be a private name from another machine; [`Store::resolve_cloud`] finds
/// the local cloud to use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupCloud {
    /// Cloud name as recorded.
    pub name: String,
    /// Scope.
    pub scope: CloudScope,
    /// Scope id.
    pub scope_id: u32,
    /// `PNRP_CLOUD_FLAGS` (bit 1 = `PNRP_CLOUD_NAME_LOCAL`, the name is private).
    pub flags: u32,
}

/// The mutable `PEER_GROUP_PROPERTIES` fields (the p2p.h structure) kept per group.
///
/// The password itself is never stored; a verifier derived from it is passed separately
/// and sealed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupProperties {
    /// `pwzFriendlyName`.
    pub friendly_name: String,
    /// `dwFlags` (`PEER_GROUP_PROPERTY_FLAGS`).
    pub flags: u32,
    /// `pwzCreatorPeerName`.
    pub creator_peer_name: String,
    /// `pwzComment`.
    pub comment: String,
    /// `ulMemberDataLifetime`, seconds.
    pub member_data_lifetime: u32,
    /// `ulPresenceLifetime`, seconds.
    pub presence_lifetime: u32,
    /// `dwAuthenticationSchemes` (`PEER_GROUP_AUTHENTICATION_SCHEME`).
    pub authentication_schemes: u32,
    /// `groupPasswordRole`: the role GUID in its 16-byte (Windows `GUID` memory) form.
    pub password_role: Option<[u8; 16]>,
}

/// A group to store for an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGroup {
    /// The member identity's peer name (must exist).
    pub identity: String,
    /// The group's peer name.
    pub group_peer_name: String,
    /// The group peer name's classifier.
    pub classifier: String,
    /// The group's cloud.
    pub cloud: GroupCloud,
    /// Certificate profile of the group, `"windows"` or `"modern"`.
    pub profile: String,
    /// The member's GMC chain, DER certificates in order (GRC first).
    pub gmc_chain: Vec<Vec<u8>>,
    /// Group properties.
    pub properties: GroupProperties,
    /// `PEER_GROUP_STATUS` flags last recorded.
    pub status: u32,
}

/// Secrets stored (sealed) with a group. `Debug` shows only which are present.
#[derive(Clone, Copy, Default)]
pub struct GroupSecrets<'a> {
    /// The group's PKCS#8 private key, when this identity owns the group.
    pub group_key: Option<&'a [u8]>,
    /// The password verifier, when the group uses password authentication.
    pub password_verifier: Option<&'a [u8]>,
}

impl fmt::Debug for GroupSecrets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupSecrets")
            .field("group_key", &self.group_key.map(|_| "<redacted>"))
            .field(
                "password_verifier",
                &self.password_verifier.map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How to change a sealed secret.
#[derive(Clone, Copy, Default)]
pub enum SecretUpdate<'a> {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Remove it.
    Remove,
    /// Replace it with these bytes.
    Set(&'a [u8]),
}

impl fmt::Debug for SecretUpdate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretUpdate::Keep => "Keep",
            SecretUpdate::Remove => "Remove",
            SecretUpdate::Set(_) => "Set(<redacted>)",
        })
    }
}

/// What [`Store::upsert_group`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// There was no such group; it was inserted.
    Inserted,
    /// The group existed; its configuration was replaced (records stay).
    Replaced,
}

/// A stored group (without its secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The member identity's peer name.
    pub identity: String,
    /// The group's peer name.
    pub group_peer_name: String,
    /// The group peer name's classifier.
    pub classifier: String,
    /// The group's recorded cloud.
    pub cloud: GroupCloud,
    /// Certificate profile.
    pub profile: String,
    /// The member's GMC chain, in order.
    pub gmc_chain: Vec<Vec<u8>>,
    /// Group properties.
    pub properties: GroupProperties,
    /// `PEER_GROUP_STATUS` flags last recorded.
    pub status: u32,
    /// When the group was first stored (second precision).
    pub created: SystemTime,
    /// Whether the group's private key is stored (this identity owns the group).
    pub has_group_key: bool,
    /// Whether a password verifier is stored.
    pub has_password_verifier: bool,
}

const GROUP_COLUMNS: &str = "identity, group_peer_name, classifier, cloud_name, cloud_scope,
    cloud_scope_id, cloud_flags, profile, friendly_name, flags, creator_peer_name, comment,
    member_data_lifetime, presence_lifetime, authentication_schemes, password_role, status,
    created, sealed_group_key IS NOT NULL, sealed_password_verifier IS NOT NULL";

fn group_from_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        identity: row.get(0)?,
        group_peer_name: row.get(1)?,
        classifier: row.get(2)?,
        cloud: GroupCloud {
            name: row.get(3)?,
            scope: scope_column(row, 4)?,
            scope_id: row.get(5)?,
            flags: row.get(6)?,
        },
        profile: row.get(7)?,
        gmc_chain: Vec::new(),
        properties: GroupProperties {
            friendly_name: row.get(8)?,
            flags: row.get(9)?,
            creator_peer_name: row.get(10)?,
            comment: row.get(11)?,
            member_data_lifetime: row.get(12)?,
            presence_lifetime: row.get(13)?,
            authentication_schemes: row.get(14)?,
            password_role: row.get(15)?,
        },
        status: row.get(16)?,
        created: system_time(row.get(17)?),
        has_group_key: row.get(18)?,
        has_password_verifier: row.get(19)?,
    })
}

/// `group 'G' of identity 'I'`, the `what` of a missing group in errors.
pub(crate) fn group_what(identity: &str, group: &str) -> String {
    format!("group '{group}' of identity '{identity}'")
}

/// Fails with [`Error::NotFound`] unless the identity has the group.
pub(crate) fn require_group(
    tx: &rusqlite::Connection,
    identity: &str,
    group: &str,
) -> TxResult<()> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM groups WHERE identity = ?1 AND group_peer_name = ?2")?
        .exists([identity, group])?;
    if exists {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: group_what(identity, group),
        }
        .into())
    }
}

fn not_found(identity: &str, group: &str) -> Error {
    Error::NotFound {
        what: group_what(identity, group),
    }
}

fn load_chain(tx: &Transaction<'_>, identity: &str, group: &str) -> TxResult<Vec<Vec<u8>>> {
    let mut stmt = tx.prepare_cached(
        "SELECT cert FROM group_chain WHERE identity = ?1 AND group_peer_name = ?2 ORDER BY position",
    )?;
    let rows = stmt.query_map([identity, group], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn replace_chain(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    chain: &[Vec<u8>],
) -> TxResult<()> {
    tx.prepare_cached("DELETE FROM group_chain WHERE identity = ?1 AND group_peer_name = ?2")?
        .execute([identity, group])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO group_chain (identity, group_peer_name, position, cert) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, cert) in chain.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        insert.execute(params![identity, group, position, cert])?;
    }
    Ok(())
}

fn group_exists(tx: &Transaction<'_>, identity: &str, group: &str) -> TxResult<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM groups WHERE identity = ?1 AND group_peer_name = ?2")?
        .exists([identity, group])?)
}

/// Sealed forms of a group's secrets.
struct SealedSecrets {
    group_key: Option<Vec<u8>>,
    password_verifier: Option<Vec<u8>>,
}

impl Store {
    fn seal_group_secrets(
        &self,
        group: &NewGroup,
        secrets: GroupSecrets<'_>,
    ) -> Result<SealedSecrets> {
        if group.group_peer_name.is_empty() {
            return Err(Error::InvalidInput {
                reason: "a group's peer name cannot be empty".into(),
            });
        }
        let seal = |purpose, bytes: Option<&[u8]>| {
            bytes
                .map(|b| self.seal(purpose, &group.identity, Some(&group.group_peer_name), b))
                .transpose()
        };
        Ok(SealedSecrets {
            group_key: seal(Purpose::GroupKey, secrets.group_key)?,
            password_verifier: seal(Purpose::PasswordVerifier, secrets.password_verifier)?,
        })
    }

    /// Stores a new group for an identity, with its chain and secrets, in one transaction.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty group peer name; [`Error::NotFound`] when the
    /// identity does not exist; [`Error::AlreadyExists`] when the identity already has
    /// this group.
    pub fn insert_group(&self, group: &NewGroup, secrets: GroupSecrets<'_>) -> Result<()> {
        let sealed = self.seal_group_secrets(group, secrets)?;
        self.write(|tx| {
            require_identity(tx, &group.identity)?;
            if group_exists(tx, &group.identity, &group.group_peer_name)? {
                return Err(Error::AlreadyExists {
                    what: group_what(&group.identity, &group.group_peer_name),
                }
                .into());
            }
            insert_row(tx, group, &sealed)?;
            replace_chain(
                tx,
                &group.identity,
                &group.group_peer_name,
                &group.gmc_chain,
            )?;
            Ok(())
        })
    }

    /// Inserts, for each `i` in `range`, the identity and the group that `row(i)` gives
    /// (identity, its PKCS#8 key, a group of that identity, the group's secrets), all in
    /// one transaction and without the existence checks of [`Store::insert_identity`] and
    /// [`Store::insert_group`]; keys are sealed as those calls seal them. Lets a benchmark
    /// build a store of a million real rows (real certificate chains, sealed keys) in
    /// seconds. For benchmarks only.
    ///
    /// # Errors
    /// As the two calls it stands for (a duplicate row fails the whole transaction).
    pub(crate) fn bulk_insert_rows_for_bench<'k>(
        &self,
        range: std::ops::Range<usize>,
        row: impl Fn(usize) -> (NewIdentity, &'k [u8], NewGroup, GroupSecrets<'k>),
    ) -> Result<()> {
        let now = now_secs();
        self.write(|tx| {
            let mut ins_id = tx.prepare_cached(
                "INSERT INTO identities (peer_name, friendly_name, profile, idc, sealed_key, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for i in range.clone() {
                let (identity, key, group, secrets) = row(i);
                let sealed_key = self.seal(Purpose::IdentityKey, &identity.peer_name, None, key)?;
                ins_id.execute(params![
                    identity.peer_name,
                    identity.friendly_name,
                    identity.profile,
                    identity.idc,
                    sealed_key,
                    now
                ])?;
                let sealed = self.seal_group_secrets(&group, secrets)?;
                insert_row(tx, &group, &sealed)?;
                replace_chain(
                    tx,
                    &group.identity,
                    &group.group_peer_name,
                    &group.gmc_chain,
                )?;
            }
            Ok(())
        })
    }

    /// Inserts the group, or replaces an existing one's configuration, chain and secrets
    /// (all in one transaction; `created` and the group's records are kept). This is
    /// configuration import with overwrite. A replacement logs `PROPERTY_CHANGED`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty group peer name; [`Error::NotFound`] when the
    /// identity does not exist.
    pub fn upsert_group(
        &self,
        group: &NewGroup,
        secrets: GroupSecrets<'_>,
    ) -> Result<UpsertOutcome> {
        let sealed = self.seal_group_secrets(group, secrets)?;
        self.write(|tx| {
            require_identity(tx, &group.identity)?;
            let outcome = if group_exists(tx, &group.identity, &group.group_peer_name)? {
                let scope = group.cloud.scope.to_u32();
                tx.prepare_cached(
                    "UPDATE groups SET classifier = ?3, cloud_name = ?4, cloud_scope = ?5,
                        cloud_scope_id = ?6, cloud_flags = ?7, profile = ?8, friendly_name = ?9,
                        flags = ?10, creator_peer_name = ?11, comment = ?12,
                        member_data_lifetime = ?13, presence_lifetime = ?14,
                        authentication_schemes = ?15, password_role = ?16, status = ?17,
                        sealed_group_key = ?18, sealed_password_verifier = ?19
                     WHERE identity = ?1 AND group_peer_name = ?2",
                )?
                .execute(&row_values(group, &scope, &sealed)[..])?;
                append_change(
                    tx,
                    &group.identity,
                    &group.group_peer_name,
                    &ChangeEvent::PropertyChanged,
                )?;
                UpsertOutcome::Replaced
            } else {
                insert_row(tx, group, &sealed)?;
                UpsertOutcome::Inserted
            };
            replace_chain(
                tx,
                &group.identity,
                &group.group_peer_name,
                &group.gmc_chain,
            )?;
            Ok(outcome)
        })
    }

    /// The group `group_peer_name` of `identity`, with its chain.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn group(&self, identity: &str, group_peer_name: &str) -> Result<Group> {
        self.read(|tx| {
            let mut group = tx
                .prepare_cached(&format!(
                    "SELECT {GROUP_COLUMNS} FROM groups WHERE identity = ?1 AND group_peer_name = ?2"
                ))?
                .query_row([identity, group_peer_name], group_from_row)
                .optional()?
                .ok_or_else(|| not_found(identity, group_peer_name))?;
            group.gmc_chain = load_chain(tx, identity, group_peer_name)?;
            Ok(group)
        })
    }

    /// The groups of one identity, sorted by group peer name.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity does not exist.
    pub fn groups(&self, identity: &str) -> Result<Vec<Group>> {
        self.read(|tx| {
            require_identity(tx, identity)?;
            let mut groups = tx
                .prepare_cached(&format!(
                    "SELECT {GROUP_COLUMNS} FROM groups WHERE identity = ?1 ORDER BY group_peer_name"
                ))?
                .query_map([identity], group_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for g in &mut groups {
                g.gmc_chain = load_chain(tx, &g.identity, &g.group_peer_name)?;
            }
            Ok(groups)
        })
    }

    /// All groups of all identities, sorted by (identity, group peer name).
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Corrupted`] on a database failure.
    pub fn all_groups(&self) -> Result<Vec<Group>> {
        self.read(|tx| {
            let mut groups = tx
                .prepare_cached(&format!(
                    "SELECT {GROUP_COLUMNS} FROM groups ORDER BY identity, group_peer_name"
                ))?
                .query_map([], group_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for g in &mut groups {
                g.gmc_chain = load_chain(tx, &g.identity, &g.group_peer_name)?;
            }
            Ok(groups)
        })
    }

    /// Deletes a group with its chain, secrets and records.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn delete_group(&self, identity: &str, group_peer_name: &str) -> Result<()> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM groups WHERE identity = ?1 AND group_peer_name = ?2")?
                .execute([identity, group_peer_name])?;
            if removed == 0 {
                return Err(not_found(identity, group_peer_name).into());
            }
            Ok(())
        })
    }

    /// Replaces a group's properties and, as asked, its password verifier, and logs
    /// `PROPERTY_CHANGED`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn update_group_properties(
        &self,
        identity: &str,
        group_peer_name: &str,
        properties: &GroupProperties,
        password_verifier: SecretUpdate<'_>,
    ) -> Result<()> {
        let sealed = match password_verifier {
            SecretUpdate::Set(bytes) => Some(self.seal(
                Purpose::PasswordVerifier,
                identity,
                Some(group_peer_name),
                bytes,
            )?),
            SecretUpdate::Keep | SecretUpdate::Remove => None,
        };
        let keep = matches!(password_verifier, SecretUpdate::Keep);
        self.write(|tx| {
            let p = properties;
            let changed = tx
                .prepare_cached(
                    "UPDATE groups SET friendly_name = ?3, flags = ?4, creator_peer_name = ?5,
                        comment = ?6, member_data_lifetime = ?7, presence_lifetime = ?8,
                        authentication_schemes = ?9, password_role = ?10,
                        sealed_password_verifier = CASE WHEN ?11 THEN sealed_password_verifier ELSE ?12 END
                     WHERE identity = ?1 AND group_peer_name = ?2",
                )?
                .execute(params![
                    identity,
                    group_peer_name,
                    p.friendly_name,
                    p.flags,
                    p.creator_peer_name,
                    p.comment,
                    p.member_data_lifetime,
                    p.presence_lifetime,
                    p.authentication_schemes,
                    p.password_role,
                    keep,
                    sealed,
                ])?;
            if changed == 0 {
                return Err(not_found(identity, group_peer_name).into());
            }
            append_change(tx, identity, group_peer_name, &ChangeEvent::PropertyChanged)
        })
    }

    /// Replaces the member's GMC chain (e.g. after credentials were renewed).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn set_group_chain(
        &self,
        identity: &str,
        group_peer_name: &str,
        gmc_chain: &[Vec<u8>],
    ) -> Result<()> {
        self.write(|tx| {
            if !group_exists(tx, identity, group_peer_name)? {
                return Err(not_found(identity, group_peer_name).into());
            }
            replace_chain(tx, identity, group_peer_name, gmc_chain)
        })
    }

    /// Records a group's `PEER_GROUP_STATUS` flags; when they differ from the stored
    /// ones, logs `STATUS_CHANGED` with the new flags.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn set_group_status(
        &self,
        identity: &str,
        group_peer_name: &str,
        status: u32,
    ) -> Result<()> {
        self.write(|tx| {
            let old: u32 = tx
                .prepare_cached(
                    "SELECT status FROM groups WHERE identity = ?1 AND group_peer_name = ?2",
                )?
                .query_row([identity, group_peer_name], |r| r.get(0))
                .optional()?
                .ok_or_else(|| not_found(identity, group_peer_name))?;
            if old == status {
                return Ok(());
            }
            tx.prepare_cached(
                "UPDATE groups SET status = ?3 WHERE identity = ?1 AND group_peer_name = ?2",
            )?
            .execute(params![identity, group_peer_name, status])?;
            append_change(
                tx,
                identity,
                group_peer_name,
                &ChangeEvent::StatusChanged { status },
            )
        })
    }

    /// Unseals the group's PKCS#8 private key; `None` when this identity does not own it.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::Corrupted`] when
    /// the sealed key cannot be opened.
    pub fn group_private_key(
        &self,
        identity: &str,
        group_peer_name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.group_secret(identity, group_peer_name, Purpose::GroupKey)
    }

    /// Unseals the group's password verifier; `None` when none is stored.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::Corrupted`] when
    /// the sealed verifier cannot be opened.
    pub fn group_password_verifier(
        &self,
        identity: &str,
        group_peer_name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.group_secret(identity, group_peer_name, Purpose::PasswordVerifier)
    }

    fn group_secret(
        &self,
        identity: &str,
        group_peer_name: &str,
        purpose: Purpose,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let (column, what) = match purpose {
            Purpose::GroupKey => ("sealed_group_key", "the private key"),
            _ => ("sealed_password_verifier", "the password verifier"),
        };
        let sealed: Option<Vec<u8>> = self.read(|tx| {
            tx.prepare_cached(&format!(
                "SELECT {column} FROM groups WHERE identity = ?1 AND group_peer_name = ?2"
            ))?
            .query_row([identity, group_peer_name], |r| r.get(0))
            .optional()?
            .ok_or_else(|| not_found(identity, group_peer_name).into())
        })?;
        sealed
            .map(|blob| {
                self.unseal(
                    purpose,
                    identity,
                    Some(group_peer_name),
                    &blob,
                    &format!("{what} of {}", group_what(identity, group_peer_name)),
                )
            })
            .transpose()
    }
}

/// The values of columns ?1–?19 of a group row, shared by [`insert_row`] and the
/// replacing UPDATE of [`Store::upsert_group`] (`scope` is `group.cloud.scope.to_u32()`).
fn row_values<'a>(
    group: &'a NewGroup,
    scope: &'a u32,
    sealed: &'a SealedSecrets,
) -> [&'a dyn ToSql; 19] {
    let p = &group.properties;
    [
        &group.identity,
        &group.group_peer_name,
        &group.classifier,
        &group.cloud.name,
        scope,
        &group.cloud.scope_id,
        &group.cloud.flags,
        &group.profile,
        &p.friendly_name,
        &p.flags,
        &p.creator_peer_name,
        &p.comment,
        &p.member_data_lifetime,
        &p.presence_lifetime,
        &p.authentication_schemes,
        &p.password_role,
        &group.status,
        &sealed.group_key,
        &sealed.password_verifier,
    ]
}

fn insert_row(tx: &Transaction<'_>, group: &NewGroup, sealed: &SealedSecrets) -> TxResult<()> {
    let scope = group.cloud.scope.to_u32();
    let created = now_secs();
    let mut values = row_values(group, &scope, sealed).to_vec();
    values.push(&created);
    tx.prepare_cached(
        "INSERT INTO groups (identity, group_peer_name, classifier, cloud_name, cloud_scope,
            cloud_scope_id, cloud_flags, profile, friendly_name, flags, creator_peer_name, comment,
            member_data_lifetime, presence_lifetime, authentication_schemes, password_role, status,
            sealed_group_key, sealed_password_verifier, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(&values[..])?;
    Ok(())
}
