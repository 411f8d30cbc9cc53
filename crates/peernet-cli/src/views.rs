//! How results look: the JSON object and the human text of an open group, a join, a
//! parsed invitation and a cloud.

use peernet::{Cloud, CloudScope, Group, JoinOutcome, PEER_GROUP_PASSWORD_AUTHENTICATION};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::render::{fields, membership_name, rfc3339, role_names, scope_name};

/// The JSON and human view of an open group (with its certificate chain when
/// `with_chain`).
pub(crate) fn group_view(g: &Group, with_chain: bool) -> Result<(Value, String), CliError> {
    let p = g.get_properties()?;
    let st = g.get_status()?;
    let cloud = g.cloud();
    let roles = role_names(&g.roles());
    let private = cloud.flags & peernet::PNRP_CLOUD_NAME_LOCAL != 0;
    let mut schemes = vec!["gmc"];
    if p.password_enabled() {
        schemes.push("password");
    }
    let password_role = p
        .password_enabled()
        .then(|| crate::render::role_name(p.group_password_role));
    let creator = p.creator_peer_name.clone().unwrap_or_default();
    let mut json = json!({
        "group_peer_name": g.peer_name(),
        "identity": g.identity(),
        "friendly_name": p.friendly_name,
        "classifier": p.classifier,
        "comment": p.comment,
        "creator_peer_name": creator,
        "profile": g.profile().as_str(),
        "authentication": schemes,
        "password_role": password_role,
        "member_data_lifetime": p.member_data_lifetime,
        "presence_lifetime": p.presence_lifetime,
        "recorded_cloud": p.cloud,
        "cloud": {
            "name": cloud.name,
            "scope": scope_name(cloud.scope),
            "scope_id": cloud.scope_id,
            "private": private,
        },
        "membership": membership_name(st.membership),
        "roles": roles,
        "status_flags": st.flags,
    });
    let mut pairs = vec![
        ("group", g.peer_name().to_string()),
        ("friendly name", p.friendly_name.clone()),
        ("identity", g.identity().to_string()),
        (
            "roles",
            if roles.is_empty() {
                "(none yet)".into()
            } else {
                roles.join(", ")
            },
        ),
        ("membership", membership_name(st.membership).to_string()),
        (
            "cloud",
            format!(
                "{} ({}, scope id {}{})",
                cloud.name,
                scope_name(cloud.scope),
                cloud.scope_id,
                if private { ", private" } else { "" }
            ),
        ),
        ("profile", g.profile().as_str().to_string()),
        (
            "creator",
            if creator.is_empty() {
                "(unknown here)".into()
            } else {
                creator.clone()
            },
        ),
        (
            "authentication",
            match &password_role {
                Some(r) => format!("{} (password joiners get {r})", schemes.join(", ")),
                None => schemes.join(", "),
            },
        ),
    ];
    if with_chain {
        let mut chain = Vec::new();
        let mut lines = Vec::new();
        for der in g.chain_der() {
            let Ok(c) = peernet::lower::crypto::Certificate::from_der(&der) else {
                continue;
            };
            let subject = c
                .subject_peer_name()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default();
            let r = role_names(&c.roles().unwrap_or_default());
            let v = c.validity();
            lines.push(format!(
                "{subject} \"{}\" [{}] until {}",
                c.subject_friendly_name(),
                if c.roles().is_none() {
                    "group root".to_string()
                } else {
                    r.join(", ")
                },
                rfc3339(v.not_after)
            ));
            chain.push(json!({
                "subject_peer_name": subject,
                "subject_friendly_name": c.subject_friendly_name(),
                "roles": r,
                "not_before": rfc3339(v.not_before),
                "not_after": rfc3339(v.not_after),
            }));
        }
        json["chain"] = Value::Array(chain);
        pairs.push((
            "chain",
            if lines.is_empty() {
                "(empty: credentials pending)".into()
            } else {
                lines.join("\n                ")
            },
        ));
    }
    Ok((json, fields(&pairs)))
}

