//! `peernet node …`: the store's network node (`peernet::node`).

use peernet::node::{NodeInfo, NodeOptions};
use serde_json::{Value, json};

use crate::cli::NodeCommand;
use crate::ctx::{Ctx, Report};
use crate::error::CliError;
use crate::render::table;

/// `peernet node …`
pub(super) fn run(ctx: &Ctx, c: NodeCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        NodeCommand::Run {
            listen,
            service,
            on_demand: _,
            idle_exit,
        } => run_node(ctx, &pn, listen, service, idle_exit),
        NodeCommand::Status => node_status(&pn),
        NodeCommand::Stop => stop_node(&pn),
        NodeCommand::Listen { addresses, default } => set_node_listen(&pn, &addresses, default),
    }
}

fn run_node(
    ctx: &Ctx,
    pn: &peernet::Peernet,
    listen: Vec<std::net::SocketAddr>,
    service: bool,
    idle_exit: Option<std::time::Duration>,
) -> Result<Report, CliError> {
    let mut options = NodeOptions::default();
    if !listen.is_empty() {
        options.listen = Some(listen);
    }
    options.service = service;
    if let Some(d) = idle_exit {
        options.idle_exit = d;
    }
    ctx.info(&format!(
        "peernet node for store '{}' ({}); stop with `peernet node stop` or Ctrl-C",
        pn.store().dir().display(),
        if service {
            "service"
        } else {
            "exits when idle"
        }
    ));
    peernet::node::run_node(pn.store().dir(), options)?;
    Ok(Report::new(json!({"stopped": true}), "node stopped"))
}

/// The JSON of a running node.
pub(crate) fn node_json(info: &NodeInfo) -> Value {
    json!({
        "running": true,
        "pid": info.pid,
        "peer_id": info.peer_id,
        "listen": info.listen.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "service": info.service,
        "refused": info.refused,
        "groups": info.groups.iter().map(|g| json!({
            "identity": g.identity,
            "group": g.group,
            "status": g.flags,
            "connections": g.connections,
            "handles": g.handles,
            "persistent": g.persistent,
        })).collect::<Vec<_>>(),
    })
}

fn node_status(pn: &peernet::Peernet) -> Result<Report, CliError> {
    let Some(info) = peernet::node::node_status(pn)? else {
        return Ok(Report::new(
            json!({"running": false}),
            "no node runs for this store",
        ));
    };
    let rows: Vec<Vec<String>> = info
        .groups
        .iter()
        .map(|g| {
            vec![
                g.group.clone(),
                g.identity.clone(),
                super::connect::status_names(g.flags).join(","),
                g.connections.to_string(),
                format!("{}{}", g.handles, if g.persistent { "+cli" } else { "" }),
            ]
        })
        .collect();
    let mut human = format!(
        "node pid {} PeerId {}\nlistening on {}\nrefused connection attempts: {}\n",
        info.pid,
        info.peer_id,
        info.listen
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        info.refused
    );
    if !rows.is_empty() {
        human += &table(
            &["GROUP", "IDENTITY", "STATUS", "CONNECTIONS", "HANDLES"],
            &rows,
        );
    }
    Ok(Report::new(node_json(&info), human.trim_end().to_string()))
}

fn stop_node(pn: &peernet::Peernet) -> Result<Report, CliError> {
    let stopped = peernet::node::stop_node(pn)?;
    Ok(Report::new(
        json!({"stopped": stopped}),
        if stopped {
            "node stopped"
        } else {
            "no node runs for this store"
        },
    ))
}

fn set_node_listen(
    pn: &peernet::Peernet,
    addresses: &[std::net::SocketAddr],
    default: bool,
) -> Result<Report, CliError> {
    pn.set_node_listen(if default { None } else { Some(addresses) })?;
    let shown: Vec<String> = pn
        .node_listen()?
        .unwrap_or_else(|| peernet::lower::net::NodeConfig::default().listen)
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(Report::new(
        json!({"listen": shown, "default": default}),
        format!(
            "the node listens on {} from its next start",
            shown.join(", ")
        ),
    ))
}
