//! One file per command group, as cargo lays out its subcommands: each has a `run` that
//! dispatches its subcommands to handlers named after the facade function they call
//! (`identity_export` calls `Peernet::identity_export`, `get_properties` calls
//! `Group::get_properties`), so one grep finds the facade, the CLI and the C ABI.

mod chat;
mod cloud;
mod connect;
mod demo;
mod group;
mod identity;
mod node;
mod record;

use std::time::{Duration, SystemTime};

use peernet::{Peernet, Profile, Role};
use serde_json::json;

use crate::cli::{Command, ProfileArg, RoleArg};
use crate::ctx::{Ctx, Report};
use crate::error::CliError;

/// Runs one command.
pub fn run(ctx: &Ctx, command: Command) -> Result<Report, CliError> {
    match command {
        Command::Identity(c) => identity::run(ctx, c),
        Command::Peername {
            identity,
            classifier,
        } => create_peer_name(&identity, &classifier),
        Command::Group(c) => group::run(ctx, c),
        Command::Cloud(c) => cloud::run(ctx, c),
        Command::Record(c) => record::run(ctx, c),
        Command::Node(c) => node::run(ctx, c),
        Command::Demo { keep } => demo::run(ctx, keep.as_deref()),
        Command::Chat {
            identity,
            group,
            addresses,
        } => chat::chat(
            ctx,
            &crate::cli::GroupRef { identity, group },
            &connect::resolve(&addresses)?,
        ),
    }
}

/// `peernet peername IDENTITY CLASSIFIER` (`0` for an unsecured name).
fn create_peer_name(identity: &str, classifier: &str) -> Result<Report, CliError> {
    let name = if identity == "0" {
        peernet::create_peer_name(None, Some(classifier))?
    } else {
        peernet::create_peer_name(Some(identity), Some(classifier))?
    };
    Ok(Report::new(json!({"peer_name": name}), name))
}

/// The key profile of `--profile`.
fn profile(p: ProfileArg) -> Profile {
    match p {
        ProfileArg::Modern => Profile::Modern,
        ProfileArg::Windows => Profile::Windows,
    }
}

/// The roles of `--role` (repeats removed; `member` when none is given).
fn roles(args: &[RoleArg]) -> Vec<Role> {
    if args.is_empty() {
        return vec![Role::MEMBER];
    }
    let mut v = Vec::new();
    for r in args {
        let role = match r {
            RoleArg::Member => Role::MEMBER,
            RoleArg::Admin => Role::ADMIN,
            RoleArg::Inviting => Role::INVITING_MEMBER,
        };
        if !v.contains(&role) {
            v.push(role);
        }
    }
    v
}

/// The end of validity `--expires` gives, counted from the store's clock.
fn expiry(pn: &Peernet, d: Option<Duration>) -> Option<SystemTime> {
    d.map(|d| pn.now() + d)
}
