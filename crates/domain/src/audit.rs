//! The audit chain. Entries are appended per county partition; each entry's hash covers its own
//! fields and its predecessor's hash, so an edited, removed or reordered entry breaks the chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a state change records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Partition: the six-digit county key of the data the change touched.
    pub county_code: String,
    pub actor: String,
    /// A dotted verb such as `user.create` or `session.login_failed`.
    pub action: String,
    /// What was acted on, e.g. `user:12` or `region:611026001`.
    pub target: String,
    /// A short readable summary; never personal data.
    pub summary: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub county_code: String,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry given its predecessor's. Fields are length-prefixed so that moving text
/// between fields changes the hash.
pub fn entry_hash(prev_hash: &str, county_code: &str, seq: i64, at_ms: i64, event: (&str, &str, &str, &str)) -> String {
    let (actor, action, target, summary) = event;
    let mut h = Sha256::new();
    for part in [prev_hash, county_code, &seq.to_string(), &at_ms.to_string(), actor, action, target, summary] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            &self.county_code,
            self.seq,
            self.at_ms,
            (&self.actor, &self.action, &self.target, &self.summary),
        )
    }
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub county_code: String,
    /// The sequence number of the first entry that does not verify (or that is missing).
    pub seq: i64,
    pub reason: String,
}

/// Checks one county's chain, given in sequence order. `head` is the (seq, hash) the store keeps
/// as the chain's last entry, which reveals entries removed from the end.
pub fn verify_chain(county_code: &str, entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<u64, ChainBreak> {
    let brk =
        |seq: i64, reason: &str| ChainBreak { county_code: county_code.to_owned(), seq, reason: reason.to_owned() };
    let mut prev = GENESIS.to_owned();
    let mut expect_seq = 1;
    for e in entries {
        if e.seq != expect_seq {
            return Err(brk(expect_seq, "序号不连续：条目被删除或重排"));
        }
        if e.prev_hash != prev {
            return Err(brk(e.seq, "前序哈希不符：条目被删除、插入或重排"));
        }
        if e.computed_hash() != e.hash {
            return Err(brk(e.seq, "内容哈希不符：条目被篡改"));
        }
        prev = e.hash.clone();
        expect_seq += 1;
    }
    if let Some((head_seq, head_hash)) = head
        && (head_seq != expect_seq - 1 || head_hash != prev)
    {
        return Err(brk(expect_seq, "链尾与记录不符：末尾条目被删除"));
    }
    Ok(entries.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let hash = entry_hash(&prev, "611026", seq, 1000 + seq, ("admin", "user.create", "user:1", "创建账号"));
                let e = AuditEntry {
                    county_code: "611026".into(),
                    seq,
                    at_ms: 1000 + seq,
                    actor: "admin".into(),
                    action: "user.create".into(),
                    target: "user:1".into(),
                    summary: "创建账号".into(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        assert_eq!(verify_chain("611026", &c, Some(head)), Ok(5));
    }

    #[test]
    fn edits_removals_and_reorders_are_found() {
        let c = chain(5);
        let head = Some((5, c[4].hash.as_str()));
        let mut edited = c.clone();
        edited[2].summary = "改过".into();
        assert_eq!(verify_chain("611026", &edited, head).unwrap_err().seq, 3);
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(verify_chain("611026", &removed, head).unwrap_err().seq, 2);
        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(verify_chain("611026", &swapped, head).unwrap_err().seq, 2);
        let truncated = &c[..4];
        assert_eq!(verify_chain("611026", truncated, head).unwrap_err().seq, 5);
    }
}
