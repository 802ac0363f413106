//! Livelihood projects as stored: nominations, candidate projects, candidate lists, ballots with
//! their trustees, approvals, electorate, credentials and board, and the chosen projects'
//! milestones, updates and photos. Rows with a version change through `voter_work::update`.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

// ---- Nominations ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct NominationRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_slug: Option<String>,
    pub channel: String,
    pub title: String,
    pub place: String,
    pub content: String,
    pub people: i64,
    pub deputy_id: Option<i64>,
    pub status: String,
    pub project_id: Option<i64>,
    pub reason: String,
    pub version: i64,
    pub created_at: i64,
}

const NOMINATION: &str = "SELECT id, county_code, region_code, station_slug, channel, title, place, content, people,
    deputy_id, status, project_id, reason, version, created_at FROM project_nominations";

pub struct NewNomination<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub station_slug: Option<&'a str>,
    pub channel: &'a str,
    pub title: &'a str,
    pub place: &'a str,
    pub content: &'a str,
    pub people: i64,
    pub deputy_id: Option<i64>,
    pub recorded_by: &'a str,
}

pub async fn insert_nomination(tx: &mut Tx, n: &NewNomination<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO project_nominations (county_code, region_code, station_slug, channel, title, place, content, people,
           deputy_id, status, recorded_by, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, 1, $11, $11) RETURNING id")
        .bind(n.county_code).bind(n.region_code).bind(n.station_slug).bind(n.channel).bind(n.title).bind(n.place)
        .bind(n.content).bind(n.people).bind(n.deputy_id).bind(n.recorded_by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn nomination(db: &Db, id: i64) -> Result<Option<NominationRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{NOMINATION} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// A county's nominations under `region`, `status` ones only when given, newest first (at most 500).
pub async fn nominations_in(db: &Db, county: &str, region: &str, status: Option<&str>) -> Result<Vec<NominationRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{NOMINATION} WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND ($4 = '' OR status = $4)
         ORDER BY id DESC LIMIT 500")))
        .bind(county).bind(region).bind(format!("{region}%")).bind(status.unwrap_or("")).fetch_all(p).await.store())
}

pub async fn nominations_of_project(db: &Db, project_id: i64) -> Result<Vec<NominationRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{NOMINATION} WHERE project_id = $1 ORDER BY id")))
        .bind(project_id).fetch_all(p).await.store())
}

// ---- Projects ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub level: String,
    pub year: i64,
    pub title: String,
    pub place: String,
    pub description: String,
    pub estimated_cost: i64,
    pub owner_agency: Option<String>,
    pub status: String,
    pub people: i64,
    pub version: i64,
    pub created_at: i64,
}

const PROJECT: &str = "SELECT id, county_code, region_code, level, year, title, place, description, estimated_cost,
    owner_agency, status, people, version, created_at FROM projects";

pub struct NewProject<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub level: &'a str,
    pub year: i64,
    pub title: &'a str,
    pub place: &'a str,
    pub description: &'a str,
    pub estimated_cost: i64,
    pub owner_agency: Option<&'a str>,
    pub people: i64,
    pub created_by: &'a str,
}

pub async fn insert_project(tx: &mut Tx, n: &NewProject<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO projects (county_code, region_code, level, year, title, place, description, estimated_cost,
           owner_agency, status, people, created_by, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'candidate', $10, $11, 1, $12, $12) RETURNING id")
        .bind(n.county_code).bind(n.region_code).bind(n.level).bind(n.year).bind(n.title).bind(n.place)
        .bind(n.description).bind(n.estimated_cost).bind(n.owner_agency).bind(n.people).bind(n.created_by).bind(now_ms)
        .fetch_one(&mut *c).await.store())
}

pub async fn project(db: &Db, id: i64) -> Result<Option<ProjectRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{PROJECT} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// A county's projects under `region` (of `year` when given), newest year first.
pub async fn projects_in(db: &Db, county: &str, region: &str, year: Option<i64>) -> Result<Vec<ProjectRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{PROJECT} WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND ($4 = 0 OR year = $4)
         ORDER BY year DESC, id LIMIT 500")))
        .bind(county).bind(region).bind(format!("{region}%")).bind(year.unwrap_or(0)).fetch_all(p).await.store())
}

