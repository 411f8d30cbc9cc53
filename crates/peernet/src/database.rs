//! `PeerGroupExportDatabase` / `PeerGroupImportDatabase`: the group's records and
//! members to and from a file.

use std::path::Path;

use crate::error::{Error, Result};
use crate::group::Group;

impl Group {
    /// `PeerGroupExportDatabase`: writes the group's records and members to `path`
    /// (`docs/STORAGE.md` "Database export format"), replacing an existing file.
    ///
    /// # Errors
    /// `E_INVALIDARG` (empty path), `PEER_E_INVALID_GROUP`, file-system errors
    /// (`HRESULT_FROM_WIN32`).
    pub fn export_database(&self, path: &Path) -> Result<()> {
        if path.as_os_str().is_empty() {
            return Err(Error::invalid_arg("a file path is required"));
        }
        self.row()?;
        self.ctx()
            .store
            .export_database(self.identity(), self.peer_name(), path)
            .map_err(|e| self.group_err(e))
    }

    /// `PeerGroupImportDatabase`: replaces the group's records and members with those of
    /// a file exported for the same group and identity. Windows refuses once the group is
    /// connected (`PEER_E_GROUP_IN_USE`); this release never connects, so that refusal
    /// never happens. Imported records are verified on read like any others.
    ///
    /// # Errors
    /// `E_INVALIDARG`, `PEER_E_INVALID_GROUP`, `PEER_E_INVALID_DATABASE` (another group or
    /// identity, or a damaged file; the store is unchanged), file-system errors.
    pub fn import_database(&self, path: &Path) -> Result<()> {
        if path.as_os_str().is_empty() {
            return Err(Error::invalid_arg("a file path is required"));
        }
        self.row()?;
        self.ctx()
            .store
            .import_database(self.identity(), self.peer_name(), path)
            .map_err(|e| self.group_err(e))
    }
}
