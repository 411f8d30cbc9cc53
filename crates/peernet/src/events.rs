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
    PEER_GROUP_EVENT_DIRECT_CONNECTION, PEER_GROUP_EVENT_INCOMING_DATA,
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
    /// `DIRECT_CONNECTION` with `PEER_EVENT_CONNECTION_CHANGE_DATA`: a member opened a
    /// direct connection to this store (connected), or one closed (disconnected).
    DirectConnection {
        /// `status`.
        status: ConnectionStatus,
        /// `ullConnectionId`.
        connection_id: u64,
        /// `ullNodeId` of the remote node.
        node_id: u64,
        /// The remote member's identity peer name.
        member: String,
    },
    /// `INCOMING_DATA` with `PEER_EVENT_INCOMING_DATA`.
    IncomingData {
        /// `ullConnectionId` (a direct or a neighbour connection).
        connection_id: u64,
        /// `type`.
        data_type: Guid,
        /// `data`.
        data: Vec<u8>,
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
            GroupEvent::DirectConnection { .. } => PEER_GROUP_EVENT_DIRECT_CONNECTION,
            GroupEvent::IncomingData { .. } => PEER_GROUP_EVENT_INCOMING_DATA,
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
    /// The change-log sequence number (increasing in commit order, per store); 0 for
    /// `DIRECT_CONNECTION` and `INCOMING_DATA`, which are not logged.
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
    /// Bytes of `INCOMING_DATA` queued (bounded by [`MAX_QUEUED_DATA`]).
    data_bytes: usize,
    /// `INCOMING_DATA` events dropped because the queue held too much data.
    dropped_data: u64,
}

/// The most `INCOMING_DATA` bytes one registration queues while its owner does not read
/// them, each message counted with [`QUEUED_DATA_OVERHEAD`] more; messages beyond are
/// dropped (and counted, [`EventHandle::dropped_data`]), so a member flooding data, even
/// empty messages, cannot exhaust this process's memory.
pub const MAX_QUEUED_DATA: usize = 16 << 20;
/// What one queued `INCOMING_DATA` message costs beyond its bytes.
pub const QUEUED_DATA_OVERHEAD: usize = 256;

fn data_len(e: &GroupEvent) -> usize {
    match e {
        GroupEvent::IncomingData { data, .. } => data.len() + QUEUED_DATA_OVERHEAD,
        _ => 0,
    }
}

/// A registration (`HPEEREVENT`). Dropping it (or [`EventHandle::unregister`]) stops
/// delivery and its thread.
pub struct EventHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    listener: Option<JoinHandle<()>>,
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
    /// the group is connected. `DIRECT_CONNECTION` (4) and `INCOMING_DATA` (6) are not
    /// logged: a registration for them listens on the store's node (from when one runs,
    /// checked every 100 ms) and receives what arrives while it listens; a member's
    /// direct connection is refused while no registration for 4 listens.
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
        let direct = regs
            .iter()
            .any(|r| r.event_type == PEER_GROUP_EVENT_DIRECT_CONNECTION);
        let data = regs
            .iter()
            .any(|r| r.event_type == PEER_GROUP_EVENT_INCOMING_DATA);
        let listener = if direct || data {
            Some(listen(self.clone(), shared.clone(), direct, data)?)
        } else {
            None
        };
        Ok(EventHandle {
            shared,
            thread: Some(thread),
            listener,
            registrations: regs,
        })
    }
}

/// How often a direct/data registration looks for the store's node while none runs.
const NODE_POLL: Duration = Duration::from_millis(100);
/// How long a connect waits for its handle's registrations to listen on the node.
const ATTACH_WAIT: Duration = Duration::from_secs(2);

/// Whether a direct/data registration listens on the node, and how to wake it.
#[derive(Debug, Default)]
pub(crate) struct Attach {
    attached: Mutex<bool>,
    changed: Condvar,
}

impl Attach {
    fn set(&self, attached: bool) {
        if let Ok(mut a) = self.attached.lock() {
            *a = attached;
        }
        self.changed.notify_all();
    }

    /// Sleeps up to `d`, or until woken by [`wake_and_wait`].
    fn nap(&self, d: Duration) {
        if let Ok(a) = self.attached.lock() {
            let _ = self.changed.wait_timeout(a, d);
        }
    }
}