/// The projects an agency owns, newest year first.
pub async fn projects_of_agency(db: &Db, agency: &str) -> Result<Vec<ProjectRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{PROJECT} WHERE owner_agency = $1 AND status IN ('chosen', 'done') ORDER BY year DESC, id LIMIT 500")))
        .bind(agency).fetch_all(p).await.store())
}

/// Chosen (or done) projects of a county, for the public pages and the evaluation.
pub async fn chosen_projects(db: &Db, county: &str, region: &str, year: i64) -> Result<Vec<ProjectRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{PROJECT} WHERE county_code = $1 AND region_code = $2 AND year = $3 AND status IN ('chosen', 'done') ORDER BY id")))
        .bind(county).bind(region).bind(year).fetch_all(p).await.store())
}

pub async fn set_project_status(tx: &mut Tx, id: i64, status: &str, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE projects SET status = $2, version = version + 1, updated_at = $3 WHERE id = $1")
        .bind(id).bind(status).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

pub async fn add_people(tx: &mut Tx, id: i64, people: i64, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE projects SET people = people + $2, version = version + 1, updated_at = $3 WHERE id = $1")
        .bind(id).bind(people).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

// ---- Candidate lists ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub level: String,
    pub year: i64,
    pub session: String,
    pub places: i64,
    pub ratio_percent: i64,
    pub status: String,
    pub approved_by: Option<String>,
    pub approved_note: String,
    pub approved_at: Option<i64>,
    pub created_by: String,
    pub version: i64,
    pub created_at: i64,
}

const LIST: &str =
    "SELECT id, county_code, region_code, level, year, session, places, ratio_percent, status, approved_by,
    approved_note, approved_at, created_by, version, created_at FROM candidate_lists";

pub struct NewList<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub level: &'a str,
    pub year: i64,
    pub session: &'a str,
    pub places: i64,
    pub ratio_percent: i64,
    pub created_by: &'a str,
}

pub async fn insert_list(tx: &mut Tx, n: &NewList<'_>, projects: &[i64], now_ms: i64) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO candidate_lists (county_code, region_code, level, year, session, places, ratio_percent, status, created_by,
           version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, 1, $9, $9) RETURNING id")
        .bind(n.county_code).bind(n.region_code).bind(n.level).bind(n.year).bind(n.session).bind(n.places)
        .bind(n.ratio_percent).bind(n.created_by).bind(now_ms).fetch_one(&mut *c).await.store())?;
    for (i, p) in projects.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO candidate_list_items (list_id, seq, project_id) VALUES ($1, $2, $3)")
            .bind(id).bind(i as i64 + 1).bind(p).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(id)
}

pub async fn list(db: &Db, id: i64) -> Result<Option<ListRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{LIST} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

pub async fn lists_in(db: &Db, county: &str, region: &str) -> Result<Vec<ListRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{LIST} WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) ORDER BY year DESC, id DESC LIMIT 200")))
        .bind(county).bind(region).bind(format!("{region}%")).fetch_all(p).await.store())
}

/// A list's projects, in the list's order.
pub async fn list_projects(db: &Db, list_id: i64) -> Result<Vec<ProjectRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT p.id, p.county_code, p.region_code, p.level, p.year, p.title, p.place, p.description, p.estimated_cost,
           p.owner_agency, p.status, p.people, p.version, p.created_at
         FROM candidate_list_items i JOIN projects p ON p.id = i.project_id WHERE i.list_id = $1 ORDER BY i.seq")
        .bind(list_id).fetch_all(p).await.store())
}

// ---- Ballots ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct BallotRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub level: String,
    pub method: String,
    pub list_id: Option<i64>,
    pub year: i64,
    pub title: String,
    pub places: i64,
    pub tie_rule: String,
    pub held_on: String,
    pub closes_at: i64,
    pub status: String,
    pub credential_commitment: Option<String>,
    pub election: Option<String>,
    pub fingerprint: Option<String>,
    pub electorate: i64,
    pub paper_voters: i64,
    pub paper_ballots: i64,
    pub head: Option<String>,
    pub outcome: Option<String>,
    pub created_by: String,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

const BALLOT: &str = "SELECT id, county_code, region_code, level, method, list_id, year, title, places, tie_rule, held_on,
    closes_at, status, credential_commitment, election, fingerprint, electorate, paper_voters, paper_ballots, head, outcome,
    created_by, opened_at, closed_at, version, created_at FROM ballots";

