//! Group events (`PeerGroupRegisterEvent` / `PeerGroupUnregisterEvent` /
//! `PeerGroupGetEventData`).
//!
//! Each registration runs one thread with one [`peernet_storage::ChangeWatcher`] on the
//! group's change log: it blocks in `ChangeWatcher::wait` (woken at once by commits in
//! this process, and by a `PRAGMA data_version` check every 20 ms for other processes; no
//! query runs while nothing changes), filters the changes by the registered event types
//! and record types, and queues them in commit order. About once a second it also sweeps
//! expired records (which logs `RECORD_CHANGED / EXPIRED` for every registration).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use peernet_storage::{Change, ChangeEvent};

pub use peernet_storage::{ConnectionStatus, MemberChangeType, RecordChangeType};

use crate::error::{Error, Result};
use crate::group::Group;
use crate::hresult as hr;
use crate::records::Guid;

use peernet_storage::event_type::{
    PEER_GROUP_EVENT_AUTHENTICATION_FAILED, PEER_GROUP_EVENT_CONNECTION_FAILED,
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
    PEER_GROUP_EVENT_PROPERTY_CHANGED, PEER_GROUP_EVENT_RECORD_CHANGED,
    PEER_GROUP_EVENT_STATUS_CHANGED,
};

/// How often the event thread sweeps expired records.
pub const EXPIRY_SWEEP_INTERVAL: Duration = Duration::from_secs(1);
/// The longest the event thread blocks before checking for unregistration.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// `PEER_GROUP_EVENT_REGISTRATION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRegistration {
    /// `eventType`.
    pub event_type: u32,
    /// `pType`: for `RECORD_CHANGED`, only records of this type (None = all).
    pub record_type: Option<Guid>,
}

impl EventRegistration {
    /// A registration for one event type, unfiltered.
    pub fn new(event_type: u32) -> EventRegistration {
        EventRegistration {
            event_type,
            record_type: None,
        }
    }
}

/// `PEER_GROUP_EVENT_DATA`: the event type and its union arm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupEvent {
    /// `STATUS_CHANGED` with `dwStatus`.
    StatusChanged {
        /// The new `PEER_GROUP_STATUS` flags.
        status: u32,
    },
    /// `PROPERTY_CHANGED` (read the properties).
    PropertyChanged,
    /// `RECORD_CHANGED` with `PEER_EVENT_RECORD_CHANGE_DATA`.
    RecordChanged {
        /// `changeType`.
        change: RecordChangeType,
        /// `recordId`.
        record_id: Guid,
        /// `recordType`.
        record_type: Guid,
    },
    /// `MEMBER_CHANGED` with `PEER_EVENT_MEMBER_CHANGE_DATA`.
    MemberChanged {
        /// `changeType`.
        change: MemberChangeType,
        /// `pwzIdentity`.
        identity: String,
    },
    /// `NEIGHBOR_CONNECTION` with `PEER_EVENT_CONNECTION_CHANGE_DATA`.
    NeighborConnection {
        /// `status`.
        status: ConnectionStatus,
        /// `ullConnectionId`.
        connection_id: u64,
        /// `ullNodeId` (0 when a dial failed before the node was known).
        node_id: u64,
        /// The remote node's libp2p PeerId (empty when unknown).
        peer_id: String,
        /// The remote member's identity peer name (empty when unknown).
        member: String,
        /// `hrConnectionFailedReason`.
        hresult: i32,
    },
    /// `CONNECTION_FAILED` with `hrConnectionFailedReason`: no member answered.
    ConnectionFailed {
        /// Why.
        hresult: i32,
    },
    /// `AUTHENTICATION_FAILED`: a peer's membership proof was refused.
    AuthenticationFailed {
        /// The refused node's libp2p PeerId.
        peer_id: String,
        /// The refusal's HRESULT.
        hresult: i32,
    },
}

impl GroupEvent {
    /// The `PEER_GROUP_EVENT_TYPE`.
    pub fn event_type(&self) -> u32 {
        match self {
            GroupEvent::StatusChanged { .. } => PEER_GROUP_EVENT_STATUS_CHANGED,
            GroupEvent::PropertyChanged => PEER_GROUP_EVENT_PROPERTY_CHANGED,
            GroupEvent::RecordChanged { .. } => PEER_GROUP_EVENT_RECORD_CHANGED,
            GroupEvent::MemberChanged { .. } => PEER_GROUP_EVENT_MEMBER_CHANGED,
            GroupEvent::NeighborConnection { .. } => PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
            GroupEvent::ConnectionFailed { .. } => PEER_GROUP_EVENT_CONNECTION_FAILED,
            GroupEvent::AuthenticationFailed { .. } => PEER_GROUP_EVENT_AUTHENTICATION_FAILED,
        }
    }
}

