//! Who may do what, where. Every request passes through [`authorize`]: the web layer asks it once
//! per route with no target (may this caller do this kind of thing at all?) and again with the
//! resource it touches (is that resource inside the caller's scope?).

use crate::{Invalid, region::RegionCode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The roles of the system. System admin, security admin and auditor are kept apart (三员分立):
/// none of them reads case content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    Auditor,
    CountySupervisor,
    TownshipOfficer,
    StationStaff,
    Deputy,
    AgencyHandler,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
        Role::CountySupervisor,
        Role::TownshipOfficer,
        Role::StationStaff,
        Role::Deputy,
        Role::AgencyHandler,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
            Role::CountySupervisor => "county_supervisor",
            Role::TownshipOfficer => "township_officer",
            Role::StationStaff => "station_staff",
            Role::Deputy => "deputy",
            Role::AgencyHandler => "agency_handler",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "安全审计员",
            Role::CountySupervisor => "县人大常委会代表工委",
            Role::TownshipOfficer => "乡镇人大主席团 / 街道人大工委",
            Role::StationStaff => "联络站联络员",
            Role::Deputy => "人大代表",
            Role::AgencyHandler => "承办单位经办人",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, Invalid> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| Invalid::new("role", "invalid_role", format!("未知角色：{}", raw.trim())))
    }

    /// The actions a role may take anywhere in its scope.
    fn permits(self, action: Action) -> bool {
        use Action::*;
        match action {
            Public | Authenticated => true,
            RegionRead => !matches!(self, Role::Auditor),
            RegionWrite | UserWrite => matches!(self, Role::SystemAdmin),
            // The security admin finds the accounts whose lock-out or password they handle.
            UserRead => matches!(self, Role::SystemAdmin | Role::SecurityAdmin),
            AccountUnlock => matches!(self, Role::SecurityAdmin),
            AuditRead => matches!(self, Role::Auditor),
            OrgRead => matches!(
                self,
                Role::CountySupervisor
                    | Role::TownshipOfficer
                    | Role::StationStaff
                    | Role::Deputy
                    | Role::AgencyHandler
            ),
            OrgWrite | PersonalDataRead => matches!(self, Role::CountySupervisor | Role::TownshipOfficer),
            CaseRead | CaseWrite => matches!(
                self,
                Role::CountySupervisor
                    | Role::TownshipOfficer
                    | Role::StationStaff
                    | Role::Deputy
                    | Role::AgencyHandler
            ),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a grant reaches: a region subtree, one station, one agency, or the deputy themself.
/// Stations, agencies and deputies are named by their stable slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum Scope {
    Region(RegionCode),
    Station(String),
    Agency(String),
    Deputy(String),
}

impl Scope {
    /// Parses `region:611026`, `station:SLUG`, `agency:SLUG`, `deputy:SLUG`; a bare code means a
    /// region.
    pub fn parse(raw: &str) -> Result<Scope, Invalid> {
        let raw = raw.trim();
        let bad = |m: &str| Invalid::new("scope", "invalid_scope", m);
        let (kind, rest) = raw.split_once(':').unwrap_or(("region", raw));
        match kind {
            "region" => {
                RegionCode::parse(rest).map(Scope::Region).map_err(|e| Invalid::new("scope", e.code, e.message))
            }
            "station" | "agency" | "deputy" => {
                let slug =
                    parse_slug(rest).map_err(|_| bad("范围标识只能由小写字母、数字和连字符组成（1 到 64 位）"))?;
                Ok(match kind {
                    "station" => Scope::Station(slug),
                    "agency" => Scope::Agency(slug),
                    _ => Scope::Deputy(slug),
                })
            }
            _ => Err(bad("范围应写作 region:代码、station:标识、agency:标识 或 deputy:标识")),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Region(_) => "region",
            Scope::Station(_) => "station",
            Scope::Agency(_) => "agency",
            Scope::Deputy(_) => "deputy",
        }
    }

    pub fn reference(&self) -> &str {
        match self {
            Scope::Region(c) => c.as_str(),
            Scope::Station(s) | Scope::Agency(s) | Scope::Deputy(s) => s,
        }
    }

    pub fn from_parts(kind: &str, reference: &str) -> Result<Scope, Invalid> {
        Scope::parse(&format!("{kind}:{reference}"))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind(), self.reference())
    }
}

/// A stable identifier: lowercase ASCII letters, digits and hyphens, 1 to 64 long, not starting
/// or ending with a hyphen.
pub fn parse_slug(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new("slug", "invalid_slug", "标识只能由小写字母、数字和连字符组成（1 到 64 位）"))
    }
}

