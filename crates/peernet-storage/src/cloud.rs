//! PNRP clouds known to this machine, and the cloud resolution rule of [MS-PPSEC] 3.1.4.2.

use rusqlite::{OptionalExtension, Row, params};

use crate::error::{Error, Result};
use crate::store::Store;

/// Name of the global cloud, which always exists.
pub const GLOBAL_CLOUD: &str = "Global_";

/// A PNRP scope (`PNRP_SCOPE`; `PNRP_SCOPE_ANY` is not a cloud's scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CloudScope {
    /// `PNRP_GLOBAL_SCOPE` (1).
    Global,
    /// `PNRP_SITE_LOCAL_SCOPE` (2).
    SiteLocal,
    /// `PNRP_LINK_LOCAL_SCOPE` (3).
    LinkLocal,
}

impl CloudScope {
    /// The `PNRP_SCOPE` value.
    pub fn to_u32(self) -> u32 {
        match self {
            CloudScope::Global => 1,
            CloudScope::SiteLocal => 2,
            CloudScope::LinkLocal => 3,
        }
    }

    /// The scope for a `PNRP_SCOPE` value, `None` for 0 (any) and unknown values.
    pub fn from_u32(value: u32) -> Option<CloudScope> {
        match value {
            1 => Some(CloudScope::Global),
            2 => Some(CloudScope::SiteLocal),
            3 => Some(CloudScope::LinkLocal),
            _ => None,
        }
    }
}

/// Reads a scope column; an unknown value is a conversion failure (→ `Corrupted`).
pub(crate) fn scope_column(row: &Row<'_>, index: usize) -> rusqlite::Result<CloudScope> {
    let raw: u32 = row.get(index)?;
    CloudScope::from_u32(raw).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Integer,
            format!("unknown PNRP scope {raw}").into(),
        )
    })
}

/// A cloud known to this machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cloud {
    /// Cloud name (unique, case-sensitive), e.g. `Global_` or `LinkLocal_{…}`.
    pub name: String,
    /// Scope.
    pub scope: CloudScope,
    /// Scope id (interface or site index; 0 for global).
    pub scope_id: u32,
    /// Whether the name is private, i.e. only meaningful on this machine
    /// (`PNRP_CLOUD_NAME_LOCAL`).
    pub private: bool,
}

impl Cloud {
    /// The global cloud `Global_` (global scope, id 0, public).
    pub fn global() -> Cloud {
        Cloud {
            name: GLOBAL_CLOUD.to_owned(),
            scope: CloudScope::Global,
            scope_id: 0,
            private: false,
        }
    }
}

/// The scope a cloud name of the private form of [MS-PPSEC] 2.2.1.1.3 implies:
/// `LinkLocal_{GUID}` (an adapter GUID in registry form) → [`CloudScope::LinkLocal`],
/// `SiteLocal_%N` (a decimal zone index) → [`CloudScope::SiteLocal`]; `None` for any other
/// name. Such a name is private (meaningful only on the machine that made it) whatever the
/// `PNRP_CLOUD_NAME_LOCAL` flag next to it says.
pub fn private_cloud_scope(name: &str) -> Option<CloudScope> {
    if let Some(guid) = name.strip_prefix("LinkLocal_") {
        let braced = guid.starts_with('{') && guid.ends_with('}');
        return (braced && guid.parse::<peernet_protocol::Guid>().is_ok())
            .then_some(CloudScope::LinkLocal);
    }
    let zone = name.strip_prefix("SiteLocal_%")?;
    (!zone.is_empty() && zone.bytes().all(|b| b.is_ascii_digit()) && zone.parse::<u32>().is_ok())
        .then_some(CloudScope::SiteLocal)
}

fn cloud_from_row(row: &Row<'_>) -> rusqlite::Result<Cloud> {
    Ok(Cloud {
        name: row.get(0)?,
        scope: scope_column(row, 1)?,
        scope_id: row.get(2)?,
        private: row.get(3)?,
    })
}

fn cloud_what(name: &str) -> String {
    format!("cloud '{name}'")
}

