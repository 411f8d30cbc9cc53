//! The change log (`group_changes`): group events shared by every
//! process that has the group open ([`ChangeWatcher`](crate::ChangeWatcher) waits for them).
//!
//! Every change to a group's records, members, properties or status appends one row to
//! `group_changes` in the same transaction as the change itself, so an event exists if
//! and only if its change was committed. Rows are numbered by an `AUTOINCREMENT` sequence
//! (never reused, even after pruning); delivery order is sequence order, which is commit
//! order.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use peernet_protocol::Guid;
use rusqlite::{Connection, Row, Transaction, params};

use crate::error::Result;
use crate::store::{Store, TxResult};

/// `PEER_GROUP_EVENT_TYPE` values (`p2p.h`), defined once for every layer; the facade
/// re-exports this module as `peernet::event`. The change log stores every kind except
/// the direct-connection and incoming-data events (4 and 6), which carry data to the
/// processes listening at the time rather than a durable change.
pub mod event_type {
    /// `PEER_GROUP_EVENT_STATUS_CHANGED`.
    pub const PEER_GROUP_EVENT_STATUS_CHANGED: u32 = 1;
    /// `PEER_GROUP_EVENT_PROPERTY_CHANGED`.
    pub const PEER_GROUP_EVENT_PROPERTY_CHANGED: u32 = 2;
    /// `PEER_GROUP_EVENT_RECORD_CHANGED`.
    pub const PEER_GROUP_EVENT_RECORD_CHANGED: u32 = 3;
    /// `PEER_GROUP_EVENT_DIRECT_CONNECTION` (not raised yet: no direct connections).
    pub const PEER_GROUP_EVENT_DIRECT_CONNECTION: u32 = 4;
    /// `PEER_GROUP_EVENT_NEIGHBOR_CONNECTION`.
    pub const PEER_GROUP_EVENT_NEIGHBOR_CONNECTION: u32 = 5;
    /// `PEER_GROUP_EVENT_INCOMING_DATA` (not raised yet: no direct connections).
    pub const PEER_GROUP_EVENT_INCOMING_DATA: u32 = 6;
    /// `PEER_GROUP_EVENT_MEMBER_CHANGED`.
    pub const PEER_GROUP_EVENT_MEMBER_CHANGED: u32 = 8;
    /// `PEER_GROUP_EVENT_CONNECTION_FAILED`.
    pub const PEER_GROUP_EVENT_CONNECTION_FAILED: u32 = 10;
    /// `PEER_GROUP_EVENT_AUTHENTICATION_FAILED`.
    pub const PEER_GROUP_EVENT_AUTHENTICATION_FAILED: u32 = 11;

    /// Every defined `PEER_GROUP_EVENT_TYPE` value.
    pub const ALL: [u32; 9] = [
        PEER_GROUP_EVENT_STATUS_CHANGED,
        PEER_GROUP_EVENT_PROPERTY_CHANGED,
        PEER_GROUP_EVENT_RECORD_CHANGED,
        PEER_GROUP_EVENT_DIRECT_CONNECTION,
        PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
        PEER_GROUP_EVENT_INCOMING_DATA,
        PEER_GROUP_EVENT_MEMBER_CHANGED,
        PEER_GROUP_EVENT_CONNECTION_FAILED,
        PEER_GROUP_EVENT_AUTHENTICATION_FAILED,
    ];
}

use event_type::{
    PEER_GROUP_EVENT_AUTHENTICATION_FAILED as EVENT_AUTHENTICATION_FAILED,
    PEER_GROUP_EVENT_CONNECTION_FAILED as EVENT_CONNECTION_FAILED,
    PEER_GROUP_EVENT_MEMBER_CHANGED as EVENT_MEMBER_CHANGED,
    PEER_GROUP_EVENT_NEIGHBOR_CONNECTION as EVENT_NEIGHBOR_CONNECTION,
    PEER_GROUP_EVENT_PROPERTY_CHANGED as EVENT_PROPERTY_CHANGED,
    PEER_GROUP_EVENT_RECORD_CHANGED as EVENT_RECORD_CHANGED,
    PEER_GROUP_EVENT_STATUS_CHANGED as EVENT_STATUS_CHANGED,
};

