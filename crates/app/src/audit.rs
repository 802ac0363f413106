//! The audit log as the auditor reads it: entries within their regions, newest first.

use crate::{App, Result};
use liaison_domain::audit::{AuditEntry, AuditEvent};
use liaison_domain::authz::{self, Action, Principal, Scope};
use liaison_store::{Tx, audit};

/// Appends the principal's entry on `target` to the log, in the transaction of the change it
/// records.
pub(crate) async fn append(
    tx: &mut Tx,
    principal: &Principal,
    county: &str,
    target: String,
    action: &str,
    summary: String,
    now: i64,
) -> Result<()> {
    let ev =
        AuditEvent { county_code: county.into(), actor: principal.actor(), action: action.into(), target, summary };
    audit::append(tx, &ev, now).await?;
    Ok(())
}

/// The auditor's filters.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Entries within the principal's audit regions, newest first.
pub async fn entries(app: &App, principal: &Principal, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let mut out = Vec::new();
    for scope in authz::reach(principal, Action::AuditRead) {
        if let Scope::Region(code) = scope {
            let f = audit::Filter {
                county_prefix: code.as_str().to_owned(),
                actor: q.actor.clone().filter(|s| !s.is_empty()),
                action: q.action.clone().filter(|s| !s.is_empty()),
                from_ms: q.from_ms,
                to_ms: q.to_ms,
                limit,
                offset: q.offset.unwrap_or(0),
            };
            out.extend(audit::list(&app.db, &f).await?);
        }
    }
    out.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then(b.seq.cmp(&a.seq)));
    out.truncate(limit as usize);
    Ok(out)
}
