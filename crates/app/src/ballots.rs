//! The deputies' secret ballot (代表定单) on livelihood projects, and the year-end evaluation
//! (人大验单) through the same machinery. The cryptography is `liaison_ballot`'s; this module
//! keeps who may do what and when:
//!
//! 1. The office creates the ballot from an approved candidate list (or, for an evaluation, from
//!    the year's chosen projects), naming at least two trustees and the closing time.
//! 2. Each trustee generates their key: the secret is shown to them once and never stored.
//! 3. Two keepers issue the credentials: the electorate is fixed (the congress's deputies in
//!    office), each deputy's code is printed on a slip, the master secret's two halves go one to
//!    each keeper, and only the codes' public keys are stored, sorted.
//! 4. Two different people approve; the second approval opens it.
//! 5. Deputies vote on a phone with their code; tellers enter paper ballots, never more than the
//!    deputies they recorded as voting on paper. Each deputy's register gains "voted" — never how.
//! 6. The chair closes it (or the sweep, at the closing time): the board is sealed in tracker
//!    order and hash-chained.
//! 7. Each trustee gives their decryption share of the sum; with the last one the result is
//!    computed, checked as the recount checks it, and published.

use crate::receptions::own_deputy;
use crate::{App, Error, Result};
use liaison_ballot::group::{Num, Point};
use liaison_ballot::{self as crypto, Board, Election, Entry, Method, Share, TieRule, TrusteeKey, Voter};
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::project::{BallotMethod, ProjectStatus, TieRule as TieChoice};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::text::{Lines, optional};
use liaison_store::projects::{self as store, NewBallot};
use liaison_store::voter_work::{Table, Value, update};
use liaison_store::{org, users};

pub use liaison_ballot::Outcome;
pub use liaison_store::projects::{BallotRow as Ballot, TrusteeRow as Trustee};

fn office(principal: &Principal, b: &Ballot) -> Result<()> {
    let r = RegionCode::parse(&b.region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&r))
}