/// The JSON and human view of a join's outcome.
pub(crate) fn join_view(g: &Group, outcome: JoinOutcome) -> (Value, String) {
    let roles = role_names(&g.roles());
    let outcome_name = match outcome {
        JoinOutcome::Joined => "joined",
        JoinOutcome::AlreadyMember => "already_member",
    };
    let json = json!({
        "identity": g.identity(),
        "group_peer_name": g.peer_name(),
        "outcome": outcome_name,
        "membership": membership_name(g.membership()),
        "roles": roles,
        "cloud": g.cloud().name,
    });
    let human = format!(
        "{} {} as {} (roles: {}; membership: {}; cloud: {})",
        if outcome == JoinOutcome::Joined {
            "joined"
        } else {
            "already a member of"
        },
        g.peer_name(),
        g.identity(),
        if roles.is_empty() {
            "none yet".into()
        } else {
            roles.join(", ")
        },
        membership_name(g.membership()),
        g.cloud().name
    );
    (json, human)
}

/// The JSON and human view of a parsed invitation.
pub(crate) fn invitation_view(info: &peernet::InvitationInfo) -> (Value, String) {
    let password = info.auth_scheme == PEER_GROUP_PASSWORD_AUTHENTICATION;
    let kind = if password { "password" } else { "gmc" };
    let version = info.version.as_str();
    let private = info.cloud_flags & peernet::PNRP_CLOUD_NAME_LOCAL != 0;
    let json = json!({
        "kind": kind,
        "version": version,
        "group_peer_name": info.group_peer_name,
        "group_friendly_name": info.group_friendly_name,
        "cloud": {"name": info.cloud_name, "scope": scope_name(info.scope), "private": private},
        "issuer_peer_name": info.issuer_peer_name,
        "issuer_friendly_name": info.issuer_friendly_name,
        "subject_peer_name": info.subject_peer_name,
        "subject_friendly_name": info.subject_friendly_name,
        "validity_start": info.validity_start.map(rfc3339),
        "validity_end": info.validity_end.map(rfc3339),
        "roles": role_names(&info.roles),
        "time_valid": info.time_valid,
    });
    let mut pairs = vec![
        ("kind", format!("{kind} invitation (version {version})")),
        ("group", info.group_peer_name.clone()),
        ("friendly name", info.group_friendly_name.clone()),
        (
            "cloud",
            format!(
                "{} ({}{})",
                info.cloud_name,
                scope_name(info.scope),
                if private { ", private" } else { "" }
            ),
        ),
    ];
    if !password {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        pairs.push((
            "issuer",
            format!(
                "{} ({})",
                opt(&info.issuer_peer_name),
                opt(&info.issuer_friendly_name)
            ),
        ));
        pairs.push((
            "subject",
            format!(
                "{} ({})",
                opt(&info.subject_peer_name),
                opt(&info.subject_friendly_name)
            ),
        ));
        pairs.push(("roles", role_names(&info.roles).join(", ")));
        pairs.push((
            "valid",
            format!(
                "{} .. {}{}",
                info.validity_start.map(rfc3339).unwrap_or_default(),
                info.validity_end.map(rfc3339).unwrap_or_default(),
                if info.time_valid {
                    ""
                } else {
                    " (NOT valid now)"
                }
            ),
        ));
    }
    (json, fields(&pairs))
}

/// A cloud as JSON.
pub(crate) fn cloud_json(c: &Cloud) -> Value {
    json!({
        "name": c.name,
        "scope": cloud_scope_name(c.scope),
        "scope_id": c.scope_id,
        "private": c.private,
    })
}

/// The command-line spelling of a cloud scope.
pub(crate) fn cloud_scope_name(s: CloudScope) -> &'static str {
    match s {
        CloudScope::SiteLocal => "sitelocal",
        CloudScope::LinkLocal => "linklocal",
        _ => "global",
    }
}