pub struct NewBallot<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub level: &'a str,
    pub method: &'a str,
    pub list_id: Option<i64>,
    pub year: i64,
    pub title: &'a str,
    pub places: i64,
    pub tie_rule: &'a str,
    pub held_on: &'a str,
    pub closes_at: i64,
    pub created_by: &'a str,
}

pub async fn insert_ballot(
    tx: &mut Tx,
    n: &NewBallot<'_>,
    projects: &[i64],
    trustees: &[(String, String)],
    now_ms: i64,
) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO ballots (county_code, region_code, level, method, list_id, year, title, places, tie_rule, held_on, closes_at,
           status, created_by, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'setup', $12, 1, $13, $13) RETURNING id")
        .bind(n.county_code).bind(n.region_code).bind(n.level).bind(n.method).bind(n.list_id).bind(n.year).bind(n.title)
        .bind(n.places).bind(n.tie_rule).bind(n.held_on).bind(n.closes_at).bind(n.created_by).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    for (i, p) in projects.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO ballot_projects (ballot_id, seq, project_id) VALUES ($1, $2, $3)")
            .bind(id).bind(i as i64 + 1).bind(p).execute(&mut *c).await.store().map(|_| ()))?;
    }
    for (i, (u, name)) in trustees.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO ballot_trustees (ballot_id, seq, username, display_name) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(i as i64 + 1).bind(u).bind(name).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(id)
}

pub async fn ballot(db: &Db, id: i64) -> Result<Option<BallotRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{BALLOT} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// A county's ballots under `region`, newest first.
pub async fn ballots_in(db: &Db, county: &str, region: &str) -> Result<Vec<BallotRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{BALLOT} WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) ORDER BY id DESC LIMIT 200")))
        .bind(county).bind(region).bind(format!("{region}%")).fetch_all(p).await.store())
}

/// Ballots a deputy may vote in, newest first.
pub async fn ballots_of_deputy(db: &Db, deputy_id: i64) -> Result<Vec<(BallotRow, String)>> {
    let rows: Vec<(i64, String)> = on_read!(db, p => sqlx::query_as(
        "SELECT ballot_id, voted FROM ballot_electorate WHERE deputy_id = $1 ORDER BY ballot_id DESC LIMIT 100")
        .bind(deputy_id).fetch_all(p).await.store())?;
    let mut out = Vec::new();
    for (id, voted) in rows {
        if let Some(b) = ballot(db, id).await? {
            out.push((b, voted));
        }
    }
    Ok(out)
}

/// Open ballots whose closing time has come.
pub async fn ballots_to_close(db: &Db, now_ms: i64) -> Result<Vec<BallotRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{BALLOT} WHERE status = 'open' AND closes_at <= $1")))
        .bind(now_ms).fetch_all(p).await.store())
}

/// Public ballots of a county (opened at least once), newest first.
pub async fn public_ballots(db: &Db, county: &str) -> Result<Vec<BallotRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{BALLOT} WHERE county_code = $1 AND status <> 'setup' ORDER BY id DESC LIMIT 200")))
        .bind(county).fetch_all(p).await.store())
}

pub async fn ballot_project_ids(db: &Db, ballot_id: i64) -> Result<Vec<i64>> {
    on_read!(db, p => sqlx::query_scalar("SELECT project_id FROM ballot_projects WHERE ballot_id = $1 ORDER BY seq")
        .bind(ballot_id).fetch_all(p).await.store())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct TrusteeRow {
    pub seq: i64,
    pub username: String,
    pub display_name: String,
    pub public_key: Option<String>,
    pub share: Option<String>,
}

pub async fn trustees(db: &Db, ballot_id: i64) -> Result<Vec<TrusteeRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT seq, username, display_name, public_key, share FROM ballot_trustees WHERE ballot_id = $1 ORDER BY seq")
        .bind(ballot_id).fetch_all(p).await.store())
}

