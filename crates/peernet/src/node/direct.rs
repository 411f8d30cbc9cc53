//! Direct connections and data: `PeerGroupOpenDirectConnection`,
//! `PeerGroupCloseDirectConnection`, `PeerGroupSendData`, and the
//! `DIRECT_CONNECTION` / `INCOMING_DATA` events, in the store's node.
//!
//! A direct connection is a stream of `peernet-net`'s [`DIRECT_PROTOCOL`] to a member
//! this node has an authenticated neighbour connection with (dialed first when an
//! address is given), so only members reach it. The opener sends one kind byte
//! ([`KIND_DIRECT`], or [`KIND_NEIGHBOR`] for data sent on a neighbour connection); the
//! other node answers one byte: [`ACCEPTED`], or [`REFUSED`] when no process of its store
//! listens for `DIRECT_CONNECTION` in that group (as Windows refuses). Then either side
//! sends frames: the data type GUID (16 bytes), the length (`u32`, big endian, at most
//! [`MAX_DATA`]) and the bytes. One stream per connection keeps the order.
//!
//! Incoming data is pushed to every listening session of the group (each process's
//! registration for `INCOMING_DATA`), each through a bounded queue: a listener that
//! stops reading holds the stream back (and so the sending peer, by the stream's flow
//! control) for at most [`LISTENER_STALL`], then it is dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::io::{ReadHalf, WriteHalf};
use futures::{AsyncReadExt, AsyncWriteExt};
use peernet_crypto::PeerName;
use peernet_net::{DataStream, PeerId};
use peernet_protocol::Guid;
use tokio::sync::mpsc;

use super::ipc::{Connection, MAX_DATA, PEER_CONNECTION_DIRECT, Reply};
use super::service::{Key, Shared};
use crate::error::{Error, Result};
use crate::hresult as hr;

/// The opener asks for a direct connection.
const KIND_DIRECT: u8 = 0;
/// The opener sends data on its neighbour connection.
const KIND_NEIGHBOR: u8 = 1;
/// The answer: accepted.
const ACCEPTED: u8 = 0;
/// The answer: refused (nobody listens for `DIRECT_CONNECTION`, or too many).
const REFUSED: u8 = 1;

/// Frames queued for one connection's writer (`PeerGroupSendData` waits beyond).
const SEND_QUEUE: usize = 8;
/// Pushes queued for one listener.
const LISTEN_QUEUE: usize = 32;
/// How long a full listener may hold a connection's reader back before it is dropped.
pub const LISTENER_STALL: Duration = Duration::from_secs(10);
/// How long opening a connection may take (dial, stream, answer).
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// The first direct connection id; neighbour connection ids are the libp2p node's
/// small counters, so the two never meet.
const FIRST_DIRECT_ID: u64 = 1 << 48;
/// Direct and neighbour-data streams one node holds at once; more are refused.
pub const MAX_CHANNELS: usize = 256;
/// Streams one remote node may hold with this one; more are refused.
pub const MAX_CHANNELS_PER_PEER: usize = 16;
/// Bytes of frames being read at once, over every stream of the node: a reader waits for
/// its frame's share before reading it (so many members sending large frames slowly
/// hold at most this much).
pub const READ_BUDGET: usize = 64 << 20;
/// How long `PeerGroupSendData` waits for room in a connection's queue (the member does
/// not read) before `PEER_E_CONNECTION_FAILED`.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// `PEER_CONNECTED` / `PEER_DISCONNECTED`.
const CONNECTED: u32 = 1;
const DISCONNECTED: u32 = 2;

type Frame = ([u8; 16], Vec<u8>);

struct Channel {
    key: Key,
    direct: bool,
    member: String,
    peer_id: String,
    node_id: u64,
    owner: Option<u64>,
    serial: u64,
    tx: mpsc::Sender<Frame>,
    reader: Option<tokio::task::AbortHandle>,
}

struct Listener {
    key: Key,
    session: u64,
    direct: bool,
    data: bool,
    tx: mpsc::Sender<Reply>,
}

/// The node's direct connections and listeners.
pub(crate) struct Directs(Mutex<Inner>, Arc<tokio::sync::Semaphore>);

impl Default for Directs {
    fn default() -> Self {
        Directs(
            Mutex::default(),
            Arc::new(tokio::sync::Semaphore::new(READ_BUDGET >> 10)),
        )
    }
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    next_serial: u64,
    next_listener: u64,
    channels: HashMap<u64, Channel>,
    listeners: HashMap<u64, Listener>,
}

