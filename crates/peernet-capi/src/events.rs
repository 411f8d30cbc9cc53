//! Group events: PeerGroupRegisterEvent, PeerGroupUnregisterEvent, PeerGroupGetEventData
//! and the extension PeernetWaitForGroupEvent, on the facade's
//! [`peernet::EventHandle`] (`Group::register_event`, `EventHandle::get_event_data`,
//! `EventHandle::wait`), and the `HPEEREVENT` table.
//!
//! `hEvent` of PeerGroupRegisterEvent: there are no Win32 events off Windows. It may be
//! NULL — then poll `PeerGroupGetEventData` until `PEER_S_NO_EVENT_DATA`, or block in the
//! extension `PeernetWaitForGroupEvent` — or a POSIX file descriptor (> 0) cast to
//! `HANDLE`, to which the library writes the 8 bytes of the native-endian `uint64_t` 1
//! whenever events have been queued (an `eventfd` counts up; a pipe's reader drains it):
//! the same "signalled when events queue up" contract, usable in `poll`/`select` loops.

use std::mem::{offset_of, size_of};
use std::sync::Arc;
use std::time::Duration;

use peernet::hresult::{E_INVALIDARG, PEER_S_NO_EVENT_DATA, S_OK};
use peernet::{EventHandle, EventRegistration, GroupEvent, HResult};

use crate::convert::{guid_bytes, guid_from_bytes};
use crate::ffi::{OK, guard, h, init, read_opt_guid, started_with};
use crate::group::with_group;
use crate::handles::{HandleTable, Kind, with};
use crate::memory::BlockBuilder;
use crate::types::{
    DWORD, HANDLE, HGROUP, HPEEREVENT, HRESULT, PEER_DATA, PEER_EVENT_CONNECTION_CHANGE_DATA,
    PEER_EVENT_INCOMING_DATA, PEER_EVENT_MEMBER_CHANGE_DATA, PEER_EVENT_RECORD_CHANGE_DATA,
    PEER_GROUP_EVENT_DATA, PEER_GROUP_EVENT_DATA_UNION, PEER_GROUP_EVENT_REGISTRATION,
};

/// Most event registrations in one call.
const MAX_REGISTRATIONS: usize = 64;

/// Shared, so that a wait runs outside the handle table's lock.
static EVENTS: HandleTable<Arc<EventHandle>> = HandleTable::new(Kind::Event);

fn event_handle(h: HPEEREVENT) -> Result<Arc<EventHandle>, HResult> {
    with(&EVENTS, h.cast_const(), |e| Arc::clone(e)).ok_or(E_INVALIDARG)
}

/// Drop every registration (last PeerGroupShutdown).
pub(crate) fn close_all() {
    EVENTS.clear();
}

/// One `PeerFreeData` block: the structure and, for a member change, its string.
fn event_data_block(e: &GroupEvent) -> Result<*mut PEER_GROUP_EVENT_DATA, HResult> {
    let u = match e {
        GroupEvent::StatusChanged { status } => PEER_GROUP_EVENT_DATA_UNION { dwStatus: *status },
        GroupEvent::PropertyChanged => PEER_GROUP_EVENT_DATA_UNION { dwStatus: 0 },
        GroupEvent::RecordChanged {
            change,
            record_id,
            record_type,
        } => PEER_GROUP_EVENT_DATA_UNION {
            recordChangeData: PEER_EVENT_RECORD_CHANGE_DATA {
                dwSize: size_of::<PEER_EVENT_RECORD_CHANGE_DATA>() as u32,
                changeType: change.to_u32(),
                recordId: guid_from_bytes(record_id),
                recordType: guid_from_bytes(record_type),
            },
        },
        GroupEvent::NeighborConnection {
            status,
            connection_id,
            node_id,
            hresult,
            ..
        } => PEER_GROUP_EVENT_DATA_UNION {
            connectionChangeData: PEER_EVENT_CONNECTION_CHANGE_DATA {
                dwSize: size_of::<PEER_EVENT_CONNECTION_CHANGE_DATA>() as u32,
                status: status.to_u32(),
                ullConnectionId: *connection_id,
                ullNodeId: *node_id,
                ullNextConnectionId: 0,
                hrConnectionFailedReason: *hresult,
            },
        },
        GroupEvent::ConnectionFailed { hresult } => PEER_GROUP_EVENT_DATA_UNION {
            hrConnectionFailedReason: *hresult,
        },
        GroupEvent::AuthenticationFailed { .. } => PEER_GROUP_EVENT_DATA_UNION { dwStatus: 0 },
        GroupEvent::MemberChanged { change, .. } => PEER_GROUP_EVENT_DATA_UNION {
            memberChangeData: PEER_EVENT_MEMBER_CHANGE_DATA {
                dwSize: size_of::<PEER_EVENT_MEMBER_CHANGE_DATA>() as u32,
                changeType: change.to_u32(),
                pwzIdentity: std::ptr::null_mut(),
            },
        },
        GroupEvent::DirectConnection {
            status,
            connection_id,
            node_id,
            ..
        } => PEER_GROUP_EVENT_DATA_UNION {
            connectionChangeData: PEER_EVENT_CONNECTION_CHANGE_DATA {
                dwSize: size_of::<PEER_EVENT_CONNECTION_CHANGE_DATA>() as u32,
                status: status.to_u32(),
                ullConnectionId: *connection_id,
                ullNodeId: *node_id,
                ullNextConnectionId: 0,
                hrConnectionFailedReason: 0,
            },
        },
        GroupEvent::IncomingData {
            connection_id,
            data_type,
            data,
        } => PEER_GROUP_EVENT_DATA_UNION {
            incomingData: PEER_EVENT_INCOMING_DATA {
                dwSize: size_of::<PEER_EVENT_INCOMING_DATA>() as u32,
                ullConnectionId: *connection_id,
                r#type: guid_from_bytes(data_type),
                data: PEER_DATA {
                    cbData: u32::try_from(data.len()).map_err(|_| E_INVALIDARG)?,
                    pbData: std::ptr::null_mut(),
                },
            },
        },
    };
    let mut b = BlockBuilder::new();
    let at = b.push(PEER_GROUP_EVENT_DATA {
        eventType: e.event_type(),
        u,
    });
    if let GroupEvent::MemberChanged { identity, .. } = e {
        b.link_wstr(
            at + offset_of!(PEER_GROUP_EVENT_DATA, u)
                + offset_of!(PEER_EVENT_MEMBER_CHANGE_DATA, pwzIdentity),
            Some(identity),
        );
    }
    if let GroupEvent::IncomingData { data, .. } = e
        && !data.is_empty()
    {
        let bytes = b.push_bytes(data, 8);
        b.link(
            at + offset_of!(PEER_GROUP_EVENT_DATA, u)
                + offset_of!(PEER_EVENT_INCOMING_DATA, data)
                + offset_of!(PEER_DATA, pbData),
            bytes,
        );
    }
    Ok(b.finish()?.cast())
}

