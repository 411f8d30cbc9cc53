//! Shared helpers of the node tests: groups and members of either profile, nodes on
//! loopback, bounded waits for events, and a hostile libp2p peer that speaks the wire
//! format directly.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use libp2p_identity::PeerId;
use libp2p_swarm::SwarmEvent;
use libp2p_swarm::{Stream, Swarm};
use peernet_crypto::cert::{GmcParams, GrcParams, IdcParams, Validity};
use peernet_crypto::{Certificate, PeerName, PrivateKey, Profile, Role};
use peernet_net::proof::{Binding, sign_proof};
use peernet_net::wire::{Message, Proof, read_message, write_message};
use peernet_net::{Event, Events, GroupCredentials, Node, NodeConfig, NodeKey, PROTOCOL};

pub const DAY: Duration = Duration::from_secs(86_400);
/// The handshake timeout of test nodes.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a test waits for one event.
pub const WAIT: Duration = Duration::from_secs(15);

/// A group: its key, name and root certificate (valid from ten days ago).
pub struct Group {
    pub profile: Profile,
    pub key: PrivateKey,
    pub name: PeerName,
    pub grc: Certificate,
}

/// A member: its key and chain (root first).
pub struct Member {
    pub key: PrivateKey,
    pub chain: Vec<Certificate>,
    pub name: PeerName,
}

impl Member {
    /// The chain as the wire carries it.
    pub fn ders(&self) -> Vec<Vec<u8>> {
        self.chain.iter().map(|c| c.der().to_vec()).collect()
    }
}

impl Group {
    pub fn new(profile: Profile, friendly: &str) -> Group {
        let key = PrivateKey::generate(profile).unwrap();
        let name = key.peer_name(friendly).unwrap();
        let mut params = GrcParams::new(name.clone(), friendly, SystemTime::now()).unwrap();
        params.validity = Validity::infinite(SystemTime::now() - 10 * DAY).unwrap();
        let grc = params.issue(&key).unwrap();
        Group {
            profile,
            key,
            name,
            grc,
        }
    }

    /// A member whose GMC has `validity` (None: the root's).
    pub fn member_with(&self, friendly: &str, validity: Option<Validity>) -> Member {
        let key = PrivateKey::generate(self.profile).unwrap();
        let name = key.peer_name(friendly).unwrap();
        let mut idc = IdcParams::new(name.clone(), friendly, SystemTime::now()).unwrap();
        idc.validity = Validity::infinite(SystemTime::now() - 10 * DAY).unwrap();
        let idc = idc.issue(&key).unwrap();
        let mut p = GmcParams::for_identity(&idc, &[Role::MEMBER], &self.grc).unwrap();
        if let Some(v) = validity {
            p.validity = v;
        }
        let gmc = p.issue(&self.grc, &self.key).unwrap();
        Member {
            key,
            chain: vec![self.grc.clone(), gmc],
            name,
        }
    }

    pub fn member(&self, friendly: &str) -> Member {
        self.member_with(friendly, None)
    }

    pub fn credentials(&self, m: Member) -> GroupCredentials {
        GroupCredentials::new(self.name.clone(), self.profile, m.chain, m.key).unwrap()
    }
}

pub fn config() -> NodeConfig {
    NodeConfig {
        listen: vec!["127.0.0.1:0".parse().unwrap()],
        handshake_timeout: TIMEOUT,
    }
}

pub async fn start() -> (Node, Events) {
    Node::start(NodeKey::generate().unwrap(), config())
        .await
        .unwrap()
}

/// A started node that joined `group` as a new member `friendly`.
pub async fn member_node(group: &Group, friendly: &str) -> (Node, Events, PeerName) {
    let (node, events) = start().await;
    let m = group.member(friendly);
    let name = m.name.clone();
    node.join_group(group.credentials(m));
    (node, events, name)
}

pub fn addr(node: &Node) -> SocketAddr {
    node.listen_addrs()[0]
}

/// What a hostile peer dials: a node of this process, or another process's node by its
/// loopback address and PeerId.
pub trait Target {
    /// The node's loopback address.
    fn socket(&self) -> SocketAddr;
    /// The node's PeerId.
    fn peer(&self) -> PeerId;
}

