//! The ballot's cryptography for a congress of `voters`: casting (encrypting each choice with
//! its proofs and signing) and the whole tally (the recount: every proof checked, the sums, both
//! trustees' shares and the decryption), against one group exponentiation measured in the same
//! run, so the ratios hold on any machine.

use liaison_ballot::group::{g, random_scalar};
use liaison_ballot::{self as b, Board, Election, Method, TieRule, Voter};
use std::time::Instant;

pub struct Figures {
    pub exp_us: f64,
    pub cast_ms: f64,
    pub cast_p99_ms: f64,
    pub tally_s: f64,
}

pub fn run(voters: usize) -> Figures {
    // The baseline: one scalar multiplication of the generator.
    let n = 2_000;
    let s = random_scalar();
    let t = Instant::now();
    let mut acc = g();
    for _ in 0..n {
        acc *= s;
    }
    std::hint::black_box(acc);
    let exp_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    let id = "liaison:bench:1".to_string();
    let (x1, k1) = b::trustee_keygen(&id, "甲");
    let (x2, k2) = b::trustee_keygen(&id, "乙");
    let trustees = vec![k1, k2];
    let public_key = Election::joint_key(&trustees, &id).expect("keys prove");
    let (master, _, _) = b::master_split();
    let codes: Vec<String> = (0..voters).map(|i| b::credential_code(&master, &id, &i.to_string())).collect();
    let mut credentials: Vec<_> =
        codes.iter().map(|c| b::credential_public(&b::credential_secret(c).expect("a code"))).collect();
    credentials.sort_by_key(|p| p.to_hex());
    let e = Election {
        id,
        title: "票决".into(),
        method: Method::Choose,
        candidates: (0..7).map(|i| format!("项目{i}")).collect(),
        places: 5,
        tie_rule: TieRule::ListOrder,
        electorate: voters as u32,
        trustees,
        public_key,
        credentials,
    };
    let fp = e.fingerprint();
    let mut times = Vec::with_capacity(voters);
    let mut ballots = Vec::with_capacity(voters);
    for (i, code) in codes.iter().enumerate() {
        let plain = vec![(0..7).map(|j| (i + j) % 3 == 0).collect::<Vec<bool>>()];
        let t = Instant::now();
        let s = b::credential_secret(code).expect("a code");
        let ballot = b::cast_with(&e, &fp, Voter::Credential(s), &plain).expect("a valid ballot");
        let tracker = ballot.tracker();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        ballots.push((tracker, ballot));
    }
    times.sort_by(f64::total_cmp);
    let cast_ms = times.iter().sum::<f64>() / times.len() as f64;
    let cast_p99_ms = times[(times.len() * 99 / 100).min(times.len() - 1)];

    let t = Instant::now();
    let (entries, head) = b::seal(&fp, ballots);
    let sum = b::aggregate(&e, &entries);
    let shares =
        vec![b::share(&e, &head, &sum, 0, &x1).expect("share"), b::share(&e, &head, &sum, 1, &x2).expect("share")];
    let board = Board { election: e, fingerprint: fp, paper_voters: 0, entries, head, shares, outcome: None };
    let outcome = b::recount(&board).expect("the board recounts");
    assert_eq!(outcome.cast, voters as u64);
    let tally_s = t.elapsed().as_secs_f64();
    Figures { exp_us, cast_ms, cast_p99_ms, tally_s }
}