/// One role over one scope. `county_code` is the partition the grant belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Checks that the scope fits the role: supervisors and admins hold a region at county level
    /// or above, township officers a township, station staff a station, handlers an agency, a
    /// deputy themself.
    pub fn new(role: Role, scope: Scope) -> Result<Grant, Invalid> {
        let bad = |m: &str| Invalid::new("scope", "scope_mismatch", m);
        match (&scope, role) {
            (Scope::Region(c), Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor | Role::CountySupervisor) => {
                if c.as_str().len() > 6 {
                    return Err(bad("该角色的范围应为县级或以上行政区划"));
                }
            }
            (Scope::Region(c), Role::TownshipOfficer) => {
                if c.as_str().len() != 9 {
                    return Err(bad("乡镇人大的范围应为乡镇（街道）级行政区划（9 位代码）"));
                }
            }
            (Scope::Station(_), Role::StationStaff)
            | (Scope::Agency(_), Role::AgencyHandler)
            | (Scope::Deputy(_), Role::Deputy) => {}
            _ => return Err(bad("范围类型与角色不符")),
        }
        Ok(Grant { role, scope })
    }
}

/// The kinds of thing a route does. Each route is registered with exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Authenticated,
    RegionRead,
    RegionWrite,
    UserRead,
    /// Create accounts, disable and enable them, change their roles and scopes.
    UserWrite,
    /// Lift a lock-out, reset a forgotten password (the account must choose a new one).
    AccountUnlock,
    AuditRead,
    CaseRead,
    CaseWrite,
    /// Read stations, deputies, agencies and grids (personal data masked).
    OrgRead,
    /// Create, edit, deactivate and import them.
    OrgWrite,
    /// See personal data unmasked (deputies' and grid workers' phones); always audited.
    PersonalDataRead,
}

/// Where a case sits, for scope checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLocation {
    pub region: RegionCode,
    pub station: Option<String>,
    /// The lead agency (主办).
    pub agency: Option<String>,
    /// Assisting agencies (协办): they read the case too.
    pub assisting: Vec<String>,
    pub deputy: Option<String>,
}