/// Change-log rows older than this are pruned (see [`Store::prune_changes`]).
pub const CHANGE_LOG_RETENTION: Duration = Duration::from_secs(3600);
/// The automatic prune runs when a new row's sequence number is a multiple of this.
pub const CHANGE_LOG_PRUNE_EVERY: u64 = 1024;
/// [`Store::changes_since`] returns at most this many changes per call.
pub const CHANGES_BATCH: usize = 4096;
/// Default interval at which a [`ChangeWatcher`](crate::ChangeWatcher) checks `PRAGMA data_version`.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// `PEER_RECORD_CHANGE_TYPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordChangeType {
    /// `PEER_RECORD_ADDED` (1).
    Added,
    /// `PEER_RECORD_UPDATED` (2).
    Updated,
    /// `PEER_RECORD_DELETED` (3).
    Deleted,
    /// `PEER_RECORD_EXPIRED` (4).
    Expired,
}

impl RecordChangeType {
    /// The Windows value.
    pub fn to_u32(self) -> u32 {
        match self {
            RecordChangeType::Added => 1,
            RecordChangeType::Updated => 2,
            RecordChangeType::Deleted => 3,
            RecordChangeType::Expired => 4,
        }
    }

    /// From the Windows value.
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            1 => RecordChangeType::Added,
            2 => RecordChangeType::Updated,
            3 => RecordChangeType::Deleted,
            4 => RecordChangeType::Expired,
            _ => return None,
        })
    }
}

/// `PEER_MEMBER_CHANGE_TYPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberChangeType {
    /// `PEER_MEMBER_CONNECTED` (1).
    Connected,
    /// `PEER_MEMBER_DISCONNECTED` (2).
    Disconnected,
    /// `PEER_MEMBER_UPDATED` (3).
    Updated,
    /// `PEER_MEMBER_JOINED` (4).
    Joined,
    /// `PEER_MEMBER_LEFT` (5): logged when a member row is deleted. Windows documents
    /// that v1.0 never raises it; the facade decides whether to deliver it.
    Left,
}

impl MemberChangeType {
    /// The Windows value.
    pub fn to_u32(self) -> u32 {
        match self {
            MemberChangeType::Connected => 1,
            MemberChangeType::Disconnected => 2,
            MemberChangeType::Updated => 3,
            MemberChangeType::Joined => 4,
            MemberChangeType::Left => 5,
        }
    }

    /// From the Windows value.
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            1 => MemberChangeType::Connected,
            2 => MemberChangeType::Disconnected,
            3 => MemberChangeType::Updated,
            4 => MemberChangeType::Joined,
            5 => MemberChangeType::Left,
            _ => return None,
        })
    }
}

/// `PEER_CONNECTION_STATUS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    /// `PEER_CONNECTED` (1): both membership proofs passed.
    Connected,
    /// `PEER_DISCONNECTED` (2).
    Disconnected,
    /// `PEER_CONNECTION_FAILED` (3): the dial or the handshake failed.
    Failed,
}

impl ConnectionStatus {
    /// The `PEER_CONNECTION_STATUS` value.
    pub fn to_u32(self) -> u32 {
        match self {
            ConnectionStatus::Connected => 1,
            ConnectionStatus::Disconnected => 2,
            ConnectionStatus::Failed => 3,
        }
    }

    /// From a `PEER_CONNECTION_STATUS` value.
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            1 => ConnectionStatus::Connected,
            2 => ConnectionStatus::Disconnected,
            3 => ConnectionStatus::Failed,
            _ => return None,
        })
    }
}

