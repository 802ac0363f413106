//! The secret and verifiable ballot of deputies (票决), after Belenios' design, shrunk to what a
//! congress's ballot on livelihood projects needs:
//!
//! - **Credentials** (`credential_*`): each deputy gets a code derived from the credential
//!   authority's master secret; the server stores only the sorted list of the codes' public keys,
//!   so it cannot tell whose a credential is, nor vote with an unused one.
//! - **Encryption** (`proofs`): each choice is an exponential ElGamal ciphertext under the joint
//!   key of the trustees, with a proof that it holds 0 or 1 and that each question's choices sum
//!   within its bounds. No ballot is ever decrypted: only the sum of all of them is.
//! - **The board** ([`Board`]): the ballots, sorted by tracker (the hash of the ballot, the
//!   voter's receipt) and hash-chained, the trustees' decryption factors of the sum with their
//!   proofs, and the result. [`recount`] checks all of it and recomputes the result; it names
//!   where a board was tampered with.
//!
//! docs/ballots.md holds the threat model and the protocol.

pub mod group;
pub mod proofs;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use group::{Num, Point, g, gx, random_scalar, sha256_hex};
use proofs::{Branch, Ciphertext};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How the deputies choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One question: tick at most `places` of the candidates (差额选择).
    Choose,
    /// One question per candidate: for or against (or neither, abstaining).
    Each,
    /// One question per project: satisfied, basically satisfied or not (a year-end evaluation).
    Evaluate,
}

/// What decides between projects with equal votes at the last place, fixed before opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// The earlier on the approved candidate list wins.
    ListOrder,
    /// None of the tied projects is chosen; the congress votes again on them.
    Runoff,
}

/// A question of the ballot: one 0/1 choice per option, their sum within `min..=max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub title: String,
    pub options: Vec<String>,
    pub min: u32,
    pub max: u32,
}

/// A trustee's public key with its proof of knowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeKey {
    pub name: String,
    pub public_key: Point,
    pub proof: Branch,
}

/// The election's parameters, fixed when it opens. Its fingerprint binds every proof to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    /// Unique among elections: `liaison:<county>:<ballot id>`.
    pub id: String,
    pub title: String,
    pub method: Method,
    /// The candidates (projects), in the approved list's order.
    pub candidates: Vec<String>,
    pub places: u32,
    pub tie_rule: TieRule,
    /// How many deputies may vote.
    pub electorate: u32,
    pub trustees: Vec<TrusteeKey>,
    /// The trustees' joint key: the sum of theirs.
    pub public_key: Point,
    /// The public credentials, sorted: one per deputy of the electorate, nobody's name.
    pub credentials: Vec<Point>,
}

/// A refusal, in Chinese, for the pages and the recount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Problem(pub String);

fn problem(s: impl Into<String>) -> Problem {
    Problem(s.into())
}

impl Election {
    pub fn fingerprint(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).expect("an election serialises"))
    }

    /// The questions the method asks.
    pub fn questions(&self) -> Vec<Question> {
        match self.method {
            Method::Choose => {
                vec![Question { title: self.title.clone(), options: self.candidates.clone(), min: 0, max: self.places }]
            }
            Method::Each => self
                .candidates
                .iter()
                .map(|c| Question { title: c.clone(), options: vec!["赞成".into(), "反对".into()], min: 0, max: 1 })
                .collect(),
            Method::Evaluate => self
                .candidates
                .iter()
                .map(|c| Question {
                    title: c.clone(),
                    options: vec!["满意".into(), "基本满意".into(), "不满意".into()],
                    min: 0,
                    max: 1,
                })
                .collect(),
        }
    }

    /// The joint key computed from the trustees' keys, after checking their proofs.
    pub fn joint_key(trustees: &[TrusteeKey], election_id: &str) -> Result<Point, Problem> {
        let mut y = RistrettoPoint::identity();
        for (i, t) in trustees.iter().enumerate() {
            if !proofs::verify_dlog(TRUSTEE_DOMAIN, election_id.as_bytes(), &t.public_key.0, &t.proof) {
                return Err(problem(format!("第 {} 位计票人（{}）的公钥证明不成立", i + 1, t.name)));
            }
            y += t.public_key.0;
        }
        Ok(Point(y))
    }

    /// The public credentials' encodings, for looking one up.
    pub fn credential_set(&self) -> HashSet<[u8; 32]> {
        self.credentials.iter().map(|c| c.0.compress().to_bytes()).collect()
    }

    /// Checks the parameters hang together (the recount's first step).
    pub fn check(&self) -> Result<(), Problem> {
        if Election::joint_key(&self.trustees, &self.id)? != self.public_key {
            return Err(problem("联合公钥与计票人的公钥之和不符"));
        }
        if self.trustees.len() < 2 {
            return Err(problem("计票人少于两位"));
        }
        let hex: Vec<String> = self.credentials.iter().map(Point::to_hex).collect();
        if hex.windows(2).any(|w| w[0] >= w[1]) {
            return Err(problem("公开凭证表未按顺序排列或有重复"));
        }
        if self.credentials.len() as u32 != self.electorate {
            return Err(problem("公开凭证的数目与应参加投票的代表人数不符"));
        }
        Ok(())
    }
}

