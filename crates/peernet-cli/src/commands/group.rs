//! `peernet group …`: the PeerGroup* functions of groups, invitations, configurations,
//! members and events.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use peernet::hresult as hr;
use peernet::lower::protocol::DocumentType;
use peernet::{
    ConnectionStatus, CredentialInfo, EventData, EventRegistration, GroupEvent, GroupProperties,
    IssueFlags, JoinOutcome, Member, MemberChangeType, PEER_GROUP_PASSWORD_AUTHENTICATION, Peernet,
    RecordChangeType, Role, Secret,
};
use serde_json::{Value, json};

use super::{expiry, profile, roles};
use crate::cli::{EventArg, GroupCommand, GroupRef, Output, PassIn, PasswordRoleArg};
use crate::ctx::{Ctx, Report, emit_document, is_stdin, password, read_document};
use crate::error::CliError;
use crate::progress::with_spinner;
use crate::render::{parse_guid, rfc3339, role_names, table};
use crate::views::{group_view, invitation_view, join_view};

/// `peernet group …`
pub(super) fn run(ctx: &Ctx, c: GroupCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    let at = |identity, group| GroupRef { identity, group };
    match c {
        GroupCommand::Create {
            identity,
            classifier,
            friendly_name,
            cloud,
            profile: p,
            password_role,
            passin,
        } => {
            let friendly = friendly_name.unwrap_or_else(|| classifier.clone());
            let mut props = GroupProperties::new(classifier, friendly).with_creator(&identity);
            if let Some(c) = cloud {
                props = props.with_cloud(c);
            }
            if let Some(p) = p {
                props = props.with_profile(profile(p));
            }
            group_create(&pn, props, &identity, password_role, &passin)
        }
        GroupCommand::List { identity } => enum_groups(&pn, identity),
        GroupCommand::Show { identity, group } => get_properties(&pn, &at(identity, group)),
        GroupCommand::Delete { identity, group } => group_delete(ctx, &pn, &at(identity, group)),
        GroupCommand::Open {
            identity,
            group,
            cloud,
        } => group_open(&pn, &at(identity, group), cloud.as_deref()),
        GroupCommand::Invite {
            identity,
            group,
            invitee,
            roles: r,
            expires,
            output,
        } => create_invitation(
            ctx,
            &pn,
            &at(identity, group),
            &invitee,
            &roles(&r),
            expiry(&pn, expires),
            &output,
        ),
        GroupCommand::PasswordInvite {
            identity,
            group,
            output,
        } => create_password_invitation(ctx, &pn, &at(identity, group), &output),
        GroupCommand::ParseInvitation { file } => group_parse_invitation(&pn, &file),
        GroupCommand::Join {
            identity,
            invitation,
            cloud,
            passin,
        } => group_join(&pn, &identity, &invitation, cloud.as_deref(), &passin),
        GroupCommand::Issue {
            identity,
            group,
            subject,
            roles: r,
            expires,
            store_credentials,
            output,
        } => issue_credentials(
            ctx,
            &pn,
            &at(identity, group),
            &subject,
            &roles(&r),
            expiry(&pn, expires),
            IssueFlags::from_bits(u32::from(store_credentials)).unwrap_or_default(),
            &output,
        ),
        GroupCommand::ExportConfig {
            identity,
            group,
            passin,
            output,
        } => export_config(ctx, &pn, &at(identity, group), &passin, &output),
        GroupCommand::ImportConfig {
            file,
            passin,
            overwrite,
        } => group_import_config(ctx, &pn, &file, &passin, overwrite),
        GroupCommand::Members { identity, group } => enum_members(&pn, &at(identity, group)),
        GroupCommand::Connect {
            identity,
            group,
            addresses,
            timeout,
            wait,
        } => super::connect::connect(ctx, &pn, &at(identity, group), &addresses, timeout, wait),
        GroupCommand::Disconnect { identity, group } => {
            super::connect::disconnect_persistent(&pn, &at(identity, group))
        }
        GroupCommand::Status { identity, group } => {
            super::connect::get_status(&pn, &at(identity, group))
        }
        GroupCommand::Connections { identity, group } => {
            super::connect::enum_connections(&pn, &at(identity, group))
        }
        GroupCommand::Direct(d) => super::chat::direct(ctx, &pn, d),
        GroupCommand::Watch {
            identity,
            group,
            events,
            record_type,
            count,
            timeout,
        } => register_event(
            ctx,
            &pn,
            &at(identity, group),
            &events,
            record_type.as_deref(),
            count,
            timeout,
        ),
    }
}