/// What changed: the event type and the data Windows gives with it
/// (`PEER_GROUP_EVENT_DATA`'s union arm).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChangeEvent {
    /// `PEER_GROUP_EVENT_STATUS_CHANGED` with the new `PEER_GROUP_STATUS` flags.
    StatusChanged {
        /// The new status flags.
        status: u32,
    },
    /// `PEER_GROUP_EVENT_PROPERTY_CHANGED` (no data; read the properties).
    PropertyChanged,
    /// `PEER_GROUP_EVENT_RECORD_CHANGED` with `PEER_EVENT_RECORD_CHANGE_DATA`.
    RecordChanged {
        /// Added, updated, deleted or expired.
        change: RecordChangeType,
        /// The record id.
        record_id: Guid,
        /// The record type.
        record_type: Guid,
    },
    /// `PEER_GROUP_EVENT_MEMBER_CHANGED` with `PEER_EVENT_MEMBER_CHANGE_DATA`.
    MemberChanged {
        /// The member change type.
        change: MemberChangeType,
        /// The member's identity peer name (`pwzIdentity`).
        member_peer_name: String,
    },
    /// `PEER_GROUP_EVENT_NEIGHBOR_CONNECTION` with `PEER_EVENT_CONNECTION_CHANGE_DATA`.
    NeighborConnection {
        /// Connected, disconnected or failed.
        status: ConnectionStatus,
        /// `ullConnectionId`.
        connection_id: u64,
        /// `ullNodeId`: the remote node (0 when a dial failed before it was known).
        node_id: u64,
        /// The remote node's libp2p PeerId (empty when unknown).
        peer_id: String,
        /// The remote member's identity peer name (empty when unknown).
        member_peer_name: String,
        /// `hrConnectionFailedReason` (0 unless `status` is `Failed`).
        hresult: i32,
    },
    /// `PEER_GROUP_EVENT_CONNECTION_FAILED` with `hrConnectionFailedReason`: no member
    /// could be reached.
    ConnectionFailed {
        /// Why.
        hresult: i32,
    },
    /// `PEER_GROUP_EVENT_AUTHENTICATION_FAILED`: a peer's membership proof was refused.
    AuthenticationFailed {
        /// The refused node's libp2p PeerId.
        peer_id: String,
        /// The HRESULT of the refusal.
        hresult: i32,
    },
}

impl ChangeEvent {
    /// The `PEER_GROUP_EVENT_TYPE` value.
    pub fn event_type(&self) -> u32 {
        match self {
            ChangeEvent::StatusChanged { .. } => EVENT_STATUS_CHANGED,
            ChangeEvent::PropertyChanged => EVENT_PROPERTY_CHANGED,
            ChangeEvent::RecordChanged { .. } => EVENT_RECORD_CHANGED,
            ChangeEvent::MemberChanged { .. } => EVENT_MEMBER_CHANGED,
            ChangeEvent::NeighborConnection { .. } => EVENT_NEIGHBOR_CONNECTION,
            ChangeEvent::ConnectionFailed { .. } => EVENT_CONNECTION_FAILED,
            ChangeEvent::AuthenticationFailed { .. } => EVENT_AUTHENTICATION_FAILED,
        }
    }
}

/// One row of the change log.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change {
    /// Sequence number: increasing in commit order, never reused.
    pub seq: u64,
    /// The identity whose copy of the group changed.
    pub identity: String,
    /// The group's peer name.
    pub group_peer_name: String,
    /// What changed.
    pub event: ChangeEvent,
    /// When the change was committed (millisecond precision).
    pub time: SystemTime,
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The columns of a change row other than its group and time.
#[derive(Default)]
struct ChangeColumns<'a> {
    change_type: u32,
    record_id: Option<&'a [u8]>,
    record_type: Option<&'a [u8]>,
    member: Option<&'a str>,
    status: Option<u32>,
    connection_id: Option<i64>,
    node_id: Option<i64>,
    peer_id: Option<&'a str>,
    hresult: Option<i32>,
}

