//! The messages between a process and its store's node: one JSON object per line on the
//! node's Unix socket. Lines are bounded ([`MAX_LINE`]); a longer or malformed line
//! ends the session.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// The longest line either side accepts.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// What a process asks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Request {
    /// The node's state.
    Hello,
    /// Connect `group` as `identity`; dial `addresses`, or what same-machine discovery
    /// finds when empty. `persistent`: held by the node, not by this session.
    Connect {
        identity: String,
        group: String,
        addresses: Vec<SocketAddr>,
        persistent: bool,
        timeout_ms: u64,
    },
    /// Release this session's connect of `group` (or the persistent one).
    Disconnect {
        identity: String,
        group: String,
        persistent: bool,
    },
    /// `PEER_GROUP_STATUS` flags of `group`.
    Status { identity: String, group: String },
    /// The neighbor connections of `group`.
    Connections { identity: String, group: String },
    /// The peer-time offset of `group`.
    PeerTime { identity: String, group: String },
    /// Stop the node.
    Stop,
}

/// What the node answers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub(crate) enum Reply {
    /// To `Hello`.
    Node(NodeInfo),
    /// Done.
    Ok,
    /// To `Status`.
    Status { flags: u32 },
    /// To `Connections`.
    Connections { list: Vec<Connection> },
    /// To `PeerTime`: peer time minus this node's UTC in FILETIME ticks, or `None`
    /// before a neighbour's clock arrived.
    PeerTime { offset: Option<i64> },
    /// A failure with its HRESULT.
    Error { hresult: u32, message: String },
}

/// A neighbor connection of a group (`PEER_CONNECTION_INFO` with
/// `PEER_CONNECTION_NEIGHBOR`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// `ullConnectionId` (unique within the node's run).
    pub connection_id: u64,
    /// `ullNodeId` of the remote node ([`node_id`](super::node_id) of its PeerId).
    pub node_id: u64,
    /// The remote node's libp2p PeerId.
    pub peer_id: String,
    /// `pwzPeerId`: the remote member's identity peer name (its GMC's subject).
    pub member: String,
    /// The remote address, when known.
    pub address: Option<SocketAddr>,
}

/// A group the node takes part in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGroup {
    /// The identity it is connected as.
    pub identity: String,
    /// The group peer name.
    pub group: String,
    /// `PEER_GROUP_STATUS` flags.
    pub flags: u32,
    /// Neighbor connections.
    pub connections: u32,
    /// Sessions (processes' handles) that connected it.
    pub handles: u32,
    /// Connected persistently (held until disconnected or the node stops).
    pub persistent: bool,
}

/// A running node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// The node's process id.
    pub pid: u32,
    /// Its libp2p PeerId.
    pub peer_id: String,
    /// The addresses it listens on.
    pub listen: Vec<SocketAddr>,
    /// Run as a service (no idle exit).
    pub service: bool,
    /// The groups it takes part in.
    pub groups: Vec<NodeGroup>,
    /// Connection attempts refused since it started (membership proofs that failed).
    pub refused: u64,
}