const TRUSTEE_DOMAIN: &str = "liaison/ballot/trustee";
const SIGNATURE_DOMAIN: &str = "liaison/ballot/signature";
const CREDENTIAL_DOMAIN: &str = "liaison/ballot/credential";

/// A trustee's new key pair: the secret (to keep, never stored) and the public part.
pub fn trustee_keygen(election_id: &str, name: &str) -> (Num, TrusteeKey) {
    let x = random_scalar();
    let proof = proofs::prove_dlog(TRUSTEE_DOMAIN, election_id.as_bytes(), &x);
    (Num(x), TrusteeKey { name: name.to_string(), public_key: Point(gx(&x)), proof })
}

// ---- Credentials ----

const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 20 symbols of 31: just under 100 bits.
const CODE_LEN: usize = 20;

/// The credential authority's master secret, split in two halves (甲, 乙) for its two keepers:
/// either half alone says nothing of the master.
pub fn master_split() -> ([u8; 32], [u8; 32], [u8; 32]) {
    let a: [u8; 32] = rand::random();
    let b: [u8; 32] = rand::random();
    let mut m = [0u8; 32];
    for i in 0..32 {
        m[i] = a[i] ^ b[i];
    }
    (m, a, b)
}

/// Joins the two halves back into the master; `commitment` is the SHA-256 kept of it.
pub fn master_join(a: &str, b: &str, commitment: &str) -> Option<[u8; 32]> {
    let a: [u8; 32] = hex::decode(a.trim()).ok()?.try_into().ok()?;
    let b: [u8; 32] = hex::decode(b.trim()).ok()?.try_into().ok()?;
    let mut m = [0u8; 32];
    for i in 0..32 {
        m[i] = a[i] ^ b[i];
    }
    (sha256_hex(&m) == commitment).then_some(m)
}

/// A voter's credential code, derived from the master, the election and the voter.
pub fn credential_code(master: &[u8; 32], election_id: &str, voter: &str) -> String {
    let mut t = group::Transcript::new(CREDENTIAL_DOMAIN);
    t.bytes(master).bytes(election_id.as_bytes()).bytes(voter.as_bytes());
    let bytes = t.challenge().to_bytes();
    let code: String =
        bytes.iter().take(CODE_LEN).map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect();
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// The secret a typed code stands for (any case, spaces and hyphens allowed).
pub fn credential_secret(code: &str) -> Option<Scalar> {
    let norm: String =
        code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    if norm.len() != CODE_LEN || !norm.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return None;
    }
    let mut t = group::Transcript::new(CREDENTIAL_DOMAIN);
    t.bytes(b"secret").bytes(norm.as_bytes());
    Some(t.challenge())
}

pub fn credential_public(secret: &Scalar) -> Point {
    Point(gx(secret))
}

// ---- Ballots ----

/// The encrypted answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub choices: Vec<Ciphertext>,
    /// Each choice is 0 or 1.
    pub proofs: Vec<Vec<Branch>>,
    /// Their sum is within the question's bounds.
    pub overall: Vec<Branch>,
}

/// A cast ballot: electronic ones carry a credential and its signature; paper ones entered by a
/// teller carry their serial number instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub election: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<u32>,
    pub answers: Vec<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Branch>,
}

