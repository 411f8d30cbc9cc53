//! [`Peernet`]: the context every call goes through (a store, a clock, options).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use peernet_crypto::{Certificate, Profile};
use peernet_storage::Store;

use crate::error::{Error, Result};

/// The time source of a [`Peernet`]; replace it to test expiry.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Options of a [`Peernet`] context.
#[derive(Clone)]
#[non_exhaustive]
pub struct Options {
    /// Profile of new identities when the caller gives none (default: modern).
    pub default_profile: Profile,
    /// Iteration count for the PFX written by identity export and for GROUPKEY in config
    /// export. `None` = the profile's default: windows 2000, modern 600,000 (GROUPKEY of a
    /// windows group: 2000 as well). At most 10,000,000.
    pub pfx_iterations: Option<u32>,
    /// The clock (default: [`SystemTime::now`]).
    pub clock: Clock,
    /// How a connect starts the store's network node when none runs.
    pub node_launch: crate::node::NodeLaunch,
    /// The runtime directory of same-machine discovery (`None`: see
    /// [`crate::node::runtime_dir`]). Passed on to a node this context starts.
    pub runtime_dir: Option<std::path::PathBuf>,
    /// How long a connect waits for a first member before `CONNECTION_FAILED`
    /// (default [`crate::node::CONNECT_TIMEOUT`], 30 s).
    pub connect_timeout: std::time::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            default_profile: Profile::Modern,
            pfx_iterations: None,
            clock: Arc::new(SystemTime::now),
            node_launch: crate::node::NodeLaunch::Auto,
            runtime_dir: None,
            connect_timeout: crate::node::CONNECT_TIMEOUT,
        }
    }
}

impl Options {
    /// Sets [`Options::node_launch`].
    #[must_use]
    pub fn with_node_launch(mut self, launch: crate::node::NodeLaunch) -> Self {
        self.node_launch = launch;
        self
    }

    /// Sets [`Options::connect_timeout`].
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`Options::runtime_dir`].
    #[must_use]
    pub fn with_runtime_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.runtime_dir = Some(dir.into());
        self
    }

    /// Sets [`Options::default_profile`].
    #[must_use]
    pub fn with_default_profile(mut self, profile: Profile) -> Self {
        self.default_profile = profile;
        self
    }

    /// Sets [`Options::pfx_iterations`].
    #[must_use]
    pub fn with_pfx_iterations(mut self, iterations: u32) -> Self {
        self.pfx_iterations = Some(iterations);
        self
    }

    /// Sets [`Options::clock`].
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The iteration count used for `profile`.
    pub fn iterations_for(&self, profile: Profile) -> u32 {
        self.pfx_iterations.unwrap_or(match profile {
            Profile::Windows => peernet_crypto::pkcs12::WINDOWS_ITERATIONS,
            _ => peernet_crypto::pkcs12::MODERN_ITERATIONS,
        })
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("default_profile", &self.default_profile)
            .field("pfx_iterations", &self.pfx_iterations)
            .finish_non_exhaustive()
    }
}

/// A validated chain remembered per (identity, group) so that `group_open` is cheap.
#[derive(Clone)]
pub(crate) struct CachedChain {
    pub(crate) ders: Vec<Vec<u8>>,
    pub(crate) certs: Arc<Vec<Certificate>>,
}

pub(crate) type ChainCache = Mutex<HashMap<(String, String), CachedChain>>;

/// The Identity Manager and Grouping API on one store.
///
/// Cheap to clone (an `Arc` inside); `Send + Sync`. Several `Peernet` values, threads and
/// processes may use one store directory at once.
///
/// ```
/// # fn main() -> Result<(), peernet::Error> {
/// let dir = tempfile::tempdir().unwrap();
/// let pn = peernet::Peernet::open(dir.path())?;
/// let alice = pn.identity_create(Some("alice"), Some("Alice"), Some(peernet::Profile::Windows))?;
/// assert!(alice.ends_with(".alice"));
/// assert_eq!(pn.identity_get_friendly_name(&alice)?, "Alice");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Peernet {
    pub(crate) store: Arc<Store>,
    pub(crate) options: Arc<Options>,
    pub(crate) cache: Arc<ChainCache>,
}

impl fmt::Debug for Peernet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peernet")
            .field("store", &self.store.dir())
            .field("options", &self.options)
            .finish()
    }
}

