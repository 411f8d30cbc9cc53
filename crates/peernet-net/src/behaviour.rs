//! The libp2p side: a `NetworkBehaviour` whose connection handler runs the membership
//! handshake on every connection and reports the outcome, and which closes any
//! connection whose handshake is refused.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::{BoxFuture, Either, select};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use futures_timer::Delay;
use libp2p_core::transport::PortUse;
use libp2p_core::upgrade::ReadyUpgrade;
use libp2p_core::{Endpoint, Multiaddr};
use libp2p_identity::PeerId;
use libp2p_swarm::Stream;
use libp2p_swarm::handler::{
    ConnectionEvent, DialUpgradeError, FullyNegotiatedInbound, FullyNegotiatedOutbound,
};
use libp2p_swarm::{
    CloseConnection, ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent, ConnectionId,
    FromSwarm, NetworkBehaviour, StreamProtocol, SubstreamProtocol, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm,
};
use peernet_crypto::PeerName;

use crate::error::{Error, Result};
use crate::handshake;
use crate::proof::{GroupCredentials, Groups, Role};

/// The libp2p protocol name of the membership handshake.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/peernet/group-membership/1");

/// What a handler reports.
#[derive(Debug)]
pub(crate) enum HandlerOut {
    Authenticated { group: PeerName, member: PeerName },
    Refused { group: Option<String>, error: Error },
}

/// What the behaviour reports to the node loop.
#[derive(Debug)]
pub(crate) enum BehaviourEvent {
    Authenticated {
        peer: PeerId,
        connection: ConnectionId,
        group: PeerName,
        member: PeerName,
    },
    Refused {
        peer: PeerId,
        connection: ConnectionId,
        group: Option<String>,
        error: Error,
    },
}

pub(crate) struct Behaviour {
    local: PeerId,
    groups: Groups,
    timeout: Duration,
    out: VecDeque<ToSwarm<BehaviourEvent, Infallible>>,
    /// Dials that prove only some groups: connection id → group peer names.
    pub(crate) dial_groups: HashMap<ConnectionId, Vec<String>>,
}

impl Behaviour {
    pub(crate) fn new(local: PeerId, groups: Groups, timeout: Duration) -> Self {
        Behaviour {
            local,
            groups,
            timeout,
            out: VecDeque::new(),
            dial_groups: HashMap::new(),
        }
    }

    /// The handler of a connection; an initiator proves the groups its dial named, or
    /// every joined group for a dial that named none.
    fn handler(&mut self, remote: PeerId, role: Role, connection: ConnectionId) -> Handler {
        let only = self.dial_groups.remove(&connection);
        let to_open = match role {
            Role::Initiator => self
                .groups
                .read()
                .map(|g| {
                    g.iter()
                        .filter(|(name, _)| only.as_ref().is_none_or(|o| o.contains(name)))
                        .map(|(_, c)| c.clone())
                        .collect()
                })
                .unwrap_or_default(),
            Role::Responder => VecDeque::new(),
        };
        Handler {
            local: self.local,
            remote,
            role,
            groups: self.groups.clone(),
            timeout: self.timeout,
            to_open,
            inbound_streams: 0,
            running: FuturesUnordered::new(),
            authenticated: 0,
            refused: false,
            deadline: Delay::new(self.timeout),
            out: VecDeque::new(),
        }
    }
}

impl NetworkBehaviour for Behaviour {
    type ConnectionHandler = Handler;
    type ToSwarm = BehaviourEvent;

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        _local_addr: &Multiaddr,
        _remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(self.handler(peer, Role::Responder, connection_id))
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        _addr: &Multiaddr,
        role_override: Endpoint,
        _port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let role = match role_override {
            Endpoint::Dialer => Role::Initiator,
            Endpoint::Listener => Role::Responder,
        };
        Ok(self.handler(peer, role, connection_id))
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        if let FromSwarm::DialFailure(f) = event {
            self.dial_groups.remove(&f.connection_id);
        }
    }

    fn on_connection_handler_event(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {
            HandlerOut::Authenticated { group, member } => {
                self.out
                    .push_back(ToSwarm::GenerateEvent(BehaviourEvent::Authenticated {
                        peer,
                        connection,
                        group,
                        member,
                    }));
            }
            HandlerOut::Refused { group, error } => {
                self.out
                    .push_back(ToSwarm::GenerateEvent(BehaviourEvent::Refused {
                        peer,
                        connection,
                        group,
                        error,
                    }));
                self.out.push_back(ToSwarm::CloseConnection {
                    peer_id: peer,
                    connection: CloseConnection::One(connection),
                });
            }
        }
    }

    fn poll(
        &mut self,
        _cx: &mut Context<'_>,
    ) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        match self.out.pop_front() {
            Some(e) => Poll::Ready(e),
            None => Poll::Pending,
        }
    }
}