/// Sets a trustee's key once (false when it was already set).
pub async fn set_trustee_key(tx: &mut Tx, ballot_id: i64, seq: i64, key: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE ballot_trustees SET public_key = $3 WHERE ballot_id = $1 AND seq = $2 AND public_key IS NULL")
        .bind(ballot_id).bind(seq).bind(key).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

pub async fn set_trustee_share(tx: &mut Tx, ballot_id: i64, seq: i64, share: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE ballot_trustees SET share = $3 WHERE ballot_id = $1 AND seq = $2 AND share IS NULL")
        .bind(ballot_id).bind(seq).bind(share).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

pub async fn trustee_shares_tx(tx: &mut Tx, ballot_id: i64) -> Result<Vec<Option<String>>> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT share FROM ballot_trustees WHERE ballot_id = $1 ORDER BY seq")
        .bind(ballot_id).fetch_all(&mut *c).await.store())
}

pub async fn approvals(db: &Db, ballot_id: i64) -> Result<Vec<(String, i64)>> {
    on_read!(db, p => sqlx::query_as("SELECT username, approved_at FROM ballot_approvals WHERE ballot_id = $1 ORDER BY approved_at")
        .bind(ballot_id).fetch_all(p).await.store())
}

/// Adds an approval; the number of distinct approvals after it.
pub async fn approve(tx: &mut Tx, ballot_id: i64, username: &str, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query("INSERT INTO ballot_approvals (ballot_id, username, approved_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(ballot_id).bind(username).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))?;
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM ballot_approvals WHERE ballot_id = $1")
        .bind(ballot_id).fetch_one(&mut *c).await.store())
}

/// Records the electorate and the public credentials (already sorted).
pub async fn insert_electorate(tx: &mut Tx, ballot_id: i64, deputies: &[i64], credentials: &[String]) -> Result<()> {
    for d in deputies {
        on_tx!(tx, c => sqlx::query("INSERT INTO ballot_electorate (ballot_id, deputy_id) VALUES ($1, $2)")
            .bind(ballot_id).bind(d).execute(&mut *c).await.store().map(|_| ()))?;
    }
    for cr in credentials {
        on_tx!(tx, c => sqlx::query("INSERT INTO ballot_credentials (ballot_id, credential) VALUES ($1, $2)")
            .bind(ballot_id).bind(cr).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(())
}

/// The electorate: (deputy id, slug, name, region code, voted), by region and name.
pub async fn electorate(db: &Db, ballot_id: i64) -> Result<Vec<(i64, String, String, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT d.id, d.slug, d.name, d.region_code, e.voted FROM ballot_electorate e JOIN deputies d ON d.id = e.deputy_id
         WHERE e.ballot_id = $1 ORDER BY d.region_code, d.name, d.id")
        .bind(ballot_id).fetch_all(p).await.store())
}

/// A deputy's place in the electorate: None when not in it, else how they voted ('' not yet).
pub async fn voter_tx(tx: &mut Tx, ballot_id: i64, deputy_id: i64) -> Result<Option<String>> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT voted FROM ballot_electorate WHERE ballot_id = $1 AND deputy_id = $2")
        .bind(ballot_id).bind(deputy_id).fetch_optional(&mut *c).await.store())
}

pub async fn voter(db: &Db, ballot_id: i64, deputy_id: i64) -> Result<Option<String>> {
    on_read!(db, p => sqlx::query_scalar("SELECT voted FROM ballot_electorate WHERE ballot_id = $1 AND deputy_id = $2")
        .bind(ballot_id).bind(deputy_id).fetch_optional(p).await.store())
}

/// Marks a deputy as having voted by `channel`; false when they already had.
pub async fn mark_voted(tx: &mut Tx, ballot_id: i64, deputy_id: i64, channel: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE ballot_electorate SET voted = $3 WHERE ballot_id = $1 AND deputy_id = $2 AND voted = ''")
        .bind(ballot_id).bind(deputy_id).bind(channel).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

pub async fn has_credential_tx(tx: &mut Tx, ballot_id: i64, credential: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ballot_credentials WHERE ballot_id = $1 AND credential = $2")
        .bind(ballot_id).bind(credential).fetch_one(&mut *c).await.store().map(|n| n > 0))
}

pub async fn credentials(db: &Db, ballot_id: i64) -> Result<Vec<String>> {
    on_read!(db, p => sqlx::query_scalar("SELECT credential FROM ballot_credentials WHERE ballot_id = $1 ORDER BY credential")
        .bind(ballot_id).fetch_all(p).await.store())
}