impl Inner {
    fn serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        FIRST_DIRECT_ID + self.next_id
    }

    /// Whether one more stream with `peer` fits.
    fn room_for(&self, peer: &str) -> bool {
        self.channels.len() < MAX_CHANNELS
            && self.channels.values().filter(|c| c.peer_id == peer).count() < MAX_CHANNELS_PER_PEER
    }

    fn direct_listeners(&self, key: &Key) -> Vec<mpsc::Sender<Reply>> {
        self.listeners
            .values()
            .filter(|l| l.direct && &l.key == key)
            .map(|l| l.tx.clone())
            .collect()
    }
}

impl Directs {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn failed(message: impl std::fmt::Display) -> Error {
    Error::api(hr::PEER_E_CONNECTION_FAILED, message)
}

fn not_found(id: u64) -> Error {
    Error::api(
        hr::PEER_E_CONNECTION_NOT_FOUND,
        format!("no connection {id} in this group"),
    )
}

/// Tells `to` about a direct connection's new status (best effort: a full listener
/// misses it).
fn announce(to: Vec<mpsc::Sender<Reply>>, status: u32, id: u64, c: &Channel) {
    for tx in to {
        let reply = Reply::DirectConnection {
            status,
            connection_id: id,
            node_id: c.node_id,
            member: c.member.clone(),
        };
        // Waits behind queued data rather than being lost; a listener that stays full
        // is dropped by `deliver` anyway.
        tokio::spawn(async move {
            let _ = tokio::time::timeout(LISTENER_STALL, tx.send(reply)).await;
        });
    }
}

/// Registers a session as a listener of `key`; its pushes arrive on the receiver.
pub(crate) fn listen(
    shared: &Shared,
    key: Key,
    session: u64,
    direct: bool,
    data: bool,
) -> (u64, mpsc::Receiver<Reply>) {
    let (tx, rx) = mpsc::channel(LISTEN_QUEUE);
    let mut inner = shared.directs.inner();
    inner.next_listener += 1;
    let id = inner.next_listener;
    inner.listeners.insert(
        id,
        Listener {
            key,
            session,
            direct,
            data,
            tx,
        },
    );
    (id, rx)
}

/// Removes a listener.
pub(crate) fn unlisten(shared: &Shared, listener: u64) {
    shared.directs.inner().listeners.remove(&listener);
}

/// A session ended: its direct connections close and its listeners go.
pub(crate) fn end_session(shared: &Shared, session: u64) {
    let mut inner = shared.directs.inner();
    inner.listeners.retain(|_, l| l.session != session);
    let owned: Vec<u64> = inner
        .channels
        .iter()
        .filter(|(_, c)| c.owner == Some(session))
        .map(|(id, _)| *id)
        .collect();
    for id in owned {
        remove(&mut inner, id);
    }
}

/// The node left a group: its connections close.
pub(crate) fn release(shared: &Shared, key: &Key) {
    let mut inner = shared.directs.inner();
    let ids: Vec<u64> = inner
        .channels
        .iter()
        .filter(|(_, c)| &c.key == key)
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        remove(&mut inner, id);
    }
}

/// Removes a channel: its writer closes the stream once its queue is drained, its
/// reader stops, and the group's direct listeners learn it is disconnected.
fn remove(inner: &mut Inner, id: u64) {
    if let Some(c) = inner.channels.remove(&id) {
        if let Some(r) = &c.reader {
            r.abort();
        }
        if c.direct {
            announce(inner.direct_listeners(&c.key), DISCONNECTED, id, &c);
        }
    }
}

/// The direct connections of `key` (`PEER_CONNECTION_DIRECT`).
pub(crate) fn connections(shared: &Shared, key: &Key) -> Vec<Connection> {
    let inner = shared.directs.inner();
    let mut list: Vec<Connection> = inner
        .channels
        .iter()
        .filter(|(_, c)| c.direct && &c.key == key)
        .map(|(id, c)| Connection {
            flags: PEER_CONNECTION_DIRECT,
            connection_id: *id,
            node_id: c.node_id,
            peer_id: c.peer_id.clone(),
            member: c.member.clone(),
            address: None,
        })
        .collect();
    list.sort_by_key(|c| c.connection_id);
    list
}

