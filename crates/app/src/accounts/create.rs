//! Creating an account with one role over one scope, within the creator's region.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Grant, Principal, Role, Scope, Target};
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::{StoreError, audit, users};

/// A new account as submitted (API, admin page or CLI).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub scope: String,
    pub county: Option<String>,
}

/// What a new account needs, parsed: shared by the API, the admin page and the CLI.
pub struct ValidNewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grant: Grant,
    pub county: RegionCode,
}

pub fn validate_new_user(n: &NewUser) -> Result<ValidNewUser> {
    let username = password::parse_username(&n.username)?;
    let display_name = n.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 40 {
        return Err(Error::invalid("invalid_display_name", "姓名应为 1 到 40 个字").field("display_name"));
    }
    password::check_new_password(&n.password)?;
    let role = Role::parse(&n.role)?;
    let scope = Scope::parse(&n.scope)?;
    let grant = Grant::new(role, scope)?;
    let county = match (&grant.scope, n.county.as_deref().filter(|c| !c.trim().is_empty())) {
        (Scope::Region(c), None) => c.clone(),
        (_, Some(c)) => RegionCode::parse(c).map_err(|e| Error::from(e).field("county"))?,
        (_, None) => {
            return Err(
                Error::invalid("county_required", "联络站、承办单位和代表账号须注明所属县（区）").field("county")
            );
        }
    };
    if let Scope::Region(c) = &grant.scope
        && !county.contains(c)
        && !c.contains(&county)
    {
        return Err(Error::invalid("scope_outside_county", "账号范围不在所属县（区）内").field("scope"));
    }
    Ok(ValidNewUser { username, display_name, password: n.password.clone(), grant, county })
}

/// Creates the account and audits it, in one transaction. `actor` is who did it.
pub async fn create_account(app: &App, v: ValidNewUser, actor: &str) -> Result<i64, Error> {
    check_scope_target(app, &v.grant, &v.county).await?;
    let hash = {
        let pw = v.password.clone();
        tokio::task::spawn_blocking(move || password::hash_password(&pw)).await.map_err(Error::internal)?
    };
    let now = app.now_ms();
    let county_key = v.county.county_key();
    let mut tx = app.db.begin().await?;
    let id = match users::create(
        &mut tx,
        &users::NewUser {
            county_code: &county_key,
            username: &v.username,
            display_name: &v.display_name,
            password_hash: &hash,
            grants: std::slice::from_ref(&v.grant),
        },
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(Error::conflict("username_taken", "该用户名已被使用").field("username"));
        }
        Err(e) => return Err(e.into()),
    };
    let ev = AuditEvent {
        county_code: county_key,
        actor: actor.to_owned(),
        action: "user.create".into(),
        target: format!("user:{}", v.username),
        summary: format!("创建账号，角色 {}，范围 {}", v.grant.role.as_str(), v.grant.scope),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A station, agency or deputy scope must name an active record of the account's county: a
/// deputy account is thereby linked to its deputy record.
pub(super) async fn check_scope_target(app: &App, grant: &Grant, account_county: &RegionCode) -> Result<(), Error> {
    use liaison_store::org;
    let county = match &grant.scope {
        Scope::Region(_) => return Ok(()),
        Scope::Station(s) => org::station_by_slug(&app.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
        Scope::Agency(s) => org::agency_by_slug(&app.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
        Scope::Deputy(s) => org::deputy_by_slug(&app.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
    };
    match county {
        Some(c) if c == account_county.county_key() => Ok(()),
        Some(_) => Err(Error::invalid("scope_outside_county", "所选联络站、单位或代表不属于该县（区）").field("scope")),
        None => Err(Error::invalid("unknown_scope", "找不到所选的联络站、承办单位或代表，或已停用").field("scope")),
    }
}

/// A station, agency or deputy account belongs to the county of its record: when no county is
/// given, it is taken from there, so that nobody has to type a county code.
async fn with_county_of_scope(app: &App, n: &NewUser) -> Result<NewUser> {
    use liaison_store::org;
    let mut n = n.clone();
    if n.county.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        return Ok(n);
    }
    let found = match Scope::parse(&n.scope) {
        Ok(Scope::Station(s)) => org::station_by_slug(&app.db, &s).await?.map(|x| x.data.county_code),
        Ok(Scope::Agency(s)) => org::agency_by_slug(&app.db, &s).await?.map(|x| x.data.county_code),
        Ok(Scope::Deputy(s)) => org::deputy_by_slug(&app.db, &s).await?.map(|x| x.data.county_code),
        _ => None,
    };
    n.county = found;
    Ok(n)
}

/// Creates the account for `principal`, who must be allowed to manage accounts in the new
/// account's county and, for a region scope, in that region.
pub async fn create(app: &App, principal: &Principal, n: &NewUser) -> Result<i64> {
    let v = validate_new_user(&with_county_of_scope(app, n).await?)?;
    crate::check(principal, Action::UserWrite, Target::Region(&v.county))?;
    if let Scope::Region(c) = &v.grant.scope {
        crate::check(principal, Action::UserWrite, Target::Region(c))?;
    }
    create_account(app, v, &principal.actor()).await
}