fn election_id(b: &Ballot) -> String {
    format!("liaison:{}:{}", b.county_code, b.id)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BallotInput {
    /// `choose`, `each` or `evaluate`.
    pub method: String,
    /// For `choose` and `each`: the approved candidate list.
    #[serde(default)]
    pub list: Option<i64>,
    /// For `evaluate`: the region and year whose chosen projects are evaluated.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub title: String,
    /// `list_order` or `runoff`.
    #[serde(default)]
    pub tie_rule: String,
    pub held_on: String,
    /// `YYYY-MM-DD HH:MM`, China time.
    pub closes_at: String,
    /// Usernames, at least two.
    pub trustees: Vec<String>,
}

/// Parses `YYYY-MM-DD HH:MM` (or with a `T`) in China time into milliseconds.
pub fn parse_china_time(field: &'static str, raw: &str) -> Result<i64> {
    let s = raw.trim().replace('T', " ");
    let t = chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M")
        .map_err(|_| Error::invalid("invalid_time", "时间应写作 年-月-日 时:分，例如 2026-12-20 11:30").field(field))?;
    Ok(t.and_utc().timestamp_millis() - 8 * 3_600_000)
}

/// Who may hold a trustee's key: congress staff (the office) and deputies (the 监票人).
pub fn may_be_trustee(role: liaison_domain::authz::Role) -> bool {
    use liaison_domain::authz::Role;
    matches!(role, Role::CountySupervisor | Role::TownshipOfficer | Role::Deputy)
}

/// Creates a ballot (the office).
pub async fn create(app: &App, principal: &Principal, i: &BallotInput) -> Result<i64> {
    let method = BallotMethod::parse(&i.method)
        .ok_or_else(|| Error::invalid("invalid_method", "请选择票决方式").field("method"))?;
    let tie = match i.tie_rule.trim() {
        "" => TieChoice::ListOrder,
        raw => TieChoice::parse(raw)
            .ok_or_else(|| Error::invalid("invalid_tie_rule", "请选择票数相同时的处理规则").field("tie_rule"))?,
    };
    let (region, level, year, places, list_id, projects, default_title) = match method {
        BallotMethod::Choose | BallotMethod::Each => {
            let id = i
                .list
                .ok_or_else(|| Error::invalid("list_required", "请选择经主席团审议通过的候选名单").field("list"))?;
            let l = store::list(&app.db, id)
                .await?
                .ok_or_else(|| Error::invalid("list_required", "请选择经主席团审议通过的候选名单").field("list"))?;
            let region = RegionCode::parse(&l.region_code).map_err(Error::internal)?;
            crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
            if l.status != "approved" {
                return Err(
                    Error::invalid("list_not_approved", "候选名单尚未经主席团审议通过，不能据此票决").field("list")
                );
            }
            let ps = store::list_projects(&app.db, id).await?;
            let title = format!("{}民生实事项目票决", l.session);
            (region, l.level, l.year, l.places, Some(id), ps, title)
        }
        BallotMethod::Evaluate => {
            let region = crate::org::scoped_region(principal, Action::OrgWrite, i.region.as_deref())?;
            let year = i.year.ok_or_else(|| Error::invalid("year_required", "请填写测评的年度").field("year"))?;
            let ps = store::chosen_projects(&app.db, &region.county_key(), region.as_str(), year).await?;
            if ps.is_empty() {
                return Err(
                    Error::invalid("no_projects", format!("{year} 年本辖区没有票决确定的项目可供测评")).field("year")
                );
            }
            let level = ps[0].level.clone();
            (region, level, year, 0, None, ps, format!("{year} 年民生实事项目满意度测评"))
        }
    };
    if projects.iter().any(|p| p.status != "listed" && method != BallotMethod::Evaluate) {
        return Err(Error::conflict("already_voted", "名单中的项目已经票决过了"));
    }
    let title = optional("title", &i.title, 100, "票决名称", Lines::One)?;
    let title = if title.is_empty() { default_title } else { title };
    let held_on = parse_date("held_on", &i.held_on).map_err(|e| Error::from(e).field("held_on"))?;
    let closes_at = parse_china_time("closes_at", &i.closes_at)?;
    if closes_at <= app.now_ms() {
        return Err(Error::invalid("closes_in_past", "截止时间应晚于现在").field("closes_at"));
    }
    let county = region.county_key();
    let mut trustees: Vec<(String, String)> = Vec::new();
    for u in i.trustees.iter().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()) {
        let row = users::find_by_username(&app.db, &u).await?.filter(|r| !r.disabled && r.county_code == county);
        let row = row.ok_or_else(|| {
            Error::invalid("invalid_trustee", format!("计票人账号“{u}”不是本县（区）的在用账号")).field("trustees")
        })?;
        let account = users::load_account(&app.db, row.id).await?;
        if !account.is_some_and(|a| a.grants.iter().any(|g| may_be_trustee(g.role))) {
            let m = format!("计票人须是人大工作人员或代表，“{}”不是", row.display_name);
            return Err(Error::invalid("invalid_trustee", m).field("trustees"));
        }
        if !trustees.iter().any(|(x, _)| *x == row.username) {
            trustees.push((row.username, row.display_name));
        }
    }
    if trustees.len() < 2 {
        return Err(
            Error::invalid("two_trustees", "至少需要两位不同的计票人，任何一人都不能单独解密").field("trustees")
        );
    }
    let now = app.now_ms();
    let actor = principal.actor();
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let mut tx = app.db.begin().await?;
    let n = NewBallot {
        county_code: &county,
        region_code: region.as_str(),
        level: &level,
        method: method.as_str(),
        list_id,
        year,
        title: &title,
        places,
        tie_rule: tie.as_str(),
        held_on: &held_on.to_string(),
        closes_at,
        created_by: &actor,
    };
    let id = store::insert_ballot(&mut tx, &n, &ids, &trustees, now).await?;
    let names = trustees.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、");
    let summary = format!("创建{}：{title}，计票人 {names}", method.label());
    crate::audit::append(&mut tx, principal, &county, format!("ballot:{id}"), "ballot.create", summary, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A ballot with what its pages show.
pub struct Full {
    pub ballot: Ballot,
    /// (project id, title, place, cost in yuan, people asking), in ballot order.
    pub projects: Vec<(i64, String, String, i64, i64)>,
    pub trustees: Vec<Trustee>,
    pub approvals: Vec<(String, i64)>,
    pub outcome: Option<Outcome>,
    /// Ballots in the box.
    pub cast: usize,
    pub is_office: bool,
    /// The caller's trustee seat, if any.
    pub my_trustee: Option<Trustee>,
    /// For a deputy of the electorate: '' not yet voted, `online`, `paper`.
    pub my_vote: Option<String>,
}

/// A ballot: anyone may read one once it has opened; before that, its office and trustees.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Full> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    let is_office = office(principal, &b).is_ok();
    let trustees = store::trustees(&app.db, id).await?;
    let me = principal.account().map(|a| a.username.clone()).unwrap_or_default();
    let my_trustee = trustees.iter().find(|t| t.username == me).cloned();
    if b.status == "setup" && !is_office && my_trustee.is_none() {
        return Err(Error::NotFound);
    }
    let mut projects = Vec::new();
    for pid in store::ballot_project_ids(&app.db, id).await? {
        if let Some(p) = store::project(&app.db, pid).await? {
            projects.push((p.id, p.title, p.place, p.estimated_cost, p.people));
        }
    }
    let my_vote = match own_deputy(principal) {
        Some(slug) => match org::deputy_by_slug(&app.db, slug).await? {
            Some(d) => store::voter(&app.db, id, d.id).await?,
            None => None,
        },
        None => None,
    };
    Ok(Full {
        approvals: store::approvals(&app.db, id).await?,
        outcome: b.outcome.as_deref().and_then(|o| serde_json::from_str(o).ok()),
        cast: store::board_count(&app.db, id).await? as usize,
        projects,
        trustees,
        is_office,
        my_trustee,
        my_vote,
        ballot: b,
    })
}

/// The ballots under a region, for its office and readers.
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<(RegionCode, Vec<Ballot>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    Ok((region.clone(), store::ballots_in(&app.db, &region.county_key(), region.as_str()).await?))
}

/// The electorate with who has voted ('' not yet, `online`, `paper`): (slug, name, voted), for
/// the office (the tellers' sign-in list). Never how.
pub async fn electorate(app: &App, principal: &Principal, id: i64) -> Result<Vec<(String, String, String)>> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    Ok(store::electorate(&app.db, id).await?.into_iter().map(|(_, slug, name, _, voted)| (slug, name, voted)).collect())
}