/// `PeerGroupOpenDirectConnection`: a direct connection of `session` to `member`.
pub(crate) async fn open(
    shared: &Arc<Shared>,
    session: u64,
    key: Key,
    member: &str,
    address: Option<SocketAddr>,
) -> Result<u64> {
    if member == key.0 {
        return Err(Error::api(
            hr::PEER_E_CONNECT_SELF,
            "a direct connection to this identity itself",
        ));
    }
    let name = shared
        .group_name(&key)
        .ok_or_else(|| failed("the group is not connected (PeerGroupConnect first)"))?;
    let neighbour = |shared: &Shared| {
        shared
            .neighbours(&key)
            .into_iter()
            .find(|c| c.member == member)
    };
    let mut found = neighbour(shared);
    if found.is_none()
        && let Some(addr) = address
    {
        shared
            .node
            .dial_group(addr, &name)
            .await
            .map_err(|e| failed(format!("cannot reach {addr}: {e}")))?;
        let deadline = Instant::now() + OPEN_TIMEOUT;
        while found.is_none() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            found = neighbour(shared);
        }
    }
    let c = found.ok_or_else(|| {
        failed(format!(
            "no connection to the member '{member}' (it is not connected, or not a member)"
        ))
    })?;
    let stream = open_stream(shared, &c, &name, KIND_DIRECT).await?;
    let mut inner = shared.directs.inner();
    if !inner.room_for(&c.peer_id) {
        return Err(full());
    }
    let id = inner.id();
    start(
        shared,
        &mut inner,
        id,
        id,
        key.clone(),
        &c,
        true,
        Some(session),
        stream,
    );
    // As Windows, the opener's registrations hear of it too (the id is valid from then).
    if let Some(ch) = inner.channels.get(&id) {
        announce(inner.direct_listeners(&key), CONNECTED, id, ch);
    }
    Ok(id)
}

/// No room for one more stream with a peer.
fn full() -> Error {
    Error::api(
        hr::E_OUTOFMEMORY,
        format!(
            "this node holds {MAX_CHANNELS} connections already (or {MAX_CHANNELS_PER_PEER} with this member)"
        ),
    )
}

/// Opens a direct-protocol stream to the neighbour `c` asking for `kind`, and reads the
/// answer: PEER_E_CONNECTION_REFUSED when refused, PEER_E_CONNECTION_FAILED when the
/// stream cannot be opened or answered within [`OPEN_TIMEOUT`].
async fn open_stream(
    shared: &Shared,
    c: &Connection,
    name: &PeerName,
    kind: u8,
) -> Result<DataStream> {
    let peer: PeerId = c
        .peer_id
        .parse()
        .map_err(|_| failed("the neighbour's PeerId does not parse"))?;
    let member = &c.member;
    tokio::time::timeout(OPEN_TIMEOUT, async {
        let mut s = shared
            .node
            .open_direct_stream(peer, name)
            .await
            .map_err(|e| failed(format!("cannot open a stream to '{member}': {e}")))?;
        s.write_all(&[kind])
            .await
            .map_err(|e| failed(e.to_string()))?;
        s.flush().await.map_err(|e| failed(e.to_string()))?;
        let mut answer = [0u8; 1];
        s.read_exact(&mut answer)
            .await
            .map_err(|e| failed(format!("'{member}' closed the stream: {e}")))?;
        if answer[0] != ACCEPTED {
            return Err(Error::api(
                hr::PEER_E_CONNECTION_REFUSED,
                if kind == KIND_DIRECT {
                    format!("'{member}' refused the direct connection (nobody there listens for PEER_GROUP_EVENT_DIRECT_CONNECTION)")
                } else {
                    format!("'{member}' refused the data stream")
                },
            ));
        }
        Ok(s)
    })
    .await
    .map_err(|_| failed(format!("opening a stream to '{member}' timed out")))?
}

