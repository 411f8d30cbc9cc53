//! `PeerGroupOpenDirectConnection`, `PeerGroupCloseDirectConnection` and
//! `PeerGroupSendData`: direct connections to members, through the store's node (see
//! `node/direct.rs` for the wire). A direct connection belongs to the handle that opened
//! it and closes with it.

use std::net::SocketAddr;

use peernet_protocol::Guid;

use super::Group;
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::node::{MAX_DATA, Reply, Request, Session};

impl Group {
    /// Sends `request` (and `body` after it) on this handle's session with the node
    /// (opened when this handle has none yet and a node runs).
    fn on_session(&self, request: &Request) -> Result<Reply> {
        self.on_session_with(request, &[])
    }

    fn on_session_with(&self, request: &Request, body: &[u8]) -> Result<Reply> {
        let mut guard = self
            .inner
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            *guard = Session::existing(self.ctx())?;
        }
        let result = match guard.as_mut() {
            Some(s) => s.request_with(request, body),
            None => Err(Error::api(
                hr::PEER_E_CONNECTION_FAILED,
                "the group is not connected (PeerGroupConnect first)",
            )),
        };
        // A session that failed (node gone, reply timed out) may be out of step with the
        // node: the next call starts a new one.
        if result
            .as_ref()
            .is_err_and(|e| e.hresult() == hr::PEER_E_SERVICE_NOT_AVAILABLE)
        {
            *guard = None;
        }
        result
    }

    /// `PeerGroupOpenDirectConnection`: a direct connection to the member `identity`
    /// (its identity peer name), over this node's neighbour connection with it, or
    /// dialing `address` first when there is none. Returns the connection id for
    /// [`Group::send_data`]; this store's DIRECT_CONNECTION registrations (the opener's
    /// too, as Windows) get PEER_CONNECTED for it. The connection lasts until
    /// [`Group::close_direct_connection`], this handle's close, or the member's.
    ///
    /// # Errors
    /// `PEER_E_CONNECT_SELF` for this handle's own identity; `PEER_E_CONNECTION_FAILED`
    /// when the group is not connected or the member cannot be reached;
    /// `PEER_E_CONNECTION_REFUSED` when no process of the member's store listens for
    /// `PEER_GROUP_EVENT_DIRECT_CONNECTION`; `E_INVALIDARG` for an empty identity.
    pub fn open_direct_connection(
        &self,
        identity: &str,
        address: Option<SocketAddr>,
    ) -> Result<u64> {
        if identity.is_empty() {
            return Err(Error::invalid_arg("no member identity given"));
        }
        self.current()?;
        if identity == self.identity() {
            return Err(Error::api(
                hr::PEER_E_CONNECT_SELF,
                "a direct connection to this identity itself",
            ));
        }
        match self.on_session(&Request::OpenDirect {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
            member: identity.to_string(),
            address: address.map(super::connect::unmap),
        })? {
            Reply::Direct { connection_id } => Ok(connection_id),
            other => Err(Error::api(
                hr::E_FAIL,
                format!("unexpected answer from the node: {other:?}"),
            )),
        }
    }

    /// `PeerGroupCloseDirectConnection`.
    ///
    /// # Errors
    /// `PEER_E_CONNECTION_NOT_FOUND` when `connection_id` is no direct connection of this
    /// group; `PEER_E_CONNECTION_FAILED` when the group is not connected.
    pub fn close_direct_connection(&self, connection_id: u64) -> Result<()> {
        self.row()?;
        self.on_session(&Request::CloseDirect {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
            connection_id,
        })
        .map(|_| ())
    }

    /// `PeerGroupSendData`: `data` of type `data_type` on a direct connection or a
    /// neighbour connection ([`Group::enum_connections_of`]). Returns once the node
    /// queued it; the other side's processes registered for
    /// `PEER_GROUP_EVENT_INCOMING_DATA` receive it, in sending order.
    ///
    /// # Errors
    /// `E_INVALIDARG` for more than [`MAX_DATA`] bytes; `PEER_E_CONNECTION_NOT_FOUND`
    /// when `connection_id` is no connection of this group (or it closed, or the group is
    /// not connected on the node); `PEER_E_CONNECTION_FAILED` when the member read
    /// nothing for 20 s or no node runs for this handle.
    pub fn send_data(&self, connection_id: u64, data_type: &Guid, data: &[u8]) -> Result<()> {
        if data.len() > MAX_DATA {
            return Err(Error::invalid_arg(format!(
                "{} bytes is more than PeerGroupSendData takes ({MAX_DATA})",
                data.len()
            )));
        }
        self.row()?;
        self.on_session_with(
            &Request::SendData {
                identity: self.identity().to_string(),
                group: self.peer_name().to_string(),
                connection_id,
                data_type: data_type.to_string(),
                len: data.len(),
            },
            data,
        )
        .map(|_| ())
    }
}
