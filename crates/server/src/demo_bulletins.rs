//! Demo bulletins: this month's 民情月报 of the county, drafted from the demo's cases by the
//! county office, approved by a second person and published; and this week's 工作周报 of the
//! 仁和 station, left as a draft for someone to approve.

use liaison_app::App;
use liaison_app::bulletins::{self, DraftInput};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_store::StoreError;

fn who(username: &str, name: &str, role: Role, scope: &str) -> Principal {
    Principal::User(Account {
        id: 0,
        username: username.into(),
        display_name: name.into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(role, Scope::parse(scope).expect("scope")).expect("grant")],
    })
}

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo bulletins: {e}"))
}

/// Loads the demo bulletins once.
pub async fn load(app: &App) -> Result<(), StoreError> {
    let sup = who("supervisor", "县人大代表工委", Role::CountySupervisor, "region:611026");
    if !bulletins::list(app, &sup, Some("611026")).await.map_err(err)?.is_empty() {
        return Ok(());
    }
    let reviewer = who("reviewer", "县人大常委会办公室", Role::CountySupervisor, "region:611026");
    let today = app.today();
    let month = DraftInput {
        kind: "monthly".into(),
        region: Some("611026".into()),
        station: None,
        period: today.format("%Y-%m").to_string(),
    };
    let id = bulletins::draft(app, &sup, &month).await.map_err(err)?;
    let b = bulletins::approve(app, &reviewer, id, 1).await.map_err(err)?;
    bulletins::publish(app, &sup, id, b.version).await.map_err(err)?;
    let week = DraftInput {
        kind: "weekly".into(),
        region: Some("611026".into()),
        station: Some("qianyou-renhe".into()),
        period: today.to_string(),
    };
    bulletins::draft(app, &sup, &week).await.map_err(err)?;
    Ok(())
}
