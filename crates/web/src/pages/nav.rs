//! The header's menu and where each role starts. A link is shown only when the page behind it
//! would open for this caller: the same `authorize` the gate asks, and for the pages that need a
//! region of the caller's own (统计, 组织名册) the same `scoped_region` their handlers call.

use crate::auth::Caller;
use liaison_domain::authz::{self, Action, Principal, Role, Target};

/// What the layout's header shows: the signed-in name and the links the caller may follow.
#[derive(Debug, Default, Clone)]
pub struct Nav {
    pub user: Option<String>,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
    /// Where the caller's own work is (see [`landing`]).
    pub home: String,
}

/// An agency handler's cases in hand, soonest deadline first.
pub const AGENCY_LANDING: &str = "/cases?status=assigned,reopened&sort=deadline";
/// A deputy's cases, newest first.
pub const DEPUTY_LANDING: &str = "/cases?sort=-created";
/// A station's new cases, soonest deadline first.
pub const STATION_LANDING: &str = "/cases?status=received&sort=deadline";

/// Where a role's day starts after login: the work it does most, by the account's first grant;
/// the dashboard for everyone else.
pub fn landing(principal: &Principal) -> &'static str {
    let first = principal.account().and_then(|a| a.grants.first()).map(|g| g.role);
    match first {
        Some(Role::AgencyHandler) => AGENCY_LANDING,
        Some(Role::Deputy) => DEPUTY_LANDING,
        Some(Role::StationStaff) => STATION_LANDING,
        _ => "/",
    }
}

/// The menu's links for a principal, in order.
pub fn links(principal: &Principal) -> Vec<(&'static str, &'static str)> {
    if principal.account().is_none() {
        return vec![];
    }
    let may = |a: Action| authz::authorize(principal, a, Target::Any).is_ok();
    // 统计 and 组织名册 open on the caller's own region: a station, agency or deputy has none.
    let has_region = |a: Action| liaison_app::org::scoped_region(principal, a, None).is_ok();
    let mut links = vec![("/", "工作台")];
    if may(Action::CaseRead) {
        let home = landing(principal);
        links.push((if home.starts_with("/cases") { home } else { "/cases" }, "意见建议"));
    }
    let station_staff = authz::reach(principal, Action::CaseWrite)
        .iter()
        .any(|s| matches!(s, liaison_domain::authz::Scope::Station(_)));
    // A station's staff see their own station's statistics.
    if may(Action::CaseRead) && (has_region(Action::CaseRead) || station_staff) {
        links.push(("/stats", "统计"));
    }
    if has_region(Action::OrgWrite) {
        links.push(("/bulletins", "简报"));
    }
    let deputy = liaison_app::receptions::own_deputy(principal).is_some();
    if may(Action::OrgRead) && has_region(Action::OrgRead) {
        links.push(("/receptions", "接待日"));
    } else if deputy {
        links.push(("/duties", "我的值班"));
    } else if station_staff {
        links.push(("/receptions/records", "接待记录"));
    }
    if deputy || station_staff || has_region(Action::OrgWrite) {
        links.push(("/register", "履职登记"));
    }
    if may(Action::CaseRead) {
        links.push(("/suggestions", "代表建议"));
    }
    // 联系群众 gathers meetings, reports to voters and the ledger; an agency sees only the
    // meetings it took part in, station staff only the reports.
    let agency =
        authz::reach(principal, Action::CaseWrite).iter().any(|s| matches!(s, liaison_domain::authz::Scope::Agency(_)));
    if deputy || has_region(Action::OrgRead) {
        links.push(("/outreach", "联系群众"));
    } else if agency {
        links.push(("/meetings", "约见承诺"));
    } else if station_staff {
        links.push(("/voter-reports", "向选民述职"));
    }
    // Livelihood projects: the office runs them, a deputy votes and inspects, an agency carries
    // them out.
    if deputy || agency || has_region(Action::OrgRead) {
        links.push(("/projects", "民生实事"));
    }
    if has_region(Action::OrgWrite) {
        links.push(("/targets", "履职考评"));
        links.push(("/stars", "星级评选"));
    }
    if may(Action::OrgRead) && has_region(Action::OrgRead) {
        links.push(("/org", "组织名册"));
    }
    // The region tree is for those who administer it.
    if may(Action::RegionWrite) {
        links.push(("/regions", "行政区划"));
    }
    if may(Action::UserRead) {
        links.push(("/admin/users", "账号管理"));
    }
    if may(Action::AuditRead) {
        links.push(("/audit", "审计日志"));
    }
    links.push(("/account/password", "修改密码"));
    links
}

impl Nav {
    pub fn for_caller(caller: &Caller) -> Nav {
        let Some(account) = caller.principal.account() else { return Nav::default() };
        // Until a reset password is replaced, nothing else opens.
        let links = if caller.must_change_password() { vec![] } else { links(&caller.principal) };
        Nav {
            user: Some(account.display_name.clone()),
            csrf: caller.csrf().to_owned(),
            links,
            home: landing(&caller.principal).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_domain::authz::{Account, Grant, Scope};

    fn one(role: Role, scope: &str) -> Principal {
        Principal::User(Account {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            county_code: "611026".into(),
            grants: vec![Grant::new(role, Scope::parse(scope).unwrap()).unwrap()],
        })
    }

    #[test]
    fn each_role_sees_what_it_may_open() {
        let hrefs = |p: &Principal| links(p).into_iter().map(|(h, _)| h).collect::<Vec<_>>();
        let agency = one(Role::AgencyHandler, "agency:zs-transport");
        assert_eq!(
            hrefs(&agency),
            ["/", AGENCY_LANDING, "/suggestions", "/meetings", "/projects", "/account/password"]
        );
        assert_eq!(landing(&agency), AGENCY_LANDING);
        let station = one(Role::StationStaff, "station:qianyou-renhe");
        assert_eq!(
            hrefs(&station),
            [
                "/",
                STATION_LANDING,
                "/stats",
                "/receptions/records",
                "/register",
                "/suggestions",
                "/voter-reports",
                "/account/password"
            ]
        );
        let deputy = one(Role::Deputy, "deputy:wang-fang");
        assert_eq!(
            hrefs(&deputy),
            [
                "/",
                DEPUTY_LANDING,
                "/duties",
                "/register",
                "/suggestions",
                "/outreach",
                "/projects",
                "/account/password"
            ]
        );
        let sup = one(Role::CountySupervisor, "region:611026");
        assert_eq!(
            hrefs(&sup),
            [
                "/",
                "/cases",
                "/stats",
                "/bulletins",
                "/receptions",
                "/register",
                "/suggestions",
                "/outreach",
                "/projects",
                "/targets",
                "/stars",
                "/org",
                "/account/password"
            ]
        );
        assert_eq!(landing(&sup), "/");
        let admin = one(Role::SystemAdmin, "region:611026");
        assert_eq!(hrefs(&admin), ["/", "/regions", "/admin/users", "/account/password"]);
        let sec = one(Role::SecurityAdmin, "region:611026");
        assert_eq!(hrefs(&sec), ["/", "/admin/users", "/account/password"]);
        let auditor = one(Role::Auditor, "region:611026");
        assert_eq!(hrefs(&auditor), ["/", "/audit", "/account/password"]);
    }
}
