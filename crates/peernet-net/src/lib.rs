//! The peernet network node: groups connect over rust-libp2p (TCP, Noise XX, yamux) and
//! every connection carries a membership proof in both directions before anything of a
//! group crosses it.
//!
//! This is the foundation of `PeerGroupConnect`: [MS-PPSEC] 3.2.5.2.3 and 3.3.5.2.3
//! authenticate a connection by each side's GMC chain, validated to the group's root,
//! and bind it to the connection by key equality with the TLS identity. Here the
//! transport is libp2p's Noise with an ed25519 node key, so the binding is a signature
//! by the chain leaf's key over a transcript naming both PeerIds and a fresh nonce of
//! each side ([`proof::transcript`]). The wire format is in [`wire`].
//!
//! ```no_run
//! # async fn demo(creds: peernet_net::GroupCredentials, other: std::net::SocketAddr)
//! # -> peernet_net::Result<()> {
//! use peernet_net::{Event, Node, NodeConfig, NodeKey};
//! let config = NodeConfig { listen: vec!["127.0.0.1:0".parse().unwrap()], ..NodeConfig::default() };
//! let (node, mut events) = Node::start(NodeKey::generate()?, config).await?;
//! node.join_group(creds);
//! node.dial(other).await?;
//! while let Some(e) = events.next().await {
//!     if let Event::PeerAuthenticated { member, .. } = e {
//!         println!("connected to {}", member.as_str());
//!         break;
//!     }
//! }
//! # Ok(()) }
//! ```

mod behaviour;
pub mod data;
pub mod error;
mod handshake;
mod node;
pub mod password;
pub mod proof;
pub mod wire;

pub use behaviour::PROTOCOL;
pub use data::{DATA_PROTOCOL, DIRECT_PROTOCOL, DataStream, DataStreams};
pub use error::{Error, Result};
pub use libp2p_identity::PeerId;
pub use node::{
    ConnectionId, EVENT_QUEUE, Event, Events, GROUPING_PORT, Node, NodeConfig, NodeKey,
};
pub use password::{JoinerCredentials, PASSWORD_JOIN_PROTOCOL, PasswordJoinRequest, PasswordJoins};
pub use proof::{GroupCredentials, Role};
pub use wire::JoinRefusal;
