//! Every command of the contract, wired to the `peernet` facade.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use peernet::hresult as hr;
use peernet::{
    Cloud, CloudScope, CredentialInfo, Group, GroupProperties, IssueFlags, JoinOutcome, Options,
    PEER_GROUP_PASSWORD_AUTHENTICATION, Peernet, Profile, Role,
};
use serde_json::{Value, json};

use crate::cli::{
    CloudCommand, Command, GroupCommand, IdentityCommand, Output, PasswordRoleArg, ProfileArg,
    RoleArg, ScopeArg,
};
use crate::error::CliError;
use crate::output::write_output;
use crate::passin::{Password, read_password};
use crate::progress::with_spinner;
use crate::render::{fields, membership_name, rfc3339, role_names, scope_name, table};

/// Environment variable that replaces the PFX / GROUPKEY iteration count (tests and
/// benchmarks only; a warning is printed whenever it is used).
pub const PFX_ITERATIONS_ENV: &str = "PEERNET_PFX_ITERATIONS";

/// Largest input document read (the XML readers cap documents at 1 MiB anyway).
const MAX_INPUT: u64 = 4 * 1024 * 1024;

/// What a command produced: the JSON object and the human text (either may be printed).
#[derive(Debug)]
pub struct Report {
    /// The `--json` object.
    pub json: Value,
    /// The human output (printed with a final newline when not empty).
    pub human: String,
}

impl Report {
    pub(crate) fn new(json: Value, human: impl Into<String>) -> Self {
        Report {
            json,
            human: human.into(),
        }
    }
}

/// Global settings of one invocation.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `--store DIR`.
    pub store: Option<PathBuf>,
    /// `--json`.
    pub json: bool,
    /// `-q`.
    pub quiet: bool,
}