impl Ballot {
    /// The receipt: the SHA-256 of the ballot as published.
    pub fn tracker(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).expect("a ballot serialises"))
    }

    fn context(&self) -> Vec<u8> {
        let who = match (&self.credential, self.paper) {
            (Some(c), _) => c.to_hex(),
            (None, Some(n)) => format!("paper:{n}"),
            (None, None) => String::new(),
        };
        format!("{}|{}", self.election, who).into_bytes()
    }

    fn signed_message(&self) -> Vec<u8> {
        let unsigned = Ballot { signature: None, ..self.clone() };
        serde_json::to_vec(&unsigned).expect("a ballot serialises")
    }
}

/// Who casts: a deputy's credential secret, or a teller's paper ballot number.
pub enum Voter {
    Credential(Scalar),
    Paper(u32),
}

/// Encrypts the plain choices (per question, a 0/1 per option) into a ballot with its proofs,
/// signed with the credential. Refuses choices outside the questions' bounds.
pub fn cast(e: &Election, voter: Voter, plain: &[Vec<bool>]) -> Result<Ballot, Problem> {
    cast_with(e, &e.fingerprint(), voter, plain)
}

/// As [`cast`], with the election's fingerprint already computed (it hashes every credential).
pub fn cast_with(e: &Election, fingerprint: &str, voter: Voter, plain: &[Vec<bool>]) -> Result<Ballot, Problem> {
    let questions = e.questions();
    if plain.len() != questions.len() {
        return Err(problem("选票的题目数与本次票决不符"));
    }
    for (q, p) in questions.iter().zip(plain) {
        if p.len() != q.options.len() {
            return Err(problem("选票的选项数与本次票决不符"));
        }
        let n = p.iter().filter(|b| **b).count() as u32;
        if n > q.max {
            return Err(problem(match e.method {
                Method::Choose => format!("最多只能选 {} 个项目，这张选票选了 {} 个", q.max, n),
                _ => format!("“{}”只能选一项", q.title),
            }));
        }
        if n < q.min {
            return Err(problem(format!("“{}”至少要选 {} 项", q.title, q.min)));
        }
    }
    let (credential, paper, secret) = match voter {
        Voter::Credential(s) => (Some(credential_public(&s)), None, Some(s)),
        Voter::Paper(n) => (None, Some(n), None),
    };
    let mut b = Ballot { election: fingerprint.to_string(), credential, paper, answers: Vec::new(), signature: None };
    let ctx = b.context();
    let y = e.public_key.0;
    for (q, p) in questions.iter().zip(plain) {
        let mut choices = Vec::new();
        let mut proofs_ = Vec::new();
        let mut sum_ct = Ciphertext::zero();
        let mut sum_r = Scalar::ZERO;
        let mut sum_m = 0u64;
        for chosen in p {
            let m = u64::from(*chosen);
            let r = random_scalar();
            let ct = Ciphertext::encrypt(&y, m, &r);
            proofs_.push(proofs::prove_range(&ctx, &y, &ct, &r, m, 0, 1));
            choices.push(ct);
            sum_ct = sum_ct.add(&ct);
            sum_r += r;
            sum_m += m;
        }
        let overall = proofs::prove_range(&ctx, &y, &sum_ct, &sum_r, sum_m, u64::from(q.min), u64::from(q.max));
        b.answers.push(Answer { choices, proofs: proofs_, overall });
    }
    if let Some(s) = secret {
        b.signature = Some(proofs::prove_dlog(SIGNATURE_DOMAIN, &b.signed_message(), &s));
    }
    Ok(b)
}

/// Checks a ballot against the election: its fingerprint, its credential (on the list, with a
/// valid signature) or paper number, and every proof.
pub fn verify_ballot(e: &Election, fingerprint: &str, b: &Ballot) -> Result<(), Problem> {
    verify_ballot_in(e, fingerprint, &e.credential_set(), b)
}