/// Runs the handshakes of one connection: the initiator opens one stream per joined
/// group, the responder accepts at most one stream per joined group. Until a group's
/// handshake passed, nothing of it is carried; any refusal ends the connection.
pub(crate) struct Handler {
    local: PeerId,
    remote: PeerId,
    role: Role,
    groups: Groups,
    timeout: Duration,
    to_open: VecDeque<Arc<GroupCredentials>>,
    inbound_streams: usize,
    running: FuturesUnordered<BoxFuture<'static, HandlerOut>>,
    authenticated: usize,
    refused: bool,
    deadline: Delay,
    out: VecDeque<HandlerOut>,
}

fn with_timeout(
    timeout: Duration,
    work: impl std::future::Future<Output = HandlerOut> + Send + 'static,
    group: Option<String>,
) -> BoxFuture<'static, HandlerOut> {
    async move {
        match select(Box::pin(work), Delay::new(timeout)).await {
            Either::Left((out, _)) => out,
            Either::Right(_) => HandlerOut::Refused {
                group,
                error: Error::Timeout,
            },
        }
    }
    .boxed()
}

impl Handler {
    fn refuse(&mut self, group: Option<String>, error: Error) {
        if !self.refused {
            self.refused = true;
            self.out.push_back(HandlerOut::Refused { group, error });
        }
    }

    fn max_inbound(&self) -> usize {
        self.groups.read().map(|g| g.len()).unwrap_or(0).max(1)
    }

    fn start_outbound(&mut self, mut stream: Stream, creds: Arc<GroupCredentials>) {
        let (local, remote) = (self.local, self.remote);
        let group = creds.group().as_str().to_string();
        let work = async move {
            match handshake::initiate(&mut stream, &local, &remote, &creds).await {
                Ok(member) => HandlerOut::Authenticated {
                    group: creds.group().clone(),
                    member,
                },
                Err(error) => HandlerOut::Refused {
                    group: Some(creds.group().as_str().to_string()),
                    error,
                },
            }
        };
        self.running
            .push(with_timeout(self.timeout, work, Some(group)));
    }

    fn start_inbound(&mut self, mut stream: Stream) {
        let (local, remote, groups) = (self.local, self.remote, self.groups.clone());
        let work = async move {
            match handshake::respond(&mut stream, &local, &remote, &groups).await {
                Ok((group, member)) => HandlerOut::Authenticated { group, member },
                Err((group, error)) => HandlerOut::Refused { group, error },
            }
        };
        self.running.push(with_timeout(self.timeout, work, None));
    }
}

impl ConnectionHandler for Handler {
    type FromBehaviour = Infallible;
    type ToBehaviour = HandlerOut;
    type InboundProtocol = ReadyUpgrade<StreamProtocol>;
    type OutboundProtocol = ReadyUpgrade<StreamProtocol>;
    type InboundOpenInfo = ();
    type OutboundOpenInfo = Arc<GroupCredentials>;

    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, ()> {
        SubstreamProtocol::new(ReadyUpgrade::new(PROTOCOL), ())
    }

    fn connection_keep_alive(&self) -> bool {
        !self.refused
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ConnectionHandlerEvent<Self::OutboundProtocol, Arc<GroupCredentials>, HandlerOut>>
    {
        if let Some(out) = self.out.pop_front() {
            return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(out));
        }
        if self.refused {
            return Poll::Pending;
        }
        if let Some(creds) = self.to_open.pop_front() {
            return Poll::Ready(ConnectionHandlerEvent::OutboundSubstreamRequest {
                protocol: SubstreamProtocol::new(ReadyUpgrade::new(PROTOCOL), creds)
                    .with_timeout(self.timeout),
            });
        }
        if let Poll::Ready(Some(out)) = self.running.poll_next_unpin(cx) {
            match &out {
                HandlerOut::Authenticated { .. } => self.authenticated += 1,
                HandlerOut::Refused { .. } => self.refused = true,
            }
            return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(out));
        }
        if self.authenticated == 0 && self.deadline.poll_unpin(cx).is_ready() {
            self.refused = true;
            return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(
                HandlerOut::Refused {
                    group: None,
                    error: Error::Timeout,
                },
            ));
        }
        Poll::Pending
    }

    fn on_behaviour_event(&mut self, event: Infallible) {
        match event {}
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<
            Self::InboundProtocol,
            Self::OutboundProtocol,
            Self::InboundOpenInfo,
            Self::OutboundOpenInfo,
        >,
    ) {
        if self.refused {
            return;
        }
        match event {
            ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound {
                protocol: stream,
                ..
            }) => {
                self.inbound_streams += 1;
                if self.role == Role::Initiator || self.inbound_streams > self.max_inbound() {
                    drop(stream);
                    self.refuse(None, Error::TooManyStreams);
                } else {
                    self.start_inbound(stream);
                }
            }
            ConnectionEvent::FullyNegotiatedOutbound(FullyNegotiatedOutbound {
                protocol: stream,
                info,
            }) => self.start_outbound(stream, info),
            ConnectionEvent::DialUpgradeError(DialUpgradeError { info, error }) => {
                self.refuse(
                    Some(info.group().as_str().to_string()),
                    Error::StreamClosed(error.to_string()),
                );
            }
            _ => {}
        }
    }
}