/// Wakes `group`'s direct/data registrations (a node now runs) and waits, at most
/// [`ATTACH_WAIT`], until each listens on it: so that a member's direct connection is not
/// refused in the moment after this connect made the node take the group.
pub(crate) fn wake_and_wait(group: &Group) {
    let live: Vec<Arc<Attach>> = match group.inner.listeners.lock() {
        Ok(mut l) => {
            l.retain(|w| w.strong_count() > 0);
            l.iter().filter_map(std::sync::Weak::upgrade).collect()
        }
        Err(_) => return,
    };
    let deadline = Instant::now() + ATTACH_WAIT;
    for a in live {
        a.changed.notify_all();
        let Ok(mut attached) = a.attached.lock() else {
            continue;
        };
        while !*attached {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match a.changed.wait_timeout(attached, left) {
                Ok((g, _)) => attached = g,
                Err(_) => return,
            }
        }
    }
}

/// Starts listening on the store's node for `DIRECT_CONNECTION` / `INCOMING_DATA`: at
/// once when a node runs, else from when one does.
fn listen(group: Group, s: Arc<Shared>, direct: bool, data: bool) -> Result<JoinHandle<()>> {
    use crate::node::{Reply, Request, Session};
    let request = Request::Listen {
        identity: group.identity().to_string(),
        group: group.peer_name().to_string(),
        direct,
        data,
    };
    let attach = move |group: &Group, request: &Request| -> Option<Session> {
        let mut session = Session::existing(group.ctx()).ok()??;
        session.request(request).ok()?;
        session.set_push_timeout(STOP_CHECK).ok()?;
        Some(session)
    };
    let mut first = attach(&group, &request);
    let state = Arc::new(Attach::default());
    state.set(first.is_some());
    if let Ok(mut l) = group.inner.listeners.lock() {
        l.push(Arc::downgrade(&state));
    }
    std::thread::Builder::new()
        .name("peernet-direct".into())
        .spawn(move || {
            while !s.stop.load(Ordering::Acquire) {
                let Some(mut session) = first.take().or_else(|| attach(&group, &request)) else {
                    state.nap(NODE_POLL);
                    continue;
                };
                state.set(true);
                let mut buf = Vec::new();
                while !s.stop.load(Ordering::Acquire) {
                    let event = match session.next_push(&mut buf) {
                        Ok(None) => continue,
                        Err(_) => break,
                        Ok(Some(Reply::DirectConnection {
                            status,
                            connection_id,
                            node_id,
                            member,
                        })) => GroupEvent::DirectConnection {
                            status: ConnectionStatus::from_u32(status)
                                .unwrap_or(ConnectionStatus::Failed),
                            connection_id,
                            node_id,
                            member,
                        },
                        Ok(Some(Reply::IncomingData {
                            connection_id,
                            data_type,
                            body,
                            ..
                        })) => {
                            let Ok(data_type) = data_type.parse() else {
                                continue;
                            };
                            GroupEvent::IncomingData {
                                connection_id,
                                data_type,
                                data: std::sync::Arc::try_unwrap(body)
                                    .unwrap_or_else(|b| b.as_ref().clone()),
                            }
                        }
                        Ok(Some(_)) => continue,
                    };
                    push(&s, event);
                }
                state.set(false);
                std::thread::sleep(NODE_POLL);
            }
        })
        .map_err(|e| {
            Error::api(
                hr::E_OUTOFMEMORY,
                format!("cannot start the direct-connection thread: {e}"),
            )
        })
}

/// Queues one event that did not come from the change log.
fn push(s: &Shared, event: GroupEvent) {
    if let Ok(mut q) = s.queue.lock() {
        let n = data_len(&event);
        if n > 0 && q.data_bytes + n > MAX_QUEUED_DATA {
            q.dropped_data += 1;
            return;
        }
        q.data_bytes += n;
        q.items.push_back(EventData {
            event,
            seq: 0,
            committed: SystemTime::now(),
        });
    }
    s.cond.notify_all();
    if let Ok(f) = s.notify.lock()
        && let Some(f) = f.as_ref()
    {
        f();
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
        let mut q = self.shared.queue.lock().ok()?;
        let e = q.items.pop_front()?;
        q.data_bytes -= data_len(&e.event).min(q.data_bytes);
        Some(e)
    }

    /// `INCOMING_DATA` messages dropped so far because more than [`MAX_QUEUED_DATA`]
    /// bytes were waiting to be read.
    pub fn dropped_data(&self) -> u64 {
        self.shared.queue.lock().map_or(0, |q| q.dropped_data)
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
        if let Some(t) = self.listener.take() {
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