/// The ballots a deputy may vote in, with whether they did.
pub async fn mine(app: &App, principal: &Principal) -> Result<Vec<(Ballot, String)>> {
    let slug = own_deputy(principal).ok_or_else(Error::refused)?;
    let d = org::deputy_by_slug(&app.db, slug).await?.ok_or_else(Error::refused)?;
    Ok(store::ballots_of_deputy(&app.db, d.id).await?)
}

/// A trustee generates their key. The secret is returned once, to be kept by the trustee; the
/// server keeps only the public key and its proof.
pub async fn trustee_key(app: &App, principal: &Principal, id: i64) -> Result<String> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    let me = principal.account().ok_or_else(Error::refused)?;
    let t = store::trustees(&app.db, id).await?.into_iter().find(|t| t.username == me.username);
    let t = t.ok_or_else(|| Error::refused_because("只有这次票决的计票人可以生成计票密钥"))?;
    if b.status != "setup" {
        return Err(Error::conflict("not_setup", "票决已经开始，不能再生成密钥"));
    }
    if t.public_key.is_some() {
        return Err(Error::conflict("key_exists", "你已经生成过计票密钥；密钥只显示一次，请使用你保存的那一份"));
    }
    let (secret, key) = crypto::trustee_keygen(&election_id(&b), &t.display_name);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let json = serde_json::to_string(&key).map_err(Error::internal)?;
    if !store::set_trustee_key(&mut tx, id, t.seq, &json).await? {
        return Err(Error::conflict("key_exists", "你已经生成过计票密钥"));
    }
    let summary = format!("计票人{}生成计票密钥（仅保存公钥）", t.display_name);
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("ballot:{id}"),
        "ballot.trustee_key",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(secret.to_hex())
}

/// A credential slip: who, and the code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Slip {
    pub deputy: String,
    pub region: String,
    pub code: String,
}

/// What the keepers take away from the issuance: the slips to hand out and the master's halves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issued {
    pub slips: Vec<Slip>,
    pub half_a: String,
    pub half_b: String,
    pub keeper_a: String,
    pub keeper_b: String,
}

