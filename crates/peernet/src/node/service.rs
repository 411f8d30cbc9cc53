//! The node itself: the libp2p node of `peernet-net`, the socket every process of the
//! store talks to, the groups' connect counts, and the events it logs in the store.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, TryLockError};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use peernet_crypto::PeerName;
use peernet_net::{ConnectionId, Event, GroupCredentials, Node, NodeConfig, NodeKey};
use peernet_storage::{ChangeEvent, ConnectionStatus, MemberChangeType};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use super::client::socket_path;
use super::discovery;
use super::ipc::{Connection, MAX_LINE, NodeGroup, NodeInfo, Reply, Request};
use super::{IDLE_EXIT, LISTEN_ENV, LOCK_FILE, MAX_NEIGHBORS, node_id};
use crate::context::Peernet;
use crate::error::{Error, Result};
use crate::group::{
    MembershipStatus, PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING,
};
use crate::hresult::{self as hr, HResult};

/// How a node runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct NodeOptions {
    /// Listen addresses; `None` = the store's setting, else [`LISTEN_ENV`], else all
    /// interfaces on TCP 3587 (an ephemeral port when taken).
    pub listen: Option<Vec<SocketAddr>>,
    /// Run as a service: no exit when idle.
    pub service: bool,
    /// How long a node that is not a service stays up without groups.
    pub idle_exit: Duration,
    /// The node runs on a thread of a process that also uses the store.
    pub in_process: bool,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            listen: None,
            service: false,
            idle_exit: IDLE_EXIT,
            in_process: false,
        }
    }
}

/// Parses a comma-separated list of socket addresses.
///
/// # Errors
/// `E_INVALIDARG` naming the bad entry.
pub fn parse_listen(text: &str) -> Result<Vec<SocketAddr>> {
    let v: Vec<SocketAddr> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| Error::invalid_arg(format!("'{s}' is not a socket address")))
        })
        .collect::<Result<_>>()?;
    if v.is_empty() {
        return Err(Error::invalid_arg("no listen address given"));
    }
    Ok(v)
}

fn listen_addrs(ctx: &Peernet, options: &NodeOptions) -> Result<Vec<SocketAddr>> {
    if let Some(l) = &options.listen {
        return Ok(l.clone());
    }
    if let Some(s) = ctx.store.node_listen().map_err(Error::storage)? {
        return parse_listen(&s);
    }
    if let Some(s) = std::env::var(LISTEN_ENV).ok().filter(|s| !s.is_empty()) {
        return parse_listen(&s);
    }
    Ok(NodeConfig::default().listen)
}

/// The HRESULT of a network error.
pub(crate) fn net_code(e: &peernet_net::Error) -> HResult {
    let name = e.hresult_name();
    HResult::all()
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(hr::E_FAIL, |(v, _)| *v)
}

fn net_err(e: &peernet_net::Error) -> Error {
    Error::api(net_code(e), e)
}

/// `peernet node run`: runs the node of the store in `store_dir` in the foreground
/// until stopped ([`stop_node`](super::stop_node)) or, unless a service, idle.
///
/// # Errors
/// `PEER_E_ALREADY_EXISTS` when a node already runs for the store; `E_INVALIDARG` for a
/// bad listen address; `PEER_E_INVALID_ADDRESS` when nothing could be bound; the store's
/// errors.
pub fn run_node(store_dir: &Path, options: NodeOptions) -> Result<()> {
    let ctx = Peernet::open(store_dir)?;
    run_node_with(&ctx, options)
}

/// [`run_node`] on an open context.
pub(crate) fn run_node_with(ctx: &Peernet, options: NodeOptions) -> Result<()> {
    let dir = ctx.store.dir().to_path_buf();
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| Error::api(HResult::from_io(&e), format!("node lock file: {e}")))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(Error::api(
                hr::PEER_E_ALREADY_EXISTS,
                format!("a node already runs for the store '{}'", dir.display()),
            ));
        }
        Err(TryLockError::Error(e)) => {
            return Err(Error::api(hr::E_FAIL, format!("node lock file: {e}")));
        }
    }
    let listen = listen_addrs(ctx, &options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::api(hr::E_FAIL, format!("node runtime: {e}")))?;
    let result = runtime.block_on(serve(ctx.clone(), options, listen, dir.clone()));
    drop(lock);
    result
}

/// A group of the node, by (identity, group peer name).
pub(crate) type Key = (String, String);

/// A write to the store, done off the network thread.
enum Write {
    Event(Key, ChangeEvent),
    Status(Key, u32),
}

