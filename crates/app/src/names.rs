//! Names for what staff read, instead of identifiers: a person's display name and unit for an
//! actor (`renhe`, `constituent`), the names of stations, agencies, deputies and regions for their
//! slugs and codes, scopes such as `station:qianyou-renhe` as 联络站 仁和社区代表联络点, and the
//! Chinese names of timeline steps and audit actions.
//!
//! A page collects everything it shows into a [`Wanted`], resolves it once ([`resolve`]: one
//! query for the accounts, then one per kind of record), and asks the [`Names`] for each row.
//! Only names are read, never contact details: callers have already checked that the viewer may
//! read the page the names appear on.

use crate::{App, Result};
use liaison_domain::authz::{Role, Scope};
use liaison_store::names::{self as store, Named};
use std::collections::{BTreeSet, HashMap};

/// Actors that are not accounts.
const SYSTEM_ACTORS: &[(&str, &str)] = &[
    ("constituent", "群众"),
    ("system", "系统"),
    ("system:demo", "系统（演示数据）"),
    ("system:cli", "系统（命令行）"),
    ("anonymous", "未登录访问者"),
];

/// What a non-account actor reads as: 群众, 系统…
fn system_actor(actor: &str) -> Option<&'static str> {
    SYSTEM_ACTORS.iter().find(|(a, _)| *a == actor).map(|(_, l)| *l).or(actor.starts_with("system:").then_some("系统"))
}

/// What a page will ask names for.
#[derive(Debug, Default, Clone)]
pub struct Wanted {
    users: BTreeSet<String>,
    stations: BTreeSet<String>,
    agencies: BTreeSet<String>,
    deputies: BTreeSet<String>,
    regions: BTreeSet<String>,
}

impl Wanted {
    pub fn new() -> Wanted {
        Wanted::default()
    }

    /// Whoever took a step or wrote an audit entry.
    pub fn actor(&mut self, actor: &str) -> &mut Self {
        if !actor.is_empty() && system_actor(actor).is_none() {
            self.users.insert(actor.to_owned());
        }
        self
    }

    pub fn station(&mut self, slug: &str) -> &mut Self {
        self.stations.insert(slug.to_owned());
        self
    }

    pub fn agency(&mut self, slug: &str) -> &mut Self {
        self.agencies.insert(slug.to_owned());
        self
    }

    pub fn deputy(&mut self, slug: &str) -> &mut Self {
        self.deputies.insert(slug.to_owned());
        self
    }

    pub fn region(&mut self, code: &str) -> &mut Self {
        self.regions.insert(code.to_owned());
        self
    }

    pub fn scope(&mut self, scope: &Scope) -> &mut Self {
        match scope {
            Scope::Region(c) => self.region(c.as_str()),
            Scope::Station(s) => self.station(s),
            Scope::Agency(s) => self.agency(s),
            Scope::Deputy(s) => self.deputy(s),
        }
    }

    /// The identifiers written into free text (an audit summary).
    pub fn text(&mut self, text: &str) -> &mut Self {
        for (_, _, kind, reference) in tokens(text) {
            self.target(&format!("{kind}:{reference}"));
        }
        self
    }

    /// An audit target or a notification recipient: `user:admin`, `case:12`, `station:slug`,
    /// `region:611026`…
    pub fn target(&mut self, raw: &str) -> &mut Self {
        match raw.split_once(':') {
            Some(("user", u)) => self.actor(u),
            Some(("station", s)) => self.station(s),
            Some(("agency", s)) => self.agency(s),
            Some(("deputy", s)) => self.deputy(s),
            Some(("region" | "county", c)) => self.region(c),
            _ => self,
        }
    }
}

/// The `kind:reference` tokens in free text (an audit summary written as `范围 agency:zs-transport`):
/// (start, end, kind, reference).
fn tokens(text: &str) -> Vec<(usize, usize, &str, &str)> {
    const KINDS: &[&str] = &["region:", "station:", "agency:", "deputy:", "user:"];
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let Some((offset, kind)) = KINDS.iter().filter_map(|k| rest.find(k).map(|i| (i, *k))).min_by_key(|(i, _)| *i)
        else {
            break;
        };
        let start = at + offset;
        let body = start + kind.len();
        let end = body
            + text[body..]
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == '_'))
                .unwrap_or(text.len() - body);
        // A word that merely ends in the kind (`subregion:`) is not a token.
        let glued = text[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        if end > body && !glued {
            out.push((start, end, &kind[..kind.len() - 1], &text[body..end]));
        }
        at = end.max(body);
    }
    out
}

