//! `peernet cloud …`: the PNRP clouds a store knows.

use peernet::{Cloud, CloudScope, Peernet};
use serde_json::json;

use crate::cli::{CloudCommand, ScopeArg};
use crate::ctx::{Ctx, Report};
use crate::error::CliError;
use crate::render::table;
use crate::views::{cloud_json, cloud_scope_name};

/// `peernet cloud …`
pub(super) fn run(ctx: &Ctx, c: CloudCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        CloudCommand::List => clouds(&pn),
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
            add_cloud(ctx, &pn, &cloud)
        }
        CloudCommand::Remove { name } => remove_cloud(ctx, &pn, &name),
    }
}

/// `cloud list`
fn clouds(pn: &Peernet) -> Result<Report, CliError> {
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

/// `cloud add`
fn add_cloud(ctx: &Ctx, pn: &Peernet, cloud: &Cloud) -> Result<Report, CliError> {
    pn.add_cloud(cloud)?;
    ctx.info(&format!("added cloud {}", cloud.name));
    Ok(Report::new(json!({"cloud": cloud_json(cloud)}), ""))
}

/// `cloud remove`
fn remove_cloud(ctx: &Ctx, pn: &Peernet, name: &str) -> Result<Report, CliError> {
    pn.remove_cloud(name)?;
    ctx.info(&format!("removed cloud {name}"));
    Ok(Report::new(json!({"removed": name}), ""))
}