impl Target for Node {
    fn socket(&self) -> SocketAddr {
        addr(self)
    }
    fn peer(&self) -> PeerId {
        self.peer_id()
    }
}

impl Target for (SocketAddr, PeerId) {
    fn socket(&self) -> SocketAddr {
        self.0
    }
    fn peer(&self) -> PeerId {
        self.1
    }
}

/// The first event matching `pred`, skipping others; panics after [`WAIT`].
pub async fn wait_for(events: &mut Events, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(e)) if pred(&e) => return e,
            Ok(Some(_)) => {}
            Ok(None) => panic!("event stream ended while waiting for {what}"),
            Err(_) => panic!("no {what} within {WAIT:?}"),
        }
    }
}

/// Wait for `peer` to be authenticated in `group` on `events`.
pub async fn authenticated(events: &mut Events, peer: PeerId, group: &PeerName) -> PeerName {
    match wait_for(events, "PeerAuthenticated", |e| {
        matches!(e, Event::PeerAuthenticated { peer: p, group: g, .. } if *p == peer && g == group)
    })
    .await
    {
        Event::PeerAuthenticated { member, .. } => member,
        _ => unreachable!(),
    }
}

/// Wait for `peer` to be refused; returns the reason.
pub async fn refused(events: &mut Events, peer: PeerId) -> peernet_net::Error {
    match wait_for(
        events,
        "AuthenticationFailed",
        |e| matches!(e, Event::AuthenticationFailed { peer: p, .. } if *p == peer),
    )
    .await
    {
        Event::AuthenticationFailed { reason, .. } => reason,
        _ => unreachable!(),
    }
}

/// An honest new member of `group` dials `target` and both sides authenticate: the
/// target still serves.
pub async fn honest_peer_still_served(group: &Group, target: &Node, events: &mut Events) {
    let (node, mut ev, _) = member_node(group, "latecomer").await;
    node.dial(addr(target)).await.unwrap();
    authenticated(events, node.peer_id(), &group.name).await;
    authenticated(&mut ev, target.peer_id(), &group.name).await;
}

/// A libp2p peer with raw streams of the handshake protocol, driven by its own task.
pub struct Hostile {
    pub peer: PeerId,
    pub control: libp2p_stream::Control,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn transport(
    key: &libp2p_identity::Keypair,
) -> libp2p_core::transport::Boxed<(PeerId, libp2p_core::muxing::StreamMuxerBox)> {
    use libp2p_core::Transport as _;
    libp2p_tcp::tokio::Transport::new(libp2p_tcp::Config::default().nodelay(true))
        .upgrade(libp2p_core::upgrade::Version::V1)
        .authenticate(libp2p_noise::Config::new(key).unwrap())
        .multiplex(libp2p_yamux::Config::default())
        .boxed()
}

fn hostile_swarm_with(key: libp2p_identity::Keypair) -> Swarm<libp2p_stream::Behaviour> {
    let peer = key.public().to_peer_id();
    Swarm::new(
        transport(&key),
        libp2p_stream::Behaviour::new(),
        peer,
        libp2p_swarm::Config::with_tokio_executor()
            .with_idle_connection_timeout(Duration::from_secs(30)),
    )
}

fn hostile_swarm() -> Swarm<libp2p_stream::Behaviour> {
    hostile_swarm_with(libp2p_identity::Keypair::generate_ed25519())
}

impl Hostile {
    /// Connected to `target` (no stream opened yet).
    pub async fn connect(target: &impl Target) -> Hostile {
        Hostile::connect_as(target, libp2p_identity::Keypair::generate_ed25519()).await
    }