/// Checks the second keeper's password (a failure counts toward their lock-out like a login)
/// and that they too belong to the office.
async fn second_keeper(app: &App, b: &Ballot, username: &str, password: &str, first: &str) -> Result<String> {
    let username = username.trim().to_lowercase();
    if username == first {
        return Err(Error::invalid("same_keeper", "两位凭证保管人必须是不同的人").field("keeper"));
    }
    let bad = || Error::invalid("keeper_password", "第二位保管人的账号或密码不正确").field("keeper_password");
    let user = users::find_by_username(&app.db, &username).await?.filter(|u| !u.disabled).ok_or_else(bad)?;
    if user.locked_until.is_some_and(|t| t > app.now_ms()) {
        return Err(bad());
    }
    let (pw, hash) = (password.to_string(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || liaison_domain::password::verify_password(&pw, &hash))
        .await
        .map_err(Error::internal)?;
    if !ok {
        crate::accounts::record_failure(app, &user, "作为凭证保管人确认时密码错误").await?;
        return Err(bad());
    }
    let account = users::load_account(&app.db, user.id).await?.ok_or_else(bad)?;
    office(&Principal::User(account), b)
        .map_err(|_| Error::invalid("keeper_scope", "第二位保管人须是本级人大办公室的工作人员").field("keeper"))?;
    Ok(username)
}

/// The deputies of the ballot's congress in office: active deputies of its level under its region.
async fn electorate_of(app: &App, b: &Ballot) -> Result<Vec<org::Deputy>> {
    let mut out: Vec<org::Deputy> = org::deputies_under(&app.db, &b.region_code, false)
        .await?
        .into_iter()
        .filter(|d| {
            d.active && d.data.county_code == b.county_code && d.data.levels.split(',').any(|l| l.trim() == b.level)
        })
        .collect();
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// Issues the credentials (the office, with a second keeper confirming with their password).
pub async fn issue_credentials(
    app: &App,
    principal: &Principal,
    id: i64,
    keeper: &str,
    keeper_password: &str,
) -> Result<Issued> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    if b.status != "setup" {
        return Err(Error::conflict("not_setup", "票决已经开始，不能再发放凭证"));
    }
    if b.credential_commitment.is_some() {
        return Err(Error::conflict("already_issued", "凭证已经发放过；遗失的凭证请两位保管人凭各自的保管码补打"));
    }
    let first = principal.actor();
    let second = second_keeper(app, &b, keeper, keeper_password, &first).await?;
    let deputies = electorate_of(app, &b).await?;
    if deputies.is_empty() {
        return Err(Error::conflict("no_electorate", "本级人大没有在任代表，无法发放凭证"));
    }
    let eid = election_id(&b);
    let (master, a, bh) = crypto::master_split();
    let mut slips = Vec::new();
    let mut publics = Vec::new();
    for d in &deputies {
        let code = crypto::credential_code(&master, &eid, &d.id.to_string());
        let secret = crypto::credential_secret(&code).ok_or_else(|| Error::internal("a credential code parses"))?;
        publics.push(crypto::credential_public(&secret).to_hex());
        slips.push(Slip { deputy: d.data.name.clone(), region: d.data.region_code.clone(), code });
    }
    publics.sort();
    let ids: Vec<i64> = deputies.iter().map(|d| d.id).collect();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let commitment = liaison_ballot::group::sha256_hex(&master);
    let cols =
        [("credential_commitment", Value::OptText(Some(&commitment))), ("electorate", Value::Int(ids.len() as i64))];
    if !update(&mut tx, Table::Ballots, id, b.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "票决刚被别人修改过，请刷新后再试"));
    }
    store::insert_electorate(&mut tx, id, &ids, &publics).await?;
    let summary = format!("发放投票凭证 {} 份，保管人 {first}、{second}", ids.len());
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("ballot:{id}"),
        "ballot.credentials",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { slips, half_a: hex::encode(a), half_b: hex::encode(bh), keeper_a: first, keeper_b: second })
}