/// Runs a channel's reader and writer and registers it under `id`; its data arrives as
/// connection `events_id`. A read-only channel (`id != events_id`: the second stream of a
/// neighbour connection) gets no writer.
#[allow(clippy::too_many_arguments)]
fn start(
    shared: &Arc<Shared>,
    inner: &mut Inner,
    id: u64,
    events_id: u64,
    key: Key,
    neighbour: &Connection,
    direct: bool,
    owner: Option<u64>,
    stream: DataStream,
) -> mpsc::Sender<Frame> {
    let (r, w) = stream.split();
    let (tx, rx) = mpsc::channel(SEND_QUEUE);
    let serial = inner.serial();
    if id == events_id {
        tokio::spawn(write_loop(w, rx));
    }
    let reader = tokio::spawn(read_loop(
        shared.clone(),
        key.clone(),
        events_id,
        (id, serial),
        r,
    ));
    inner.channels.insert(
        id,
        Channel {
            key,
            direct,
            member: neighbour.member.clone(),
            peer_id: neighbour.peer_id.clone(),
            node_id: neighbour.node_id,
            owner,
            serial,
            tx: tx.clone(),
            reader: Some(reader.abort_handle()),
        },
    );
    tx
}

/// `PeerGroupCloseDirectConnection`.
pub(crate) fn close(shared: &Shared, key: &Key, id: u64) -> Result<()> {
    let mut inner = shared.directs.inner();
    match inner.channels.get(&id) {
        Some(c) if c.direct && &c.key == key => {
            remove(&mut inner, id);
            Ok(())
        }
        _ => Err(not_found(id)),
    }
}

/// `PeerGroupSendData` on a direct connection, or on a neighbour connection (whose data
/// stream is opened on first use).
pub(crate) async fn send(
    shared: &Arc<Shared>,
    key: Key,
    id: u64,
    data_type: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let guid: Guid = data_type
        .parse()
        .map_err(|_| Error::invalid_arg(format!("'{data_type}' is not a GUID")))?;
    if bytes.len() > MAX_DATA {
        return Err(Error::invalid_arg(format!(
            "{} bytes is more than PeerGroupSendData takes ({MAX_DATA})",
            bytes.len()
        )));
    }
    let existing = {
        let inner = shared.directs.inner();
        inner
            .channels
            .get(&id)
            .filter(|c| c.key == key)
            .map(|c| c.tx.clone())
    };
    let tx = match existing {
        Some(tx) => tx,
        None => neighbour_channel(shared, &key, id).await?,
    };
    let mut t = [0u8; 16];
    t.copy_from_slice(guid.as_ref());
    match tokio::time::timeout(SEND_TIMEOUT, tx.send((t, bytes))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Error::api(
            hr::PEER_E_CONNECTION_NOT_FOUND,
            "the connection closed",
        )),
        Err(_) => Err(failed(format!(
            "the member has read nothing for {} s",
            SEND_TIMEOUT.as_secs()
        ))),
    }
}

/// The data stream of neighbour connection `id`, opened now.
async fn neighbour_channel(
    shared: &Arc<Shared>,
    key: &Key,
    id: u64,
) -> Result<mpsc::Sender<Frame>> {
    let c = shared
        .neighbours(key)
        .into_iter()
        .find(|c| c.connection_id == id)
        .ok_or_else(|| not_found(id))?;
    let name = shared.group_name(key).ok_or_else(|| not_found(id))?;
    let stream = open_stream(shared, &c, &name, KIND_NEIGHBOR).await?;
    let mut inner = shared.directs.inner();
    // The other side (or another send) opened one meanwhile: send on that one, and keep
    // reading this one, which the other side may already write on.
    if let Some(existing) = inner.channels.get(&id).map(|c| c.tx.clone()) {
        if inner.room_for(&c.peer_id) {
            let extra = inner.id();
            start(
                shared,
                &mut inner,
                extra,
                id,
                key.clone(),
                &c,
                false,
                None,
                stream,
            );
        }
        return Ok(existing);
    }
    if !inner.room_for(&c.peer_id) {
        return Err(full());
    }
    Ok(start(
        shared,
        &mut inner,
        id,
        id,
        key.clone(),
        &c,
        false,
        None,
        stream,
    ))
}

/// An inbound direct stream of `group` from `peer` (already proven a member).
pub(crate) fn on_inbound(shared: &Arc<Shared>, peer: PeerId, group: &str, stream: DataStream) {
    let Some(key) = shared.key_of(group) else {
        return;
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(OPEN_TIMEOUT, accept(&shared, key, peer, stream)).await;
    });
}

