//! `peernet chat` and `peernet group direct open|send|close`: the Windows SDK GroupChat
//! sample as a terminal program, and direct connections by hand.
//!
//! `chat` speaks GroupChat's formats, so it can talk with the sample: a message is a
//! record of type `{4d5b2f11-6522-433b-84ef-a298e60757b0}` holding UTF-16LE text with
//! its NUL, expiring 2 minutes of peer time later; a whisper is direct-connection data
//! of type `{4d5b2f11-6522-433b-84ef-a298e607bbbb}`, the same text encoding.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use peernet::event::{
    PEER_GROUP_EVENT_DIRECT_CONNECTION, PEER_GROUP_EVENT_INCOMING_DATA,
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_RECORD_CHANGED,
};
use peernet::hresult as hr;
use peernet::{
    ConnectionStatus, EventRegistration, Group, GroupEvent, Guid, MemberChangeType, Peernet,
    RecordChangeType,
};
use serde_json::json;

use crate::cli::{DirectCommand, GroupRef};
use crate::ctx::{Ctx, Report};
use crate::error::CliError;

/// GroupChat's `RECORD_TYPE_CHAT_MESSAGE`.
pub const RECORD_TYPE_CHAT_MESSAGE: Guid = Guid::from_fields(
    0x4d5b_2f11,
    0x6522,
    0x433b,
    [0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0x57, 0xb0],
);
/// GroupChat's `DATA_TYPE_WHISPER_MESSAGE`.
pub const DATA_TYPE_WHISPER_MESSAGE: Guid = Guid::from_fields(
    0x4d5b_2f11,
    0x6522,
    0x433b,
    [0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0xbb, 0xbb],
);
/// How long a chat message lives (GroupChat: 2 minutes).
const MESSAGE_LIFETIME: Duration = Duration::from_secs(120);
/// How long `chat` waits for the group to connect.
const CONNECT_WAIT: Duration = Duration::from_secs(30);

/// UTF-16LE with a terminating NUL, as GroupChat's messages.
fn wide(text: &str) -> Vec<u8> {
    text.encode_utf16()
        .chain(std::iter::once(0))
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// GroupChat's text (UTF-16LE ending in a NUL), or else the bytes as UTF-8.
fn text_of(data: &[u8]) -> String {
    if data.len().is_multiple_of(2) && data.ends_with(&[0, 0]) {
        let units: Vec<u16> = data
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|u| *u != 0)
            .collect();
        if let Ok(s) = String::from_utf16(&units) {
            return s;
        }
    }
    String::from_utf8_lossy(data).into_owned()
}

/// The friendly name of a member, or its peer name.
fn friendly(g: &Group, identity: &str) -> String {
    g.enum_members(0, Some(identity))
        .ok()
        .and_then(|m| m.into_iter().next())
        .and_then(|m| m.credentials.map(|c| c.friendly_name))
        .unwrap_or_else(|| identity.to_string())
}

/// Adds one chat message.
fn send_message(g: &Group, text: &str) -> Result<(), CliError> {
    let utc = SystemTime::now() + MESSAGE_LIFETIME;
    let peer = g.universal_time_to_peer_time(peernet::to_filetime(utc))?;
    let mut record = peernet::Record::new(RECORD_TYPE_CHAT_MESSAGE, peernet::from_filetime(peer));
    record.data = wide(text);
    g.add_record(&record)?;
    Ok(())
}