    /// Connected to `target` with transport key `key`.
    pub async fn connect_as(target: &impl Target, key: libp2p_identity::Keypair) -> Hostile {
        let mut swarm = hostile_swarm_with(key);
        let peer = *swarm.local_peer_id();
        let control = swarm.behaviour().new_control();
        let ma: libp2p_core::Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", target.socket().port())
            .parse()
            .unwrap();
        swarm.dial(ma).unwrap();
        tokio::time::timeout(WAIT, async {
            loop {
                if let SwarmEvent::ConnectionEstablished { .. } = swarm.select_next_some().await {
                    break;
                }
            }
        })
        .await
        .expect("hostile peer connects");
        let task = tokio::spawn(async move {
            loop {
                swarm.select_next_some().await;
            }
        });
        Hostile {
            peer,
            control,
            task,
        }
    }

    /// Listening on loopback, accepting handshake streams; returns the address.
    pub async fn listen() -> (Hostile, libp2p_stream::IncomingStreams, SocketAddr) {
        Hostile::listen_for(PROTOCOL).await
    }

    /// Listening on loopback, accepting streams of `protocol`; returns the address.
    pub async fn listen_for(
        protocol: libp2p_swarm::StreamProtocol,
    ) -> (Hostile, libp2p_stream::IncomingStreams, SocketAddr) {
        let mut swarm = hostile_swarm();
        let peer = *swarm.local_peer_id();
        let mut control = swarm.behaviour().new_control();
        let incoming = control.accept(protocol).unwrap();
        swarm
            .listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap())
            .unwrap();
        let address = tokio::time::timeout(WAIT, async {
            loop {
                if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
                    let port = address
                        .iter()
                        .find_map(|p| match p {
                            libp2p_core::multiaddr::Protocol::Tcp(p) => Some(p),
                            _ => None,
                        })
                        .unwrap();
                    break SocketAddr::from(([127, 0, 0, 1], port));
                }
            }
        })
        .await
        .expect("hostile peer listens");
        let task = tokio::spawn(async move {
            loop {
                swarm.select_next_some().await;
            }
        });
        (
            Hostile {
                peer,
                control,
                task,
            },
            incoming,
            address,
        )
    }

    /// A stream of `protocol` to `target`.
    pub async fn stream_of(
        &mut self,
        target: &impl Target,
        protocol: libp2p_swarm::StreamProtocol,
    ) -> Stream {
        tokio::time::timeout(WAIT, self.control.open_stream(target.peer(), protocol))
            .await
            .expect("stream opens in time")
            .expect("stream opens")
    }

    pub async fn stream(&mut self, target: &impl Target) -> Stream {
        tokio::time::timeout(WAIT, self.control.open_stream(target.peer(), PROTOCOL))
            .await
            .expect("stream opens in time")
            .expect("stream opens")
    }

    /// Run the initiator side up to the proof: exchange nonces, then send the proof
    /// `make` builds from this connection's binding. Returns whether the target answered
    /// with a proof of its own (it must not, for a refused proof).
    pub async fn send_proof(
        &mut self,
        target: &impl Target,
        make: impl FnOnce(&Binding<'_>) -> Proof,
    ) -> bool {
        let mut s = self.stream(target).await;
        let nonce_i = [0x5a; 32];
        write_message(&mut s, &Message::Hello { nonce: nonce_i })
            .await
            .unwrap();
        let Message::Hello { nonce: nonce_r } = read_message(&mut s).await.unwrap() else {
            panic!("expected Hello")
        };
        let target_peer = target.peer();
        let binding = Binding {
            group: "",
            initiator: &self.peer,
            responder: &target_peer,
            initiator_nonce: &nonce_i,
            responder_nonce: &nonce_r,
        };
        let proof = make(&binding);
        write_message(&mut s, &Message::Proof(proof)).await.unwrap();
        let answered = matches!(
            tokio::time::timeout(WAIT, read_message(&mut s)).await,
            Ok(Ok(Message::Proof(_)))
        );
        if answered {
            write_message(&mut s, &Message::Confirm).await.unwrap();
        }
        answered
    }
}

/// A proof over `binding` for `group` with `chain`, signed by `key`.
pub fn proof(group: &PeerName, chain: Vec<Vec<u8>>, key: &PrivateKey, b: &Binding<'_>) -> Proof {
    let b = Binding {
        group: group.as_str(),
        ..*b
    };
    sign_proof(group.as_str(), chain, key, &b, peernet_net::Role::Initiator).unwrap()
}
