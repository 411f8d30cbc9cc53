//! The network functions of a group handle: `PeerGroupConnectByAddress`,
//! `PeerGroupEnumConnections` (PeerGroupConnect and PeerGroupGetStatus are in
//! `group.rs`). Addresses are `PEER_ADDRESS` (an IPv6 `SOCKADDR_IN6`; IPv4 members as
//! v4-mapped addresses, `::ffff:a.b.c.d`).

use std::mem::{offset_of, size_of};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};

use peernet::Connection;
use peernet::hresult::E_INVALIDARG;

use crate::enumeration::{EnumItem, put_enum};
use crate::ffi::{OK, guard, h, init, init_value, read_guid, read_slice, started_with};
use crate::group::with_group;
use crate::memory::BlockBuilder;
use crate::types::{
    DWORD, GUID, HGROUP, HPEERENUM, HRESULT, IN6_ADDR, PCWSTR, PEER_ADDRESS, PEER_CONNECTION_INFO,
    PEER_CONNECTION_NEIGHBOR, SOCKADDR_IN6, ULONG, ULONGLONG,
};
use std::ffi::c_void;

/// The most addresses one `PeerGroupConnectByAddress` takes.
const MAX_ADDRESSES: usize = 64;

/// This host's `AF_INET6`, which `sin6_family` carries.
#[cfg(target_os = "linux")]
pub(crate) const AF_INET6: u16 = 10;
/// This host's `AF_INET6`, which `sin6_family` carries.
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
pub(crate) const AF_INET6: u16 = 30;
/// This host's `AF_INET6`, which `sin6_family` carries.
#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd"
)))]
pub(crate) const AF_INET6: u16 = 23;

/// A `PEER_ADDRESS` as a socket address (network byte order fields).
fn socket_addr(a: &PEER_ADDRESS) -> Result<SocketAddr, peernet::HResult> {
    if a.dwSize as usize != size_of::<PEER_ADDRESS>() || a.sin6.sin6_family != AF_INET6 {
        return Err(E_INVALIDARG);
    }
    let v6 = SocketAddrV6::new(
        Ipv6Addr::from(a.sin6.sin6_addr.Byte),
        u16::from_be(a.sin6.sin6_port),
        u32::from_be(a.sin6.sin6_flowinfo),
        a.sin6.sin6_scope_id,
    );
    Ok(peernet::from_peer_address(v6))
}

/// A socket address as a `PEER_ADDRESS` (IPv4 as v4-mapped IPv6).
pub(crate) fn peer_address(a: SocketAddr) -> PEER_ADDRESS {
    let (ip, port, flow, scope) = match a {
        SocketAddr::V4(v4) => (v4.ip().to_ipv6_mapped(), v4.port(), 0, 0),
        SocketAddr::V6(v6) => (*v6.ip(), v6.port(), v6.flowinfo(), v6.scope_id()),
    };
    PEER_ADDRESS {
        dwSize: size_of::<PEER_ADDRESS>() as u32,
        sin6: SOCKADDR_IN6 {
            sin6_family: AF_INET6,
            sin6_port: port.to_be(),
            sin6_flowinfo: flow.to_be(),
            sin6_addr: IN6_ADDR { Byte: ip.octets() },
            sin6_scope_id: scope,
        },
    }
}

/// `PeerGroupConnectByAddress(hGroup, cAddresses, pAddresses)`: connects by
/// [`peernet::Group::connect_by_address`] (the store's node dials each address).
///
/// # Safety
/// `pAddresses` points to `cAddresses` readable `PEER_ADDRESS` structures.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupConnectByAddress(
    hGroup: HGROUP,
    cAddresses: ULONG,
    pAddresses: *const PEER_ADDRESS,
) -> HRESULT {
    guard(|| {
        crate::startup::require_started()?;
        if cAddresses == 0 {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        let raw = unsafe { read_slice(pAddresses, cAddresses, MAX_ADDRESSES) }?;
        let addrs = raw.iter().map(socket_addr).collect::<Result<Vec<_>, _>>()?;
        with_group(hGroup, |g| h(g.connect_by_address(&addrs)))?;
        OK
    })
}

struct ConnectionItem(Connection);

impl EnumItem for ConnectionItem {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        let c = &self.0;
        let at = b.push(PEER_CONNECTION_INFO {
            dwSize: size_of::<PEER_CONNECTION_INFO>() as u32,
            dwFlags: c.flags,
            ullConnectionId: c.connection_id,
            ullNodeId: c.node_id,
            pwzPeerId: std::ptr::null_mut(),
            address: c.address.map(peer_address).unwrap_or_default(),
        });
        b.link_wstr(
            at + offset_of!(PEER_CONNECTION_INFO, pwzPeerId),
            Some(&c.member),
        );
        at
    }
}