impl Store {
    /// Adds a cloud.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name; [`Error::AlreadyExists`] when a cloud of
    /// that name exists (`Global_` always does).
    pub fn add_cloud(&self, cloud: &Cloud) -> Result<()> {
        if cloud.name.is_empty() {
            return Err(Error::InvalidInput {
                reason: "a cloud name cannot be empty".into(),
            });
        }
        self.write(|tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO clouds (name, scope, scope_id, private) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (name) DO NOTHING",
                )?
                .execute(params![
                    cloud.name,
                    cloud.scope.to_u32(),
                    cloud.scope_id,
                    cloud.private
                ])?;
            if inserted == 0 {
                return Err(Error::AlreadyExists {
                    what: cloud_what(&cloud.name),
                }
                .into());
            }
            Ok(())
        })
    }

    /// All clouds, sorted by name; always includes `Global_`.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Corrupted`] on a database failure.
    pub fn clouds(&self) -> Result<Vec<Cloud>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT name, scope, scope_id, private FROM clouds ORDER BY name",
            )?;
            let rows = stmt.query_map([], cloud_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Removes a cloud. Groups keep the cloud name they recorded; opening them resolves
    /// the name again (and may fail with [`Error::NoCloud`]), as on Windows when a
    /// network's cloud disappears.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `Global_`; [`Error::NotFound`] when there is no such cloud.
    pub fn remove_cloud(&self, name: &str) -> Result<()> {
        if name == GLOBAL_CLOUD {
            return Err(Error::InvalidInput {
                reason: format!("the global cloud '{GLOBAL_CLOUD}' cannot be removed"),
            });
        }
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM clouds WHERE name = ?1")?
                .execute([name])?;
            if removed == 0 {
                return Err(Error::NotFound {
                    what: cloud_what(name),
                }
                .into());
            }
            Ok(())
        })
    }

    /// Finds the local cloud to use for a cloud name ([MS-PPSEC] 3.1.4.2):
    ///
    /// 1. no name (`None` or empty) → `Global_`;
    /// 2. a cloud with exactly this name exists → it;
    /// 3. the name is private and exactly one local private cloud of its scope exists →
    ///    that one (private names differ between machines). A name is private when it has
    ///    the private form ([`private_cloud_scope`]; its scope is then the one the form
    ///    implies) or when `name_is_private` says so (`PNRP_CLOUD_NAME_LOCAL` was set where
    ///    the name came from; its scope is then `scope`);
    /// 4. more than one such cloud → [`Error::CloudNameAmbiguous`]; otherwise
    ///    [`Error::NoCloud`].
    ///
    /// # Errors
    /// [`Error::CloudNameAmbiguous`], [`Error::NoCloud`], or a database failure.
    pub fn resolve_cloud(
        &self,
        name: Option<&str>,
        scope: CloudScope,
        name_is_private: bool,
    ) -> Result<Cloud> {
        let name = match name {
            None | Some("") => GLOBAL_CLOUD,
            Some(n) => n,
        };
        self.read(|tx| {
            let exact = tx
                .prepare_cached(
                    "SELECT name, scope, scope_id, private FROM clouds WHERE name = ?1",
                )?
                .query_row([name], cloud_from_row)
                .optional()?;
            if let Some(cloud) = exact {
                return Ok(cloud);
            }
            let scope = match private_cloud_scope(name) {
                Some(form_scope) => form_scope,
                None if name_is_private => scope,
                None => return Err(Error::NoCloud { name: name.into() }.into()),
            };
            let mut stmt = tx.prepare_cached(
                "SELECT name, scope, scope_id, private FROM clouds
                 WHERE private = 1 AND scope = ?1 ORDER BY name",
            )?;
            let mut candidates = stmt
                .query_map([scope.to_u32()], cloud_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            match candidates.len() {
                0 => Err(Error::NoCloud { name: name.into() }.into()),
                1 => Ok(candidates.remove(0)),
                _ => Err(Error::CloudNameAmbiguous {
                    name: name.into(),
                    candidates: candidates.into_iter().map(|c| c.name).collect(),
                }
                .into()),
            }
        })
    }
}
