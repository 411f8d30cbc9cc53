//! `PeerGroupConnect`, `PeerGroupConnectByAddress`, `PeerGroupGetStatus`,
//! `PeerGroupEnumConnections` and `PeerGroupClose`: a group handle's part in the store's
//! network node (see [`crate::node`]).

use std::net::{SocketAddr, SocketAddrV6};
use std::time::{Duration, Instant};

use super::{Group, GroupStatus};
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::node::{Connection, Session};
use crate::node::{Reply, Request};

/// A v4-mapped IPv6 address (`::ffff:a.b.c.d`, how `PEER_ADDRESS` carries IPv4) as the
/// IPv4 address it maps; any other address unchanged.
pub fn unmap(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(v4.into(), v6.port()),
            None => addr,
        },
        v4 => v4,
    }
}

/// A `PEER_ADDRESS`'s IPv6 socket address as a dialable one.
pub fn from_peer_address(addr: SocketAddrV6) -> SocketAddr {
    unmap(SocketAddr::V6(addr))
}

impl Group {
    /// `PeerGroupConnect`: connects this handle to the group through the store's node
    /// (started on demand, see [`crate::node`]), dialing the members that same-machine
    /// discovery finds. Returns once the node took the group; the outcome arrives as
    /// events (`NEIGHBOR_CONNECTION`, `STATUS_CHANGED`, and `CONNECTION_FAILED` when no
    /// member answered within 30 s) and in [`Group::get_status`]. The creator listens at
    /// once; another member after its first connection ([MS-PPGRH] 1.3.2). The group
    /// stays connected until this handle (and every other that connected) is closed.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; `PEER_E_INVALID_CREDENTIAL` for an expired or not yet
    /// valid GMC; `E_NOTIMPL` for a second identity of the same store in the same group;
    /// `PEER_E_SERVICE_NOT_AVAILABLE` when no node can be started.
    ///
    /// A password join without its GMC yet ([`crate::MembershipStatus::CredentialsPending`])
    /// is completed first ([MS-PPSEC] 3.3.5.2.5): the node asks the members it dials to
    /// admit the identity, proving the password without sending it, and stores the GMC the
    /// first one grants; only then does this call return. Its errors then also include
    /// `ERROR_INVALID_PASSWORD` (a member refused the password), `PEER_E_NOT_AUTHORIZED`
    /// (no member reached may admit password joiners), `PEER_E_CONNECTION_FAILED` (no
    /// member found or answering within 45 s); the membership stays pending after any of
    /// them.
    pub fn connect(&self) -> Result<()> {
        self.connect_request(&[], false)
    }

    /// `PeerGroupConnectByAddress`: as [`Group::connect`], dialing `addresses` (IPv4 or
    /// IPv6; v4-mapped IPv6 addresses are dialed as IPv4) instead of discovery.
    ///
    /// # Errors
    /// `E_INVALIDARG` for no address, a port 0 or an unspecified address; else as
    /// [`Group::connect`].
    pub fn connect_by_address(&self, addresses: &[SocketAddr]) -> Result<()> {
        let addrs = check_addresses(addresses)?;
        self.connect_request(&addrs, false)
    }

    /// As [`Group::connect_by_address`] (discovery when `addresses` is empty), but the
    /// node keeps the group connected after this handle and process are gone, until
    /// [`Group::disconnect_persistent`] or the node stops. This is what `peernet group
    /// connect` does.
    ///
    /// # Errors
    /// As [`Group::connect_by_address`].
    pub fn connect_persistent(&self, addresses: &[SocketAddr]) -> Result<()> {
        let addrs = if addresses.is_empty() {
            Vec::new()
        } else {
            check_addresses(addresses)?
        };
        self.connect_request(&addrs, true)
    }

    /// Ends a [`Group::connect_persistent`]; the node leaves the group when no handle
    /// holds it either. Nothing happens when no node runs.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; `PEER_E_SERVICE_NOT_AVAILABLE`.
    pub fn disconnect_persistent(&self) -> Result<()> {
        self.row()?;
        let Some(mut s) = Session::existing(self.ctx())? else {
            return Ok(());
        };
        s.request(&Request::Disconnect {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
            persistent: true,
        })?;
        Ok(())
    }