struct GroupState {
    name: PeerName,
    participant: String,
    listening: bool,
    handles: BTreeMap<u64, u32>,
    persistent: bool,
    connections: BTreeMap<ConnectionId, Connection>,
    deadline: Option<Instant>,
    published: bool,
    /// Connected without addresses: same-machine discovery is asked again every
    /// [`REDISCOVER`] while a connect waits for its first member.
    discover: bool,
    next_discovery: Option<Instant>,
}

/// How often a waiting connect looks again for members published on this machine.
const REDISCOVER: Duration = Duration::from_secs(1);

impl GroupState {
    fn flags(&self) -> u32 {
        let mut f = 0;
        if self.listening {
            f |= PEER_GROUP_STATUS_LISTENING;
        }
        if !self.connections.is_empty() {
            f |= PEER_GROUP_STATUS_HAS_CONNECTIONS;
        }
        f
    }

    fn held(&self) -> bool {
        self.persistent || !self.handles.is_empty()
    }
}

#[derive(Default)]
struct State {
    groups: BTreeMap<Key, GroupState>,
    by_group: HashMap<String, Key>,
    dials: HashMap<ConnectionId, Key>,
    next_session: u64,
    idle_since: Option<Instant>,
}

pub(crate) struct Shared {
    pub(crate) ctx: Peernet,
    pub(crate) node: Node,
    pub(crate) replicas: super::replica::Replicas,
    pub(crate) directs: super::direct::Directs,
    peer_id: String,
    runtime_dir: PathBuf,
    listen: Vec<SocketAddr>,
    service: bool,
    state: Mutex<State>,
    writes: Mutex<mpsc::Sender<Write>>,
    stop: tokio::sync::Notify,
    refused: AtomicU64,
}

impl Shared {
    /// The group peer name of a held group.
    pub(crate) fn group_name(&self, key: &Key) -> Option<PeerName> {
        self.state().groups.get(key).map(|g| g.name.clone())
    }