/// As [`verify_ballot`], with the credential set built once for a whole board.
pub fn verify_ballot_in(e: &Election, fingerprint: &str, set: &HashSet<[u8; 32]>, b: &Ballot) -> Result<(), Problem> {
    if b.election != fingerprint {
        return Err(problem("选票不属于本次票决"));
    }
    match (&b.credential, b.paper, &b.signature) {
        (Some(c), None, Some(sig)) => {
            if !set.contains(&c.0.compress().to_bytes()) {
                return Err(problem("选票的凭证不在公开凭证表中"));
            }
            if !proofs::verify_dlog(SIGNATURE_DOMAIN, &b.signed_message(), &c.0, sig) {
                return Err(problem("选票的凭证签名不成立"));
            }
        }
        (None, Some(_), None) => {}
        _ => return Err(problem("选票既无有效凭证，也不是纸质选票")),
    }
    let questions = e.questions();
    if b.answers.len() != questions.len() {
        return Err(problem("选票的题目数与本次票决不符"));
    }
    let ctx = b.context();
    let y = e.public_key.0;
    for (q, a) in questions.iter().zip(&b.answers) {
        if a.choices.len() != q.options.len() || a.proofs.len() != q.options.len() {
            return Err(problem("选票的选项数与本次票决不符"));
        }
        let mut sum = Ciphertext::zero();
        for (ct, p) in a.choices.iter().zip(&a.proofs) {
            if !proofs::verify_range(&ctx, &y, ct, p, 0, 1) {
                return Err(problem("选票中某一选项的零知识证明不成立"));
            }
            sum = sum.add(ct);
        }
        if !proofs::verify_range(&ctx, &y, &sum, &a.overall, u64::from(q.min), u64::from(q.max)) {
            return Err(problem("选票所选项目数的证明不成立（可能超过了名额）"));
        }
    }
    Ok(())
}

// ---- The board, the tally and the result ----

/// One ballot on the board, at its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u32,
    pub tracker: String,
    /// SHA-256 of the previous entry's `chain` (the fingerprint for the first) and this tracker.
    pub chain: String,
    pub ballot: Ballot,
}

/// The chain value after `prev` for `tracker`.
pub fn chain_next(prev: &str, tracker: &str) -> String {
    sha256_hex(format!("{prev}|{tracker}").as_bytes())
}

/// A trustee's decryption factors of the summed ciphertexts, one per option, with proofs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub trustee: u32,
    pub factors: Vec<Vec<Point>>,
    pub proofs: Vec<Vec<Branch>>,
}

/// The published result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Ballots counted.
    pub cast: u64,
    /// Per question, the votes per option.
    pub counts: Vec<Vec<u64>>,
    /// The candidates chosen (indices into `candidates`), best first.
    pub chosen: Vec<u32>,
    /// Candidates tied for the last place under the runoff rule: to be voted on again.
    pub undecided: Vec<u32>,
}

/// Everything anyone needs to recount: the parameters, the paper count the tellers declared,
/// the sealed ballots, the trustees' shares and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub election: Election,
    pub fingerprint: String,
    /// Deputies the tellers recorded as voting on paper.
    pub paper_voters: u32,
    pub entries: Vec<Entry>,
    /// The last entry's chain value (the fingerprint when empty).
    pub head: String,
    #[serde(default)]
    pub shares: Vec<Share>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// Seals ballots into board entries: sorted by tracker (so the order says nothing of when
/// anyone voted), numbered and chained. Returns the entries and the head.
pub fn seal(fingerprint: &str, ballots: Vec<(String, Ballot)>) -> (Vec<Entry>, String) {
    let mut ballots = ballots;
    ballots.sort_by(|a, b| a.0.cmp(&b.0));
    let mut prev = fingerprint.to_string();
    let mut out = Vec::with_capacity(ballots.len());
    for (i, (tracker, ballot)) in ballots.into_iter().enumerate() {
        let chain = chain_next(&prev, &tracker);
        prev = chain.clone();
        out.push(Entry { seq: i as u32 + 1, tracker, chain, ballot });
    }
    (out, prev)
}

/// The homomorphic sum of the entries' ciphertexts, per question and option.
pub fn aggregate(e: &Election, entries: &[Entry]) -> Vec<Vec<Ciphertext>> {
    let mut sum: Vec<Vec<Ciphertext>> =
        e.questions().iter().map(|q| vec![Ciphertext::zero(); q.options.len()]).collect();
    for en in entries {
        for (qs, a) in sum.iter_mut().zip(&en.ballot.answers) {
            for (s, c) in qs.iter_mut().zip(&a.choices) {
                *s = s.add(c);
            }
        }
    }
    sum
}

fn share_context(fingerprint: &str, head: &str) -> Vec<u8> {
    format!("{fingerprint}|{head}").into_bytes()
}