/// `peernet chat`: connect, print the group's messages, whispers and members as they
/// come, send each line typed (`/w MEMBER TEXT` whispers, `/members` lists, `/quit`).
pub(super) fn chat(ctx: &Ctx, at: &GroupRef, addresses: &[SocketAddr]) -> Result<Report, CliError> {
    let pn: Peernet = ctx.open()?;
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let h = Arc::new(g.register_event(&[
        EventRegistration {
            event_type: PEER_GROUP_EVENT_RECORD_CHANGED,
            record_type: Some(RECORD_TYPE_CHAT_MESSAGE),
        },
        EventRegistration::new(PEER_GROUP_EVENT_MEMBER_CHANGED),
        EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION),
        EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA),
    ])?);
    if addresses.is_empty() {
        g.connect()?;
    } else {
        g.connect_by_address(addresses)?;
    }
    let name = g.get_properties()?.friendly_name;
    ctx.info(&format!(
        "chatting in '{name}' as {}; /w MEMBER TEXT whispers, /members lists, /quit ends",
        at.identity
    ));
    let flags = g.wait_for_status(peernet::flags::PEER_GROUP_STATUS_LISTENING, CONNECT_WAIT)?;
    if flags & peernet::flags::PEER_GROUP_STATUS_LISTENING == 0 {
        return Err(CliError::new(
            hr::PEER_E_CONNECTION_FAILED,
            "no member of the group answered (start one on this machine, or give --address)",
        ));
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let printer = {
        let (g, h, stop) = (g.clone(), h.clone(), stop.clone());
        std::thread::spawn(move || print_events(&g, &h, &stop))
    };
    let mut whispers: HashMap<String, u64> = HashMap::new();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim_end();
        if line == "/quit" {
            break;
        } else if line == "/members" {
            for m in g.enum_members(0, None)? {
                let present = m.flags & peernet::PEER_MEMBER_PRESENT != 0;
                say(&format!(
                    "  {} {}{}",
                    friendly(&g, &m.identity),
                    m.identity,
                    if present { " (online)" } else { "" }
                ));
            }
        } else if let Some(rest) = line.strip_prefix("/w ") {
            let Some((member, text)) = rest.split_once(' ') else {
                say("usage: /w MEMBER TEXT");
                continue;
            };
            if let Err(e) = whisper(&g, &mut whispers, member, text) {
                say(&format!("whisper failed: {e}"));
            }
        } else if !line.is_empty()
            && let Err(e) = send_message(&g, line)
        {
            say(&format!("not sent: {e}"));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    let _ = printer.join();
    Ok(Report::new(json!({"chat": "ended"}), ""))
}

fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Whispers to `member` (a peer name, or a member's friendly name) over a direct
/// connection, opened on first use.
fn whisper(
    g: &Group,
    open: &mut HashMap<String, u64>,
    member: &str,
    text: &str,
) -> Result<(), CliError> {
    let identity = g
        .enum_members(0, None)?
        .into_iter()
        .map(|m| m.identity)
        .find(|i| i == member || friendly(g, i) == member)
        .ok_or_else(|| CliError::new(hr::PEER_E_NOT_FOUND, format!("no member '{member}'")))?;
    let id = match open.get(&identity) {
        Some(id) => *id,
        None => {
            let id = g.open_direct_connection(&identity, None)?;
            open.insert(identity.clone(), id);
            id
        }
    };
    if let Err(e) = g.send_data(id, &DATA_TYPE_WHISPER_MESSAGE, &wide(text)) {
        open.remove(&identity);
        return Err(e.into());
    }
    Ok(())
}

fn print_events(g: &Group, h: &peernet::EventHandle, stop: &std::sync::atomic::AtomicBool) {
    // Who opened each direct connection: it may be closed before its data is shown.
    let mut direct: HashMap<u64, String> = HashMap::new();
    while !stop.load(std::sync::atomic::Ordering::Acquire) {
        let Some(e) = h.next_event(Duration::from_millis(200)) else {
            continue;
        };
        match e.event {
            GroupEvent::RecordChanged {
                change: RecordChangeType::Added,
                record_id,
                ..
            } => {
                if let Ok(r) = g.get_record(&record_id) {
                    say(&format!(
                        "[{}]: {}",
                        friendly(g, &r.creator_id),
                        text_of(&r.data)
                    ));
                }
            }
            GroupEvent::MemberChanged { change, identity } => match change {
                MemberChangeType::Connected => {
                    say(&format!("{} has joined the group", friendly(g, &identity)));
                }
                MemberChangeType::Disconnected => {
                    say(&format!("{} has left the group", friendly(g, &identity)));
                }
                _ => {}
            },
            GroupEvent::DirectConnection {
                status: ConnectionStatus::Connected,
                member,
                connection_id,
                ..
            } => {
                say(&format!("{} opened a whisper", friendly(g, &member)));
                direct.insert(connection_id, member);
            }
            GroupEvent::IncomingData {
                connection_id,
                data,
                ..
            } => {
                let from = g
                    .enum_connections_of(
                        peernet::PEER_CONNECTION_DIRECT | peernet::PEER_CONNECTION_NEIGHBOR,
                    )
                    .ok()
                    .and_then(|l| l.into_iter().find(|c| c.connection_id == connection_id))
                    .map_or_else(|| "someone".to_string(), |c| friendly(g, &c.member));
                say(&format!("{from} whispers: {}", text_of(&data)));
            }
            _ => {}
        }
    }
}

/// `group direct send`: one message on a direct connection opened for it (or on
/// `connection`), then closed.
pub(super) fn send_data(
    pn: &Peernet,
    at: &GroupRef,
    to: Option<&str>,
    address: Option<SocketAddr>,
    connection: Option<u64>,
    data_type: Guid,
    data: &[u8],
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let (id, opened) = match (connection, to) {
        (Some(id), _) => (id, false),
        (None, Some(member)) => (g.open_direct_connection(member, address)?, true),
        (None, None) => {
            return Err(CliError::new(
                hr::E_INVALIDARG,
                "give --to MEMBER or --connection ID",
            ));
        }
    };
    let sent = g.send_data(id, &data_type, data);
    if opened {
        let _ = g.close_direct_connection(id);
    }
    sent?;
    Ok(Report::new(
        json!({"connection_id": id, "bytes": data.len(), "data_type": data_type.to_string()}),
        format!("sent {} bytes on connection {id}", data.len()),
    ))
}

/// `group direct open`: a direct connection to `to` for as long as standard input lasts;
/// each line is sent as data of `data_type` (UTF-8).
pub(super) fn open_direct_connection(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    to: &str,
    address: Option<SocketAddr>,
    data_type: Guid,
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let id = g.open_direct_connection(to, address)?;
    ctx.info(&format!(
        "direct connection {id} to {to}; each line is sent, end of input closes it"
    ));
    let mut lines = 0u64;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        g.send_data(id, &data_type, line.as_bytes())?;
        lines += 1;
    }
    g.close_direct_connection(id)?;
    Ok(Report::new(
        json!({"connection_id": id, "sent": lines}),
        format!("closed direct connection {id} after {lines} message(s)"),
    ))
}

/// `peernet group direct …`
pub(super) fn direct(ctx: &Ctx, pn: &Peernet, c: DirectCommand) -> Result<Report, CliError> {
    let data_type = |t: Option<String>| {
        t.as_deref()
            .map(crate::render::parse_guid)
            .transpose()
            .map(|t| t.unwrap_or(DATA_TYPE_WHISPER_MESSAGE))
    };
    let address = |a: Option<String>| -> Result<Option<SocketAddr>, CliError> {
        Ok(match a {
            Some(a) => super::connect::resolve(&[a])?.into_iter().next(),
            None => None,
        })
    };
    match c {
        DirectCommand::Send {
            identity,
            group,
            to,
            address: a,
            connection,
            data_type: t,
            file,
            text,
        } => {
            let data = match (file, text) {
                (Some(f), _) => std::fs::read(&f).map_err(|e| {
                    CliError::new(
                        peernet::HResult::from_io(&e),
                        format!("cannot read '{}': {e}", f.display()),
                    )
                })?,
                (None, Some(t)) => t.into_bytes(),
                (None, None) => {
                    return Err(CliError::new(hr::E_INVALIDARG, "give TEXT or --file FILE"));
                }
            };
            send_data(
                pn,
                &GroupRef { identity, group },
                to.as_deref(),
                address(a)?,
                connection,
                data_type(t)?,
                &data,
            )
        }
        DirectCommand::Open {
            identity,
            group,
            to,
            address: a,
            data_type: t,
        } => open_direct_connection(
            ctx,
            pn,
            &GroupRef { identity, group },
            &to,
            address(a)?,
            data_type(t)?,
        ),
        DirectCommand::Close {
            identity,
            group,
            connection,
        } => close_direct_connection(pn, &GroupRef { identity, group }, connection),
    }
}

/// `group direct close`.
pub(super) fn close_direct_connection(
    pn: &Peernet,
    at: &GroupRef,
    id: u64,
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    g.close_direct_connection(id)?;
    Ok(Report::new(
        json!({"connection_id": id, "closed": true}),
        format!("closed {id}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_groupchat_utf16_with_a_nul() {
        let w = wide("hé");
        assert_eq!(w, vec![b'h', 0, 0xe9, 0, 0, 0]);
        assert_eq!(text_of(&w), "hé");
        assert_eq!(text_of(b"plain"), "plain");
        assert_eq!(
            text_of(b"one-shot"),
            "one-shot",
            "even length, no NUL: UTF-8"
        );
        assert_eq!(
            RECORD_TYPE_CHAT_MESSAGE.to_string(),
            "{4d5b2f11-6522-433b-84ef-a298e60757b0}"
        );
    }
}