/// `group create` (with `--password-role`, the password comes from `--passin`).
fn group_create(
    pn: &Peernet,
    mut props: GroupProperties,
    identity: &str,
    password_role: Option<PasswordRoleArg>,
    passin: &PassIn,
) -> Result<Report, CliError> {
    match password_role {
        Some(r) => {
            pn.identity_details(identity)?;
            let pw = password(passin.passin.as_deref(), "Group password: ", true, false)?;
            let role = match r {
                PasswordRoleArg::Member => Role::MEMBER,
                PasswordRoleArg::Admin => Role::ADMIN,
            };
            props = props.with_password(pw, role);
        }
        None if passin.passin.is_some() => {
            return Err(CliError::invalid(
                "--passin sets the group password and needs --password-role member|admin",
            ));
        }
        None => {}
    }
    let g = pn.group_create(&props)?;
    Ok(Report::new(
        json!({"group_peer_name": g.peer_name(), "identity": g.identity(), "cloud": g.cloud().name}),
        g.peer_name(),
    ))
}

/// `group list [--identity ID]`
fn enum_groups(pn: &Peernet, identity: Option<String>) -> Result<Report, CliError> {
    let list: Vec<(String, peernet::NamePair)> = match identity {
        Some(i) => pn
            .enum_groups(&i)?
            .into_iter()
            .map(|g| (i.clone(), g))
            .collect(),
        None => pn.enum_all_groups()?,
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|(i, g)| vec![g.peer_name.clone(), i.clone(), g.friendly_name.clone()])
        .collect();
    let human = if rows.is_empty() {
        String::new()
    } else {
        table(&["GROUP", "IDENTITY", "FRIENDLY NAME"], &rows)
    };
    let items: Vec<Value> = list
        .iter()
        .map(|(i, g)| json!({"group_peer_name": g.peer_name, "identity": i, "friendly_name": g.friendly_name}))
        .collect();
    Ok(Report::new(json!({"groups": items}), human))
}

/// `group show`: the group's properties, status and certificate chain.
fn get_properties(pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let (json, human) = group_view(&g, true)?;
    Ok(Report::new(json, human))
}

/// `group delete`
fn group_delete(ctx: &Ctx, pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    pn.group_delete(Some(&at.identity), &at.group)?;
    ctx.info(&format!("deleted group {} of {}", at.group, at.identity));
    Ok(Report::new(
        json!({"deleted": at.group, "identity": at.identity}),
        "",
    ))
}

/// `group open [--cloud NAME]`
fn group_open(pn: &Peernet, at: &GroupRef, cloud: Option<&str>) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, cloud)?;
    let (json, human) = group_view(&g, false)?;
    g.close()?;
    Ok(Report::new(json, human))
}

/// `group invite --invitee FILE`
fn create_invitation(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    invitee: &Path,
    roles: &[Role],
    expires: Option<SystemTime>,
    output: &Output,
) -> Result<Report, CliError> {
    let info = read_document(invitee, DocumentType::IdentityInfo)?;
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let xml = g.create_invitation(&info, expires, roles)?;
    emit_document(ctx, "PEERINVITATION", &xml, output, false)
}

/// `group password-invite`
fn create_password_invitation(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    output: &Output,
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let xml = g.create_password_invitation()?;
    emit_document(ctx, "PEERINVITATION", &xml, output, false)
}

/// `group parse-invitation FILE`
fn group_parse_invitation(pn: &Peernet, file: &Path) -> Result<Report, CliError> {
    let xml = read_document(file, DocumentType::Invitation)?;
    let info = pn.group_parse_invitation(&xml)?;
    let (json, human) = invitation_view(&info);
    Ok(Report::new(json, human))
}