    /// The neighbour connections of a held group (none when not held).
    pub(crate) fn neighbours(&self, key: &Key) -> Vec<Connection> {
        self.state()
            .groups
            .get(key)
            .map(|g| g.connections.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The held group of a group peer name.
    pub(crate) fn key_of(&self, group: &str) -> Option<Key> {
        self.state().by_group.get(group).cloned()
    }

    /// A replication session of `key` completed its first synchronization: the group
    /// listens ([MS-PPSEC] 3.1.7.3) and is published for discovery.
    pub(crate) fn synchronized(&self, key: &Key) {
        let mut st = self.state();
        if let Some(gs) = st.groups.get_mut(key)
            && !gs.listening
        {
            gs.listening = true;
            self.publish(gs);
            self.status(key, gs);
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self, w: Write) {
        if let Ok(tx) = self.writes.lock() {
            let _ = tx.send(w);
        }
    }

    fn event(&self, key: &Key, e: ChangeEvent) {
        self.write(Write::Event(key.clone(), e));
    }

    /// Logs the group's flags (the store logs `STATUS_CHANGED` when they changed).
    fn status(&self, key: &Key, gs: &GroupState) {
        self.write(Write::Status(key.clone(), gs.flags()));
    }

    fn publish(&self, gs: &mut GroupState) {
        if gs.published {
            return;
        }
        match discovery::publish(
            &self.runtime_dir,
            &gs.participant,
            &self.peer_id,
            &self.listen,
        ) {
            Ok(()) => gs.published = true,
            Err(e) => eprintln!(
                "peernet node: cannot publish {} in '{}': {e}",
                gs.participant,
                self.runtime_dir.display()
            ),
        }
    }
}

/// The store writer: one thread, so that SQLite commits never stall the network.
fn spawn_writer(ctx: Peernet) -> (mpsc::Sender<Write>, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<Write>();
    let handle = std::thread::spawn(move || {
        for w in rx {
            let r = match &w {
                Write::Event((identity, group), e) => {
                    ctx.store.log_network_event(identity, group, e)
                }
                Write::Status((identity, group), flags) => {
                    ctx.store.set_group_status(identity, group, *flags)
                }
            };
            // A group deleted while connected has nowhere to log; anything else is
            // worth a line in the node's log.
            if let Err(e) = r
                && !matches!(e, peernet_storage::Error::NotFound { .. })
            {
                eprintln!("peernet node: store write failed: {e}");
            }
        }
    });
    (tx, handle)
}

async fn serve(
    ctx: Peernet,
    options: NodeOptions,
    listen: Vec<SocketAddr>,
    dir: PathBuf,
) -> Result<()> {
    let key = NodeKey::from_secret_bytes(*ctx.store.node_key().map_err(Error::storage)?);
    let config = NodeConfig {
        listen,
        ..NodeConfig::default()
    };
    let (node, mut events) = Node::start(key, config).await.map_err(|e| net_err(&e))?;
    let mut streams = node.accept_data_streams().map_err(|e| net_err(&e))?;
    let mut directs = node.accept_direct_streams().map_err(|e| net_err(&e))?;
    let mut joins = node.accept_password_joins().map_err(|e| net_err(&e))?;
    let sock = socket_path(&dir);
    let _ = fs::remove_file(&sock);
    let listener = UnixListener::bind(&sock).map_err(|e| {
        Error::api(
            HResult::from_io(&e),
            format!("cannot bind the node socket '{}': {e}", sock.display()),
        )
    })?;
    fs::set_permissions(&sock, fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::api(HResult::from_io(&e), format!("node socket mode: {e}")))?;
    // A previous node may have died with statuses set: nothing is connected now.
    if let Ok(groups) = ctx.enum_all_groups() {
        for (identity, pair) in groups {
            if ctx
                .store
                .group(&identity, &pair.peer_name)
                .is_ok_and(|g| g.status != 0)
            {
                let _ = ctx.store.set_group_status(&identity, &pair.peer_name, 0);
            }
        }
    }
    let (writes, writer) = spawn_writer(ctx.clone());
    let shared = Arc::new(Shared {
        peer_id: node.peer_id().to_string(),
        listen: node.listen_addrs().to_vec(),
        runtime_dir: discovery::runtime_dir(&ctx),
        ctx,
        node,
        service: options.service,
        replicas: super::replica::Replicas::default(),
        directs: super::direct::Directs::default(),
        state: Mutex::new(State::default()),
        writes: Mutex::new(writes),
        stop: tokio::sync::Notify::new(),
        refused: AtomicU64::new(0),
    });
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let s = shared.clone();
                    tokio::spawn(async move { session(s, stream).await });
                }
            }
            ev = events.next() => match ev {
                Some(ev) => on_event(&shared, ev),
                None => break,
            },
            Some((peer, group, stream)) = streams.next() => {
                super::replica::on_inbound(&shared, peer, &group, stream);
            }
            Some((peer, group, stream)) = directs.next() => {
                super::direct::on_inbound(&shared, peer, &group, stream);
            }
            Some(req) = joins.next() => {
                tokio::spawn(serve_password_join(shared.clone(), req));
            }
            _ = tick.tick() => {
                if on_tick(&shared, &options) {
                    break;
                }
            }
            () = shared.stop.notified() => break,
        }
    }
    shutdown(&shared, &sock);
    drop(shared);
    let _ = writer.join();
    Ok(())
}

/// Orderly stop: every group reports its connections closed and its status cleared,
/// publications and the socket are removed.
fn shutdown(shared: &Arc<Shared>, sock: &Path) {
    let _ = fs::remove_file(sock);
    let mut st = shared.state();
    let keys: Vec<Key> = st.groups.keys().cloned().collect();
    for key in keys {
        if let Some(gs) = st.groups.remove(&key) {
            release(shared, &key, gs);
        }
    }
    st.by_group.clear();
    drop(st);
    if let Ok(mut tx) = shared.writes.lock() {
        // Closing the channel ends the writer thread once it has written everything.
        *tx = mpsc::channel().0;
    }
}

/// A group the node no longer holds: its connections are reported closed, its
/// publication removed and its status cleared.
fn release(shared: &Shared, key: &Key, mut gs: GroupState) {
    shared.node.leave_group(&gs.name);
    super::replica::stop_group(shared, key);
    super::direct::release(shared, key);
    let mut gone = std::collections::BTreeSet::new();
    for (id, c) in std::mem::take(&mut gs.connections) {
        shared.event(key, disconnected(id, &c));
        gone.insert(c.member);
    }
    for m in gone {
        shared.event(key, member_changed(MemberChangeType::Disconnected, &m));
    }
    gs.listening = false;
    if gs.published {
        discovery::unpublish(&shared.runtime_dir, &gs.participant, &shared.peer_id);
    }
    shared.status(key, &gs);
}

/// `MEMBER_CHANGED` CONNECTED / DISCONNECTED: a member's first neighbour connection
/// opened, or its last closed.
fn member_changed(change: MemberChangeType, member: &str) -> ChangeEvent {
    ChangeEvent::MemberChanged {
        change,
        member_peer_name: member.to_owned(),
    }
}