/// The callback for a non-NULL `hEvent`: write a `uint64_t` 1 to the descriptor.
#[cfg(unix)]
fn fd_notifier(h: HANDLE) -> Result<Option<impl Fn() + Send + Sync + 'static>, HResult> {
    use std::io::Write;
    use std::os::fd::FromRawFd;
    if h.is_null() {
        return Ok(None);
    }
    let fd = i32::try_from(h as usize).map_err(|_| E_INVALIDARG)?;
    Ok(Some(move || {
        // SAFETY: the caller handed us the descriptor for this purpose and keeps it open
        // while registered (documented contract); ManuallyDrop never closes it.
        let f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
        let _ = (&*f).write(&1u64.to_ne_bytes());
    }))
}

/// Without file descriptors only a NULL `hEvent` is accepted.
#[cfg(not(unix))]
fn fd_notifier(h: HANDLE) -> Result<Option<fn()>, HResult> {
    if h.is_null() {
        Ok(None)
    } else {
        Err(E_INVALIDARG)
    }
}

/// `PeerGroupRegisterEvent(hGroup, hEvent, cEventRegistration, pEventRegistrations,
/// phPeerEvent)`: 1 to 64 registrations; `hEvent` NULL, or a file descriptor (see the
/// module documentation).
///
/// # Safety
/// `pEventRegistrations` NULL or readable for `cEventRegistration` entries, each `pType`
/// NULL or readable; `phPeerEvent` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupRegisterEvent(
    hGroup: HGROUP,
    hEvent: HANDLE,
    cEventRegistration: DWORD,
    pEventRegistrations: *mut PEER_GROUP_EVENT_REGISTRATION,
    phPeerEvent: *mut HPEEREVENT,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phPeerEvent))?;
            let n = cEventRegistration as usize;
            if pEventRegistrations.is_null() || n == 0 || n > MAX_REGISTRATIONS {
                return Err(E_INVALIDARG);
            }
            let regs: Vec<EventRegistration> = std::slice::from_raw_parts(pEventRegistrations, n)
                .iter()
                .map(|r| EventRegistration {
                    event_type: r.eventType,
                    record_type: read_opt_guid(r.pType).map(|t| guid_bytes(&t)),
                })
                .collect();
            let notify = fd_notifier(hEvent)?;
            let handle = with_group(hGroup, |g| h(g.register_event(&regs)))?;
            if let Some(f) = notify {
                handle.set_notify(f);
            }
            phPeerEvent.write(EVENTS.insert(Arc::new(handle)));
        }
        OK
    })
}

/// `PeerGroupUnregisterEvent(hPeerEvent)`: stops delivery; queued events are dropped.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUnregisterEvent(hPeerEvent: HPEEREVENT) -> HRESULT {
    guard(|| {
        EVENTS
            .remove(hPeerEvent.cast_const())
            .map(|_| S_OK)
            .ok_or(E_INVALIDARG)
    })
}

/// `PeerGroupGetEventData(hPeerEvent, ppEventData)`: `S_OK` with one event, or
/// `PEER_S_NO_EVENT_DATA` with `*ppEventData` NULL.
///
/// # Safety
/// `ppEventData` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetEventData(
    hPeerEvent: HPEEREVENT,
    ppEventData: *mut *mut PEER_GROUP_EVENT_DATA,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppEventData)?;
            match event_handle(hPeerEvent)?.get_event_data() {
                Some(d) => {
                    ppEventData.write(event_data_block(&d.event)?);
                    OK
                }
                None => Ok(PEER_S_NO_EVENT_DATA),
            }
        }
    })
}

/// `PeernetWaitForGroupEvent(hPeerEvent, dwMilliseconds)` (peernet extension): blocks
/// until an event is queued (`S_OK`) or the time passes (`PEER_S_NO_EVENT_DATA`);
/// `INFINITE` (0xFFFFFFFF) waits without limit.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeernetWaitForGroupEvent(
    hPeerEvent: HPEEREVENT,
    dwMilliseconds: DWORD,
) -> HRESULT {
    guard(|| {
        let e = event_handle(hPeerEvent)?;
        let timeout = if dwMilliseconds == u32::MAX {
            Duration::from_secs(u64::from(u32::MAX))
        } else {
            Duration::from_millis(u64::from(dwMilliseconds))
        };
        if e.wait(timeout) {
            OK
        } else {
            Ok(PEER_S_NO_EVENT_DATA)
        }
    })
}

#[cfg(test)]
mod tests;