/// Puts a ballot in the box; false when its credential (or paper number) was used already.
pub async fn insert_board(
    tx: &mut Tx,
    ballot_id: i64,
    tracker: &str,
    credential: Option<&str>,
    paper: Option<i64>,
    body: &str,
) -> Result<bool> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ballot_board (ballot_id, tracker, credential, paper, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(ballot_id).bind(tracker).bind(credential).bind(paper).bind(body).execute(&mut *c).await.store()
        .map(|r| r.rows_affected() == 1))
}

/// (tracker, body, seq, chain) of a board, in tracker order.
pub async fn board(db: &Db, ballot_id: i64) -> Result<Vec<(String, String, Option<i64>, Option<String>)>> {
    on_read!(db, p => sqlx::query_as("SELECT tracker, body, seq, chain FROM ballot_board WHERE ballot_id = $1 ORDER BY tracker")
        .bind(ballot_id).fetch_all(p).await.store())
}

pub async fn board_tx(tx: &mut Tx, ballot_id: i64) -> Result<Vec<(String, String)>> {
    on_tx!(tx, c => sqlx::query_as("SELECT tracker, body FROM ballot_board WHERE ballot_id = $1 ORDER BY tracker")
        .bind(ballot_id).fetch_all(&mut *c).await.store())
}

/// Trackers only, for the receipt check while the ballot is open.
pub async fn trackers(db: &Db, ballot_id: i64) -> Result<Vec<String>> {
    on_read!(db, p => sqlx::query_scalar("SELECT tracker FROM ballot_board WHERE ballot_id = $1 ORDER BY tracker")
        .bind(ballot_id).fetch_all(p).await.store())
}

/// Ballots in a box.
pub async fn board_count(db: &Db, ballot_id: i64) -> Result<i64> {
    on_read!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM ballot_board WHERE ballot_id = $1")
        .bind(ballot_id).fetch_one(p).await.store())
}

/// Rewrites every row of the board at sealing: its place and chain value in tracker order.
pub async fn seal_entry(tx: &mut Tx, ballot_id: i64, tracker: &str, seq: i64, chain: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE ballot_board SET seq = $3, chain = $4 WHERE ballot_id = $1 AND tracker = $2")
        .bind(ballot_id).bind(tracker).bind(seq).bind(chain).execute(&mut *c).await.store().map(|_| ()))
}

// ---- Progress ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub due_on: String,
    pub budget: i64,
    pub done_on: Option<String>,
}

pub async fn insert_milestone(
    tx: &mut Tx,
    project_id: i64,
    title: &str,
    due_on: &str,
    budget: i64,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO project_milestones (project_id, title, due_on, budget, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(project_id).bind(title).bind(due_on).bind(budget).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn milestones(db: &Db, project_id: i64) -> Result<Vec<MilestoneRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT id, project_id, title, due_on, budget, done_on FROM project_milestones WHERE project_id = $1 ORDER BY due_on, id")
        .bind(project_id).fetch_all(p).await.store())
}

pub async fn milestone_done(tx: &mut Tx, id: i64, project_id: i64, done_on: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE project_milestones SET done_on = $3 WHERE id = $1 AND project_id = $2 AND done_on IS NULL")
        .bind(id).bind(project_id).bind(done_on).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub project_id: i64,
    pub kind: String,
    pub happened_on: String,
    pub body: String,
    pub answer: String,
    pub percent: Option<i64>,
    pub spent: Option<i64>,
    pub deputies: String,
    pub recorded_by: String,
    pub created_at: i64,
}

pub struct NewUpdate<'a> {
    pub project_id: i64,
    pub kind: &'a str,
    pub happened_on: &'a str,
    pub body: &'a str,
    pub answer: &'a str,
    pub percent: Option<i64>,
    pub spent: Option<i64>,
    pub deputies: &'a str,
    pub recorded_by: &'a str,
}