/// The change log's event is the delivered event: same kinds, same data.
impl From<ChangeEvent> for GroupEvent {
    fn from(e: ChangeEvent) -> GroupEvent {
        match e {
            ChangeEvent::StatusChanged { status } => GroupEvent::StatusChanged { status },
            ChangeEvent::PropertyChanged => GroupEvent::PropertyChanged,
            ChangeEvent::RecordChanged {
                change,
                record_id,
                record_type,
            } => GroupEvent::RecordChanged {
                change,
                record_id,
                record_type,
            },
            ChangeEvent::MemberChanged {
                change,
                member_peer_name,
            } => GroupEvent::MemberChanged {
                change,
                identity: member_peer_name,
            },
            ChangeEvent::NeighborConnection {
                status,
                connection_id,
                node_id,
                peer_id,
                member_peer_name,
                hresult,
            } => GroupEvent::NeighborConnection {
                status,
                connection_id,
                node_id,
                peer_id,
                member: member_peer_name,
                hresult,
            },
            ChangeEvent::ConnectionFailed { hresult } => GroupEvent::ConnectionFailed { hresult },
            ChangeEvent::AuthenticationFailed { peer_id, hresult } => {
                GroupEvent::AuthenticationFailed { peer_id, hresult }
            }
        }
    }
}

/// One delivered event: what happened, plus its place in the group's change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventData {
    /// The event.
    pub event: GroupEvent,
    /// The change-log sequence number (increasing in commit order, per store).
    pub seq: u64,
    /// When the change was committed (millisecond precision).
    pub committed: SystemTime,
}

type Notify = Box<dyn Fn() + Send + Sync>;

struct Shared {
    queue: Mutex<Queue>,
    cond: Condvar,
    stop: AtomicBool,
    notify: Mutex<Option<Notify>>,
}

#[derive(Default)]
struct Queue {
    items: VecDeque<EventData>,
    failure: Option<String>,
}

/// A registration (`HPEEREVENT`). Dropping it (or [`EventHandle::unregister`]) stops
/// delivery and its thread.
pub struct EventHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    registrations: Vec<EventRegistration>,
}

impl std::fmt::Debug for EventHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHandle")
            .field("registrations", &self.registrations)
            .finish_non_exhaustive()
    }
}

fn wanted(regs: &[EventRegistration], e: &GroupEvent) -> bool {
    regs.iter().any(|r| {
        r.event_type == e.event_type()
            && match (e, r.record_type) {
                (GroupEvent::RecordChanged { record_type, .. }, Some(t)) => *record_type == t,
                _ => true,
            }
    })
}

impl Group {
    /// `PeerGroupRegisterEvent`: starts delivering the group's events of the given types
    /// that are committed after this call, from every handle and process, in commit order.
    /// Connection events (5, 10, 11) and `STATUS_CHANGED` come from the store's node once
    /// the group is connected; direct-connection events (4, 6) are accepted and not
    /// raised yet.
    ///
    /// # Errors
    /// `E_INVALIDARG` (no registration, or an unknown event type), `PEER_E_INVALID_GROUP`.
    pub fn register_event(&self, registrations: &[EventRegistration]) -> Result<EventHandle> {
        if registrations.is_empty() {
            return Err(Error::invalid_arg(
                "at least one event registration is required",
            ));
        }
        if let Some(r) = registrations
            .iter()
            .find(|r| !peernet_storage::event_type::ALL.contains(&r.event_type))
        {
            return Err(Error::invalid_arg(format!(
                "unknown event type {}",
                r.event_type
            )));
        }
        self.row()?;
        let mut watcher = self
            .ctx()
            .store
            .watch_changes(self.identity(), self.peer_name())
            .map_err(|e| self.group_err(e))?;
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            cond: Condvar::new(),
            stop: AtomicBool::new(false),
            notify: Mutex::new(None),
        });
        let regs = registrations.to_vec();
        let group = self.clone();
        let s = shared.clone();
        let regs2 = regs.clone();
        let thread = std::thread::Builder::new()
            .name("peernet-events".into())
            .spawn(move || {
                let mut next_sweep = Instant::now();
                while !s.stop.load(Ordering::Acquire) {
                    if Instant::now() >= next_sweep {
                        let _ = group.delete_expired_records();
                        next_sweep = Instant::now() + EXPIRY_SWEEP_INTERVAL;
                    }
                    match watcher.wait(STOP_CHECK) {
                        Ok(changes) => deliver(&s, &regs2, changes),
                        Err(e) => {
                            if let Ok(mut q) = s.queue.lock() {
                                q.failure = Some(e.to_string());
                            }
                            s.cond.notify_all();
                            std::thread::sleep(STOP_CHECK);
                        }
                    }
                }
            })
            .map_err(|e| {
                Error::api(
                    hr::E_OUTOFMEMORY,
                    format!("cannot start the event thread: {e}"),
                )
            })?;
        Ok(EventHandle {
            shared,
            thread: Some(thread),
            registrations: regs,
        })
    }
}