/// Prints a lost slip (of `deputy`, a slug; all when empty) again from the two halves: only both
/// keepers together can.
pub async fn reprint(
    app: &App,
    principal: &Principal,
    id: i64,
    half_a: &str,
    half_b: &str,
    deputy: &str,
) -> Result<Vec<Slip>> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    let commitment = b.credential_commitment.clone().ok_or_else(|| Error::conflict("not_issued", "凭证尚未发放"))?;
    if b.status == "closed" || b.status == "tallied" {
        return Err(Error::conflict("closed", "投票已经截止"));
    }
    let master = crypto::master_join(half_a, half_b, &commitment)
        .ok_or_else(|| Error::invalid("bad_halves", "两个保管码不正确，或不属于这次票决").field("half_a"))?;
    let eid = election_id(&b);
    let mut slips = Vec::new();
    for (deputy_id, slug, name, region, _) in store::electorate(&app.db, id).await? {
        if !deputy.is_empty() && slug != deputy {
            continue;
        }
        let code = crypto::credential_code(&master, &eid, &deputy_id.to_string());
        slips.push(Slip { deputy: name, region, code });
    }
    if slips.is_empty() {
        return Err(Error::invalid("not_in_electorate", "这位代表不在这次票决的代表名单中").field("deputy"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let summary = format!("两位保管人补打投票凭证 {} 份", slips.len());
    crate::audit::append(&mut tx, principal, &b.county_code, format!("ballot:{id}"), "ballot.reprint", summary, now)
        .await?;
    tx.commit().await?;
    Ok(slips)
}

fn method_of(b: &Ballot) -> Result<Method> {
    Ok(match b.method.as_str() {
        "choose" => Method::Choose,
        "each" => Method::Each,
        "evaluate" => Method::Evaluate,
        _ => return Err(Error::internal("unknown ballot method")),
    })
}

/// An approval to open (the office; two different people). The second opens the ballot, fixing
/// its parameters.
pub async fn approve(app: &App, principal: &Principal, id: i64) -> Result<bool> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    if b.status != "setup" {
        return Err(Error::conflict("not_setup", "票决已经开始"));
    }
    let trustees = store::trustees(&app.db, id).await?;
    if let Some(t) = trustees.iter().find(|t| t.public_key.is_none()) {
        return Err(Error::conflict("trustee_key_missing", format!("计票人{}还没有生成计票密钥", t.display_name)));
    }
    if b.credential_commitment.is_none() {
        return Err(Error::conflict("not_issued", "投票凭证还没有发放"));
    }
    if b.closes_at <= app.now_ms() {
        return Err(Error::conflict("closes_in_past", "截止时间已过，请重新创建票决"));
    }
    let me = principal.actor();
    if store::approvals(&app.db, id).await?.iter().any(|(u, _)| *u == me) {
        return Err(Error::conflict("already_approved", "你已经同意过；需要另一位工作人员同意后才能开始投票"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = store::approve(&mut tx, id, &me, now).await?;
    let mut opened = false;
    if n >= 2 {
        let keys: Vec<TrusteeKey> = trustees
            .iter()
            .map(|t| serde_json::from_str(t.public_key.as_deref().unwrap_or("")).map_err(Error::internal))
            .collect::<Result<_>>()?;
        let eid = election_id(&b);
        let public_key = Election::joint_key(&keys, &eid).map_err(|p| Error::internal(p.0))?;
        let credentials = store::credentials(&app.db, id)
            .await?
            .iter()
            .map(|h| Point::from_hex(h).ok_or_else(|| Error::internal("a stored credential parses")))
            .collect::<Result<Vec<_>>>()?;
        let mut titles = Vec::new();
        for pid in store::ballot_project_ids(&app.db, id).await? {
            titles.push(store::project(&app.db, pid).await?.map(|p| p.title).unwrap_or_default());
        }
        let e = Election {
            id: eid,
            title: b.title.clone(),
            method: method_of(&b)?,
            candidates: titles,
            places: b.places as u32,
            tie_rule: if b.tie_rule == "runoff" { TieRule::Runoff } else { TieRule::ListOrder },
            electorate: b.electorate as u32,
            trustees: keys,
            public_key,
            credentials,
        };
        e.check().map_err(|p| Error::internal(p.0))?;
        let json = serde_json::to_string(&e).map_err(Error::internal)?;
        let fp = e.fingerprint();
        let cols = [
            ("status", Value::Text("open")),
            ("election", Value::OptText(Some(&json))),
            ("fingerprint", Value::OptText(Some(&fp))),
            ("opened_at", Value::OptInt(Some(now))),
        ];
        if !update(&mut tx, Table::Ballots, id, b.version, &cols, now).await? {
            return Err(Error::conflict("version_conflict", "票决刚被别人修改过，请刷新后再试"));
        }
        opened = true;
    }
    let summary = if opened {
        "同意开始投票（第二人同意，投票开始）"
    } else {
        "同意开始投票（还需另一人同意）"
    };
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("ballot:{id}"),
        "ballot.approve",
        summary.into(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(opened)
}

fn election_of(b: &Ballot) -> Result<Election> {
    serde_json::from_str(b.election.as_deref().ok_or_else(|| Error::internal("an open ballot has parameters"))?)
        .map_err(Error::internal)
}

/// The parameters a ballot is encrypted with: everything but the credential list, whose thousands
/// of points need not be decoded for each vote (the store checks the credential).
fn election_for_casting(b: &Ballot) -> Result<Election> {
    let raw = b.election.as_deref().ok_or_else(|| Error::internal("an open ballot has parameters"))?;
    let mut v: serde_json::Value = serde_json::from_str(raw).map_err(Error::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("credentials".into(), serde_json::Value::Array(Vec::new()));
    }
    serde_json::from_value(v).map_err(Error::internal)
}

/// Turns the chosen option indices per question into the 0/1 vectors the crypto wants.
fn plain(e: &Election, choices: &[Vec<u32>]) -> Result<Vec<Vec<bool>>> {
    let questions = e.questions();
    if choices.len() != questions.len() {
        return Err(Error::invalid("invalid_choices", "选票的题目数与本次票决不符").field("choices"));
    }
    let mut out = Vec::new();
    for (q, c) in questions.iter().zip(choices) {
        let mut row = vec![false; q.options.len()];
        for i in c {
            let slot = row
                .get_mut(*i as usize)
                .ok_or_else(|| Error::invalid("invalid_choices", "选票中有不存在的选项").field("choices"))?;
            *slot = true;
        }
        out.push(row);
    }
    Ok(out)
}

fn open_now(app: &App, b: &Ballot) -> Result<()> {
    match b.status.as_str() {
        "setup" => Err(Error::conflict("not_open", "投票还没有开始")),
        "open" if b.closes_at > app.now_ms() => Ok(()),
        _ => Err(Error::conflict("closed", "投票已经截止，不能再投票")),
    }
}

/// What a voter is told.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Receipt {
    pub tracker: String,
}

/// The deputy the principal is, when the ballot is of their county and region (refused otherwise).
async fn voter_of(app: &App, principal: &Principal, b: &Ballot) -> Result<org::Deputy> {
    let slug = own_deputy(principal).ok_or_else(|| Error::refused_because("只有代表本人可以投票"))?;
    let d = org::deputy_by_slug(&app.db, slug).await?.ok_or_else(Error::refused)?;
    let under = RegionCode::parse(&b.region_code)
        .is_ok_and(|r| RegionCode::parse(&d.data.region_code).is_ok_and(|dr| r.contains(&dr)));
    if d.data.county_code != b.county_code || !under {
        return Err(Error::refused_because("你不在这次票决的代表名单中"));
    }
    Ok(d)
}

/// Refuses unless the principal is a deputy who could be in this ballot's electorate.
pub async fn may_vote(app: &App, principal: &Principal, id: i64) -> Result<()> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    voter_of(app, principal, &b).await.map(|_| ())
}

/// Refuses unless the principal is of the ballot's office.
pub async fn may_run(app: &App, principal: &Principal, id: i64) -> Result<()> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)
}

/// A deputy of the electorate casts their ballot with their credential code. The choices are
/// encrypted here and never stored or logged in the clear; the deputy's register gains "voted".
pub async fn cast(app: &App, principal: &Principal, id: i64, code: &str, choices: &[Vec<u32>]) -> Result<Receipt> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    let d = voter_of(app, principal, &b).await?;
    open_now(app, &b)?;
    let e = election_for_casting(&b)?;
    let secret = crypto::credential_secret(code).ok_or_else(|| {
        Error::invalid("invalid_credential", "凭证码应为 20 位字母和数字（不含 0、1、I、L、O），请对照凭证单核对")
            .field("credential")
    })?;
    let plain = plain(&e, choices)?;
    let fp = b.fingerprint.clone().unwrap_or_default();
    let ballot = crypto::cast_with(&e, &fp, Voter::Credential(secret), &plain)
        .map_err(|p| Error::invalid("invalid_choices", p.0).field("choices"))?;
    let credential = crypto::credential_public(&secret).to_hex();
    let tracker = ballot.tracker();
    let body = serde_json::to_string(&ballot).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    match store::voter_tx(&mut tx, id, d.id).await? {
        None => return Err(Error::refused_because("你不在这次票决的代表名单中")),
        Some(v) if !v.is_empty() => return Err(Error::conflict("already_voted", "你已经投过票，每位代表只能投一次")),
        Some(_) => {}
    }
    if !store::has_credential_tx(&mut tx, id, &credential).await? {
        return Err(Error::invalid("unknown_credential", "凭证码不属于这次票决，请对照凭证单核对").field("credential"));
    }
    if !store::mark_voted(&mut tx, id, d.id, "online").await? {
        return Err(Error::conflict("already_voted", "你已经投过票，每位代表只能投一次"));
    }
    if !store::insert_board(&mut tx, id, &tracker, Some(&credential), None, &body).await? {
        return Err(Error::conflict("credential_used", "这个凭证已经投过票"));
    }
    voted_entry(&mut tx, &b, &d, &principal.actor(), now).await?;
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("ballot:{id}"),
        "ballot.vote",
        "代表已投票".into(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Receipt { tracker })
}

