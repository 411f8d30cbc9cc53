//! The node: a libp2p swarm on TCP + Noise + yamux running the membership handshake,
//! driven by a tokio task, with a command channel and an event stream.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use libp2p_core::multiaddr::Protocol;
use libp2p_core::muxing::StreamMuxerBox;
use libp2p_core::transport::{Boxed, Transport};
use libp2p_core::{Multiaddr, upgrade};
use libp2p_identity::{self as identity, PeerId};
use libp2p_swarm::dial_opts::DialOpts;
use libp2p_swarm::{Swarm, SwarmEvent};
use peernet_crypto::PeerName;
use tokio::sync::{mpsc, oneshot};
use zeroize::Zeroizing;

use crate::behaviour::{Behaviour, BehaviourEvent};
use crate::data::{self, DATA_PROTOCOL, DIRECT_PROTOCOL, DataStream, DataStreams, Peers};
use crate::error::{Error, Result};
use crate::proof::{GroupCredentials, Groups};

/// The Grouping port: [MS-PPSEC] 1.9 and 2.1 (TCP 3587).
pub const GROUPING_PORT: u16 = 3587;

/// How many events wait for the consumer before new ones are dropped (and counted by
/// [`Node::dropped_events`]); the node never blocks on a slow consumer.
pub const EVENT_QUEUE: usize = 4096;

/// The transport identity of a node: an ed25519 secret key. Wiped on drop; `Debug`
/// shows only the PeerId.
pub struct NodeKey(Zeroizing<[u8; 32]>);

impl NodeKey {
    /// A node key from its 32 secret bytes (storing them sealed is the caller's job).
    pub fn from_secret_bytes(bytes: [u8; 32]) -> Self {
        NodeKey(Zeroizing::new(bytes))
    }

    /// A fresh random key.
    ///
    /// # Errors
    /// [`Error::InvalidNodeKey`] if the operating system has no randomness.
    pub fn generate() -> Result<Self> {
        let n = crate::handshake::fresh_nonce().map_err(|_| Error::InvalidNodeKey)?;
        Ok(NodeKey::from_secret_bytes(n))
    }

    fn keypair(&self) -> Result<identity::Keypair> {
        let mut copy = Zeroizing::new(*self.0);
        identity::Keypair::ed25519_from_bytes(&mut copy[..]).map_err(|_| Error::InvalidNodeKey)
    }

    /// The PeerId of this key.
    ///
    /// # Errors
    /// [`Error::InvalidNodeKey`].
    pub fn peer_id(&self) -> Result<PeerId> {
        Ok(self.keypair()?.public().to_peer_id())
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.peer_id() {
            Ok(p) => write!(f, "NodeKey({p}, secret redacted)"),
            Err(_) => f.write_str("NodeKey(invalid, secret redacted)"),
        }
    }
}

/// How a node listens and how long it waits for a peer.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// TCP addresses to listen on. A taken port falls back to an ephemeral one.
    /// Default: `0.0.0.0:3587` and `[::]:3587`.
    pub listen: Vec<SocketAddr>,
    /// How long a connection may take to complete its membership proofs before it is
    /// refused with [`Error::Timeout`]; also the limit of each handshake. Default 20 s
    /// (the lower bound of the authentication timer of [MS-PPGRH] 3.1.2).
    pub handshake_timeout: Duration,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            listen: vec![
                SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), GROUPING_PORT),
                SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), GROUPING_PORT),
            ],
            handshake_timeout: Duration::from_secs(20),
        }
    }
}