async fn accept(shared: &Arc<Shared>, key: Key, peer: PeerId, mut stream: DataStream) {
    let mut kind = [0u8; 1];
    if stream.read_exact(&mut kind).await.is_err() || kind[0] > KIND_NEIGHBOR {
        return;
    }
    let peer_id = peer.to_string();
    let Some(neighbour) = shared
        .neighbours(&key)
        .into_iter()
        .find(|c| c.peer_id == peer_id)
    else {
        return;
    };
    let direct = kind[0] == KIND_DIRECT;
    let accepted = {
        let inner = shared.directs.inner();
        inner.room_for(&peer_id) && (!direct || !inner.direct_listeners(&key).is_empty())
    };
    let answer = if accepted { ACCEPTED } else { REFUSED };
    if stream.write_all(&[answer]).await.is_err() || stream.flush().await.is_err() || !accepted {
        let _ = stream.close().await;
        return;
    }
    let mut inner = shared.directs.inner();
    if direct {
        let id = inner.id();
        start(
            shared,
            &mut inner,
            id,
            id,
            key.clone(),
            &neighbour,
            true,
            None,
            stream,
        );
        if let Some(c) = inner.channels.get(&id) {
            announce(inner.direct_listeners(&key), CONNECTED, id, c);
        }
    } else {
        let id = neighbour.connection_id;
        if inner.channels.contains_key(&id) {
            // This side opened its own stream to the peer first: only read this one.
            let extra = inner.id();
            start(
                shared, &mut inner, extra, id, key, &neighbour, false, None, stream,
            );
        } else {
            start(
                shared, &mut inner, id, id, key, &neighbour, false, None, stream,
            );
        }
    }
}

async fn write_loop(mut w: WriteHalf<DataStream>, mut rx: mpsc::Receiver<Frame>) {
    while let Some((t, data)) = rx.recv().await {
        let mut header = [0u8; 20];
        header[..16].copy_from_slice(&t);
        // MAX_DATA fits in a u32.
        header[16..].copy_from_slice(&(data.len() as u32).to_be_bytes());
        if w.write_all(&header).await.is_err()
            || w.write_all(&data).await.is_err()
            || w.flush().await.is_err()
        {
            break;
        }
    }
    let _ = w.close().await;
}

async fn read_loop(
    shared: Arc<Shared>,
    key: Key,
    events_id: u64,
    (id, serial): (u64, u64),
    mut r: ReadHalf<DataStream>,
) {
    let budget = shared.directs.1.clone();
    loop {
        let mut header = [0u8; 20];
        if r.read_exact(&mut header).await.is_err() {
            break;
        }
        let mut t = [0u8; 16];
        t.copy_from_slice(&header[..16]);
        let len = u32::from_be_bytes([header[16], header[17], header[18], header[19]]) as usize;
        if len > MAX_DATA {
            break;
        }
        // The node-wide share of frames being read (KiB), held until delivered.
        let Ok(_share) = budget
            .clone()
            .acquire_many_owned((len >> 10) as u32 + 1)
            .await
        else {
            break;
        };
        // Grows with what arrives beyond 256 KiB: a peer announcing MAX_DATA and sending
        // little costs little.
        let mut data = Vec::with_capacity(len.min(256 << 10));
        match (&mut r).take(len as u64).read_to_end(&mut data).await {
            Ok(n) if n == len => {}
            _ => break,
        }
        deliver(&shared, &key, events_id, t, data).await;
    }
    let mut inner = shared.directs.inner();
    if inner.channels.get(&id).is_some_and(|c| c.serial == serial) {
        if let Some(c) = inner.channels.get_mut(&id) {
            // Ending on its own: nothing to abort.
            c.reader = None;
        }
        remove(&mut inner, id);
    }
}

/// Pushes one message to every data listener of `key`, waiting at most
/// [`LISTENER_STALL`] for each; a listener that stays full is dropped.
async fn deliver(shared: &Shared, key: &Key, id: u64, t: [u8; 16], data: Vec<u8>) {
    let listeners: Vec<(u64, mpsc::Sender<Reply>)> = shared
        .directs
        .inner()
        .listeners
        .iter()
        .filter(|(_, l)| l.data && &l.key == key)
        .map(|(n, l)| (*n, l.tx.clone()))
        .collect();
    if listeners.is_empty() {
        return;
    }
    let reply = Reply::IncomingData {
        connection_id: id,
        data_type: Guid::from(t).to_string(),
        len: data.len(),
        body: Arc::new(data),
    };
    for (n, tx) in listeners {
        let sent = tokio::time::timeout(LISTENER_STALL, tx.send(reply.clone())).await;
        if !matches!(sent, Ok(Ok(()))) {
            shared.directs.inner().listeners.remove(&n);
        }
    }
}