async fn voted_entry(tx: &mut liaison_store::Tx, b: &Ballot, d: &org::Deputy, actor: &str, now: i64) -> Result<()> {
    let description = if b.method == "evaluate" {
        format!("参加民生实事项目满意度测评：{}", b.title)
    } else {
        format!("参加民生实事项目票决：{}", b.title)
    };
    crate::register::automatic(
        tx,
        d,
        DutyKind::Meeting,
        &b.held_on,
        "",
        &description,
        &Source::Ballot(b.id),
        true,
        actor,
        now,
    )
    .await
}

/// The tellers record the deputies who voted on paper (signed in and handed a paper ballot):
/// they may no longer vote online, and the paper ballots entered may not exceed them.
pub async fn paper_voters(app: &App, principal: &Principal, id: i64, deputies: &[String]) -> Result<i64> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    open_now(app, &b)?;
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for slug in deputies.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let d = org::deputy_by_slug(&app.db, slug)
            .await?
            .ok_or_else(|| Error::invalid("invalid_deputy", format!("代表“{slug}”不存在")).field("deputies"))?;
        match store::voter_tx(&mut tx, id, d.id).await? {
            None => {
                return Err(Error::invalid("not_in_electorate", format!("{}不在这次票决的代表名单中", d.data.name))
                    .field("deputies"));
            }
            Some(v) if !v.is_empty() => {
                return Err(Error::conflict("already_voted", format!("{}已经投过票", d.data.name)));
            }
            Some(_) => {}
        }
        store::mark_voted(&mut tx, id, d.id, "paper").await?;
        voted_entry(&mut tx, &b, &d, &actor, now).await?;
        n += 1;
    }
    if n == 0 {
        return Err(Error::invalid("deputy_required", "请选择领取纸质选票的代表").field("deputies"));
    }
    let cols = [("paper_voters", Value::Int(b.paper_voters + n))];
    if !update(&mut tx, Table::Ballots, id, b.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "票决刚被别人修改过，请刷新后再试"));
    }
    let summary = format!("登记 {n} 位代表以纸质选票投票");
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("ballot:{id}"),
        "ballot.paper_voters",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(b.paper_voters + n)
}