/// An account as others see it.
#[derive(Debug, Clone)]
struct Person {
    name: String,
    grants: Vec<(Role, Scope)>,
}

/// The names a page asked for.
#[derive(Debug, Default, Clone)]
pub struct Names {
    people: HashMap<String, Person>,
    stations: HashMap<String, String>,
    agencies: HashMap<String, String>,
    deputies: HashMap<String, String>,
    regions: HashMap<String, String>,
}

/// Looks up everything `wanted` names: the accounts first (their grants name units too), then
/// each kind of record in one query, the kinds at once.
pub async fn resolve(app: &App, mut wanted: Wanted) -> Result<Names> {
    let mut names = Names::default();
    let users: Vec<String> = wanted.users.iter().cloned().collect();
    if !users.is_empty() {
        for a in store::accounts(&app.db, &users).await? {
            let grants: Vec<(Role, Scope)> = a
                .grants
                .iter()
                .filter_map(|(r, k, s)| Some((Role::parse(r).ok()?, Scope::from_parts(k, s).ok()?)))
                .collect();
            for (_, s) in &grants {
                wanted.scope(s);
            }
            names.people.insert(a.username, Person { name: a.display_name, grants });
        }
    }
    // Each kind in one query, the four at once.
    let lookup = |what: Named, keys: &BTreeSet<String>| {
        let keys: Vec<String> = keys.iter().cloned().collect();
        async move { if keys.is_empty() { Ok(vec![]) } else { store::names(&app.db, what, &keys).await } }
    };
    let (stations, agencies, deputies, regions) = tokio::try_join!(
        lookup(Named::Station, &wanted.stations),
        lookup(Named::Agency, &wanted.agencies),
        lookup(Named::Deputy, &wanted.deputies),
        lookup(Named::Region, &wanted.regions),
    )?;
    names.stations.extend(stations);
    names.agencies.extend(agencies);
    names.deputies.extend(deputies);
    names.regions.extend(regions);
    Ok(names)
}

impl Names {
    /// The person behind an actor: their display name, 群众 or 系统; an account that no longer
    /// exists is 已删除的账号.
    pub fn actor(&self, actor: &str) -> String {
        if let Some(label) = system_actor(actor) {
            return label.to_owned();
        }
        match self.people.get(actor) {
            Some(p) => p.name.clone(),
            None => "未知账号".to_owned(),
        }
    }

    /// Whether `actor` is an account that was found (so its raw name can be shown to auditors).
    pub fn is_account(&self, actor: &str) -> bool {
        self.people.contains_key(actor)
    }

    /// The unit the actor acts for: their station, agency, township or county office; empty
    /// for the constituent and the system.
    pub fn unit(&self, actor: &str) -> String {
        let Some(p) = self.people.get(actor) else { return String::new() };
        let Some((role, scope)) = p.grants.first() else { return String::new() };
        match (role, scope) {
            (Role::CountySupervisor, Scope::Region(c)) => format!("{}人大常委会代表工委", self.region(c.as_str())),
            (Role::TownshipOfficer, Scope::Region(c)) => {
                let name = self.region(c.as_str());
                if name.ends_with("街道") { format!("{name}人大工委") } else { format!("{name}人大主席团") }
            }
            (Role::Deputy, _) => "人大代表".to_owned(),
            (_, Scope::Station(s)) => self.station(s),
            (_, Scope::Agency(s)) => self.agency(s),
            (role, _) => role.label().to_owned(),
        }
    }

    pub fn station(&self, slug: &str) -> String {
        self.stations.get(slug).cloned().unwrap_or_else(|| "未知联络站".to_owned())
    }

    pub fn agency(&self, slug: &str) -> String {
        self.agencies.get(slug).cloned().unwrap_or_else(|| "未知承办单位".to_owned())
    }

    pub fn deputy(&self, slug: &str) -> String {
        self.deputies.get(slug).cloned().unwrap_or_else(|| "未知代表".to_owned())
    }

    pub fn region(&self, code: &str) -> String {
        self.regions.get(code).cloned().unwrap_or_else(|| "未知区划".to_owned())
    }

