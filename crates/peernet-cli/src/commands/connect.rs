//! `peernet group connect|disconnect|status|connections`: a group on the network
//! (`Group::connect_persistent`, `Group::get_status`, `Group::enum_connections`).

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
use peernet::hresult as hr;
use peernet::{Group, Peernet};
use serde_json::{Value, json};

use crate::cli::GroupRef;
use crate::ctx::{Ctx, Report};
use crate::error::CliError;
use crate::render::table;

/// The names of `PEER_GROUP_STATUS` flags.
pub(crate) fn status_names(flags: u32) -> Vec<&'static str> {
    let mut v = Vec::new();
    if flags & PEER_GROUP_STATUS_LISTENING != 0 {
        v.push("listening");
    }
    if flags & PEER_GROUP_STATUS_HAS_CONNECTIONS != 0 {
        v.push("has_connections");
    }
    v
}

fn status_json(g: &Group, flags: u32, connections: usize) -> Value {
    json!({
        "identity": g.identity(),
        "group": g.peer_name(),
        "status": flags,
        "flags": status_names(flags),
        "connections": connections,
    })
}

fn status_line(flags: u32, connections: usize) -> String {
    let names = status_names(flags);
    format!(
        "{} ({connections} connection{})",
        if names.is_empty() {
            "not connected".to_string()
        } else {
            names.join(", ")
        },
        if connections == 1 { "" } else { "s" }
    )
}

/// `HOST:PORT` arguments, resolved (a name may give several addresses).
pub(super) fn resolve(addresses: &[String]) -> Result<Vec<SocketAddr>, CliError> {
    let mut out = Vec::new();
    for a in addresses {
        let resolved: Vec<SocketAddr> = a
            .to_socket_addrs()
            .map_err(|e| {
                CliError::new(
                    hr::E_INVALIDARG,
                    format!("--address '{a}' is not HOST:PORT: {e}"),
                )
            })?
            .collect();
        if resolved.is_empty() {
            return Err(CliError::new(
                hr::E_INVALIDARG,
                format!("--address '{a}' resolves to no address"),
            ));
        }
        out.extend(resolved);
    }
    Ok(out)
}

/// `group connect`.
pub(super) fn connect(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    addresses: &[String],
    timeout: Option<Duration>,
    wait: bool,
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let addrs = resolve(addresses)?;
    let timeout = timeout.unwrap_or(peernet::node::CONNECT_TIMEOUT);
    g.connect_persistent(&addrs)?;
    ctx.info(&format!(
        "connecting group {} as {} (up to {} s)",
        at.group,
        at.identity,
        timeout.as_secs()
    ));
    // The creator listens at once and is connected in Windows' sense; anyone else
    // listens only once it has a connection, so LISTENING is the wait for both (and
    // HAS_CONNECTIONS with --wait).
    let mask = if wait {
        PEER_GROUP_STATUS_HAS_CONNECTIONS
    } else {
        PEER_GROUP_STATUS_LISTENING
    };
    let flags = g.wait_for_status(mask, timeout)?;
    if flags & mask != mask {
        let _ = g.disconnect_persistent();
        return Err(CliError::new(
            hr::PEER_E_CONNECTION_FAILED,
            format!(
                "no member of the group answered within {} s (give --address HOST:PORT of a member, or start one on this machine)",
                timeout.as_secs()
            ),
        ));
    }
    let n = g.enum_connections()?.len();
    Ok(Report::new(
        status_json(&g, flags, n),
        format!("connected: {}", status_line(flags, n)),
    ))
}

/// `group disconnect`.
pub(super) fn disconnect_persistent(pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    g.disconnect_persistent()?;
    Ok(Report::new(
        json!({"identity": at.identity, "group": at.group, "disconnected": true}),
        "disconnected",
    ))
}

/// `group status`.
pub(super) fn get_status(pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let status = g.get_status()?;
    let n = g.enum_connections()?.len();
    let mut v = status_json(&g, status.flags, n);
    v["membership"] = json!(crate::render::membership_name(status.membership));
    Ok(Report::new(
        v,
        format!(
            "{}; membership {}",
            status_line(status.flags, n),
            crate::render::membership_name(status.membership)
        ),
    ))
}

/// `group connections`.
pub(super) fn enum_connections(pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let list =
        g.enum_connections_of(peernet::PEER_CONNECTION_NEIGHBOR | peernet::PEER_CONNECTION_DIRECT)?;
    let kind = |c: &peernet::Connection| {
        if c.flags == peernet::PEER_CONNECTION_DIRECT {
            "direct"
        } else {
            "neighbor"
        }
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.connection_id.to_string(),
                kind(c).to_string(),
                c.member.clone(),
                c.address.map(|a| a.to_string()).unwrap_or_default(),
                c.peer_id.clone(),
            ]
        })
        .collect();
    Ok(Report::new(
        json!({"connections": list.iter().map(|c| json!({
            "connection_id": c.connection_id,
            "node_id": c.node_id,
            "peer_id": c.peer_id,
            "member": c.member,
            "address": c.address.map(|a| a.to_string()),
            "type": kind(c),
            "path": "direct",
        })).collect::<Vec<_>>()}),
        if rows.is_empty() {
            "no connections".to_string()
        } else {
            table(&["ID", "TYPE", "MEMBER", "ADDRESS", "PEER ID"], &rows)
        },
    ))
}