    fn connect_request(&self, addresses: &[SocketAddr], persistent: bool) -> Result<()> {
        self.current()?;
        let request = Request::Connect {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
            addresses: addresses.to_vec(),
            persistent,
            timeout_ms: u64::try_from(self.ctx().options.connect_timeout.as_millis())
                .unwrap_or(u64::MAX),
        };
        let mut guard = self
            .inner
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A session whose node went away (stopped, killed) is replaced by a new one.
        if let Some(s) = guard.as_mut() {
            match s.request(&request) {
                Ok(_) => return Ok(()),
                Err(e) if e.hresult() != hr::PEER_E_SERVICE_NOT_AVAILABLE => return Err(e),
                Err(_) => *guard = None,
            }
        }
        let mut s = Session::open(self.ctx())?;
        // The node may have just started: this handle's registrations for direct
        // connections listen on it before it takes the group.
        crate::events::wake_and_wait(self);
        s.request(&request)?;
        *guard = Some(s);
        Ok(())
    }

    /// Asks the store's node, when one runs; `None` otherwise.
    pub(super) fn ask(&self, request: &Request) -> Result<Option<Reply>> {
        match Session::existing(self.ctx())? {
            Some(mut s) => s.request(request).map(Some),
            None => Ok(None),
        }
    }

    /// `PeerGroupGetStatus`: `LISTENING` / `HAS_CONNECTIONS` from the store's node (0
    /// when none runs) and the membership state.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; `PEER_E_SERVICE_NOT_AVAILABLE` when the node's socket
    /// exists but the node does not answer.
    pub fn get_status(&self) -> Result<GroupStatus> {
        let (_, _, membership) = self.current()?;
        let flags = match self.ask(&Request::Status {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
        })? {
            Some(Reply::Status { flags }) => flags,
            _ => 0,
        };
        Ok(GroupStatus { flags, membership })
    }