impl Peernet {
    /// Opens (creating if needed) the store in `dir` with default options.
    ///
    /// # Errors
    /// `PEER_E_NO_KEY_ACCESS` when the directory or key file cannot be used,
    /// `PEER_E_CERT_STORE_CORRUPTED`, `PEER_E_DBINITIALIZATION_FAILED`, `E_FAIL`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Peernet> {
        Self::open_with(dir, Options::default())
    }

    /// Opens the store in `dir` with `options`.
    ///
    /// # Errors
    /// As [`Peernet::open`].
    pub fn open_with(dir: impl AsRef<Path>, options: Options) -> Result<Peernet> {
        let store = Store::open(dir).map_err(Error::storage)?;
        Ok(Self::from_store(Arc::new(store), options))
    }

    /// Opens the default store: `$PEERNET_HOME` if set, else the platform data directory
    /// (e.g. `~/.local/share/peernet`).
    ///
    /// # Errors
    /// As [`Peernet::open`].
    pub fn open_default() -> Result<Peernet> {
        Self::open_default_with(Options::default())
    }

    /// Opens the default store (as [`Peernet::open_default`]) with `options`.
    ///
    /// # Errors
    /// As [`Peernet::open`].
    pub fn open_default_with(options: Options) -> Result<Peernet> {
        let store = Store::open_default().map_err(Error::storage)?;
        Ok(Self::from_store(Arc::new(store), options))
    }

    /// A context on an already opened store.
    pub fn from_store(store: Arc<Store>, options: Options) -> Peernet {
        Peernet {
            store,
            options: Arc::new(options),
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The underlying store (clouds, records, and tests).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The options in use.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The current time by the context's clock.
    pub fn now(&self) -> SystemTime {
        (self.options.clock)()
    }

    /// Now, truncated to whole seconds (certificate resolution).
    pub(crate) fn now_secs(&self) -> SystemTime {
        let now = self.now();
        match now.duration_since(UNIX_EPOCH) {
            Ok(d) => UNIX_EPOCH + Duration::from_secs(d.as_secs()),
            Err(_) => now,
        }
    }

    pub(crate) fn forget_chain(&self, identity: &str, group: &str) {
        if let Ok(mut c) = self.cache.lock() {
            c.remove(&(identity.to_owned(), group.to_owned()));
        }
    }

    pub(crate) fn forget_identity(&self, identity: &str) {
        if let Ok(mut c) = self.cache.lock() {
            c.retain(|(i, _), _| i != identity);
        }
    }
}

/// Constant-time equality of two byte strings.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `PEER_GROUP_VERSION`, `MAKEWORD(1, 1)`: the highest grouping version this crate speaks.
pub const PEER_GROUP_VERSION: u16 = 0x0101;

/// `PEER_VERSION_DATA`: the outcome of [`startup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionData {
    /// `wVersion`: the version to use (low byte major, high byte minor).
    pub version: u16,
    /// `wHighestVersion`: the highest version supported.
    pub highest_version: u16,
}

/// `PeerGroupStartup` version negotiation, as a pure function for the C ABI.
///
/// `requested` is `MAKEWORD(major, minor)` (low byte major). Versions 1.0 and 1.1 are
/// supported; a request above 1.1 is answered with 1.1.
///
/// ```
/// let v = peernet::startup(0x0101).unwrap();
/// assert_eq!((v.version, v.highest_version), (0x0101, 0x0101));
/// assert_eq!(peernet::startup(0x0001).unwrap().version, 0x0001);
/// assert_eq!(peernet::startup(0x0000).unwrap_err().hresult(), peernet::hresult::PEER_E_UNSUPPORTED_VERSION);
/// ```
///
/// # Errors
/// `PEER_E_UNSUPPORTED_VERSION` when the requested major version is 0.
pub fn startup(requested: u16) -> Result<VersionData> {
    let key = |v: u16| ((v & 0xff) as u8, (v >> 8) as u8);
    let (major, _) = key(requested);
    if major == 0 {
        return Err(Error::api(
            crate::hresult::PEER_E_UNSUPPORTED_VERSION,
            format!(
                "version 0x{requested:04X} is not supported; pass PEER_GROUP_VERSION (0x0101) or 0x0001"
            ),
        ));
    }
    let version = if key(requested) >= key(PEER_GROUP_VERSION) {
        PEER_GROUP_VERSION
    } else {
        requested
    };
    Ok(VersionData {
        version,
        highest_version: PEER_GROUP_VERSION,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_negotiation() {
        assert_eq!(startup(0x0201).unwrap().version, 0x0101);
        assert_eq!(startup(0x0002).unwrap().version, 0x0101);
        assert_eq!(startup(0x0001).unwrap().version, 0x0001);
        assert!(startup(0x0100).is_err());
    }
}