/// A teller enters one paper ballot; refused beyond the deputies recorded as voting on paper.
pub async fn enter_paper(app: &App, principal: &Principal, id: i64, choices: &[Vec<u32>]) -> Result<Receipt> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    open_now(app, &b)?;
    if b.paper_ballots >= b.paper_voters {
        return Err(Error::conflict(
            "too_many_paper",
            format!("纸质选票已录入 {} 张，等于登记的纸质投票代表人数，不能再录入", b.paper_ballots),
        ));
    }
    let e = election_for_casting(&b)?;
    let plain = plain(&e, choices)?;
    let serial = b.paper_ballots + 1;
    let fp = b.fingerprint.clone().unwrap_or_default();
    let ballot = crypto::cast_with(&e, &fp, Voter::Paper(serial as u32), &plain)
        .map_err(|p| Error::invalid("invalid_choices", p.0).field("choices"))?;
    let tracker = ballot.tracker();
    let body = serde_json::to_string(&ballot).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cols = [("paper_ballots", Value::Int(serial))];
    if !update(&mut tx, Table::Ballots, id, b.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "另一位计票员刚录入了一张选票，请重试"));
    }
    if !store::insert_board(&mut tx, id, &tracker, None, Some(serial), &body).await? {
        return Err(Error::conflict("version_conflict", "这张纸质选票已经录入"));
    }
    let summary = format!("录入纸质选票（第 {serial} 张）");
    crate::audit::append(&mut tx, principal, &b.county_code, format!("ballot:{id}"), "ballot.paper", summary, now)
        .await?;
    tx.commit().await?;
    Ok(Receipt { tracker })
}

/// Closes a ballot and seals its board (the chair, or the sweep when the time has come).
pub async fn close(app: &App, principal: &Principal, id: i64) -> Result<()> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &b)?;
    seal(app, &b, principal, "由主持人宣布截止").await
}

async fn seal(app: &App, b: &Ballot, principal: &Principal, how: &str) -> Result<()> {
    if b.status != "open" {
        return Err(Error::conflict("not_open", "只有投票中的票决可以截止"));
    }
    let fp = b.fingerprint.clone().ok_or_else(|| Error::internal("an open ballot has a fingerprint"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let rows = store::board_tx(&mut tx, b.id).await?;
    let mut ballots = Vec::with_capacity(rows.len());
    for (tracker, body) in rows {
        ballots.push((tracker, serde_json::from_str(&body).map_err(Error::internal)?));
    }
    let (entries, head) = crypto::seal(&fp, ballots);
    for en in &entries {
        store::seal_entry(&mut tx, b.id, &en.tracker, i64::from(en.seq), &en.chain).await?;
    }
    let cols = [
        ("status", Value::Text("closed")),
        ("head", Value::OptText(Some(&head))),
        ("closed_at", Value::OptInt(Some(now))),
    ];
    if !update(&mut tx, Table::Ballots, b.id, b.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "票决刚被别人修改过，请刷新后再试"));
    }
    let summary = format!("投票截止（{how}），共 {} 张选票，投票箱已封存", entries.len());
    crate::audit::append(&mut tx, principal, &b.county_code, format!("ballot:{}", b.id), "ballot.close", summary, now)
        .await?;
    tx.commit().await?;
    // PostgreSQL keeps the rows' earlier versions (in cast order) until a vacuum.
    liaison_store::projects::vacuum_board(&app.db).await?;
    Ok(())
}