/// An unsigned 64-bit id stored in an SQLite integer (same bits).
fn u64_bits(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

fn columns(event: &ChangeEvent) -> ChangeColumns<'_> {
    match event {
        ChangeEvent::StatusChanged { status } => ChangeColumns {
            status: Some(*status),
            ..ChangeColumns::default()
        },
        ChangeEvent::PropertyChanged => ChangeColumns::default(),
        ChangeEvent::RecordChanged {
            change,
            record_id,
            record_type,
        } => ChangeColumns {
            change_type: change.to_u32(),
            record_id: Some(&record_id.as_bytes()[..]),
            record_type: Some(&record_type.as_bytes()[..]),
            ..ChangeColumns::default()
        },
        ChangeEvent::MemberChanged {
            change,
            member_peer_name,
        } => ChangeColumns {
            change_type: change.to_u32(),
            member: Some(member_peer_name.as_str()),
            ..ChangeColumns::default()
        },
        ChangeEvent::NeighborConnection {
            status,
            connection_id,
            node_id,
            peer_id,
            member_peer_name,
            hresult,
        } => ChangeColumns {
            change_type: status.to_u32(),
            member: Some(member_peer_name.as_str()),
            connection_id: Some(u64_bits(*connection_id)),
            node_id: Some(u64_bits(*node_id)),
            peer_id: Some(peer_id.as_str()),
            hresult: Some(*hresult),
            ..ChangeColumns::default()
        },
        ChangeEvent::ConnectionFailed { hresult } => ChangeColumns {
            hresult: Some(*hresult),
            ..ChangeColumns::default()
        },
        ChangeEvent::AuthenticationFailed { peer_id, hresult } => ChangeColumns {
            peer_id: Some(peer_id.as_str()),
            hresult: Some(*hresult),
            ..ChangeColumns::default()
        },
    }
}

/// Appends one change-log row inside the caller's transaction, and prunes now and then.
pub(crate) fn append_change(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    event: &ChangeEvent,
) -> TxResult<()> {
    let c = columns(event);
    let now = now_millis();
    tx.prepare_cached(
        "INSERT INTO group_changes (identity, group_peer_name, event_type, change_type,
            record_id, record_type, member_peer_name, status, time_ms, connection_id,
            node_id, peer_id, hresult)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        identity,
        group,
        event.event_type(),
        c.change_type,
        c.record_id,
        c.record_type,
        c.member,
        c.status,
        now,
        c.connection_id,
        c.node_id,
        c.peer_id,
        c.hresult
    ])?;
    let seq = u64::try_from(tx.last_insert_rowid()).unwrap_or(0);
    if seq % CHANGE_LOG_PRUNE_EVERY == 0 {
        prune(tx, now.saturating_sub(retention_millis()))?;
    }
    Ok(())
}

fn retention_millis() -> i64 {
    i64::try_from(CHANGE_LOG_RETENTION.as_millis()).unwrap_or(i64::MAX)
}