fn disconnected(id: ConnectionId, c: &Connection) -> ChangeEvent {
    ChangeEvent::NeighborConnection {
        status: ConnectionStatus::Disconnected,
        connection_id: id.get(),
        node_id: c.node_id,
        peer_id: c.peer_id.clone(),
        member_peer_name: c.member.clone(),
        hresult: 0,
    }
}

/// Returns true when the node should stop (idle long enough).
fn on_tick(shared: &Arc<Shared>, options: &NodeOptions) -> bool {
    let now = Instant::now();
    let mut st = shared.state();
    // Connects still waiting for a first member look for newly published ones (a
    // member that started after this connect), unless a dial is in flight.
    let dialing: std::collections::BTreeSet<Key> = st.dials.values().cloned().collect();
    let retry: Vec<(Key, String, PeerName)> = st
        .groups
        .iter_mut()
        .filter(|(k, gs)| {
            gs.discover
                && gs.connections.is_empty()
                && gs.deadline.is_some_and(|d| d > now)
                && gs.next_discovery.is_some_and(|d| d <= now)
                && !dialing.contains(*k)
        })
        .map(|(k, gs)| {
            gs.next_discovery = Some(now + REDISCOVER);
            (k.clone(), gs.participant.clone(), gs.name.clone())
        })
        .collect();
    for (key, participant, name) in retry {
        let shared = shared.clone();
        tokio::spawn(async move {
            for t in discovered(&shared, &participant) {
                if let Ok(id) = shared.node.dial_group(t, &name).await {
                    shared.state().dials.insert(id, key.clone());
                }
            }
        });
    }
    let failed: Vec<Key> = st
        .groups
        .iter_mut()
        .filter(|(_, gs)| gs.connections.is_empty() && gs.deadline.is_some_and(|d| d <= now))
        .map(|(k, gs)| {
            gs.deadline = None;
            k.clone()
        })
        .collect();
    for key in failed {
        shared.event(
            &key,
            ChangeEvent::ConnectionFailed {
                hresult: hr::PEER_E_CONNECTION_FAILED.as_i32(),
            },
        );
    }
    if shared.service || !st.groups.is_empty() {
        st.idle_since = None;
        return false;
    }
    let since = *st.idle_since.get_or_insert(now);
    now.duration_since(since) >= options.idle_exit
}

fn on_event(shared: &Arc<Shared>, ev: Event) {
    let mut st = shared.state();
    match ev {
        Event::PeerAuthenticated {
            peer,
            member,
            group,
            connection,
            address,
        } => {
            st.dials.remove(&connection);
            let Some(key) = st.by_group.get(group.as_str()).cloned() else {
                // The group was released while its handshake ran: a connection that
                // carries no group this node still holds is closed.
                if !st
                    .groups
                    .values()
                    .any(|g| g.connections.contains_key(&connection))
                {
                    shared.node.close_detached(connection);
                }
                return;
            };
            let Some(gs) = st.groups.get_mut(&key) else {
                return;
            };
            let peer_id = peer.to_string();
            let c = Connection {
                flags: super::ipc::PEER_CONNECTION_NEIGHBOR,
                connection_id: connection.get(),
                node_id: node_id(&peer_id),
                peer_id,
                member: member.as_str().to_string(),
                address,
            };
            shared.event(
                &key,
                ChangeEvent::NeighborConnection {
                    status: ConnectionStatus::Connected,
                    connection_id: c.connection_id,
                    node_id: c.node_id,
                    peer_id: c.peer_id.clone(),
                    member_peer_name: c.member.clone(),
                    hresult: 0,
                },
            );
            let first = !gs.connections.values().any(|o| o.member == c.member);
            if first {
                shared.event(&key, member_changed(MemberChangeType::Connected, &c.member));
            }
            gs.connections.insert(connection, c);
            gs.deadline = None;
            // A member that is not the creator listens after its first
            // synchronization ([MS-PPSEC] 3.1.7.3): `Shared::synchronized`.
            shared.status(&key, gs);
            drop(st);
            super::replica::on_authenticated(shared, &key, peer);
        }
        Event::Disconnected {
            connection, groups, ..
        } => {
            for g in groups {
                let Some(key) = st.by_group.get(g.as_str()).cloned() else {
                    continue;
                };
                if let Some(gs) = st.groups.get_mut(&key)
                    && let Some(c) = gs.connections.remove(&connection)
                {
                    shared.event(&key, disconnected(connection, &c));
                    if !gs.connections.values().any(|o| o.member == c.member) {
                        shared.event(
                            &key,
                            member_changed(MemberChangeType::Disconnected, &c.member),
                        );
                    }
                    shared.status(&key, gs);
                }
            }
        }
        Event::AuthenticationFailed {
            peer,
            connection,
            group,
            reason,
        } => {
            shared.refused.fetch_add(1, Ordering::Relaxed);
            let dialed = st.dials.remove(&connection);
            let key = group
                .as_deref()
                .and_then(|g| st.by_group.get(g).cloned())
                .or_else(|| dialed.clone());
            if let Some(key) = key {
                let code = net_code(&reason).as_i32();
                shared.event(
                    &key,
                    ChangeEvent::AuthenticationFailed {
                        peer_id: peer.to_string(),
                        hresult: code,
                    },
                );
                if dialed.is_some() {
                    shared.event(&key, failed(connection, code));
                }
            }
        }
        Event::ConnectionFailed { connection, .. } => {
            if let Some(key) = st.dials.remove(&connection) {
                shared.event(
                    &key,
                    failed(connection, hr::PEER_E_CONNECTION_FAILED.as_i32()),
                );
            }
        }
        _ => {}
    }
}