fn deliver(s: &Shared, regs: &[EventRegistration], changes: Vec<Change>) {
    let mut n = 0;
    if let Ok(mut q) = s.queue.lock() {
        for c in changes {
            let event = GroupEvent::from(c.event);
            if wanted(regs, &event) {
                q.items.push_back(EventData {
                    event,
                    seq: c.seq,
                    committed: c.time,
                });
                n += 1;
            }
        }
    }
    if n > 0 {
        s.cond.notify_all();
        if let Ok(f) = s.notify.lock()
            && let Some(f) = f.as_ref()
        {
            f();
        }
    }
}

impl EventHandle {
    /// `PeerGroupGetEventData`: the next event, or None (`PEER_S_NO_EVENT_DATA`).
    pub fn get_event_data(&self) -> Option<EventData> {
        self.shared.queue.lock().ok()?.items.pop_front()
    }

    /// Blocks until an event is queued or `timeout` passes; whether one is queued
    /// (peernet extension, standing in for the Win32 event handle).
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut q) = self.shared.queue.lock() else {
            return false;
        };
        while q.items.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            match self.shared.cond.wait_timeout(q, deadline - now) {
                Ok((g, _)) => q = g,
                Err(_) => return false,
            }
        }
        true
    }

    /// The next event, waiting up to `timeout` for one.
    pub fn next_event(&self, timeout: Duration) -> Option<EventData> {
        if self.wait(timeout) {
            self.get_event_data()
        } else {
            None
        }
    }

    /// Calls `f` (on the event thread) whenever events have been queued — what the
    /// Win32 event handle's `SetEvent` does on Windows. Keep it short.
    pub fn set_notify(&self, f: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut n) = self.shared.notify.lock() {
            *n = Some(Box::new(f));
        }
    }

    /// The last failure of the change log reader, if any (it keeps retrying).
    pub fn failure(&self) -> Option<String> {
        self.shared.queue.lock().ok()?.failure.clone()
    }

    /// The registrations.
    pub fn registrations(&self) -> &[EventRegistration] {
        &self.registrations
    }

    /// `PeerGroupUnregisterEvent`: stops delivery (queued events are dropped).
    pub fn unregister(self) {
        drop(self);
    }
}

impl Drop for EventHandle {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_keeps_its_event_type_and_data() {
        let id = Guid::from_bytes([1; 16]);
        let ty = Guid::from_bytes([2; 16]);
        let cases = [
            ChangeEvent::StatusChanged { status: 3 },
            ChangeEvent::PropertyChanged,
            ChangeEvent::RecordChanged {
                change: RecordChangeType::Expired,
                record_id: id,
                record_type: ty,
            },
            ChangeEvent::MemberChanged {
                change: MemberChangeType::Joined,
                member_peer_name: "0.m".into(),
            },
        ];
        for c in cases {
            let e = GroupEvent::from(c.clone());
            assert_eq!(e.event_type(), c.event_type(), "{c:?}");
        }
        assert_eq!(
            GroupEvent::from(ChangeEvent::MemberChanged {
                change: MemberChangeType::Left,
                member_peer_name: "0.m".into(),
            }),
            GroupEvent::MemberChanged {
                change: MemberChangeType::Left,
                identity: "0.m".into(),
            }
        );
        assert_eq!(
            GroupEvent::from(ChangeEvent::RecordChanged {
                change: RecordChangeType::Added,
                record_id: id,
                record_type: ty,
            }),
            GroupEvent::RecordChanged {
                change: RecordChangeType::Added,
                record_id: id,
                record_type: ty,
            }
        );
    }
}