/// Closes every open ballot whose time has come; the number closed.
pub async fn sweep(app: &App) -> Result<usize> {
    let mut n = 0;
    for b in store::ballots_to_close(&app.db, app.now_ms()).await? {
        let system = Principal::User(liaison_domain::authz::Account {
            id: 0,
            username: "system".into(),
            display_name: "系统".into(),
            county_code: b.county_code.clone(),
            grants: Vec::new(),
        });
        match seal(app, &b, &system, "到达截止时间").await {
            Ok(()) => n += 1,
            Err(Error::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

async fn sealed_entries(app: &App, b: &Ballot) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for (tracker, body, seq, chain) in store::board(&app.db, b.id).await? {
        out.push(Entry {
            seq: seq.unwrap_or(0) as u32,
            tracker,
            chain: chain.unwrap_or_default(),
            ballot: serde_json::from_str(&body).map_err(Error::internal)?,
        });
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}

/// A trustee gives their decryption share with their secret key (used for this request only).
/// With the last share the result is computed, recounted and published.
pub async fn give_share(app: &App, principal: &Principal, id: i64, secret: &str) -> Result<Option<Outcome>> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    let me = principal.account().ok_or_else(Error::refused)?;
    let t = store::trustees(&app.db, id).await?.into_iter().find(|t| t.username == me.username);
    let t = t.ok_or_else(|| Error::refused_because("只有这次票决的计票人可以解密计票"))?;
    if b.status != "closed" {
        return Err(Error::conflict(
            "not_closed",
            if b.status == "tallied" { "结果已经公布" } else { "投票截止后才能计票" },
        ));
    }
    if t.share.is_some() {
        return Err(Error::conflict("share_given", "你已经提交过解密份额"));
    }
    let secret = Num::from_hex(secret).ok_or_else(|| {
        Error::invalid("invalid_key", "计票密钥应为 64 位十六进制字符，请对照你保存的密钥核对").field("key")
    })?;
    let e = election_of(&b)?;
    let head = b.head.clone().unwrap_or_default();
    let entries = sealed_entries(app, &b).await?;
    let sum = crypto::aggregate(&e, &entries);
    let share = crypto::share(&e, &head, &sum, (t.seq - 1) as u32, &secret)
        .map_err(|_| Error::invalid("wrong_key", "这不是你在这次票决生成的计票密钥").field("key"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let json = serde_json::to_string(&share).map_err(Error::internal)?;
    if !store::set_trustee_share(&mut tx, id, t.seq, &json).await? {
        return Err(Error::conflict("share_given", "你已经提交过解密份额"));
    }
    let all = store::trustee_shares_tx(&mut tx, id).await?;
    let mut outcome = None;
    if all.iter().all(Option::is_some) {
        let shares: Vec<Share> =
            all.iter().flatten().map(|s| serde_json::from_str(s).map_err(Error::internal)).collect::<Result<_>>()?;
        let board = Board {
            fingerprint: b.fingerprint.clone().unwrap_or_default(),
            paper_voters: b.paper_voters as u32,
            head: head.clone(),
            entries,
            shares,
            outcome: None,
            election: e.clone(),
        };
        let o = crypto::recount(&board).map_err(|p| Error::internal(format!("the board does not recount: {}", p.0)))?;
        let json = serde_json::to_string(&o).map_err(Error::internal)?;
        let cols = [("status", Value::Text("tallied")), ("outcome", Value::OptText(Some(&json)))];
        if !update(&mut tx, Table::Ballots, id, b.version, &cols, now).await? {
            return Err(Error::conflict("version_conflict", "票决刚被别人修改过，请刷新后再试"));
        }
        if b.method != "evaluate" {
            let ids = store::ballot_project_ids(&app.db, id).await?;
            for (i, pid) in ids.iter().enumerate() {
                let i = i as u32;
                let status = if o.chosen.contains(&i) {
                    ProjectStatus::Chosen
                } else if o.undecided.contains(&i) {
                    ProjectStatus::Undecided
                } else {
                    ProjectStatus::NotChosen
                };
                store::set_project_status(&mut tx, *pid, status.as_str(), now).await?;
            }
        }
        let summary = format!("全部计票人提交解密份额，公布结果：共 {} 张选票", o.cast);
        crate::audit::append(&mut tx, principal, &b.county_code, format!("ballot:{id}"), "ballot.tally", summary, now)
            .await?;
        outcome = Some(o);
    }
    let summary = format!("计票人{}提交解密份额", t.display_name);
    crate::audit::append(&mut tx, principal, &b.county_code, format!("ballot:{id}"), "ballot.share", summary, now)
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The public board: while open, the trackers only (sorted); once closed, everything a recount
/// needs.
pub enum PublicBoard {
    Trackers(Vec<String>),
    Sealed(Box<Board>),
}

pub async fn board(app: &App, id: i64) -> Result<(Ballot, PublicBoard)> {
    let b = store::ballot(&app.db, id).await?.ok_or(Error::NotFound)?;
    match b.status.as_str() {
        "setup" => Err(Error::NotFound),
        "open" => {
            let t = store::trackers(&app.db, id).await?;
            Ok((b, PublicBoard::Trackers(t)))
        }
        _ => {
            let e = election_of(&b)?;
            let shares = store::trustees(&app.db, id)
                .await?
                .iter()
                .filter_map(|t| t.share.as_deref())
                .map(|s| serde_json::from_str(s).map_err(Error::internal))
                .collect::<Result<Vec<Share>>>()?;
            let board = Board {
                fingerprint: b.fingerprint.clone().unwrap_or_default(),
                paper_voters: b.paper_voters as u32,
                head: b.head.clone().unwrap_or_default(),
                entries: sealed_entries(app, &b).await?,
                shares,
                outcome: b.outcome.as_deref().and_then(|o| serde_json::from_str(o).ok()),
                election: e,
            };
            Ok((b, PublicBoard::Sealed(Box::new(board))))
        }
    }
}

/// A county's ballots that have opened, for the public.
pub async fn public_list(app: &App, county: &str) -> Result<Vec<Ballot>> {
    Ok(store::public_ballots(&app.db, county).await?)
}
