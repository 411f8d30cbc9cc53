//! Group data streams: once a connection carries a group's membership proofs, either
//! side may open streams of [`DATA_PROTOCOL`] for that group (replication), and of
//! [`DIRECT_PROTOCOL`] (direct connections). A stream starts with a header naming the group (`u16` length + the
//! group peer name in UTF-8); the receiver accepts it only when the remote PeerId has
//! an authenticated connection of that group, so nothing of a group reaches a peer
//! that has not proven its membership.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p_identity::PeerId;
use libp2p_swarm::StreamProtocol;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::wire::MAX_GROUP_NAME_LEN;

/// The libp2p protocol of group data streams.
pub const DATA_PROTOCOL: StreamProtocol = StreamProtocol::new("/peernet/group-data/1");

/// The libp2p protocol of direct connections (`PeerGroupOpenDirectConnection`, and
/// `PeerGroupSendData` on neighbour connections): the same group header and gate as
/// [`DATA_PROTOCOL`], then the frames of the store's node.
pub const DIRECT_PROTOCOL: StreamProtocol = StreamProtocol::new("/peernet/direct/1");

/// A group data stream (`AsyncRead + AsyncWrite`).
pub type DataStream = libp2p_swarm::Stream;

/// How long an inbound stream may take to name its group.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Inbound streams whose header is still awaited at once; more are dropped.
pub const MAX_PENDING_HEADERS: usize = 64;
/// How long an inbound stream of a group not (yet) proven by its peer waits for the
/// proof, in steps.
const AUTH_GRACE_STEP: Duration = Duration::from_millis(20);
const AUTH_GRACE_STEPS: usize = 100;
/// Accepted streams waiting for the consumer; more are dropped.
pub const ACCEPT_QUEUE: usize = 64;

/// Which groups each peer has proven on some open connection: peer → group → number
/// of connections.
pub(crate) type Peers = Arc<RwLock<HashMap<PeerId, HashMap<String, usize>>>>;

pub(crate) fn is_authenticated(peers: &Peers, peer: &PeerId, group: &str) -> bool {
    peers
        .read()
        .map(|p| {
            p.get(peer)
                .is_some_and(|g| g.get(group).is_some_and(|n| *n > 0))
        })
        .unwrap_or(false)
}

pub(crate) async fn write_header(s: &mut DataStream, group: &str) -> Result<()> {
    if group.len() > MAX_GROUP_NAME_LEN {
        return Err(Error::Malformed("group name too long"));
    }
    let mut h = (group.len() as u16).to_be_bytes().to_vec();
    h.extend_from_slice(group.as_bytes());
    s.write_all(&h).await.map_err(Error::io)?;
    s.flush().await.map_err(Error::io)
}

async fn read_header(s: &mut DataStream) -> Result<String> {
    let mut n = [0u8; 2];
    s.read_exact(&mut n).await.map_err(Error::io)?;
    let n = usize::from(u16::from_be_bytes(n));
    if n > MAX_GROUP_NAME_LEN {
        return Err(Error::Malformed("group name too long"));
    }
    let mut name = vec![0u8; n];
    s.read_exact(&mut name).await.map_err(Error::io)?;
    String::from_utf8(name).map_err(|_| Error::Malformed("group name is not UTF-8"))
}

/// The inbound group data streams of a node: each with the remote PeerId and the group
/// it named, already checked against the peer's proven groups.
pub struct DataStreams(pub(crate) mpsc::Receiver<(PeerId, String, DataStream)>);

impl DataStreams {
    /// The next accepted stream; `None` once the node stopped.
    pub async fn next(&mut self) -> Option<(PeerId, String, DataStream)> {
        self.0.recv().await
    }
}

/// Runs the gate: reads each inbound stream's header (bounded in time and number) and
/// passes on those of proven groups.
pub(crate) fn spawn_gate(
    mut incoming: libp2p_stream::IncomingStreams,
    peers: Peers,
) -> DataStreams {
    let (tx, rx) = mpsc::channel(ACCEPT_QUEUE);
    let pending = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Some((peer, mut stream)) = incoming.next().await {
            if tx.is_closed() {
                break;
            }
            if pending.load(Ordering::Relaxed) >= MAX_PENDING_HEADERS {
                continue;
            }
            pending.fetch_add(1, Ordering::Relaxed);
            let (tx, peers, pending) = (tx.clone(), peers.clone(), pending.clone());
            tokio::spawn(async move {
                let header = tokio::time::timeout(HEADER_TIMEOUT, read_header(&mut stream)).await;
                if let Ok(Ok(group)) = header {
                    // The opener learns that the handshake passed a moment before this
                    // side does (it reads the last proof first): wait a little for it.
                    for _ in 0..AUTH_GRACE_STEPS {
                        if is_authenticated(&peers, &peer, &group) {
                            let _ = tx.try_send((peer, group, stream));
                            break;
                        }
                        tokio::time::sleep(AUTH_GRACE_STEP).await;
                    }
                }
                pending.fetch_sub(1, Ordering::Relaxed);
            });
        }
    });
    DataStreams(rx)
}