impl Ctx {
    /// Informational line on stderr (not with `-q` or `--json`).
    pub fn info(&self, line: &str) {
        if !self.quiet && !self.json {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// Whether a progress spinner may be shown (not with `-q` or `--json`).
    pub(crate) fn spinner_visible(&self) -> bool {
        !self.quiet && !self.json
    }

    /// Options of the context: the test-only iteration override, when set.
    pub fn options(&self) -> Result<Options, CliError> {
        let mut options = Options::default();
        if let Some(raw) = std::env::var_os(PFX_ITERATIONS_ENV) {
            let n: u32 = raw
                .to_str()
                .and_then(|s| s.parse().ok())
                .filter(|n| (1..=10_000_000).contains(n))
                .ok_or_else(|| {
                    CliError::invalid(format!(
                        "{PFX_ITERATIONS_ENV} must be a number from 1 to 10000000"
                    ))
                })?;
            // Never silent: this weakens new exports below the profile's default.
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: {PFX_ITERATIONS_ENV}={n} replaces the profile's PFX/GROUPKEY iteration count (for tests and benchmarks only)"
            );
            options = options.with_pfx_iterations(n);
        }
        Ok(options)
    }

    /// Opens the store.
    pub fn open(&self) -> Result<Peernet, CliError> {
        let options = self.options()?;
        Ok(match &self.store {
            Some(dir) => Peernet::open_with(dir, options)?,
            None => Peernet::open_default_with(options)?,
        })
    }
}

fn profile(p: ProfileArg) -> Profile {
    match p {
        ProfileArg::Modern => Profile::Modern,
        ProfileArg::Windows => Profile::Windows,
    }
}

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

fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Reads a document from a file or `-` (standard input) as UTF-8 text.
pub fn read_document(path: &Path) -> Result<String, CliError> {
    let shown = if is_stdin(path) {
        "standard input".to_string()
    } else {
        format!("'{}'", path.display())
    };
    let mut bytes = Vec::new();
    let res = if is_stdin(path) {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    res.map_err(|e| CliError::io(&shown, &e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError::invalid(format!(
            "{shown} is larger than {MAX_INPUT} bytes; it is not a peernet document"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::invalid(format!("{shown} is not UTF-8 text")))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

fn password(
    spec: Option<&str>,
    prompt: &str,
    confirm: bool,
    document_from_stdin: bool,
) -> Result<Password, CliError> {
    if document_from_stdin && spec == Some("stdin") {
        return Err(CliError::invalid(
            "the document and the password cannot both come from standard input; use another --passin form",
        ));
    }
    Ok(read_password(spec, prompt, confirm)?)
}

fn file_mode(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| format!("{:04o}", m.permissions().mode() & 0o777))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Writes a document to `-o FILE` (atomic; 0600 when `secret`) or standard output.
fn emit_document(
    ctx: &Ctx,
    kind: &str,
    xml: &str,
    out: &Output,
    secret: bool,
) -> Result<Report, CliError> {
    match out.out.as_deref().filter(|p| !is_stdin(p)) {
        Some(path) => {
            write_output(Some(path), xml.as_bytes(), secret, out.force)?;
            let mode = file_mode(path);
            ctx.info(&format!(
                "wrote {kind} to {} ({} bytes{})",
                path.display(),
                xml.len(),
                mode.as_deref()
                    .map(|m| format!(", mode {m}"))
                    .unwrap_or_default()
            ));
            Ok(Report::new(
                json!({"document": kind, "file": path, "bytes": xml.len(), "secret": secret}),
                "",
            ))
        }
        None => Ok(Report::new(
            json!({"document": kind, "xml": xml}),
            xml.trim_end_matches('\n'),
        )),
    }
}

/// Runs one command.
pub fn run(ctx: &Ctx, command: Command) -> Result<Report, CliError> {
    match command {
        Command::Identity(c) => identity(ctx, c),
        Command::Peername {
            identity,
            classifier,
        } => {
            let name = if identity == "0" {
                peernet::create_peer_name(None, Some(&classifier))?
            } else {
                peernet::create_peer_name(Some(&identity), Some(&classifier))?
            };
            Ok(Report::new(json!({"peer_name": name}), name))
        }
        Command::Group(c) => group(ctx, c),
        Command::Cloud(c) => cloud(ctx, c),
        Command::Record(c) => crate::records::run(ctx, c),
        Command::Demo { keep } => crate::demo::run(ctx, keep.as_deref()),
    }
}

fn identity(ctx: &Ctx, c: IdentityCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        IdentityCommand::Create {
            classifier,
            friendly_name,
            profile: p,
        } => {
            let name = pn.identity_create(
                Some(&classifier),
                friendly_name.as_deref(),
                Some(profile(p)),
            )?;
            Ok(Report::new(json!({"peer_name": name}), name))
        }
        IdentityCommand::List => {
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
        IdentityCommand::Show { name } => {
            let d = pn.identity_details(&name)?;
            let groups = pn.enum_groups(&name)?;
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
        IdentityCommand::Delete { name } => {
            pn.identity_delete(&name)?;
            ctx.info(&format!("deleted identity {name}"));
            Ok(Report::new(json!({"deleted": name}), ""))
        }
        IdentityCommand::Rename { name, friendly } => {
            pn.identity_set_friendly_name(&name, Some(&friendly))?;
            let now = pn.identity_get_friendly_name(&name)?;
            Ok(Report::new(
                json!({"peer_name": name, "friendly_name": now}),
                now,
            ))
        }
        IdentityCommand::Default { name } => {
            let name = match name {
                Some(n) => {
                    pn.identity_set_default(&n)?;
                    n
                }
                None => pn.identity_get_default()?,
            };
            Ok(Report::new(json!({"peer_name": name}), name))
        }
        IdentityCommand::Export {
            name,
            passin,
            output,
        } => {
            // Fail on an unknown identity before asking for a password.
            let d = pn.identity_details(&name)?;
            let pw = password(passin.passin.as_deref(), "Export password: ", true, false)?;
            let xml = with_spinner(
                ctx.spinner_visible(),
                &format!("protecting the {} PFX", d.profile.as_str()),
                || pn.identity_export(&name, &peernet::Secret::from(pw.expose())),
            )?;
            emit_document(ctx, "PEERIDENTITYEXPORT", &xml, &output, true)
        }
        IdentityCommand::Import { file, passin } => {
            let xml = read_document(&file)?;
            let pw = password(
                passin.passin.as_deref(),
                "Import password: ",
                false,
                is_stdin(&file),
            )?;
            let name = with_spinner(ctx.spinner_visible(), "opening the PFX", || {
                pn.identity_import(&xml, &peernet::Secret::from(pw.expose()))
            })?;
            Ok(Report::new(json!({"peer_name": name}), name))
        }
        IdentityCommand::Info { name, output } => {
            let xml = pn.identity_get_xml(Some(&name))?;
            emit_document(ctx, "PEERIDENTITYINFO", &xml, &output, false)
        }
    }
}

/// The JSON and human view of an open group.
pub fn group_view(g: &Group, with_chain: bool) -> Result<(Value, String), CliError> {
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

fn join_view(g: &Group, outcome: JoinOutcome) -> (Value, String) {
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

fn invitation_view(info: &peernet::InvitationInfo) -> (Value, String) {
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

fn expiry(pn: &Peernet, d: Option<std::time::Duration>) -> Option<SystemTime> {
    d.map(|d| pn.now() + d)
}

fn group(ctx: &Ctx, c: GroupCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        GroupCommand::Members { identity, group } => {
            crate::records::members(&pn, &identity, &group)
        }
        GroupCommand::Watch {
            identity,
            group,
            events,
            record_type,
            count,
            timeout,
        } => crate::records::watch(
            ctx,
            &pn,
            &identity,
            &group,
            &events,
            record_type.as_deref(),
            count,
            timeout,
        ),
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
            match password_role {
                Some(r) => {
                    pn.identity_details(&identity)?;
                    let pw = password(passin.passin.as_deref(), "Group password: ", true, false)?;
                    let role = match r {
                        PasswordRoleArg::Member => Role::MEMBER,
                        PasswordRoleArg::Admin => Role::ADMIN,
                    };
                    props = props.with_password(pw.expose(), role);
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
        GroupCommand::List { identity } => {
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
        GroupCommand::Show { identity, group } => {
            let g = pn.group_open(&identity, &group, None)?;
            let (json, human) = group_view(&g, true)?;
            Ok(Report::new(json, human))
        }
        GroupCommand::Delete { identity, group } => {
            pn.group_delete(Some(&identity), &group)?;
            ctx.info(&format!("deleted group {group} of {identity}"));
            Ok(Report::new(
                json!({"deleted": group, "identity": identity}),
                "",
            ))
        }
        GroupCommand::Open {
            identity,
            group,
            cloud,
        } => {
            let g = pn.group_open(&identity, &group, cloud.as_deref())?;
            let (json, human) = group_view(&g, false)?;
            g.close()?;
            Ok(Report::new(json, human))
        }
        GroupCommand::Invite {
            identity,
            group,
            invitee,
            roles: r,
            expires,
            output,
        } => {
            let info = read_document(&invitee)?;
            let g = pn.group_open(&identity, &group, None)?;
            let xml = g.create_invitation(&info, expiry(&pn, expires), &roles(&r))?;
            emit_document(ctx, "PEERINVITATION", &xml, &output, false)
        }
        GroupCommand::PasswordInvite {
            identity,
            group,
            output,
        } => {
            let g = pn.group_open(&identity, &group, None)?;
            let xml = g.create_password_invitation()?;
            emit_document(ctx, "PEERINVITATION", &xml, &output, false)
        }
        GroupCommand::ParseInvitation { file } => {
            let xml = read_document(&file)?;
            let info = pn.group_parse_invitation(&xml)?;
            let (json, human) = invitation_view(&info);
            Ok(Report::new(json, human))
        }
        GroupCommand::Join {
            identity,
            invitation,
            cloud,
            passin,
        } => {
            let xml = read_document(&invitation)?;
            let info = pn.group_parse_invitation(&xml)?;
            let (g, outcome) = if info.auth_scheme == PEER_GROUP_PASSWORD_AUTHENTICATION {
                pn.identity_details(&identity)?;
                let pw = password(
                    passin.passin.as_deref(),
                    "Group password: ",
                    false,
                    is_stdin(&invitation),
                )?;
                pn.group_password_join(
                    Some(&identity),
                    &xml,
                    &peernet::Secret::from(pw.expose()),
                    cloud.as_deref(),
                )?
            } else {
                (
                    pn.group_join(Some(&identity), &xml, cloud.as_deref())?,
                    JoinOutcome::Joined,
                )
            };
            let (json, human) = join_view(&g, outcome);
            Ok(Report::new(json, human))
        }
        GroupCommand::Issue {
            identity,
            group,
            subject,
            roles: r,
            expires,
            store_credentials,
            output,
        } => {
            let info_xml = read_document(&subject)?;
            let g = pn.group_open(&identity, &group, None)?;
            let (subject_name, mut info) =
                CredentialInfo::from_identity_info(&info_xml, &roles(&r))?;
            info.validity_end = expiry(&pn, expires);
            let flags = IssueFlags::from_bits(u32::from(store_credentials)).unwrap_or_default();
            let xml = g.issue_credentials(&subject_name, Some(&info), flags)?;
            emit_document(ctx, "PEERINVITATION", &xml, &output, false)
        }
        GroupCommand::ExportConfig {
            identity,
            group,
            passin,
            output,
        } => {
            let g = pn.group_open(&identity, &group, None)?;
            let xml = match passin.passin.as_deref() {
                Some(spec) => {
                    let pw = password(Some(spec), "", false, false)?;
                    with_spinner(ctx.spinner_visible(), "protecting the group key", || {
                        g.export_config(&peernet::Secret::from(pw.expose()))
                    })?
                }
                // A member's configuration holds no secret: no password is needed.
                None => match g.export_config(&"".into()) {
                    Err(e) if e.hresult() == hr::E_INVALIDARG => {
                        let pw = password(None, "Export password: ", true, false)?;
                        with_spinner(ctx.spinner_visible(), "protecting the group key", || {
                            g.export_config(&peernet::Secret::from(pw.expose()))
                        })?
                    }
                    other => other?,
                },
            };
            let secret = xml.contains("<GROUPKEY");
            emit_document(ctx, "PEERGROUPCONFIG", &xml, &output, secret)
        }
        GroupCommand::ImportConfig {
            file,
            passin,
            overwrite,
        } => {
            let xml = read_document(&file)?;
            let has_key = xml.contains("GROUPKEY");
            let pw = if has_key || passin.passin.is_some() {
                password(
                    passin.passin.as_deref(),
                    "Import password: ",
                    false,
                    is_stdin(&file),
                )?
            } else {
                Password::new(String::new())
            };
            let imported = with_spinner(
                ctx.spinner_visible() && has_key,
                "opening the group key",
                || pn.group_import_config(&xml, &peernet::Secret::from(pw.expose()), overwrite),
            )?;
            Ok(Report::new(
                json!({"identity": imported.identity, "group_peer_name": imported.group_peer_name}),
                format!("{}\n{}", imported.identity, imported.group_peer_name),
            ))
        }
    }
}

fn cloud_json(c: &Cloud) -> Value {
    json!({
        "name": c.name,
        "scope": cloud_scope_name(c.scope),
        "scope_id": c.scope_id,
        "private": c.private,
    })
}

fn cloud_scope_name(s: CloudScope) -> &'static str {
    match s {
        CloudScope::SiteLocal => "sitelocal",
        CloudScope::LinkLocal => "linklocal",
        _ => "global",
    }
}

fn cloud(ctx: &Ctx, c: CloudCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        CloudCommand::List => {
            let clouds = pn.clouds()?;
            let rows: Vec<Vec<String>> = clouds
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        cloud_scope_name(c.scope).to_string(),
                        c.scope_id.to_string(),
                        if c.private { "yes" } else { "no" }.to_string(),
                    ]
                })
                .collect();
            Ok(Report::new(
                json!({"clouds": clouds.iter().map(cloud_json).collect::<Vec<_>>()}),
                table(&["NAME", "SCOPE", "SCOPE ID", "PRIVATE"], &rows),
            ))
        }
        CloudCommand::Add {
            name,
            scope,
            scope_id,
            private,
        } => {
            let cloud = Cloud {
                name,
                scope: match scope {
                    ScopeArg::Global => CloudScope::Global,
                    ScopeArg::Sitelocal => CloudScope::SiteLocal,
                    ScopeArg::Linklocal => CloudScope::LinkLocal,
                },
                scope_id,
                private,
            };
            pn.add_cloud(&cloud)?;
            ctx.info(&format!("added cloud {}", cloud.name));
            Ok(Report::new(json!({"cloud": cloud_json(&cloud)}), ""))
        }
        CloudCommand::Remove { name } => {
            pn.remove_cloud(&name)?;
            ctx.info(&format!("removed cloud {name}"));
            Ok(Report::new(json!({"removed": name}), ""))
        }
    }
}