/// The resource an action touches.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// No particular resource: the route-level check.
    Any,
    Region(&'a RegionCode),
    Case(&'a CaseLocation),
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    User(Account),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// The county the account belongs to (every account has one, whatever its scope).
    pub county_code: String,
    pub grants: Vec<Grant>,
}

impl Account {
    /// The regions whose part of the tree the account may read: its region grants, or else its
    /// county. A region is readable when it lies under one of them or above one (the path down).
    pub fn region_roots(&self) -> Vec<RegionCode> {
        let mut roots: Vec<RegionCode> = self
            .grants
            .iter()
            .filter_map(|g| match &g.scope {
                Scope::Region(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        if roots.is_empty()
            && let Ok(c) = RegionCode::parse(&self.county_code)
        {
            roots.push(c);
        }
        roots
    }

    pub fn may_read_region(&self, r: &RegionCode) -> bool {
        self.region_roots().iter().any(|root| root.contains(r) || r.contains(root))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Sign in first.
    Unauthenticated,
    /// Signed in, but not allowed.
    Forbidden,
}

impl Principal {
    pub fn account(&self) -> Option<&Account> {
        match self {
            Principal::User(a) => Some(a),
            Principal::Anonymous => None,
        }
    }

    pub fn actor(&self) -> String {
        match self {
            Principal::User(a) => a.username.clone(),
            Principal::Anonymous => "anonymous".into(),
        }
    }
}

fn covers(scope: &Scope, target: Target<'_>) -> bool {
    match (scope, target) {
        (_, Target::Any) => true,
        (Scope::Region(mine), Target::Region(r)) => mine.contains(r),
        (Scope::Region(mine), Target::Case(c)) => mine.contains(&c.region),
        (Scope::Station(s), Target::Case(c)) => c.station.as_deref() == Some(s.as_str()),
        (Scope::Agency(a), Target::Case(c)) => c.agency.as_deref() == Some(a.as_str()) || c.assisting.contains(a),
        (Scope::Deputy(d), Target::Case(c)) => c.deputy.as_deref() == Some(d.as_str()),
        (Scope::Station(_) | Scope::Agency(_) | Scope::Deputy(_), Target::Region(_)) => false,
    }
}

/// The roles of the caller's grants that permit `action` on `target`: what a step of the case
/// loop checks against its own table of roles.
pub fn roles_for(principal: &Principal, action: Action, target: Target<'_>) -> Vec<Role> {
    match principal {
        Principal::User(a) => {
            a.grants.iter().filter(|g| g.role.permits(action) && covers(&g.scope, target)).map(|g| g.role).collect()
        }
        Principal::Anonymous => vec![],
    }
}

/// The scopes in which the caller may take `action`: what list queries filter by.
pub fn reach(principal: &Principal, action: Action) -> Vec<&Scope> {
    match principal {
        Principal::User(a) => a.grants.iter().filter(|g| g.role.permits(action)).map(|g| &g.scope).collect(),
        Principal::Anonymous => vec![],
    }
}

/// The one decision. Allowed when some grant's role permits the action and its scope covers the
/// target.
pub fn authorize(principal: &Principal, action: Action, target: Target<'_>) -> Result<(), Denied> {
    if action == Action::Public {
        return Ok(());
    }
    let Principal::User(account) = principal else {
        return Err(Denied::Unauthenticated);
    };
    let allowed = account.grants.iter().any(|g| g.role.permits(action) && covers(&g.scope, target));
    if allowed { Ok(()) } else { Err(Denied::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, scope: &str) -> Principal {
        Principal::User(Account {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            county_code: "611026".into(),
            grants: vec![Grant::new(role, Scope::parse(scope).unwrap()).unwrap()],
        })
    }

    fn case(region: &str) -> CaseLocation {
        CaseLocation {
            region: RegionCode::parse(region).unwrap(),
            station: Some("qianyou-renhe".into()),
            agency: Some("county-transport".into()),
            assisting: vec![],
            deputy: Some("wang-fang".into()),
        }
    }

    #[test]
    fn anonymous_reaches_only_public() {
        assert_eq!(authorize(&Principal::Anonymous, Action::Public, Target::Any), Ok(()));
        assert_eq!(authorize(&Principal::Anonymous, Action::Authenticated, Target::Any), Err(Denied::Unauthenticated));
        assert_eq!(authorize(&Principal::Anonymous, Action::CaseRead, Target::Any), Err(Denied::Unauthenticated));
    }

    #[test]
    fn separation_of_the_three_admins() {
        let c = case("611026001");
        for (role, scope) in [(Role::SystemAdmin, "611026"), (Role::SecurityAdmin, "611026"), (Role::Auditor, "611026")]
        {
            assert_eq!(
                authorize(&user(role, scope), Action::CaseRead, Target::Case(&c)),
                Err(Denied::Forbidden),
                "{role}"
            );
        }
        assert!(authorize(&user(Role::Auditor, "611026"), Action::AuditRead, Target::Any).is_ok());
        assert!(authorize(&user(Role::SystemAdmin, "611026"), Action::AuditRead, Target::Any).is_err());
        assert!(authorize(&user(Role::SystemAdmin, "611026"), Action::UserWrite, Target::Any).is_ok());
        assert!(authorize(&user(Role::SecurityAdmin, "611026"), Action::UserWrite, Target::Any).is_err());
        assert!(authorize(&user(Role::SecurityAdmin, "611026"), Action::AccountUnlock, Target::Any).is_ok());
    }

    #[test]
    fn scopes_stop_at_their_borders() {
        let here = case("611026001");
        let there = case("611025001");
        let sup = user(Role::CountySupervisor, "611026");
        assert!(authorize(&sup, Action::CaseRead, Target::Case(&here)).is_ok());
        assert_eq!(authorize(&sup, Action::CaseRead, Target::Case(&there)), Err(Denied::Forbidden));
        let officer = user(Role::TownshipOfficer, "611026002");
        assert_eq!(authorize(&officer, Action::CaseRead, Target::Case(&here)), Err(Denied::Forbidden));
        assert!(
            authorize(&user(Role::StationStaff, "station:qianyou-renhe"), Action::CaseRead, Target::Case(&here))
                .is_ok()
        );
        assert!(authorize(&user(Role::StationStaff, "station:other"), Action::CaseRead, Target::Case(&here)).is_err());
        assert!(
            authorize(&user(Role::AgencyHandler, "agency:county-transport"), Action::CaseRead, Target::Case(&here))
                .is_ok()
        );
        assert!(
            authorize(&user(Role::AgencyHandler, "agency:county-water"), Action::CaseRead, Target::Case(&here))
                .is_err()
        );
        assert!(authorize(&user(Role::Deputy, "deputy:wang-fang"), Action::CaseRead, Target::Case(&here)).is_ok());
        assert!(authorize(&user(Role::Deputy, "deputy:li-ming"), Action::CaseRead, Target::Case(&here)).is_err());
        assert!(authorize(&user(Role::Deputy, "deputy:wang-fang"), Action::UserRead, Target::Any).is_err());
    }

    #[test]
    fn grants_check_scope_kind() {
        assert!(Grant::new(Role::TownshipOfficer, Scope::parse("611026").unwrap()).is_err());
        assert!(Grant::new(Role::CountySupervisor, Scope::parse("611026001").unwrap()).is_err());
        assert!(Grant::new(Role::Deputy, Scope::parse("station:a").unwrap()).is_err());
        assert!(Grant::new(Role::Deputy, Scope::parse("deputy:a").unwrap()).is_ok());
        assert!(Scope::parse("station:Bad Slug").is_err());
        assert!(Scope::parse("planet:x").is_err());
        assert_eq!(Scope::parse("611026").unwrap().to_string(), "region:611026");
    }
}