fn failed(connection: ConnectionId, hresult: i32) -> ChangeEvent {
    ChangeEvent::NeighborConnection {
        status: ConnectionStatus::Failed,
        connection_id: connection.get(),
        node_id: 0,
        peer_id: String::new(),
        member_peer_name: String::new(),
        hresult,
    }
}

/// One process's session: requests in, answers out; at the end, its connects are
/// released.
async fn session(shared: Arc<Shared>, stream: UnixStream) {
    let id = {
        let mut st = shared.state();
        st.next_session += 1;
        st.next_session
    };
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = String::new();
        let n = match (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_line(&mut line)
            .await
        {
            Ok(n) => n,
            Err(_) => break,
        };
        if n == 0 || n > MAX_LINE {
            break;
        }
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(Request::Listen {
                identity,
                group,
                direct,
                data,
            }) => {
                let (listener, rx) =
                    super::direct::listen(&shared, (identity, group), id, direct, data);
                if send(&mut write, &Reply::Ok).await.is_ok() {
                    listen(rx, &mut reader, &mut write).await;
                }
                super::direct::unlisten(&shared, listener);
                break;
            }
            Ok(Request::SendData {
                identity,
                group,
                connection_id,
                data_type,
                len,
            }) => {
                // The data follows the line; more than MAX_DATA cannot be skipped
                // reliably, so it ends the session.
                if len > super::ipc::MAX_DATA {
                    let reply = Reply::Error {
                        hresult: hr::E_INVALIDARG.0,
                        message: format!("{len} bytes is more than PeerGroupSendData takes"),
                    };
                    let _ = send(&mut write, &reply).await;
                    break;
                }
                let mut data = vec![0u8; len];
                if reader.read_exact(&mut data).await.is_err() {
                    break;
                }
                super::direct::send(&shared, (identity, group), connection_id, &data_type, data)
                    .await
                    .map(|()| Reply::Ok)
            }
            Ok(Request::Stop) => {
                let _ = write.write_all(b"{\"reply\":\"ok\"}\n").await;
                shared.stop.notify_one();
                break;
            }
            Ok(req) => handle(&shared, id, req).await,
            Err(e) => {
                let reply = Reply::Error {
                    hresult: hr::E_INVALIDARG.0,
                    message: format!("malformed request: {e}"),
                };
                let _ = send(&mut write, &reply).await;
                break;
            }
        };
        let reply = reply.unwrap_or_else(|e| Reply::Error {
            hresult: e.hresult().0,
            message: e.message().to_string(),
        });
        if send(&mut write, &reply).await.is_err() {
            break;
        }
    }
    end_session(&shared, id);
}