    /// Polls [`Group::get_status`] until every flag of `mask` is set or `timeout`
    /// passes; returns the last flags (bounded: at most one query per 20 ms).
    ///
    /// # Errors
    /// As [`Group::get_status`].
    pub fn wait_for_status(&self, mask: u32, timeout: Duration) -> Result<u32> {
        let deadline = Instant::now() + timeout;
        loop {
            let flags = self.get_status()?.flags;
            if flags & mask == mask || Instant::now() >= deadline {
                return Ok(flags);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `PeerGroupEnumConnections` with `PEER_CONNECTION_NEIGHBOR`: the group's neighbor
    /// connections on the store's node (none when no node runs).
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; `PEER_E_SERVICE_NOT_AVAILABLE`.
    pub fn enum_connections(&self) -> Result<Vec<Connection>> {
        self.enum_connections_of(crate::node::PEER_CONNECTION_NEIGHBOR)
    }

    /// `PeerGroupEnumConnections(dwFlags)`: neighbour connections
    /// ([`PEER_CONNECTION_NEIGHBOR`](crate::node::PEER_CONNECTION_NEIGHBOR)), direct
    /// connections ([`PEER_CONNECTION_DIRECT`](crate::node::PEER_CONNECTION_DIRECT)) or
    /// both; [`Connection::flags`] says which each is.
    ///
    /// # Errors
    /// `E_INVALIDARG` for no flag or an unknown one; `PEER_E_INVALID_GROUP`;
    /// `PEER_E_SERVICE_NOT_AVAILABLE`.
    pub fn enum_connections_of(&self, flags: u32) -> Result<Vec<Connection>> {
        let known = crate::node::PEER_CONNECTION_NEIGHBOR | crate::node::PEER_CONNECTION_DIRECT;
        if flags == 0 || flags & !known != 0 {
            return Err(Error::invalid_arg(format!(
                "connection flags {flags:#x}: PEER_CONNECTION_NEIGHBOR (1) and/or PEER_CONNECTION_DIRECT (2)"
            )));
        }
        self.row()?;
        match self.ask(&Request::Connections {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
            flags,
        })? {
            Some(Reply::Connections { list }) => Ok(list),
            _ => Ok(Vec::new()),
        }
    }

    /// The group's peer time minus this machine's UTC, in FILETIME ticks (100 ns): the
    /// clocks of this node and its synchronizing neighbours averaged ([MS-PPGRH] 1.3.6).
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; `PEER_E_GROUP_NOT_READY` when the group has no
    /// synchronizing neighbour (not connected, or connected to nobody yet), as Windows
    /// before synchronization.
    pub fn peer_time_offset(&self) -> Result<i64> {
        self.row()?;
        let offset = match self.ask(&Request::PeerTime {
            identity: self.identity().to_string(),
            group: self.peer_name().to_string(),
        })? {
            Some(Reply::PeerTime { offset }) => offset,
            _ => None,
        };
        offset.ok_or_else(|| {
            Error::api(
                hr::PEER_E_GROUP_NOT_READY,
                "no peer time yet: the group has no connected neighbour to synchronize with",
            )
        })
    }

    /// `PeerGroupUniversalTimeToPeerTime`: a UTC FILETIME as the group's peer time.
    ///
    /// # Errors
    /// As [`Group::peer_time_offset`]; `E_INVALIDARG` when the result leaves the
    /// FILETIME range.
    pub fn universal_time_to_peer_time(&self, utc: u64) -> Result<u64> {
        shift(utc, self.peer_time_offset()?)
    }

    /// `PeerGroupPeerTimeToUniversalTime`: a peer-time FILETIME as UTC.
    ///
    /// # Errors
    /// As [`Group::universal_time_to_peer_time`].
    pub fn peer_time_to_universal_time(&self, peer: u64) -> Result<u64> {
        shift(peer, self.peer_time_offset()?.saturating_neg())
    }

    /// `PeerGroupClose`: releases this handle's connect (the node leaves the group when
    /// no other handle holds it). Other handles stay valid.
    ///
    /// # Errors
    /// None today.
    pub fn close(self) -> Result<()> {
        let mut guard = self
            .inner
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = None;
        Ok(())
    }
}

fn shift(t: u64, by: i64) -> Result<u64> {
    i64::try_from(t)
        .ok()
        .and_then(|t| t.checked_add(by))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| Error::invalid_arg("the time is outside the FILETIME range"))
}

fn check_addresses(addresses: &[SocketAddr]) -> Result<Vec<SocketAddr>> {
    if addresses.is_empty() {
        return Err(Error::invalid_arg("at least one address is required"));
    }
    addresses
        .iter()
        .map(|a| {
            let a = unmap(*a);
            if a.port() == 0 || a.ip().is_unspecified() || a.ip().is_multicast() {
                Err(Error::invalid_arg(format!(
                    "'{a}' cannot be dialed (port 0, unspecified or multicast address)"
                )))
            } else {
                Ok(a)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_mapped_addresses_are_dialed_as_ipv4() {
        let m: SocketAddrV6 = "[::ffff:127.0.0.1]:3587".parse().unwrap();
        assert_eq!(from_peer_address(m), "127.0.0.1:3587".parse().unwrap());
        let v6: SocketAddrV6 = "[::1]:3587".parse().unwrap();
        assert_eq!(from_peer_address(v6), SocketAddr::V6(v6));
    }

    #[test]
    fn undialable_addresses_are_invalid_arguments() {
        for bad in ["0.0.0.0:3587", "127.0.0.1:0", "[::]:1", "224.0.0.1:5"] {
            let a: SocketAddr = bad.parse().unwrap();
            let e = check_addresses(&[a]).unwrap_err();
            assert_eq!(e.hresult(), hr::E_INVALIDARG, "{bad}");
        }
        assert_eq!(
            check_addresses(&[]).unwrap_err().hresult(),
            hr::E_INVALIDARG
        );
    }
}