/// `PeerGroupEnumConnections(hGroup, dwFlags, phPeerEnum)`: the neighbor and/or
/// direct connections as `PEER_CONNECTION_INFO` items (`pwzPeerId` is the remote
/// member's identity; `dwFlags` says which kind each is).
///
/// # Safety
/// `phPeerEnum` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupEnumConnections(
    hGroup: HGROUP,
    dwFlags: DWORD,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phPeerEnum))?;
            let known = PEER_CONNECTION_NEIGHBOR | crate::types::PEER_CONNECTION_DIRECT;
            if dwFlags == 0 || dwFlags & !known != 0 {
                return Err(E_INVALIDARG);
            }
            let list = with_group(hGroup, |g| h(g.enum_connections_of(dwFlags)))?;
            let items: Vec<ConnectionItem> = list.into_iter().map(ConnectionItem).collect();
            put_enum(phPeerEnum, items)
        }
    })
}

/// `PeerGroupOpenDirectConnection(hGroup, pwzIdentity, pAddress, pullConnectionId)`:
/// [`peernet::Group::open_direct_connection`] to the member `pwzIdentity`, dialing
/// `pAddress` (may be NULL) when the node has no neighbour connection with it.
///
/// # Safety
/// `pwzIdentity` a NUL-terminated UTF-16 string; `pAddress` NULL or readable;
/// `pullConnectionId` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupOpenDirectConnection(
    hGroup: HGROUP,
    pwzIdentity: PCWSTR,
    pAddress: *const PEER_ADDRESS,
    pullConnectionId: *mut ULONGLONG,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init_value(pullConnectionId))?;
            let identity = crate::wide::read_req(pwzIdentity)?;
            let address = if pAddress.is_null() {
                None
            } else {
                Some(socket_addr(&pAddress.read_unaligned())?)
            };
            let id = with_group(hGroup, |g| h(g.open_direct_connection(&identity, address)))?;
            pullConnectionId.write_unaligned(id);
        }
        OK
    })
}

/// `PeerGroupCloseDirectConnection(hGroup, ullConnectionId)`.
#[unsafe(no_mangle)]
pub extern "C" fn PeerGroupCloseDirectConnection(
    hGroup: HGROUP,
    ullConnectionId: ULONGLONG,
) -> HRESULT {
    guard(|| {
        crate::startup::require_started()?;
        with_group(hGroup, |g| h(g.close_direct_connection(ullConnectionId)))?;
        OK
    })
}

/// `PeerGroupSendData(hGroup, ullConnectionId, pType, cbData, pvData)`: on a direct or
/// neighbour connection; at most [`peernet::MAX_DATA`] bytes (`E_INVALIDARG` beyond).
///
/// # Safety
/// `pType` readable; `pvData` readable for `cbData` bytes (NULL only with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupSendData(
    hGroup: HGROUP,
    ullConnectionId: ULONGLONG,
    pType: *const GUID,
    cbData: ULONG,
    pvData: *const c_void,
) -> HRESULT {
    guard(|| {
        crate::startup::require_started()?;
        // SAFETY: caller's contract.
        let data_type = crate::convert::guid_bytes(&unsafe { read_guid(pType) }?);
        if cbData as usize > peernet::MAX_DATA {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        let data = unsafe { read_slice(pvData.cast::<u8>(), cbData, peernet::MAX_DATA) }?;
        with_group(hGroup, |g| {
            h(g.send_data(ullConnectionId, &data_type, &data))
        })?;
        OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_addresses_round_trip_and_v4_is_mapped() {
        for s in ["127.0.0.1:3587", "[::1]:40000"] {
            let a: SocketAddr = s.parse().unwrap();
            let p = peer_address(a);
            assert_eq!(socket_addr(&p).unwrap(), a);
        }
        let p = peer_address("127.0.0.1:1".parse().unwrap());
        assert_eq!(&p.sin6.sin6_addr.Byte[10..12], &[0xff, 0xff]);
        let mut bad = p;
        bad.sin6.sin6_family = 2;
        assert_eq!(socket_addr(&bad), Err(E_INVALIDARG));
        let mut bad = p;
        bad.dwSize = 1;
        assert_eq!(socket_addr(&bad), Err(E_INVALIDARG));
    }
}