/// A listening session: pushes out until the process closes the session (anything it
/// still sends is read and dropped, bounded by [`MAX_LINE`]) or the node drops it.
async fn listen(
    mut rx: tokio::sync::mpsc::Receiver<Reply>,
    reader: &mut BufReader<tokio::net::unix::OwnedReadHalf>,
    write: &mut tokio::net::unix::OwnedWriteHalf,
) {
    let mut buf = Vec::new();
    loop {
        // A line is bounded even before its newline.
        let mut limited = (&mut *reader).take((MAX_LINE + 1 - buf.len().min(MAX_LINE)) as u64);
        tokio::select! {
            push = rx.recv() => match push {
                Some(r) => {
                    if send(write, &r).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            n = limited.read_until(b'\n', &mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(_) if buf.len() > MAX_LINE => break,
                Ok(_) => buf.clear(),
            },
        }
    }
}

async fn send(w: &mut tokio::net::unix::OwnedWriteHalf, reply: &Reply) -> std::io::Result<()> {
    let mut line = serde_json::to_string(reply).map_err(std::io::Error::other)?;
    line.push('\n');
    w.write_all(line.as_bytes()).await?;
    if let Reply::IncomingData { body, .. } = reply {
        w.write_all(body).await?;
    }
    Ok(())
}

fn end_session(shared: &Shared, id: u64) {
    super::direct::end_session(shared, id);
    let mut st = shared.state();
    let keys: Vec<Key> = st
        .groups
        .iter_mut()
        .filter_map(|(k, gs)| gs.handles.remove(&id).map(|_| k.clone()))
        .collect();
    for key in keys {
        drop_if_unheld(shared, &mut st, &key);
    }
}

fn drop_if_unheld(shared: &Shared, st: &mut State, key: &Key) {
    if st.groups.get(key).is_some_and(|gs| !gs.held())
        && let Some(gs) = st.groups.remove(key)
    {
        st.by_group.remove(gs.name.as_str());
        st.dials.retain(|_, k| k != key);
        let conns: Vec<ConnectionId> = gs.connections.keys().copied().collect();
        release(shared, key, gs);
        // Close the connections that carried only this group.
        for c in conns {
            if !st.groups.values().any(|g| g.connections.contains_key(&c)) {
                shared.node.close_detached(c);
            }
        }
    }
}

async fn handle(shared: &Arc<Shared>, session: u64, req: Request) -> Result<Reply> {
    match req {
        Request::Hello => Ok(Reply::Node(info(shared))),
        Request::Connect {
            identity,
            group,
            addresses,
            persistent,
            timeout_ms,
        } => {
            connect(
                shared,
                session,
                (identity, group),
                addresses,
                persistent,
                Duration::from_millis(timeout_ms),
            )
            .await
        }
        Request::Disconnect {
            identity,
            group,
            persistent,
        } => {
            let key = (identity, group);
            let mut st = shared.state();
            if let Some(gs) = st.groups.get_mut(&key) {
                if persistent {
                    gs.persistent = false;
                } else if let Some(n) = gs.handles.get_mut(&session) {
                    *n -= 1;
                    if *n == 0 {
                        gs.handles.remove(&session);
                    }
                }
            }
            drop_if_unheld(shared, &mut st, &key);
            Ok(Reply::Ok)
        }
        Request::Status { identity, group } => {
            let st = shared.state();
            let flags = st
                .groups
                .get(&(identity, group))
                .map_or(0, GroupState::flags);
            Ok(Reply::Status { flags })
        }
        Request::Connections {
            identity,
            group,
            flags,
        } => {
            let key = (identity, group);
            let mut list = Vec::new();
            if flags & super::ipc::PEER_CONNECTION_NEIGHBOR != 0 {
                list = shared.neighbours(&key);
            }
            if flags & super::ipc::PEER_CONNECTION_DIRECT != 0 {
                list.extend(super::direct::connections(shared, &key));
            }
            Ok(Reply::Connections { list })
        }
        Request::OpenDirect {
            identity,
            group,
            member,
            address,
        } => super::direct::open(shared, session, (identity, group), &member, address)
            .await
            .map(|connection_id| Reply::Direct { connection_id }),
        Request::CloseDirect {
            identity,
            group,
            connection_id,
        } => super::direct::close(shared, &(identity, group), connection_id).map(|()| Reply::Ok),
        // Handled by `session`, which reads the data after the line.
        Request::SendData { .. } => Ok(Reply::Ok),
        // Handled by `session`.
        Request::Listen { .. } => Ok(Reply::Ok),
        Request::PeerTime { identity, group } => Ok(Reply::PeerTime {
            offset: super::replica::peer_time_offset(shared, &(identity, group)),
        }),
        Request::Stop => Ok(Reply::Ok),
    }
}

fn info(shared: &Shared) -> NodeInfo {
    let st = shared.state();
    NodeInfo {
        pid: std::process::id(),
        peer_id: shared.peer_id.clone(),
        listen: shared.listen.clone(),
        service: shared.service,
        groups: st
            .groups
            .iter()
            .map(|((identity, group), gs)| NodeGroup {
                identity: identity.clone(),
                group: group.clone(),
                flags: gs.flags(),
                connections: u32::try_from(gs.connections.len()).unwrap_or(u32::MAX),
                handles: gs.handles.values().sum(),
                persistent: gs.persistent,
            })
            .collect(),
        refused: shared.refused.load(Ordering::Relaxed),
    }
}

/// The credentials `identity` proves itself with in `group`, and whether it is the
/// group's creator (who listens at once).
fn credentials(ctx: &Peernet, identity: &str, group: &str) -> Result<(GroupCredentials, bool)> {
    // group_open validated the chain and read its membership state; only the row's
    // creator is still needed.
    let g = ctx.group_open(identity, group, None)?;
    let (row, chain, status) = (g.row()?, g.inner.chain.clone(), g.membership());
    match status {
        MembershipStatus::Valid => {}
        MembershipStatus::CredentialsPending => {
            return Err(Error::api(
                hr::PEER_E_GROUP_NOT_READY,
                "this identity joined with a password and has no GMC yet",
            ));
        }
        MembershipStatus::Expired | MembershipStatus::NotYetValid => {
            return Err(Error::api(
                hr::PEER_E_INVALID_CREDENTIAL,
                format!(
                    "the membership credentials of '{identity}' in '{group}' are {}; renew them (PeerGroupIssueCredentials)",
                    if status == MembershipStatus::Expired {
                        "expired"
                    } else {
                        "not valid yet"
                    }
                ),
            ));
        }
    }
    let key = ctx.identity_private_key(identity)?;
    let name = g.inner.group_peer_name.clone();
    let creds = GroupCredentials::new(name, g.profile(), chain.as_ref().clone(), key)
        .map_err(|e| net_err(&e))?;
    Ok((creds, row.properties.creator_peer_name == identity))
}

/// The members same-machine discovery finds for `participant` (the loopback address of
/// each when it has one), at most [`MAX_NEIGHBORS`].
fn discovered(shared: &Shared, participant: &str) -> Vec<SocketAddr> {
    discovery::lookup(&shared.runtime_dir, participant, &shared.peer_id)
        .into_iter()
        .filter_map(|(_, addrs)| {
            addrs
                .iter()
                .copied()
                .find(|a| a.ip().is_loopback())
                .or_else(|| addrs.first().copied())
        })
        .take(MAX_NEIGHBORS)
        .collect()
}

/// The longest a password join may take in all (below the clients' reply timeout).
const PASSWORD_JOIN_LIMIT: Duration = Duration::from_secs(45);

/// Completes the pending password join of `key` online ([MS-PPSEC] 3.3.5.2.5): asks the
/// members at `addresses` (or found by discovery) in turn to admit this identity, and
/// stores the GMC the first one grants.
async fn password_join(shared: &Arc<Shared>, key: &Key, addresses: &[SocketAddr]) -> Result<()> {
    let (name, idc, profile, verifier) = shared.ctx.password_join_request(&key.0, &key.1)?;
    let targets = if addresses.is_empty() {
        discovered(shared, &discovery::participant_name(&name))
    } else {
        addresses.to_vec()
    };
    if targets.is_empty() {
        return Err(Error::api(
            hr::PEER_E_CONNECTION_FAILED,
            "no member of the group was found to complete the password join; connect by address",
        ));
    }
    let joiner = peernet_net::JoinerCredentials {
        group: &name,
        profile,
        idc: &idc,
        verifier: &verifier,
    };
    let attempts = async {
        let mut last = None;
        for t in targets {
            match shared.node.password_join(t, &joiner).await {
                Ok(invitation) => return Ok(invitation),
                Err(peernet_net::Error::WrongPassword) => {
                    return Err(Error::api(
                        hr::ERROR_INVALID_PASSWORD,
                        format!(
                            "the member at {t} refused the password of group '{}'",
                            key.1
                        ),
                    ));
                }
                Err(e) => last = Some((t, e)),
            }
        }
        Err(match last {
            Some((t, e)) => Error::api(
                net_code(&e),
                format!("no member admitted this password join (last, {t}: {e})"),
            ),
            None => Error::api(hr::PEER_E_CONNECTION_FAILED, "no member answered"),
        })
    };
    let invitation = tokio::time::timeout(PASSWORD_JOIN_LIMIT, attempts)
        .await
        .map_err(|_| {
            Error::api(
                hr::PEER_E_CONNECTION_FAILED,
                format!("no member admitted this password join within {PASSWORD_JOIN_LIMIT:?}"),
            )
        })??;
    shared
        .ctx
        .complete_password_join(&key.0, &key.1, &invitation)
}

/// Serves one password join addressed to this node: the group's member admits the
/// joiner when it may ([`crate::Group`]'s password admission), the password is proven,
/// and the GMC issued. A wrong password is logged as `AUTHENTICATION_FAILED`.
async fn serve_password_join(shared: Arc<Shared>, mut req: peernet_net::PasswordJoinRequest) {
    use peernet_net::JoinRefusal;
    let Some(key) = shared.key_of(req.group().as_str()) else {
        req.refuse(JoinRefusal::NotAuthorized, "the group is not held here")
            .await;
        return;
    };
    let admission = shared
        .ctx
        .group_open(&key.0, &key.1, None)
        .and_then(|g| g.password_admission().map(|v| (g, v)));
    let (group, verifier) = match admission {
        Ok(x) => x,
        Err(e) => {
            req.refuse(JoinRefusal::NotAuthorized, &e.to_string()).await;
            return;
        }
    };
    match req.authenticate(&verifier).await {
        Ok(()) => {}
        Err(e) => {
            shared.refused.fetch_add(1, Ordering::Relaxed);
            let code = if e == peernet_net::Error::WrongPassword {
                hr::ERROR_INVALID_PASSWORD
            } else {
                net_code(&e)
            };
            shared.event(
                &key,
                ChangeEvent::AuthenticationFailed {
                    peer_id: req.peer().to_string(),
                    hresult: code.as_i32(),
                },
            );
            return;
        }
    }
    drop(verifier);
    // Issuing signs and commits: off the network thread.
    let idc = req.idc().to_vec();
    let issued = tokio::task::spawn_blocking(move || group.admit_password_joiner(&idc))
        .await
        .unwrap_or_else(|_| Err(Error::api(hr::E_FAIL, "the issuing task failed")));
    match issued {
        Ok(invitation) => {
            let _ = req.grant(&invitation).await;
        }
        Err(e) => req.refuse(JoinRefusal::Failed, &e.to_string()).await,
    }
}

async fn connect(
    shared: &Arc<Shared>,
    session: u64,
    key: Key,
    addresses: Vec<SocketAddr>,
    persistent: bool,
    timeout: Duration,
) -> Result<Reply> {
    let joined = shared.state().groups.contains_key(&key);
    if !joined {
        if let Some(other) = shared.state().by_group.get(&key.1) {
            return Err(Error::api(
                hr::E_NOTIMPL,
                format!(
                    "identity '{}' already connects group '{}' on this store's node; one identity per group per store is supported",
                    other.0, key.1
                ),
            ));
        }
        if shared.ctx.group_open(&key.0, &key.1, None)?.membership()
            == MembershipStatus::CredentialsPending
        {
            password_join(shared, &key, &addresses).await?;
        }
        let (creds, creator) = credentials(&shared.ctx, &key.0, &key.1)?;
        let name = creds.group().clone();
        let participant = discovery::participant_name(&name);
        shared.node.join_group(creds);
        let mut st = shared.state();
        st.by_group.insert(key.1.clone(), key.clone());
        let gs = st.groups.entry(key.clone()).or_insert(GroupState {
            name,
            participant,
            listening: creator,
            handles: BTreeMap::new(),
            persistent: false,
            connections: BTreeMap::new(),
            deadline: None,
            published: false,
            discover: false,
            next_discovery: None,
        });
        if creator {
            shared.publish(gs);
        }
        shared.status(&key, gs);
        drop(st);
        super::replica::start_group(shared, &key);
    }
    let (name, participant, connected, listening) = {
        let mut st = shared.state();
        let Some(gs) = st.groups.get_mut(&key) else {
            return Err(Error::api(
                hr::PEER_E_INVALID_GROUP,
                "the group was released",
            ));
        };
        if persistent {
            gs.persistent = true;
        } else {
            *gs.handles.entry(session).or_insert(0) += 1;
        }
        (
            gs.name.clone(),
            gs.participant.clone(),
            !gs.connections.is_empty(),
            gs.listening,
        )
    };
    let addresses_empty = addresses.is_empty();
    let targets: Vec<SocketAddr> = if !addresses.is_empty() {
        addresses
    } else if connected {
        Vec::new()
    } else {
        discovered(shared, &participant)
    };
    for t in &targets {
        match shared.node.dial_group(*t, &name).await {
            Ok(id) => {
                shared.state().dials.insert(id, key.clone());
            }
            Err(e) => {
                shared.event(&key, failed(ConnectionId::default(), net_code(&e).as_i32()));
            }
        }
    }
    let mut st = shared.state();
    if let Some(gs) = st.groups.get_mut(&key)
        && gs.connections.is_empty()
        && (!targets.is_empty() || !listening)
    {
        gs.deadline = Some(Instant::now() + timeout);
        gs.discover = addresses_empty;
        gs.next_discovery = Some(Instant::now() + REDISCOVER);
    }
    Ok(Reply::Ok)
}