fn prune(tx: &Transaction<'_>, before_ms: i64) -> TxResult<u64> {
    let n = tx
        .prepare_cached("DELETE FROM group_changes WHERE time_ms < ?1")?
        .execute([before_ms])?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

const CHANGE_COLUMNS: &str = "seq, identity, group_peer_name, event_type, change_type, record_id,
    record_type, member_peer_name, status, time_ms, connection_id, node_id, peer_id, hresult";

/// A nullable GUID column; NULL (a change without a record) reads as [`Guid::NULL`].
fn opt_guid(row: &Row<'_>, index: usize) -> rusqlite::Result<Guid> {
    Ok(row
        .get::<_, Option<[u8; 16]>>(index)?
        .map_or(Guid::NULL, Guid::from_bytes))
}

fn change_from_row(row: &Row<'_>) -> rusqlite::Result<Change> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Integer,
            Box::new(std::io::Error::other(what)),
        )
    };
    let event_type: u32 = row.get(3)?;
    let change_type: u32 = row.get(4)?;
    let event = match event_type {
        EVENT_STATUS_CHANGED => ChangeEvent::StatusChanged {
            status: row.get::<_, Option<u32>>(8)?.unwrap_or(0),
        },
        EVENT_PROPERTY_CHANGED => ChangeEvent::PropertyChanged,
        EVENT_RECORD_CHANGED => ChangeEvent::RecordChanged {
            change: RecordChangeType::from_u32(change_type)
                .ok_or_else(|| bad(4, format!("record change type {change_type}")))?,
            record_id: opt_guid(row, 5)?,
            record_type: opt_guid(row, 6)?,
        },
        EVENT_MEMBER_CHANGED => ChangeEvent::MemberChanged {
            change: MemberChangeType::from_u32(change_type)
                .ok_or_else(|| bad(4, format!("member change type {change_type}")))?,
            member_peer_name: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
        },
        EVENT_NEIGHBOR_CONNECTION => ChangeEvent::NeighborConnection {
            status: ConnectionStatus::from_u32(change_type)
                .ok_or_else(|| bad(4, format!("connection status {change_type}")))?,
            connection_id: bits_u64(row.get(10)?),
            node_id: bits_u64(row.get(11)?),
            peer_id: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
            member_peer_name: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
            hresult: row.get::<_, Option<i32>>(13)?.unwrap_or(0),
        },
        EVENT_CONNECTION_FAILED => ChangeEvent::ConnectionFailed {
            hresult: row.get::<_, Option<i32>>(13)?.unwrap_or(0),
        },
        EVENT_AUTHENTICATION_FAILED => ChangeEvent::AuthenticationFailed {
            peer_id: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
            hresult: row.get::<_, Option<i32>>(13)?.unwrap_or(0),
        },
        other => return Err(bad(3, format!("event type {other}"))),
    };
    let ms: i64 = row.get(9)?;
    Ok(Change {
        seq: row.get(0)?,
        identity: row.get(1)?,
        group_peer_name: row.get(2)?,
        event,
        time: UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
    })
}

fn bits_u64(v: Option<i64>) -> u64 {
    u64::from_ne_bytes(v.unwrap_or(0).to_ne_bytes())
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(crate) fn query_changes(
    conn: &Connection,
    identity: &str,
    group: &str,
    after: u64,
) -> rusqlite::Result<Vec<Change>> {
    conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLUMNS} FROM group_changes
         WHERE identity = ?1 AND group_peer_name = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4"
    ))?
    .query_map(
        params![
            identity,
            group,
            seq_param(after),
            i64::try_from(CHANGES_BATCH).unwrap_or(i64::MAX)
        ],
        change_from_row,
    )?
    .collect()
}

impl Store {
    /// The group's changes with a sequence number above `after`, in order; at most
    /// [`CHANGES_BATCH`] per call (call again from the last one's `seq` for more).
    ///
    /// # Errors
    /// [`Error::Sqlite`](crate::Error::Sqlite) / [`Error::Corrupted`](crate::Error::Corrupted) on a database failure.
    pub fn changes_since(&self, identity: &str, group: &str, after: u64) -> Result<Vec<Change>> {
        self.read(|tx| Ok(query_changes(tx, identity, group, after)?))
    }

    /// The sequence number of the group's newest change, 0 when it has none.
    ///
    /// # Errors
    /// [`Error::Sqlite`](crate::Error::Sqlite) on a database failure.
    pub fn last_change_seq(&self, identity: &str, group: &str) -> Result<u64> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) FROM group_changes
                     WHERE identity = ?1 AND group_peer_name = ?2",
                )?
                .query_row([identity, group], |r| r.get(0))?)
        })
    }

    /// Deletes change-log rows committed before `before`; returns how many. Writes also
    /// prune rows older than [`CHANGE_LOG_RETENTION`] every [`CHANGE_LOG_PRUNE_EVERY`]
    /// appended rows.
    ///
    /// # Errors
    /// [`Error::Sqlite`](crate::Error::Sqlite) on a database failure.
    pub fn prune_changes(&self, before: SystemTime) -> Result<u64> {
        let ms = before
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.write(|tx| prune(tx, ms))
    }
}
