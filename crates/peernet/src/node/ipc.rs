//! The messages between a process and its store's node: one JSON object per line on the
//! node's Unix socket. Lines are bounded ([`MAX_LINE`]); a longer or malformed line
//! ends the session.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// The longest line either side accepts. Data travels after its line, raw
/// (`SendData`, `IncomingData`).
pub(crate) const MAX_LINE: usize = 1 << 20;

/// The largest `PeerGroupSendData` payload (4 MiB); a larger one is `E_INVALIDARG`.
pub const MAX_DATA: usize = 4 << 20;

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
    /// The connections of `group`: `flags` of `PEER_CONNECTION_NEIGHBOR` (1, the
    /// default) and `PEER_CONNECTION_DIRECT` (2).
    Connections {
        identity: String,
        group: String,
        #[serde(default = "neighbor_flag")]
        flags: u32,
    },
    /// `PeerGroupOpenDirectConnection` to `member` (at `address` when given).
    OpenDirect {
        identity: String,
        group: String,
        member: String,
        address: Option<SocketAddr>,
    },
    /// `PeerGroupCloseDirectConnection`.
    CloseDirect {
        identity: String,
        group: String,
        connection_id: u64,
    },
    /// `PeerGroupSendData` on a direct or neighbour connection; the line is followed by
    /// `len` raw bytes of data (at most [`MAX_DATA`]).
    SendData {
        identity: String,
        group: String,
        connection_id: u64,
        data_type: String,
        len: usize,
    },
    /// Turns this session into a listener: after `Ok`, the node pushes
    /// [`Reply::DirectConnection`] (when `direct`) and [`Reply::IncomingData`] (when
    /// `data`) lines of `group` until the session ends. A direct connection is accepted
    /// only while some session listens with `direct`.
    Listen {
        identity: String,
        group: String,
        direct: bool,
        data: bool,
    },
    /// The peer-time offset of `group`.
    PeerTime { identity: String, group: String },
    /// Stop the node.
    Stop,
}

/// What the node answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    /// To `OpenDirect`.
    Direct { connection_id: u64 },
    /// Pushed to a listener: `PEER_GROUP_EVENT_DIRECT_CONNECTION`.
    DirectConnection {
        /// `PEER_CONNECTION_STATUS`: 1 connected, 2 disconnected.
        status: u32,
        connection_id: u64,
        node_id: u64,
        /// The remote member's identity peer name.
        member: String,
    },
    /// Pushed to a listener: `PEER_GROUP_EVENT_INCOMING_DATA`; the line is followed by
    /// `len` raw bytes (`body`, not part of the line).
    IncomingData {
        connection_id: u64,
        data_type: String,
        len: usize,
        #[serde(skip)]
        body: std::sync::Arc<Vec<u8>>,
    },
    /// A failure with its HRESULT.
    Error { hresult: u32, message: String },
}

fn neighbor_flag() -> u32 {
    PEER_CONNECTION_NEIGHBOR
}

/// `PEER_CONNECTION_NEIGHBOR`.
pub const PEER_CONNECTION_NEIGHBOR: u32 = 1;
/// `PEER_CONNECTION_DIRECT`.
pub const PEER_CONNECTION_DIRECT: u32 = 2;

/// A connection of a group (`PEER_CONNECTION_INFO`): a neighbour connection, or a
/// direct connection (`flags`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// `dwFlags`: [`PEER_CONNECTION_NEIGHBOR`] or [`PEER_CONNECTION_DIRECT`].
    #[serde(default = "neighbor_flag")]
    pub flags: u32,
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