    /// A scope as a label: 联络站 仁和社区代表联络点, 承办单位 柞水县交通运输局, 代表 王芳, or the
    /// region's name.
    pub fn scope(&self, scope: &Scope) -> String {
        match scope {
            Scope::Region(c) => self.region(c.as_str()),
            Scope::Station(s) => format!("联络站 {}", self.station(s)),
            Scope::Agency(s) => format!("承办单位 {}", self.agency(s)),
            Scope::Deputy(s) => format!("代表 {}", self.deputy(s)),
        }
    }

    /// An audit target as a label: the account's person, 意见建议 #12, a scope's label.
    pub fn target(&self, raw: &str) -> String {
        match raw.split_once(':') {
            Some(("user", u)) => format!("账号 {}", self.actor(u)),
            Some(("case", id)) => format!("意见建议 #{id}"),
            Some(("suggestion", id)) => format!("代表建议 #{id}"),
            Some(("meeting", id)) => format!("约见记录 #{id}"),
            Some(("voter_report", id)) => format!("述职安排 #{id}"),
            Some(("ledger", id)) => format!("联系台账 #{id}"),
            Some(("county", c)) => self.region(c),
            Some((kind, r)) => match Scope::from_parts(kind, r) {
                Ok(s) => self.scope(&s),
                Err(_) => "其他对象".to_owned(),
            },
            None if raw.is_empty() => String::new(),
            None => "其他对象".to_owned(),
        }
    }
}

impl Names {
    /// Free text with its identifiers replaced by names: scopes and accounts by their labels, role
    /// identifiers by the roles' Chinese names.
    pub fn text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, kind, reference) in tokens(text) {
            out.push_str(&text[last..start]);
            out.push_str(&self.target(&format!("{kind}:{reference}")));
            last = end;
        }
        out.push_str(&text[last..]);
        for role in Role::ALL {
            out = out.replace(role.as_str(), role.label());
        }
        out
    }
}

/// A timeline step as staff read it. `public` tells a note for the constituent from one for
/// colleagues.
pub fn step_label(command: &str, public: bool) -> &'static str {
    match command {
        "receive" => "接收",
        "triage" => "研判",
        "assign" => "交办",
        "urge" => "催办",
        "record_result" => "提交办理结果",
        "return" => "退回（非本单位职责）",
        "publish_reply" => "答复群众",
        "answer_on_spot" => "直接答复",
        "decline" => "不予受理",
        "merge" => "合并到其他意见建议",
        "merge_in" => "并入同类意见建议",
        "escalate" => "提级至县",
        "note" if public => "回复留言",
        "note" => "办理备注",
        "survey" => "满意度测评",
        "close_unrated" => "逾期未评价办结",
        "overdue" => "逾期提醒",
        _ => "其他操作",
    }
}