/// Trustee `index`'s share of the tally of a sealed board, with `secret` (refused when it is not
/// that trustee's key).
pub fn share(e: &Election, head: &str, sum: &[Vec<Ciphertext>], index: u32, secret: &Num) -> Result<Share, Problem> {
    let t = e.trustees.get(index as usize).ok_or_else(|| problem("没有这位计票人"))?;
    if Point(gx(&secret.0)) != t.public_key {
        return Err(problem("这不是该计票人的密钥"));
    }
    let ctx = share_context(&e.fingerprint(), head);
    let mut factors = Vec::new();
    let mut proofs_ = Vec::new();
    for q in sum {
        let (f, p): (Vec<Point>, Vec<Branch>) =
            q.iter().map(|c| proofs::decryption_factor(&ctx, &secret.0, &c.alpha.0)).unzip();
        factors.push(f);
        proofs_.push(p);
    }
    Ok(Share { trustee: index, factors, proofs: proofs_ })
}

/// Checks a share's proofs against the trustee's key and the sum.
pub fn verify_share(e: &Election, head: &str, sum: &[Vec<Ciphertext>], s: &Share) -> Result<(), Problem> {
    let t = e.trustees.get(s.trustee as usize).ok_or_else(|| problem("解密份额所属的计票人不存在"))?;
    let ctx = share_context(&e.fingerprint(), head);
    let shape_ok = s.factors.len() == sum.len()
        && s.proofs.len() == sum.len()
        && sum.iter().zip(&s.factors).zip(&s.proofs).all(|((q, f), p)| q.len() == f.len() && q.len() == p.len());
    if !shape_ok {
        return Err(problem(format!("计票人“{}”的解密份额格式不符", t.name)));
    }
    for ((q, f), p) in sum.iter().zip(&s.factors).zip(&s.proofs) {
        for ((c, f), p) in q.iter().zip(f).zip(p) {
            if !proofs::verify_factor(&ctx, &t.public_key.0, &c.alpha.0, &f.0, p) {
                return Err(problem(format!("计票人“{}”的解密份额证明不成立", t.name)));
            }
        }
    }
    Ok(())
}

/// Decrypts the sum with every trustee's share and decides the result.
pub fn tally(e: &Election, sum: &[Vec<Ciphertext>], shares: &[Share], cast: u64) -> Result<Outcome, Problem> {
    let mut seen = HashSet::new();
    for s in shares {
        seen.insert(s.trustee);
    }
    if seen.len() != e.trustees.len() || shares.len() != e.trustees.len() {
        return Err(problem("还有计票人没有提交解密份额"));
    }
    // m·G for every possible count.
    let mut table = HashMap::with_capacity(cast as usize + 1);
    let mut p = RistrettoPoint::identity();
    for m in 0..=cast {
        table.insert(p.compress().to_bytes(), m);
        p += g();
    }
    let mut counts = Vec::new();
    for (qi, q) in sum.iter().enumerate() {
        let mut row = Vec::new();
        for (oi, c) in q.iter().enumerate() {
            let mut m = c.beta.0;
            for s in shares {
                m -= s.factors[qi][oi].0;
            }
            let n = table.get(&m.compress().to_bytes()).ok_or_else(|| problem("解密结果不是有效的票数"))?;
            row.push(*n);
        }
        counts.push(row);
    }
    Ok(decide(e, counts, cast))
}

/// The decision rule: a candidate needs the votes of more than half of the whole electorate
/// (全体代表的过半数: for `Choose`, being ticked; for `Each`, 赞成); the most voted are chosen up
/// to the places; a tie at the last place is settled by the election's tie rule. An evaluation
/// chooses nothing.
pub fn decide(e: &Election, counts: Vec<Vec<u64>>, cast: u64) -> Outcome {
    let score = |i: usize| -> u64 {
        match e.method {
            Method::Choose => counts[0][i],
            Method::Each => counts[i][0],
            Method::Evaluate => 0,
        }
    };
    if e.method == Method::Evaluate {
        return Outcome { cast, counts, chosen: vec![], undecided: vec![] };
    }
    let majority = u64::from(e.electorate);
    let mut eligible: Vec<usize> = (0..e.candidates.len()).filter(|&i| score(i) * 2 > majority).collect();
    // Stable: equal scores keep the list order.
    eligible.sort_by_key(|i| std::cmp::Reverse(score(*i)));
    let places = e.places as usize;
    let mut chosen: Vec<usize> = eligible.iter().take(places).copied().collect();
    let mut undecided = Vec::new();
    if eligible.len() > places && places > 0 && e.tie_rule == TieRule::Runoff {
        let last = score(chosen[places - 1]);
        if score(eligible[places]) == last {
            undecided = eligible.iter().copied().filter(|&i| score(i) == last).collect();
            chosen.retain(|i| score(*i) != last);
        }
    }
    Outcome {
        cast,
        counts,
        chosen: chosen.into_iter().map(|i| i as u32).collect(),
        undecided: undecided.into_iter().map(|i| i as u32).collect(),
    }
}