/// `group join FILE`: a GMC invitation, or a password invitation
/// ([`group_password_join`]).
fn group_join(
    pn: &Peernet,
    identity: &str,
    invitation: &Path,
    cloud: Option<&str>,
    passin: &PassIn,
) -> Result<Report, CliError> {
    let xml = read_document(invitation, DocumentType::Invitation)?;
    let info = pn.group_parse_invitation(&xml)?;
    let (g, outcome) = if info.auth_scheme == PEER_GROUP_PASSWORD_AUTHENTICATION {
        let stdin = is_stdin(invitation);
        group_password_join(pn, identity, &xml, cloud, passin, stdin)?
    } else {
        (
            pn.group_join(Some(identity), &xml, cloud)?,
            JoinOutcome::Joined,
        )
    };
    let (json, human) = join_view(&g, outcome);
    Ok(Report::new(json, human))
}

/// `group join FILE` with a password invitation: the password from `--passin`.
fn group_password_join(
    pn: &Peernet,
    identity: &str,
    xml: &str,
    cloud: Option<&str>,
    passin: &PassIn,
    invitation_from_stdin: bool,
) -> Result<(peernet::Group, JoinOutcome), CliError> {
    pn.identity_details(identity)?;
    let pw = password(
        passin.passin.as_deref(),
        "Group password: ",
        false,
        invitation_from_stdin,
    )?;
    Ok(pn.group_password_join(Some(identity), xml, &pw, cloud)?)
}

/// `group issue --subject FILE`
#[allow(clippy::too_many_arguments)]
fn issue_credentials(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    subject: &Path,
    roles: &[Role],
    validity_end: Option<SystemTime>,
    flags: IssueFlags,
    output: &Output,
) -> Result<Report, CliError> {
    let info_xml = read_document(subject, DocumentType::IdentityInfo)?;
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let (subject_name, mut info) = CredentialInfo::from_identity_info(&info_xml, roles)?;
    info.validity_end = validity_end;
    let xml = g.issue_credentials(&subject_name, Some(&info), flags)?;
    emit_document(ctx, "PEERINVITATION", &xml, output, false)
}

/// `group export-config` (a member's configuration needs no password).
fn export_config(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    passin: &PassIn,
    output: &Output,
) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let xml = match passin.passin.as_deref() {
        Some(spec) => {
            let pw = password(Some(spec), "", false, false)?;
            with_spinner(ctx.spinner_visible(), "protecting the group key", || {
                g.export_config(&pw)
            })?
        }
        // A member's configuration holds no secret: no password is needed.
        None => match g.export_config(&"".into()) {
            Err(e) if e.hresult() == hr::E_INVALIDARG => {
                let pw = password(None, "Export password: ", true, false)?;
                with_spinner(ctx.spinner_visible(), "protecting the group key", || {
                    g.export_config(&pw)
                })?
            }
            other => other?,
        },
    };
    let secret = xml.contains("<GROUPKEY");
    emit_document(ctx, "PEERGROUPCONFIG", &xml, output, secret)
}

/// `group import-config FILE`
fn group_import_config(
    ctx: &Ctx,
    pn: &Peernet,
    file: &Path,
    passin: &PassIn,
    overwrite: bool,
) -> Result<Report, CliError> {
    let xml = read_document(file, DocumentType::GroupConfig)?;
    let has_key = xml.contains("GROUPKEY");
    let pw = if has_key || passin.passin.is_some() {
        password(
            passin.passin.as_deref(),
            "Import password: ",
            false,
            is_stdin(file),
        )?
    } else {
        Secret::default()
    };
    let imported = with_spinner(
        ctx.spinner_visible() && has_key,
        "opening the group key",
        || pn.group_import_config(&xml, &pw, overwrite),
    )?;
    Ok(Report::new(
        json!({"identity": imported.identity, "group_peer_name": imported.group_peer_name}),
        format!("{}\n{}", imported.identity, imported.group_peer_name),
    ))
}