/// An audit action as the auditor reads it: `session.login` → 登录.
pub fn audit_action_label(action: &str) -> String {
    let fixed = match action {
        "session.login" => Some("登录"),
        "session.login_failed" => Some("登录失败"),
        "session.login_refused_locked" => Some("锁定期间尝试登录"),
        "session.logout" => Some("退出登录"),
        "account.locked" => Some("账号被锁定"),
        "account.unlock" => Some("解除账号锁定"),
        "user.create" => Some("创建账号"),
        "region.create" => Some("新增行政区划"),
        "roster.import" => Some("导入名册"),
        "roster.export" => Some("导出名册"),
        "personal_data.view" => Some("查看个人信息"),
        "case.receive" => Some("意见建议：接收"),
        "case.photo" => Some("意见建议：添加照片"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_owned();
    }
    let (head, tail) = action.split_once('.').unwrap_or((action, ""));
    let object = match head {
        "station" => "联络站",
        "deputy" | "deputie" => "代表",
        "agency" | "agencie" => "承办单位",
        "grid" => "网格",
        "user" | "account" => "账号",
        "session" => "登录",
        "region" => "行政区划",
        "roster" => "名册",
        "case" => "意见建议",
        "duty_entry" => "履职登记",
        "duty_report" => "履职报告",
        "duty_targets" => "履职目标",
        "points_rules" => "积分规则",
        "scorecard" => "星级评分表",
        "station_assessment" => "星级评定",
        "reception" => "接待记录",
        "suggestion" => "代表建议",
        "meeting" => "约见单位负责人",
        "commitment" => "约见承诺",
        "voter_report" => "向选民述职",
        "ledger" => "联系台账",
        "statistics" => "统计",
        "bulletin" => "简报",
        _ => "其他",
    };
    let verb = match (head, tail) {
        ("case", "note") => "办理备注",
        ("case", t) => step_label(t, true),
        (_, "save") => "保存",
        (_, "deactivate") => "停用",
        (_, "activate" | "enable") => "启用",
        (_, "disable") => "停用",
        (_, "move") => "迁移",
        (_, "password" | "password_reset" | "reset_password") => "重置密码",
        (_, "password_change" | "change_password") => "修改密码",
        (_, "grants" | "roles") => "修改角色和范围",
        (_, "add") => "新增",
        (_, "correct") => "更正",
        (_, "evidence") => "上传佐证材料",
        (_, "archive") => "归档",
        (_, "remind") => "提醒",
        (_, "create") => "创建",
        (_, "score") => "评分",
        (_, "review") => "复核",
        (_, "decide" | "decision") => "审核",
        (_, "photo") => "添加照片",
        (_, "record") => "登记",
        (_, "export") => "导出",
        (_, "draft") => "起草",
        (_, "submit") => "提交",
        (_, "assign") => "交办",
        (_, "extend") => "延期",
        (_, "answer") => "答复",
        (_, "document") => "上传答复文件",
        (_, "rate") => "评价",
        (_, "promise_kept") => "登记承诺兑现",
        (_, "done") => "登记落实",
        (_, "schedule") => "安排",
        (_, "edit") => "修改",
        (_, "held") => "登记述职和测评",
        (_, "cancel") => "取消",
        (_, "visit") => "登记走访",
        (_, "remove") => "移出",
        (_, "approve") => "审核通过",
        (_, "publish") => "发布",
        (_, "reopen") => "退回修改",
        _ => "其他操作",
    };
    format!("{object}：{verb}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_and_action_has_a_chinese_name() {
        for cmd in [
            "receive",
            "triage",
            "assign",
            "urge",
            "record_result",
            "return",
            "publish_reply",
            "answer_on_spot",
            "decline",
            "merge",
            "merge_in",
            "escalate",
            "note",
            "survey",
            "close_unrated",
            "overdue",
        ] {
            assert_ne!(step_label(cmd, false), "其他操作", "{cmd}");
        }
        assert_eq!(audit_action_label("session.login"), "登录");
        assert_eq!(audit_action_label("case.record_result"), "意见建议：提交办理结果");
        assert_eq!(audit_action_label("deputie.save"), "代表：保存");
        assert_eq!(audit_action_label("station.move"), "联络站：迁移");
        assert!(!audit_action_label("something.new").is_ascii());
        assert_eq!(audit_action_label("ledger.export"), "联系台账：导出");
        assert_eq!(audit_action_label("voter_report.held"), "向选民述职：登记述职和测评");
        assert_eq!(audit_action_label("meeting.record"), "约见单位负责人：登记");
    }

    #[test]
    fn targets_and_scopes_read_as_names() {
        let mut n = Names::default();
        n.people.insert("admin".into(), Person { name: "系统管理员".into(), grants: vec![] });
        n.stations.insert("qianyou-renhe".into(), "仁和社区代表联络点".into());
        n.agencies.insert("zs-transport".into(), "柞水县交通运输局".into());
        n.regions.insert("611026001".into(), "乾佑街道".into());
        assert_eq!(n.target("user:admin"), "账号 系统管理员");
        assert_eq!(n.target("case:12"), "意见建议 #12");
        assert_eq!(n.target("station:qianyou-renhe"), "联络站 仁和社区代表联络点");
        assert_eq!(n.target("agency:zs-transport"), "承办单位 柞水县交通运输局");
        assert_eq!(n.target("region:611026001"), "乾佑街道");
        assert_eq!(n.actor("constituent"), "群众");
        assert_eq!(n.actor("gone"), "未知账号");
        n.people.insert(
            "qianyou".into(),
            Person {
                name: "乾佑街道人大工委".into(),
                grants: vec![(Role::TownshipOfficer, Scope::parse("611026001").unwrap())],
            },
        );
        assert_eq!(n.unit("qianyou"), "乾佑街道人大工委");
        assert_eq!(
            n.text("创建账号，角色 agency_handler，范围 agency:zs-transport"),
            "创建账号，角色 承办单位经办人，范围 承办单位 柞水县交通运输局"
        );
        assert_eq!(n.text("范围 region:611026001。"), "范围 乾佑街道。");
        let mut w = Wanted::new();
        w.text("范围 station:qianyou-renhe，user:admin");
        assert!(w.stations.contains("qianyou-renhe") && w.users.contains("admin"));
    }
}
