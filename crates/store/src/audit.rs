//! The append-only audit log: one hash chain per county partition, appended inside the
//! transaction of the change it records.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx, values};
use crate::error::ResultExt;
use liaison_domain::audit::{AuditEntry, AuditEvent, ChainBreak, GENESIS, entry_hash, verify_chain};
use sqlx::AssertSqlSafe;

#[derive(sqlx::FromRow)]
struct Row {
    county_code: String,
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    summary: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            county_code: r.county_code,
            seq: r.seq,
            at_ms: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            summary: r.summary,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Appends an entry to its county's chain.
pub async fn append(tx: &mut Tx, event: &AuditEvent, now_ms: i64) -> Result<AuditEntry> {
    Ok(append_many(tx, std::slice::from_ref(event), now_ms).await?.remove(0))
}

/// Appends entries to their counties' chains, in the order given. Each county's chain head is
/// read and written once however many entries it receives (group commit appends a batch this
/// way). The `UPDATE … RETURNING` on the head takes the row lock on PostgreSQL, so concurrent
/// appenders to one county queue there; SQLite's single writer already serialises them.
pub async fn append_many(tx: &mut Tx, events: &[AuditEvent], now_ms: i64) -> Result<Vec<AuditEntry>> {
    let mut counties: Vec<&str> = events.iter().map(|e| e.county_code.as_str()).collect();
    counties.sort_unstable();
    counties.dedup();
    let mut out: Vec<Option<AuditEntry>> = vec![None; events.len()];
    for county in counties {
        let mine: Vec<usize> = (0..events.len()).filter(|&i| events[i].county_code == county).collect();
        on_tx!(tx, c => sqlx::query("INSERT INTO audit_head (county_code, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (county_code) DO NOTHING")
            .bind(county).bind(GENESIS).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        let (last, mut prev_hash): (i64, String) = on_tx!(tx, c => sqlx::query_as(
            "UPDATE audit_head SET seq = seq + $2 WHERE county_code = $1 RETURNING seq, hash")
            .bind(county).bind(mine.len() as i64).fetch_one(&mut *c).await.store())?;
        let mut seq = last - mine.len() as i64;
        for &i in &mine {
            let e = &events[i];
            seq += 1;
            let hash = entry_hash(&prev_hash, county, seq, now_ms, (&e.actor, &e.action, &e.target, &e.summary));
            out[i] = Some(AuditEntry {
                county_code: county.to_owned(),
                seq,
                at_ms: now_ms,
                actor: e.actor.clone(),
                action: e.action.clone(),
                target: e.target.clone(),
                summary: e.summary.clone(),
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
            });
        }
        let sql = format!(
            "INSERT INTO audit_log (county_code, seq, at, actor, action, target, summary, prev_hash, hash) VALUES {}",
            values(tx, mine.len(), 9)
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for &i in &mine {
                let e = out[i].as_ref().expect("filled above");
                q = q.bind(&e.county_code).bind(e.seq).bind(e.at_ms).bind(&e.actor).bind(&e.action).bind(&e.target)
                    .bind(&e.summary).bind(&e.prev_hash).bind(&e.hash);
            }
            q.execute(&mut *c).await.store().map(|r| r.rows_affected())
        })?;
        on_tx!(tx, c => sqlx::query("UPDATE audit_head SET hash = $2 WHERE county_code = $1")
            .bind(county).bind(&prev_hash).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    }
    Ok(out.into_iter().map(|e| e.expect("every event belongs to a county")).collect())
}

/// Appends one entry in a transaction of its own, for events that change nothing else (a
/// failed login).
pub async fn record(db: &Db, event: &AuditEvent, now_ms: i64) -> Result<AuditEntry> {
    let mut tx = db.begin().await?;
    let e = append(&mut tx, event, now_ms).await?;
    tx.commit().await?;
    Ok(e)
}

/// Filters for the auditor's list. `county_prefix` limits to the auditor's region.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub county_prefix: String,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Newest first.
pub async fn list(db: &Db, f: &Filter) -> Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = on_read!(db, p => sqlx::query_as(
        "SELECT county_code, seq, at, actor, action, target, summary, prev_hash, hash FROM audit_log
         WHERE county_code LIKE $1
           AND (CAST($2 AS TEXT) IS NULL OR actor = $2)
           AND (CAST($3 AS TEXT) IS NULL OR action LIKE $3)
           AND (CAST($4 AS BIGINT) IS NULL OR at >= $4)
           AND (CAST($5 AS BIGINT) IS NULL OR at < $5)
         ORDER BY at DESC, county_code, seq DESC LIMIT $6 OFFSET $7")
        .bind(format!("{}%", f.county_prefix))
        .bind(&f.actor)
        .bind(f.action.as_ref().map(|a| format!("{a}%")))
        .bind(f.from_ms).bind(f.to_ms).bind(f.limit.clamp(1, 1000)).bind(f.offset.max(0))
        .fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// The partition of entries that belong to no county (unknown usernames, anchors).
pub const SYSTEM_PARTITION: &str = "000000";

/// One county's chain head at a moment: (county, seq, hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    pub county_code: String,
    pub seq: i64,
    pub hash: String,
}

const ANCHOR_ACTION: &str = "audit.anchor";

fn anchor_summary(heads: &[Anchor]) -> String {
    let list: Vec<String> = heads.iter().map(|a| format!("{}#{}#{}", a.county_code, a.seq, a.hash)).collect();
    format!("锚定各县审计链头：{}", list.join(";"))
}

fn parse_anchor_summary(s: &str) -> Vec<Anchor> {
    let Some(list) = s.strip_prefix("锚定各县审计链头：") else { return vec![] };
    list.split(';')
        .filter_map(|item| {
            let mut p = item.splitn(3, '#');
            Some(Anchor { county_code: p.next()?.to_owned(), seq: p.next()?.parse().ok()?, hash: p.next()?.to_owned() })
        })
        .collect()
}

/// Records every county's chain head (seq and hash) as an entry of the system chain and returns
/// them, so that the operator can also keep them outside the database. A later tail truncation
/// with a rewritten head, or the removal of a whole county, no longer matches an anchor.
pub async fn anchor(db: &Db, now_ms: i64) -> Result<Vec<Anchor>> {
    let mut tx = db.begin().await?;
    let heads: Vec<(String, i64, String)> = on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT county_code, seq, hash FROM audit_head WHERE county_code <> $1 ORDER BY county_code")
        .bind(SYSTEM_PARTITION).fetch_all(&mut *c).await.store())?;
    let heads: Vec<Anchor> =
        heads.into_iter().map(|(county_code, seq, hash)| Anchor { county_code, seq, hash }).collect();
    let ev = AuditEvent {
        county_code: SYSTEM_PARTITION.to_owned(),
        actor: "system".into(),
        action: ANCHOR_ACTION.into(),
        target: "audit:heads".into(),
        summary: anchor_summary(&heads),
    };
    append(&mut tx, &ev, now_ms).await?;
    tx.commit().await?;
    Ok(heads)
}

/// When the newest anchor was written, if ever.
pub async fn last_anchor_at(db: &Db) -> Result<Option<i64>> {
    on_read!(db, p => sqlx::query_scalar("SELECT MAX(at) FROM audit_log WHERE county_code = $1 AND action = $2")
        .bind(SYSTEM_PARTITION).bind(ANCHOR_ACTION).fetch_one(p).await.store())
}

/// Checks anchors against the chains: each anchored county must still have the anchored entry.
fn check_anchors(
    anchors: &[Anchor],
    chains: &std::collections::HashMap<String, Vec<(i64, String)>>,
) -> Vec<ChainBreak> {
    let mut out = Vec::new();
    for a in anchors {
        let brk =
            |reason: &str| ChainBreak { county_code: a.county_code.clone(), seq: a.seq, reason: reason.to_owned() };
        match chains.get(&a.county_code) {
            None => out.push(brk("锚定过的县已无任何审计记录：整县记录被删除")),
            Some(entries) => match entries.get((a.seq - 1).max(0) as usize) {
                Some((seq, hash)) if *seq == a.seq && *hash == a.hash => {}
                Some(_) => out.push(brk("与锚定的链头不符：链被改写")),
                None => out.push(brk("锚定的条目已不存在：末尾条目被删除、链头被改写")),
            },
        }
    }
    out.sort_by(|x, y| (&x.county_code, x.seq).cmp(&(&y.county_code, y.seq)));
    out.dedup_by(|x, y| x.county_code == y.county_code);
    out
}

/// The result of verifying every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub chains: u64,
    pub entries: u64,
    pub breaks: Vec<ChainBreak>,
}

/// Verifies every county's chain, and the anchors recorded in the system chain plus `external`
/// ones (kept outside the database by the operator).
pub async fn verify_all(db: &Db, external: &[Anchor]) -> Result<Verification> {
    let heads: Vec<(String, i64, String)> = on_read!(db, p => sqlx::query_as(
        "SELECT county_code, seq, hash FROM audit_head ORDER BY county_code").fetch_all(p).await.store())?;
    let orphan: Vec<String> = on_read!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT county_code FROM audit_log WHERE county_code NOT IN (SELECT county_code FROM audit_head)")
        .fetch_all(p).await.store())?;
    let mut out = Verification { chains: heads.len() as u64, entries: 0, breaks: vec![] };
    for county in orphan {
        out.breaks.push(ChainBreak { county_code: county, seq: 1, reason: "链头缺失".into() });
    }
    let mut anchors: Vec<Anchor> = external.to_vec();
    let mut chains = std::collections::HashMap::new();
    for (county, head_seq, head_hash) in heads {
        let entries: Vec<AuditEntry> = on_read!(db, p => sqlx::query_as::<_, Row>(
            "SELECT county_code, seq, at, actor, action, target, summary, prev_hash, hash FROM audit_log WHERE county_code = $1 ORDER BY seq")
            .bind(&county).fetch_all(p).await.store())?
            .into_iter().map(AuditEntry::from).collect();
        match verify_chain(&county, &entries, Some((head_seq, &head_hash))) {
            Ok(n) => out.entries += n,
            Err(b) => out.breaks.push(b),
        }
        if county == SYSTEM_PARTITION {
            anchors.extend(
                entries.iter().filter(|e| e.action == ANCHOR_ACTION).flat_map(|e| parse_anchor_summary(&e.summary)),
            );
        }
        chains.insert(county, entries.into_iter().map(|e| (e.seq, e.hash)).collect::<Vec<_>>());
    }
    out.breaks.extend(check_anchors(&anchors, &chains));
    Ok(out)
}