/// Recounts a board from scratch: the parameters, the chain, every ballot and its proofs, one
/// ballot per credential, the paper count, the trustees' shares, and the result. The first
/// problem found is returned, naming where it is.
pub fn recount(b: &Board) -> Result<Outcome, Problem> {
    let e = &b.election;
    if e.fingerprint() != b.fingerprint {
        return Err(problem("票决参数的指纹与公布的不符：参数被改动过"));
    }
    e.check()?;
    let mut prev = b.fingerprint.clone();
    let set = e.credential_set();
    let mut credentials = HashSet::new();
    let mut paper = HashSet::new();
    for (i, en) in b.entries.iter().enumerate() {
        let at = |what: &str| {
            problem(format!("第 {} 张选票（跟踪码 {}…）：{what}", i + 1, &en.tracker.get(..12).unwrap_or("")))
        };
        if en.seq as usize != i + 1 {
            return Err(at("序号不连续"));
        }
        if en.ballot.tracker() != en.tracker {
            return Err(at("跟踪码与选票内容不符：选票被改动过"));
        }
        if i > 0 && b.entries[i - 1].tracker >= en.tracker {
            return Err(at("选票未按跟踪码排序或有重复"));
        }
        if en.chain != chain_next(&prev, &en.tracker) {
            return Err(at("哈希链断开：此前的选票被增删或改动过"));
        }
        prev = en.chain.clone();
        verify_ballot_in(e, &b.fingerprint, &set, &en.ballot).map_err(|p| at(&p.0))?;
        if let Some(c) = &en.ballot.credential
            && !credentials.insert(c.to_hex())
        {
            return Err(at("同一凭证投了两张选票"));
        }
        if let Some(n) = en.ballot.paper
            && !paper.insert(n)
        {
            return Err(at("纸质选票编号重复"));
        }
    }
    if prev != b.head {
        return Err(problem("投票箱的链尾哈希与公布的不符：末尾的选票被增删过"));
    }
    if paper.len() as u32 > b.paper_voters {
        return Err(problem(format!("纸质选票 {} 张，多于登记的纸质投票代表 {} 名", paper.len(), b.paper_voters)));
    }
    if b.entries.len() as u32 > e.electorate {
        return Err(problem("选票数多于应参加投票的代表人数"));
    }
    let sum = aggregate(e, &b.entries);
    for s in &b.shares {
        verify_share(e, &b.head, &sum, s)?;
    }
    let outcome = tally(e, &sum, &b.shares, b.entries.len() as u64)?;
    if let Some(published) = &b.outcome
        && *published != outcome
    {
        return Err(problem("重新计票的结果与公布的结果不符"));
    }
    Ok(outcome)
}