pub async fn insert_update(tx: &mut Tx, u: &NewUpdate<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO project_updates (project_id, kind, happened_on, body, answer, percent, spent, deputies, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(u.project_id).bind(u.kind).bind(u.happened_on).bind(u.body).bind(u.answer).bind(u.percent).bind(u.spent)
        .bind(u.deputies).bind(u.recorded_by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn updates(db: &Db, project_id: i64) -> Result<Vec<UpdateRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT id, project_id, kind, happened_on, body, answer, percent, spent, deputies, recorded_by, created_at
         FROM project_updates WHERE project_id = $1 ORDER BY happened_on DESC, id DESC")
        .bind(project_id).fetch_all(p).await.store())
}

pub async fn set_answer(tx: &mut Tx, id: i64, project_id: i64, answer: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE project_updates SET answer = $3 WHERE id = $1 AND project_id = $2 AND kind = 'question' AND answer = ''")
        .bind(id).bind(project_id).bind(answer).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

pub async fn insert_photo(tx: &mut Tx, update_id: i64, hash: &str, mime: &str, bytes: i64, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO project_photos (update_id, hash, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(update_id).bind(hash).bind(mime).bind(bytes).bind(now_ms).fetch_one(&mut *c).await.store())
}

/// (photo id, update id, hash, mime) of a project's photos.
pub async fn photos(db: &Db, project_id: i64) -> Result<Vec<(i64, i64, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT ph.id, ph.update_id, ph.hash, ph.mime FROM project_photos ph JOIN project_updates u ON u.id = ph.update_id
         WHERE u.project_id = $1 ORDER BY ph.id")
        .bind(project_id).fetch_all(p).await.store())
}

pub async fn photo(db: &Db, id: i64) -> Result<Option<(i64, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT u.project_id, ph.hash, ph.mime FROM project_photos ph JOIN project_updates u ON u.id = ph.update_id WHERE ph.id = $1")
        .bind(id).fetch_optional(p).await.store())
}

/// Livelihood-project figures of a county under a region for a year.
#[derive(Debug, Clone, Default, serde::Serialize, sqlx::FromRow)]
pub struct Totals {
    /// Nominations received in the year, and the people behind them.
    pub nominations: i64,
    pub people: i64,
    /// Projects of the year chosen by ballot (or done).
    pub chosen: i64,
    /// Ballots of the year whose result is published, and the deputies who voted in them
    /// (counted, never how).
    pub ballots_tallied: i64,
    pub ballots_cast: i64,
    /// Deputies' inspections of, and questions on, the year's projects.
    pub inspections: i64,
}

/// The figures of a county under `region` in `year`.
pub async fn totals(db: &Db, county: &str, region: &str, year: i64) -> Result<Totals> {
    on_read!(db, p => sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM project_nominations WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3)
              AND created_at >= $5 AND created_at < $6) AS nominations,
           (SELECT CAST(COALESCE(SUM(people), 0) AS BIGINT) FROM project_nominations WHERE county_code = $1
              AND (region_code = $2 OR region_code LIKE $3) AND created_at >= $5 AND created_at < $6) AS people,
           (SELECT COUNT(*) FROM projects WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND year = $4
              AND status IN ('chosen', 'done')) AS chosen,
           (SELECT COUNT(*) FROM ballots WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND year = $4
              AND status = 'tallied') AS ballots_tallied,
           (SELECT COUNT(*) FROM ballot_electorate e JOIN ballots b ON b.id = e.ballot_id WHERE b.county_code = $1
              AND (b.region_code = $2 OR b.region_code LIKE $3) AND b.year = $4 AND e.voted <> '') AS ballots_cast,
           (SELECT COUNT(*) FROM project_updates u JOIN projects p ON p.id = u.project_id WHERE p.county_code = $1
              AND (p.region_code = $2 OR p.region_code LIKE $3) AND p.year = $4 AND u.kind IN ('inspection', 'question')) AS inspections")
        .bind(county).bind(region).bind(format!("{region}%")).bind(year)
        .bind(year_start_ms(year)).bind(year_start_ms(year + 1)).fetch_one(p).await.store())
}

/// Midnight of 1 January of `year`, China time, in milliseconds.
fn year_start_ms(year: i64) -> i64 {
    let days = chrono::NaiveDate::from_ymd_opt(year as i32, 1, 1)
        .map(|d| d.signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days())
        .unwrap_or(0);
    days * 86_400_000 - 8 * 3_600_000
}

/// After sealing: on PostgreSQL, vacuums the board and the electorate so that the rows' earlier
/// versions (written in the order of voting) are gone from the table files. SQLite rewrites a
/// row in place and needs nothing.
pub async fn vacuum_board(db: &Db) -> Result<()> {
    if let Db::Postgres(pool) = db {
        sqlx::query("VACUUM ballot_board, ballot_electorate").execute(pool).await.store()?;
    }
    Ok(())
}