fn member_json(m: &Member) -> Value {
    let c = m.credentials.as_ref();
    json!({
        "identity": m.identity,
        "present": m.flags & peernet::PEER_MEMBER_PRESENT != 0,
        "attributes": m.attributes,
        "friendly_name": c.map(|c| c.friendly_name.clone()),
        "roles": c.map(|c| role_names(&c.roles)).unwrap_or_default(),
        "issuer_peer_name": c.map(|c| c.issuer_peer_name.clone()),
        "validity_start": c.map(|c| rfc3339(c.validity_start)),
        "validity_end": c.map(|c| rfc3339(c.validity_end)),
        "addresses": m.addresses.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// `group members --identity ID GROUP`
fn enum_members(pn: &Peernet, at: &GroupRef) -> Result<Report, CliError> {
    let g = pn.group_open(&at.identity, &at.group, None)?;
    let ms = g.enum_members(0, None)?;
    let rows: Vec<Vec<String>> = ms
        .iter()
        .map(|m| {
            let c = m.credentials.as_ref();
            vec![
                m.identity.clone(),
                c.map(|c| role_names(&c.roles).join(","))
                    .unwrap_or_default(),
                c.map(|c| rfc3339(c.validity_end)).unwrap_or_default(),
                if m.flags & peernet::PEER_MEMBER_PRESENT != 0 {
                    "yes".to_string()
                } else {
                    "no".to_string()
                },
                c.map(|c| c.friendly_name.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Report::new(
        json!({"members": ms.iter().map(member_json).collect::<Vec<_>>()}),
        table(
            &[
                "IDENTITY",
                "ROLES",
                "VALID UNTIL",
                "PRESENT",
                "FRIENDLY NAME",
            ],
            &rows,
        ),
    ))
}

fn record_change_name(c: RecordChangeType) -> &'static str {
    match c {
        RecordChangeType::Added => "added",
        RecordChangeType::Updated => "updated",
        RecordChangeType::Deleted => "deleted",
        RecordChangeType::Expired => "expired",
    }
}

fn member_change_name(c: MemberChangeType) -> &'static str {
    match c {
        MemberChangeType::Connected => "connected",
        MemberChangeType::Disconnected => "disconnected",
        MemberChangeType::Updated => "updated",
        MemberChangeType::Joined => "joined",
        MemberChangeType::Left => "left",
    }
}

/// An HRESULT of an event as its name (or hex), `null` for success.
fn hresult_name(code: i32) -> Value {
    if code == 0 {
        return Value::Null;
    }
    let h = peernet::HResult(u32::from_ne_bytes(code.to_ne_bytes()));
    json!(
        h.name()
            .map_or_else(|| format!("0x{:08X}", h.0), str::to_string)
    )
}

/// One event as the JSON line `group watch` prints.
fn event_json(e: &EventData) -> Value {
    let latency_ms = SystemTime::now()
        .duration_since(e.committed)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0);
    let mut v = match &e.event {
        GroupEvent::StatusChanged { status } => {
            json!({"event": "status_changed", "status": status})
        }
        GroupEvent::PropertyChanged => json!({"event": "property_changed"}),
        GroupEvent::RecordChanged {
            change,
            record_id,
            record_type,
        } => json!({
            "event": "record_changed",
            "change": record_change_name(*change),
            "record_id": record_id.to_string(),
            "record_type": record_type.to_string(),
        }),
        GroupEvent::MemberChanged { change, identity } => json!({
            "event": "member_changed",
            "change": member_change_name(*change),
            "identity": identity,
        }),
        GroupEvent::NeighborConnection {
            status,
            connection_id,
            node_id,
            peer_id,
            member,
            hresult,
        } => json!({
            "event": "neighbor_connection",
            "change": match status {
                ConnectionStatus::Connected => "connected",
                ConnectionStatus::Disconnected => "disconnected",
                ConnectionStatus::Failed => "failed",
            },
            "connection_id": connection_id,
            "node_id": node_id,
            "peer_id": peer_id,
            "member": member,
            "hresult": hresult_name(*hresult),
        }),
        GroupEvent::ConnectionFailed { hresult } => json!({
            "event": "connection_failed",
            "hresult": hresult_name(*hresult),
        }),
        GroupEvent::AuthenticationFailed { peer_id, hresult } => json!({
            "event": "authentication_failed",
            "peer_id": peer_id,
            "hresult": hresult_name(*hresult),
        }),
        GroupEvent::DirectConnection {
            status,
            connection_id,
            node_id,
            member,
        } => json!({
            "event": "direct_connection",
            "change": match status {
                ConnectionStatus::Connected => "connected",
                ConnectionStatus::Disconnected => "disconnected",
                ConnectionStatus::Failed => "failed",
            },
            "connection_id": connection_id,
            "node_id": node_id,
            "member": member,
        }),
        GroupEvent::IncomingData {
            connection_id,
            data_type,
            data,
        } => json!({
            "event": "incoming_data",
            "connection_id": connection_id,
            "data_type": data_type.to_string(),
            "bytes": data.len(),
            "text": std::str::from_utf8(data).ok(),
        }),
    };
    v["seq"] = json!(e.seq);
    v["committed"] = json!(rfc3339(e.committed));
    v["latency_ms"] = json!((latency_ms * 10.0).round() / 10.0);
    v
}

/// `group watch`: JSON lines on stdout as events arrive (flushed per line).
fn register_event(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    events: &[EventArg],
    record_type: Option<&str>,
    count: Option<u64>,
    timeout: Option<Duration>,
) -> Result<Report, CliError> {
    let (identity, group) = (&at.identity, &at.group);
    let g = pn.group_open(identity, group, None)?;
    let t = record_type.map(parse_guid).transpose()?;
    let all = [
        EventArg::Record,
        EventArg::Member,
        EventArg::Property,
        EventArg::Status,
        EventArg::Connection,
        EventArg::ConnectionFailed,
        EventArg::AuthenticationFailed,
        EventArg::Direct,
        EventArg::Data,
    ];
    let wanted = if events.is_empty() { &all[..] } else { events };
    let regs: Vec<EventRegistration> = wanted
        .iter()
        .map(|e| EventRegistration {
            event_type: match e {
                EventArg::Record => peernet::PEER_GROUP_EVENT_RECORD_CHANGED,
                EventArg::Member => peernet::PEER_GROUP_EVENT_MEMBER_CHANGED,
                EventArg::Property => peernet::PEER_GROUP_EVENT_PROPERTY_CHANGED,
                EventArg::Status => peernet::PEER_GROUP_EVENT_STATUS_CHANGED,
                EventArg::Connection => peernet::event::PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
                EventArg::ConnectionFailed => peernet::event::PEER_GROUP_EVENT_CONNECTION_FAILED,
                EventArg::AuthenticationFailed => {
                    peernet::event::PEER_GROUP_EVENT_AUTHENTICATION_FAILED
                }
                EventArg::Direct => peernet::event::PEER_GROUP_EVENT_DIRECT_CONNECTION,
                EventArg::Data => peernet::event::PEER_GROUP_EVENT_INCOMING_DATA,
            },
            record_type: if *e == EventArg::Record { t } else { None },
        })
        .collect();
    let h = g.register_event(&regs)?;
    ctx.info(&format!(
        "watching group {group} as {identity}; one JSON line per event (Ctrl-C to stop)"
    ));
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut seen = 0u64;
    let mut out = std::io::stdout();
    while count.is_none_or(|c| seen < c) {
        let wait = match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    break;
                }
                (d - now).min(Duration::from_secs(1))
            }
            None => Duration::from_secs(1),
        };
        if let Some(e) = h.next_event(wait) {
            seen += 1;
            let line = event_json(&e).to_string();
            match writeln!(out, "{line}").and_then(|()| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                Err(e) => {
                    return Err(CliError::new(
                        hr::E_FAIL,
                        format!("cannot write to standard output: {e}"),
                    ));
                }
            }
        } else {
            // Notice a deleted group instead of waiting forever.
            g.check()?;
        }
    }
    Ok(Report::new(Value::Null, ""))
}