/// A connection's id, unique within the process (`ullConnectionId` of
/// PEER_EVENT_CONNECTION_CHANGE_DATA).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }

    fn of(id: libp2p_swarm::ConnectionId) -> Self {
        ConnectionId(id.to_string().parse().unwrap_or(0))
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a node reports.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event {
    /// The node accepts connections on `address` (PEER_GROUP_STATUS_LISTENING).
    Listening {
        /// A bound address.
        address: SocketAddr,
    },
    /// Both membership proofs of `group` passed on `connection` (NEIGHBOR_CONNECTION,
    /// PEER_CONNECTED).
    PeerAuthenticated {
        /// The remote node.
        peer: PeerId,
        /// The remote member's peer name (its chain leaf's subject).
        member: PeerName,
        /// The group.
        group: PeerName,
        /// The connection.
        connection: ConnectionId,
        /// The remote socket address, when the transport gave one.
        address: Option<SocketAddr>,
    },
    /// The peer's proof was refused, or it broke the handshake; the connection is closed
    /// (PEER_GROUP_EVENT_AUTHENTICATION_FAILED).
    AuthenticationFailed {
        /// The remote node.
        peer: PeerId,
        /// The closed connection.
        connection: ConnectionId,
        /// The group of the handshake, when known.
        group: Option<String>,
        /// Why.
        reason: Error,
    },
    /// An authenticated connection closed (NEIGHBOR_CONNECTION, PEER_DISCONNECTED).
    Disconnected {
        /// The remote node.
        peer: PeerId,
        /// The connection.
        connection: ConnectionId,
        /// The groups that were authenticated on it.
        groups: Vec<PeerName>,
    },
    /// A dial failed before a connection existed (NEIGHBOR_CONNECTION,
    /// PEER_CONNECTION_FAILED).
    ConnectionFailed {
        /// The dial's connection id.
        connection: ConnectionId,
        /// What the transport said.
        reason: String,
    },
}

/// The events of a node, in order.
pub struct Events(mpsc::Receiver<Event>);

impl Events {
    /// The next event; `None` once the node has stopped and every event was read.
    pub async fn next(&mut self) -> Option<Event> {
        self.0.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<Event> {
        self.0.try_recv().ok()
    }
}

enum Command {
    Dial(
        SocketAddr,
        Option<Vec<String>>,
        oneshot::Sender<Result<ConnectionId>>,
    ),
    /// A dial that proves no group, answered once the connection is established.
    DialBare(SocketAddr, oneshot::Sender<Result<(ConnectionId, PeerId)>>),
    Connections(oneshot::Sender<Vec<(ConnectionId, PeerId, PeerName)>>),
    Close(ConnectionId, oneshot::Sender<bool>),
}

/// The membership handshake beside libp2p's generic streams (group data).
#[derive(libp2p_swarm::NetworkBehaviour)]
#[behaviour(prelude = "libp2p_swarm::derive_prelude")]
pub(crate) struct Combined {
    membership: Behaviour,
    streams: libp2p_stream::Behaviour,
}

/// A running node. Dropping it stops the node and closes its connections.
pub struct Node {
    peer_id: PeerId,
    groups: Groups,
    peers: Peers,
    control: libp2p_stream::Control,
    commands: mpsc::Sender<Command>,
    listen_addrs: Vec<SocketAddr>,
    dropped: Arc<AtomicU64>,
    timeout: Duration,
    task: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("peer_id", &self.peer_id)
            .field("listen_addrs", &self.listen_addrs)
            .finish_non_exhaustive()
    }
}

fn to_multiaddr(a: SocketAddr) -> Multiaddr {
    let ip = match a.ip() {
        IpAddr::V4(v4) => Protocol::Ip4(v4),
        IpAddr::V6(v6) => Protocol::Ip6(v6),
    };
    Multiaddr::empty().with(ip).with(Protocol::Tcp(a.port()))
}

fn to_socket_addr(m: &Multiaddr) -> Option<SocketAddr> {
    let mut ip = None;
    let mut port = None;
    for p in m.iter() {
        match p {
            Protocol::Ip4(v4) => ip = Some(IpAddr::V4(v4)),
            Protocol::Ip6(v6) => ip = Some(IpAddr::V6(v6)),
            Protocol::Tcp(p) => port = Some(p),
            _ => {}
        }
    }
    Some(SocketAddr::new(ip?, port?))
}

/// TCP, upgraded with Noise XX under `keypair` and yamux.
fn transport(keypair: &identity::Keypair) -> Result<Boxed<(PeerId, StreamMuxerBox)>> {
    let noise = libp2p_noise::Config::new(keypair).map_err(|e| Error::Listen {
        address: "tcp".into(),
        reason: e.to_string(),
    })?;
    Ok(
        libp2p_tcp::tokio::Transport::new(libp2p_tcp::Config::default().nodelay(true))
            .upgrade(upgrade::Version::V1)
            .authenticate(noise)
            .multiplex(libp2p_yamux::Config::default())
            .boxed(),
    )
}

/// Whether `addr` can be bound by a socket that does not share its port. libp2p's TCP
/// listeners set SO_REUSEPORT, so two of them would silently share a port; probing with
/// a plain socket first finds a port another node already holds.
fn port_free(addr: SocketAddr) -> bool {
    addr.port() == 0 || std::net::TcpListener::bind(addr).is_ok()
}

impl Node {
    /// Start a node with `key` and `config` on the current tokio runtime. Returns once
    /// every listener is bound (a taken port falls back to an ephemeral one) and reports
    /// each bound address as [`Event::Listening`] too.
    ///
    /// # Errors
    /// [`Error::InvalidNodeKey`]; [`Error::Listen`] if no address could be bound.
    pub async fn start(key: NodeKey, config: NodeConfig) -> Result<(Node, Events)> {
        let keypair = key.keypair()?;
        drop(key);
        let peer_id = keypair.public().to_peer_id();
        let groups: Groups = Arc::new(RwLock::new(BTreeMap::new()));
        let streams = libp2p_stream::Behaviour::new();
        let control = streams.new_control();
        let behaviour = Combined {
            membership: Behaviour::new(peer_id, groups.clone(), config.handshake_timeout),
            streams,
        };
        let peers: Peers = Arc::default();
        let mut swarm = Swarm::new(
            transport(&keypair)?,
            behaviour,
            peer_id,
            libp2p_swarm::Config::with_tokio_executor()
                .with_idle_connection_timeout(config.handshake_timeout),
        );
        let mut pending = 0usize;
        let mut last_error = None;
        for &addr in &config.listen {
            let chosen = if port_free(addr) {
                addr
            } else {
                SocketAddr::new(addr.ip(), 0)
            };
            match swarm.listen_on(to_multiaddr(chosen)) {
                Ok(_) => pending += 1,
                Err(e) => last_error = Some((chosen, e.to_string())),
            }
        }
        if pending == 0 {
            let (address, reason) = last_error.map_or_else(
                || ("(none)".to_string(), "no listen address given".to_string()),
                |(a, r)| (a.to_string(), r),
            );
            return Err(Error::Listen { address, reason });
        }
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let mut driver = Driver {
            swarm,
            events: events_tx,
            dropped: dropped.clone(),
            peers: peers.clone(),
            authenticated: HashMap::new(),
            open: HashMap::new(),
            bare: HashMap::new(),
        };
        // Wait (bounded) until each listener reported an address or failed.
        let mut listen_addrs = Vec::new();
        let wait = tokio::time::sleep(Duration::from_secs(5));
        tokio::pin!(wait);
        let mut seen = std::collections::HashSet::new();
        while seen.len() < pending {
            tokio::select! {
                ev = driver.swarm.select_next_some() => match ev {
                    SwarmEvent::NewListenAddr { listener_id, address } => {
                        seen.insert(listener_id);
                        if let Some(a) = to_socket_addr(&address) {
                            listen_addrs.push(a);
                        }
                        driver.handle(SwarmEvent::NewListenAddr { listener_id, address });
                    }
                    SwarmEvent::ListenerClosed { listener_id, .. }
                    | SwarmEvent::ListenerError { listener_id, .. } => {
                        seen.insert(listener_id);
                    }
                    other => driver.handle(other),
                },
                () = &mut wait => break,
            }
        }
        if listen_addrs.is_empty() {
            return Err(Error::Listen {
                address: format!("{:?}", config.listen),
                reason: "no listener came up".into(),
            });
        }
        let (commands, commands_rx) = mpsc::channel(64);
        let task = tokio::spawn(driver.run(commands_rx));
        Ok((
            Node {
                peer_id,
                groups,
                peers,
                control,
                commands,
                listen_addrs,
                dropped,
                timeout: config.handshake_timeout,
                task,
            },
            Events(events_rx),
        ))
    }

    /// This node's transport identity.
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    /// The addresses bound when the node started (an unspecified address stays
    /// unspecified here; [`Event::Listening`] reports each interface's).
    pub fn listen_addrs(&self) -> &[SocketAddr] {
        &self.listen_addrs
    }

    /// Take part in `credentials`' group: accept its members' proofs and prove this
    /// member on connections dialed from now on. Replaces earlier credentials of the
    /// same group. Returns the group peer name.
    pub fn join_group(&self, credentials: GroupCredentials) -> PeerName {
        let group = credentials.group().clone();
        if let Ok(mut g) = self.groups.write() {
            g.insert(group.as_str().to_string(), Arc::new(credentials));
        }
        group
    }

    /// Stop taking part in `group`: its proofs are refused from now on (established
    /// connections stay until closed). Returns whether the group was joined.
    pub fn leave_group(&self, group: &PeerName) -> bool {
        self.groups
            .write()
            .map(|mut g| g.remove(group.as_str()).is_some())
            .unwrap_or(false)
    }

    /// Dial `addr` and prove every joined group on the connection. The outcome arrives
    /// as [`Event::PeerAuthenticated`], [`Event::AuthenticationFailed`] or
    /// [`Event::ConnectionFailed`] with the returned id.
    ///
    /// # Errors
    /// [`Error::Dial`] if the dial cannot start; [`Error::NodeStopped`].
    pub async fn dial(&self, addr: SocketAddr) -> Result<ConnectionId> {
        self.dial_with(addr, None).await
    }

    /// Dial `addr` and prove only `group` on the connection (a node in several groups
    /// must not offer the others to a peer that may hold only this one: a group the
    /// responder does not hold is a refusal). Outcome as for [`Node::dial`].
    ///
    /// # Errors
    /// [`Error::Dial`] if the dial cannot start; [`Error::NodeStopped`].
    pub async fn dial_group(&self, addr: SocketAddr, group: &PeerName) -> Result<ConnectionId> {
        self.dial_with(addr, Some(vec![group.as_str().to_string()]))
            .await
    }

    async fn dial_with(
        &self,
        addr: SocketAddr,
        groups: Option<Vec<String>>,
    ) -> Result<ConnectionId> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Dial(addr, groups, tx))
            .await
            .map_err(|_| Error::NodeStopped)?;
        rx.await.map_err(|_| Error::NodeStopped)?
    }

    /// The authenticated connections: id, remote node, group.
    ///
    /// # Errors
    /// [`Error::NodeStopped`].
    pub async fn connections(&self) -> Result<Vec<(ConnectionId, PeerId, PeerName)>> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Connections(tx))
            .await
            .map_err(|_| Error::NodeStopped)?;
        rx.await.map_err(|_| Error::NodeStopped)
    }

    /// Close `connection` (authenticated or not). Returns whether it existed; an
    /// authenticated one reports [`Event::Disconnected`].
    ///
    /// # Errors
    /// [`Error::NodeStopped`].
    pub async fn close(&self, connection: ConnectionId) -> Result<bool> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Close(connection, tx))
            .await
            .map_err(|_| Error::NodeStopped)?;
        rx.await.map_err(|_| Error::NodeStopped)
    }

    /// Close `connection` without waiting (for callers outside an async context); an
    /// authenticated one reports [`Event::Disconnected`]. When the command queue is
    /// full the close waits for room on the current tokio runtime (outside one, it is
    /// dropped); a stopped node has nothing to close.
    pub fn close_detached(&self, connection: ConnectionId) {
        let (tx, _rx) = oneshot::channel();
        if let Err(mpsc::error::TrySendError::Full(cmd)) =
            self.commands.try_send(Command::Close(connection, tx))
        {
            // A full queue drains soon: wait for room on the runtime rather than lose
            // the close.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                let commands = self.commands.clone();
                rt.spawn(async move {
                    let _ = commands.send(cmd).await;
                });
            }
        }
    }

    /// Whether `peer` has proven `group` on an open connection.
    pub fn is_authenticated(&self, peer: &PeerId, group: &PeerName) -> bool {
        data::is_authenticated(&self.peers, peer, group.as_str())
    }

    /// Opens a group data stream to `peer` for `group` on an authenticated connection
    /// (see [`crate::data`]); bounded by the handshake timeout.
    ///
    /// # Errors
    /// [`Error::NotAuthenticated`] when no connection to `peer` carries `group`'s
    /// proofs; [`Error::StreamClosed`] when the stream cannot be opened;
    /// [`Error::Timeout`].
    pub async fn open_data_stream(&self, peer: PeerId, group: &PeerName) -> Result<DataStream> {
        self.open_group_stream(DATA_PROTOCOL, peer, group).await
    }

    /// Opens a direct-connection stream ([`DIRECT_PROTOCOL`]) to `peer` for `group`, as
    /// [`Node::open_data_stream`] does for data streams.
    ///
    /// # Errors
    /// As [`Node::open_data_stream`].
    pub async fn open_direct_stream(&self, peer: PeerId, group: &PeerName) -> Result<DataStream> {
        self.open_group_stream(DIRECT_PROTOCOL, peer, group).await
    }

    async fn open_group_stream(
        &self,
        protocol: libp2p_swarm::StreamProtocol,
        peer: PeerId,
        group: &PeerName,
    ) -> Result<DataStream> {
        if !self.is_authenticated(&peer, group) {
            return Err(Error::NotAuthenticated(group.as_str().to_string()));
        }
        let mut control = self.control.clone();
        let open = async {
            let mut s = control
                .open_stream(peer, protocol)
                .await
                .map_err(|e| Error::StreamClosed(e.to_string()))?;
            data::write_header(&mut s, group.as_str()).await?;
            Ok(s)
        };
        tokio::time::timeout(data::HEADER_TIMEOUT, open)
            .await
            .map_err(|_| Error::Timeout)?
    }

    /// The inbound group data streams, gated by the peers' proven groups. Only one
    /// consumer: a second call fails.
    ///
    /// # Errors
    /// [`Error::StreamClosed`] when they are already taken.
    pub fn accept_data_streams(&self) -> Result<DataStreams> {
        self.accept_group_streams(DATA_PROTOCOL)
    }

    /// The inbound direct-connection streams ([`DIRECT_PROTOCOL`]), gated as
    /// [`Node::accept_data_streams`]. Only one consumer.
    ///
    /// # Errors
    /// [`Error::StreamClosed`] when they are already taken.
    pub fn accept_direct_streams(&self) -> Result<DataStreams> {
        self.accept_group_streams(DIRECT_PROTOCOL)
    }

    fn accept_group_streams(&self, protocol: libp2p_swarm::StreamProtocol) -> Result<DataStreams> {
        let incoming = self
            .control
            .clone()
            .accept(protocol)
            .map_err(|e| Error::StreamClosed(e.to_string()))?;
        Ok(data::spawn_gate(incoming, self.peers.clone()))
    }

    /// The password join of [`crate::password`], as the joiner: dials `addr` on a
    /// connection that proves no group, asks the member there to admit `joiner`, and
    /// closes the connection. Returns the GMC invitation the member granted. Bounded by
    /// the handshake timeout.
    ///
    /// # Errors
    /// [`Error::WrongPassword`], [`Error::JoinRefused`], [`Error::JoinFailed`] from the
    /// member; [`Error::Dial`] when `addr` cannot be reached; the chain errors when the
    /// peer is no member of the group; [`Error::Timeout`], [`Error::StreamClosed`],
    /// [`Error::Malformed`], [`Error::NodeStopped`].
    pub async fn password_join(
        &self,
        addr: SocketAddr,
        joiner: &crate::password::JoinerCredentials<'_>,
    ) -> Result<String> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::DialBare(addr, tx))
            .await
            .map_err(|_| Error::NodeStopped)?;
        let work = async {
            let (connection, peer) = rx.await.map_err(|_| Error::NodeStopped)??;
            let result = async {
                let mut s = self
                    .control
                    .clone()
                    .open_stream(peer, crate::password::PASSWORD_JOIN_PROTOCOL)
                    .await
                    .map_err(|e| Error::StreamClosed(e.to_string()))?;
                crate::password::request(&mut s, &self.peer_id, &peer, joiner).await
            }
            .await;
            let _ = self.close(connection).await;
            result
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| Error::Timeout)?
    }

    /// The password joins addressed to this node (see [`crate::password`]), each for a
    /// group it holds. Only one consumer: a second call fails.
    ///
    /// # Errors
    /// [`Error::StreamClosed`] when they are already taken.
    pub fn accept_password_joins(&self) -> Result<crate::password::PasswordJoins> {
        let incoming = self
            .control
            .clone()
            .accept(crate::password::PASSWORD_JOIN_PROTOCOL)
            .map_err(|e| Error::StreamClosed(e.to_string()))?;
        Ok(crate::password::spawn_gate(
            incoming,
            self.groups.clone(),
            self.peer_id,
        ))
    }

    /// How many events were dropped because the consumer did not keep up.
    pub fn dropped_events(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Whether the node's task still runs.
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A dial of [`Command::DialBare`]: its address and who waits for it.
type BareDial = (SocketAddr, oneshot::Sender<Result<(ConnectionId, PeerId)>>);

struct Driver {
    swarm: Swarm<Combined>,
    peers: Peers,
    events: mpsc::Sender<Event>,
    dropped: Arc<AtomicU64>,
    /// Authenticated connections: id → (peer, groups).
    authenticated: HashMap<libp2p_swarm::ConnectionId, (PeerId, Vec<PeerName>)>,
    /// Every established connection, with its remote address.
    open: HashMap<libp2p_swarm::ConnectionId, Option<SocketAddr>>,
    /// Dials that prove no group (password joins), waiting for their connection.
    bare: HashMap<libp2p_swarm::ConnectionId, BareDial>,
}

impl Driver {
    fn emit(&self, e: Event) {
        if self.events.try_send(e).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                ev = self.swarm.select_next_some() => self.handle(ev),
                cmd = commands.recv() => match cmd {
                    Some(c) => self.command(c),
                    None => break,
                },
            }
        }
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Dial(addr, groups, reply) => {
                let opts = DialOpts::unknown_peer_id()
                    .address(to_multiaddr(addr))
                    .build();
                let id = opts.connection_id();
                if let Some(groups) = groups {
                    self.swarm
                        .behaviour_mut()
                        .membership
                        .dial_groups
                        .insert(id, groups);
                }
                let r = self
                    .swarm
                    .dial(opts)
                    .map(|()| ConnectionId::of(id))
                    .map_err(|e| Error::Dial {
                        address: addr.to_string(),
                        reason: e.to_string(),
                    });
                let _ = reply.send(r);
            }
            Command::DialBare(addr, reply) => {
                let opts = DialOpts::unknown_peer_id()
                    .address(to_multiaddr(addr))
                    .build();
                let id = opts.connection_id();
                self.swarm
                    .behaviour_mut()
                    .membership
                    .dial_groups
                    .insert(id, Vec::new());
                match self.swarm.dial(opts) {
                    Ok(()) => {
                        self.bare.insert(id, (addr, reply));
                    }
                    Err(e) => {
                        self.swarm
                            .behaviour_mut()
                            .membership
                            .dial_groups
                            .remove(&id);
                        let _ = reply.send(Err(Error::Dial {
                            address: addr.to_string(),
                            reason: e.to_string(),
                        }));
                    }
                }
            }
            Command::Connections(reply) => {
                let mut v: Vec<_> = self
                    .authenticated
                    .iter()
                    .flat_map(|(id, (peer, groups))| {
                        groups
                            .iter()
                            .map(|g| (ConnectionId::of(*id), *peer, g.clone()))
                    })
                    .collect();
                v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
                let _ = reply.send(v);
            }
            Command::Close(connection, reply) => {
                let id = self
                    .open
                    .keys()
                    .copied()
                    .find(|id| ConnectionId::of(*id) == connection);
                let _ = reply.send(id.is_some_and(|id| self.swarm.close_connection(id)));
            }
        }
    }

    fn handle(&mut self, ev: SwarmEvent<CombinedEvent>) {
        match ev {
            SwarmEvent::NewListenAddr { address, .. } => {
                if let Some(address) = to_socket_addr(&address) {
                    self.emit(Event::Listening { address });
                }
            }
            SwarmEvent::Behaviour(CombinedEvent::Membership(BehaviourEvent::Authenticated {
                peer,
                connection,
                group,
                member,
            })) => {
                if let Ok(mut p) = self.peers.write() {
                    *p.entry(peer)
                        .or_default()
                        .entry(group.as_str().to_string())
                        .or_insert(0) += 1;
                }
                self.authenticated
                    .entry(connection)
                    .or_insert_with(|| (peer, Vec::new()))
                    .1
                    .push(group.clone());
                let address = self.open.get(&connection).copied().flatten();
                self.emit(Event::PeerAuthenticated {
                    peer,
                    member,
                    group,
                    connection: ConnectionId::of(connection),
                    address,
                });
            }
            SwarmEvent::Behaviour(CombinedEvent::Membership(BehaviourEvent::Refused {
                peer,
                connection,
                group,
                error,
            })) => self.emit(Event::AuthenticationFailed {
                peer,
                connection: ConnectionId::of(connection),
                group,
                reason: error,
            }),
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                ..
            } => {
                let remote = to_socket_addr(endpoint.get_remote_address());
                self.open.insert(connection_id, remote);
                if let Some((_, reply)) = self.bare.remove(&connection_id) {
                    let _ = reply.send(Ok((ConnectionId::of(connection_id), peer_id)));
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                ..
            } => {
                self.open.remove(&connection_id);
                if let Some((_, groups)) = self.authenticated.remove(&connection_id) {
                    if let Ok(mut p) = self.peers.write()
                        && let Some(proven) = p.get_mut(&peer_id)
                    {
                        for g in &groups {
                            if let Some(n) = proven.get_mut(g.as_str()) {
                                *n = n.saturating_sub(1);
                                if *n == 0 {
                                    proven.remove(g.as_str());
                                }
                            }
                        }
                        if proven.is_empty() {
                            p.remove(&peer_id);
                        }
                    }
                    self.emit(Event::Disconnected {
                        peer: peer_id,
                        connection: ConnectionId::of(connection_id),
                        groups,
                    });
                }
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => {
                if let Some((addr, reply)) = self.bare.remove(&connection_id) {
                    let _ = reply.send(Err(Error::Dial {
                        address: addr.to_string(),
                        reason: error.to_string(),
                    }));
                } else {
                    self.emit(Event::ConnectionFailed {
                        connection: ConnectionId::of(connection_id),
                        reason: error.to_string(),
                    });
                }
            }
            _ => {}
        }
    }
}
