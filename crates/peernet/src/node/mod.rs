//! The store's network node: one per store, shared by every process of that store.
//!
//! Windows runs one grouping service per machine, and "a second application can open and
//! connect the peer to the group" over the connections the first one made. peernet does
//! the same per store: the first [`Group::connect`](crate::Group::connect) of any process
//! (Rust, CLI or C) starts a node when none runs, and every process finds it through the
//! socket `node.sock` in the store directory (mode 0600: the store's owner only).
//!
//! - The node ([`run_node`], `peernet node run`) holds the libp2p node of `peernet-net`,
//!   keyed by the store's sealed node key, and loads each group's GMC chain and identity
//!   key from the store when a process connects the group.
//! - Each process talks to it over the socket (one session per connected handle). A connect is counted per
//!   session; the node leaves a group when the last session that connected it closes (a
//!   process that dies closes its sessions), except for groups connected with
//!   [`Group::connect_persistent`](crate::Group::connect_persistent) (the CLI), which
//!   stay until [`Group::disconnect_persistent`](crate::Group::disconnect_persistent) or
//!   the node stops.
//! - A node started on demand exits [`IDLE_EXIT`] after its last group; `peernet node
//!   run --service` does not.
//! - Connection events (`NEIGHBOR_CONNECTION`, `CONNECTION_FAILED`,
//!   `AUTHENTICATION_FAILED`) and `STATUS_CHANGED` go through the store's change log,
//!   so every process with a registration receives them, in commit order.
//! - A node killed with SIGKILL loses nothing: the store holds no connection state
//!   (statuses are reset by the next node), and the next connect starts a new node.
//!
//! Same-machine discovery: a node that listens for a group publishes the group's
//! participant name (`<group authority>.participant`, the name PNRP registered) and its
//! addresses as a file in a per-user runtime directory ([`runtime_dir`]); a connect
//! without addresses dials what it finds there.

use std::path::PathBuf;
use std::time::Duration;

mod client;
mod direct;
mod discovery;
mod ipc;
mod replica;
mod service;

pub(crate) use client::Session;
pub use client::{node_status, start_node, stop_node};
pub use discovery::{participant_name, runtime_dir};
pub use ipc::{
    Connection, MAX_DATA, NodeGroup, NodeInfo, PEER_CONNECTION_DIRECT, PEER_CONNECTION_NEIGHBOR,
};
pub(crate) use ipc::{Reply, Request};
pub(crate) use service::run_node_with;
pub use service::{NodeOptions, parse_listen, run_node};

/// The node's socket, in the store directory.
pub const SOCKET_FILE: &str = "node.sock";
/// The node's lock file, in the store directory (held while a node runs).
pub const LOCK_FILE: &str = "node.lock";
/// Where a node started on demand writes its messages, in the store directory.
pub const LOG_FILE: &str = "node.log";
/// How long a node started on demand stays up after its last group.
pub const IDLE_EXIT: Duration = Duration::from_secs(30);
/// How long a connect waits for a first member before `CONNECTION_FAILED` (the 30 s
/// Windows recommends for PeerGroupConnect).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most members one connect dials ([MS-PPGRH]'s maximum neighbor count).
pub const MAX_NEIGHBORS: usize = 7;
/// How long a process waits for a node it started to open its socket.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);
/// Overrides the node's listen addresses (comma-separated socket addresses) when the
/// store has none configured.
pub const LISTEN_ENV: &str = "PEERNET_NODE_LISTEN";
/// The `peernet` executable a process starts as its store's node.
pub const EXE_ENV: &str = "PEERNET_NODE_EXE";
/// Overrides the per-user runtime directory of same-machine discovery.
pub const RUNTIME_DIR_ENV: &str = "PEERNET_RUNTIME_DIR";

/// How a process starts its store's node when none runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeLaunch {
    /// Start the `peernet` executable (from [`EXE_ENV`], next to the current executable,
    /// or the current executable when it is `peernet`) as a background process; when
    /// none is found, run the node on a thread of this process.
    #[default]
    Auto,
    /// Run the node on a thread of this process (it stops when the process exits).
    InProcess,
    /// Start this executable as `EXE --store DIR node run --on-demand`.
    Executable(PathBuf),
    /// Never start one: connecting needs a running node (`PEER_E_SERVICE_NOT_AVAILABLE`).
    Never,
}

impl crate::Peernet {
    /// The node's configured listen addresses (`None`: the default, see
    /// [`NodeOptions::listen`]).
    ///
    /// # Errors
    /// The store's errors; `E_INVALIDARG` when the stored setting does not parse.
    pub fn node_listen(&self) -> crate::Result<Option<Vec<std::net::SocketAddr>>> {
        match self.store.node_listen().map_err(crate::Error::storage)? {
            Some(s) => parse_listen(&s).map(Some),
            None => Ok(None),
        }
    }

    /// Sets (or with `None` clears) the addresses the store's node listens on; a node
    /// started afterwards uses them.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty list; the store's errors.
    pub fn set_node_listen(&self, listen: Option<&[std::net::SocketAddr]>) -> crate::Result<()> {
        let text = match listen {
            Some([]) => return Err(crate::Error::invalid_arg("no listen address given")),
            Some(l) => Some(
                l.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            None => None,
        };
        self.store
            .set_node_listen(text.as_deref())
            .map_err(crate::Error::storage)
    }
}

/// `ullNodeId` of a node: the first 8 bytes (big endian) of the SHA-1 of its PeerId's
/// text form. Stable for a store (its node key is).
pub fn node_id(peer_id: &str) -> u64 {
    use sha1::Digest;
    let d = sha1::Sha1::digest(peer_id.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}
