//! `peernet identity …`: the PeerIdentity* functions.

use peernet::Peernet;
use peernet::lower::protocol::DocumentType;
use serde_json::json;

use super::profile;
use crate::cli::{IdentityCommand, Output, PassIn, ProfileArg};
use crate::ctx::{Ctx, Report, emit_document, is_stdin, password, read_document};
use crate::error::CliError;
use crate::progress::with_spinner;
use crate::render::{fields, rfc3339, table};

/// `peernet identity …`
pub(super) fn run(ctx: &Ctx, c: IdentityCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        IdentityCommand::Create {
            classifier,
            friendly_name,
            profile: p,
        } => identity_create(&pn, &classifier, friendly_name.as_deref(), p),
        IdentityCommand::List => enum_identities(&pn),
        IdentityCommand::Show { name } => identity_details(&pn, &name),
        IdentityCommand::Delete { name } => identity_delete(ctx, &pn, &name),
        IdentityCommand::Rename { name, friendly } => {
            identity_set_friendly_name(&pn, &name, &friendly)
        }
        IdentityCommand::Default { name: Some(name) } => identity_set_default(&pn, &name),
        IdentityCommand::Default { name: None } => identity_get_default(&pn),
        IdentityCommand::Export {
            name,
            passin,
            output,
        } => identity_export(ctx, &pn, &name, &passin, &output),
        IdentityCommand::Import { file, passin } => identity_import(ctx, &pn, &file, &passin),
        IdentityCommand::Info { name, output } => identity_get_xml(ctx, &pn, &name, &output),
    }
}

/// `identity create`
fn identity_create(
    pn: &Peernet,
    classifier: &str,
    friendly_name: Option<&str>,
    p: ProfileArg,
) -> Result<Report, CliError> {
    let name = pn.identity_create(Some(classifier), friendly_name, Some(profile(p)))?;
    Ok(Report::new(json!({"peer_name": name}), name))
}

/// `identity list`
fn enum_identities(pn: &Peernet) -> Result<Report, CliError> {
    let mut items = Vec::new();
    let mut rows = Vec::new();
    for pair in pn.enum_identities()? {
        let d = pn.identity_details(&pair.peer_name)?;
        rows.push(vec![
            if d.is_default { "*" } else { "" }.to_string(),
            pair.peer_name.clone(),
            d.profile.as_str().to_string(),
            pair.friendly_name.clone(),
        ]);
        items.push(json!({
            "peer_name": pair.peer_name,
            "friendly_name": pair.friendly_name,
            "profile": d.profile.as_str(),
            "default": d.is_default,
        }));
    }
    let human = if rows.is_empty() {
        String::new()
    } else {
        table(&["", "PEER NAME", "PROFILE", "FRIENDLY NAME"], &rows)
    };
    Ok(Report::new(json!({"identities": items}), human))
}

/// `identity show`: the identity's details, certificate validity and groups.
fn identity_details(pn: &Peernet, name: &str) -> Result<Report, CliError> {
    let d = pn.identity_details(name)?;
    let groups = pn.enum_groups(name)?;
    let cert = peernet::lower::crypto::Certificate::from_der(&d.idc).ok();
    let (nb, na) = cert
        .map(|c| {
            let v = c.validity();
            (rfc3339(v.not_before), rfc3339(v.not_after))
        })
        .unwrap_or_default();
    let json = json!({
        "peer_name": d.peer_name,
        "friendly_name": d.friendly_name,
        "profile": d.profile.as_str(),
        "created": rfc3339(d.created),
        "default": d.is_default,
        "certificate": {"not_before": nb, "not_after": na},
        "groups": groups.iter().map(|g| json!({"group_peer_name": g.peer_name, "friendly_name": g.friendly_name})).collect::<Vec<_>>(),
    });
    let human = fields(&[
        ("peer name", d.peer_name.clone()),
        ("friendly name", d.friendly_name.clone()),
        ("profile", d.profile.as_str().to_string()),
        ("created", rfc3339(d.created)),
        ("default", if d.is_default { "yes" } else { "no" }.into()),
        ("certificate", format!("valid {nb} .. {na}")),
        (
            "groups",
            if groups.is_empty() {
                "(none)".into()
            } else {
                groups
                    .iter()
                    .map(|g| format!("{} ({})", g.peer_name, g.friendly_name))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ]);
    Ok(Report::new(json, human))
}

/// `identity delete`
fn identity_delete(ctx: &Ctx, pn: &Peernet, name: &str) -> Result<Report, CliError> {
    pn.identity_delete(name)?;
    ctx.info(&format!("deleted identity {name}"));
    Ok(Report::new(json!({"deleted": name}), ""))
}

/// `identity rename`
fn identity_set_friendly_name(
    pn: &Peernet,
    name: &str,
    friendly: &str,
) -> Result<Report, CliError> {
    pn.identity_set_friendly_name(name, Some(friendly))?;
    let now = pn.identity_get_friendly_name(name)?;
    Ok(Report::new(
        json!({"peer_name": name, "friendly_name": now}),
        now,
    ))
}

/// `identity default NAME`
fn identity_set_default(pn: &Peernet, name: &str) -> Result<Report, CliError> {
    pn.identity_set_default(name)?;
    Ok(Report::new(json!({"peer_name": name}), name))
}

/// `identity default`
fn identity_get_default(pn: &Peernet) -> Result<Report, CliError> {
    let name = pn.identity_get_default()?;
    Ok(Report::new(json!({"peer_name": name}), name))
}

/// `identity export`
fn identity_export(
    ctx: &Ctx,
    pn: &Peernet,
    name: &str,
    passin: &PassIn,
    output: &Output,
) -> Result<Report, CliError> {
    // Fail on an unknown identity before asking for a password.
    let d = pn.identity_details(name)?;
    let pw = password(passin.passin.as_deref(), "Export password: ", true, false)?;
    let xml = with_spinner(
        ctx.spinner_visible(),
        &format!("protecting the {} PFX", d.profile.as_str()),
        || pn.identity_export(name, &pw),
    )?;
    emit_document(ctx, "PEERIDENTITYEXPORT", &xml, output, true)
}

/// `identity import`
fn identity_import(
    ctx: &Ctx,
    pn: &Peernet,
    file: &std::path::Path,
    passin: &PassIn,
) -> Result<Report, CliError> {
    let xml = read_document(file, DocumentType::IdentityExport)?;
    let pw = password(
        passin.passin.as_deref(),
        "Import password: ",
        false,
        is_stdin(file),
    )?;
    let name = with_spinner(ctx.spinner_visible(), "opening the PFX", || {
        pn.identity_import(&xml, &pw)
    })?;
    Ok(Report::new(json!({"peer_name": name}), name))
}

/// `identity info`
fn identity_get_xml(
    ctx: &Ctx,
    pn: &Peernet,
    name: &str,
    output: &Output,
) -> Result<Report, CliError> {
    let xml = pn.identity_get_xml(Some(name))?;
    emit_document(ctx, "PEERIDENTITYINFO", &xml, output, false)
}