/// The result as a plain-text table, for the recount tool.
pub fn report(e: &Election, o: &Outcome) -> String {
    let mut out = format!("{}\n选票 {} 张（应参加投票 {} 人），名额 {} 个\n", e.title, o.cast, e.electorate, e.places);
    let mark = |i: usize| {
        if o.chosen.contains(&(i as u32)) {
            "  当选"
        } else if o.undecided.contains(&(i as u32)) {
            "  票数相同，待另行投票"
        } else {
            ""
        }
    };
    for (i, c) in e.candidates.iter().enumerate() {
        let line = match e.method {
            Method::Choose => format!("{:>3}. {c}：{} 票{}\n", i + 1, o.counts[0][i], mark(i)),
            Method::Each => {
                let (y, n) = (o.counts[i][0], o.counts[i][1]);
                format!("{:>3}. {c}：赞成 {y}，反对 {n}，弃权 {}{}\n", i + 1, o.cast - y - n, mark(i))
            }
            Method::Evaluate => {
                let r = &o.counts[i];
                format!("{:>3}. {c}：满意 {}，基本满意 {}，不满意 {}\n", i + 1, r[0], r[1], r[2])
            }
        };
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn election(n: usize, places: u32, voters: &[String], master: &[u8; 32]) -> (Election, Vec<Num>) {
        let id = "liaison:test:1".to_string();
        let (x1, t1) = trustee_keygen(&id, "甲");
        let (x2, t2) = trustee_keygen(&id, "乙");
        let trustees = vec![t1, t2];
        let public_key = Election::joint_key(&trustees, &id).unwrap();
        let mut credentials: Vec<Point> = voters
            .iter()
            .map(|v| credential_public(&credential_secret(&credential_code(master, &id, v)).unwrap()))
            .collect();
        credentials.sort_by_key(|p| p.to_hex());
        let e = Election {
            id,
            title: "民生实事".into(),
            method: Method::Choose,
            candidates: (0..n).map(|i| format!("项目{i}")).collect(),
            places,
            tie_rule: TieRule::ListOrder,
            electorate: voters.len() as u32,
            trustees,
            public_key,
            credentials,
        };
        (e, vec![x1, x2])
    }

    #[test]
    fn a_board_recounts_to_its_result_and_names_a_tampered_ballot() {
        let (master, a, b) = master_split();
        let m = master_join(&hex::encode(a), &hex::encode(b), &sha256_hex(&master)).unwrap();
        assert_eq!(m, master);
        let voters: Vec<String> = (0..9).map(|i| format!("d{i}")).collect();
        let (e, keys) = election(4, 2, &voters, &master);
        e.check().unwrap();
        let fp = e.fingerprint();
        let mut ballots = Vec::new();
        for (i, v) in voters.iter().enumerate() {
            let s = credential_secret(&credential_code(&master, &e.id, v)).unwrap();
            // Everyone picks project 0; six also pick 2, three pick 1.
            let plain = vec![vec![true, i >= 6, i < 6, false]];
            let bal = cast(&e, Voter::Credential(s), &plain).unwrap();
            verify_ballot(&e, &fp, &bal).unwrap();
            ballots.push((bal.tracker(), bal));
        }
        let over = cast(&e, Voter::Paper(1), &[vec![true, true, true, false]]);
        assert!(over.unwrap_err().0.contains("最多只能选 2 个"));
        let (entries, head) = seal(&fp, ballots);
        let sum = aggregate(&e, &entries);
        let shares: Vec<Share> =
            keys.iter().enumerate().map(|(i, k)| share(&e, &head, &sum, i as u32, k).unwrap()).collect();
        assert!(share(&e, &head, &sum, 0, &keys[1]).is_err(), "a trustee's share needs their own key");
        let outcome = tally(&e, &sum, &shares, 9).unwrap();
        assert_eq!(outcome.counts, vec![vec![9, 3, 6, 0]]);
        assert_eq!(outcome.chosen, vec![0, 2]);
        let board = Board {
            election: e.clone(),
            fingerprint: fp.clone(),
            paper_voters: 0,
            entries,
            head,
            shares,
            outcome: Some(outcome.clone()),
        };
        assert_eq!(recount(&board).unwrap(), outcome);

        let mut tampered = board.clone();
        tampered.entries[3].ballot.answers[0].choices.swap(0, 1);
        let err = recount(&tampered).unwrap_err().0;
        assert!(err.starts_with("第 4 张选票"), "{err}");
        let mut dropped = board.clone();
        dropped.entries.remove(5);
        assert!(recount(&dropped).is_err());
        let mut lied = board.clone();
        lied.outcome.as_mut().unwrap().chosen = vec![0, 1];
        assert!(recount(&lied).unwrap_err().0.contains("结果"));
    }

    #[test]
    fn ties_follow_the_rule_fixed_before_opening() {
        let (master, _, _) = master_split();
        let voters: Vec<String> = (0..6).map(|i| format!("v{i}")).collect();
        let (mut e, _) = election(4, 2, &voters, &master);
        let o = decide(&e, vec![vec![5, 4, 4, 1]], 6);
        assert_eq!(o.chosen, vec![0, 1]);
        e.tie_rule = TieRule::Runoff;
        let o = decide(&e, vec![vec![5, 4, 4, 1]], 6);
        assert_eq!((o.chosen, o.undecided), (vec![0], vec![1, 2]));
        // Below a majority of the whole electorate nobody is chosen, however few voted.
        let o = decide(&e, vec![vec![3, 2, 1, 0]], 6);
        assert!(o.chosen.is_empty());
        let o = decide(&e, vec![vec![3, 3, 0, 0]], 3);
        assert!(o.chosen.is_empty(), "3 of 6 is not more than half");
    }
}
