//! Exponential ElGamal and the non-interactive zero-knowledge proofs the ballot needs, in the
//! shapes Belenios' specification uses: a Schnorr proof of knowledge (a trustee knows its key; a
//! credential holder signs a ballot), a disjunctive Chaum–Pedersen proof that a ciphertext holds
//! one of the values `lo..=hi`, and a Chaum–Pedersen proof of equal discrete logarithms (a
//! trustee's decryption factor matches its public key). Every proof is bound to a context (the
//! election's fingerprint and the ballot's credential) so it cannot be replayed elsewhere.

use crate::group::{Num, Point, Transcript, check_mul, check_sum, g, gx, random_scalar};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use serde::{Deserialize, Serialize};

/// An encryption of `m`: (r·G, m·G + r·Y).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ciphertext {
    pub alpha: Point,
    pub beta: Point,
}

impl Ciphertext {
    pub fn zero() -> Ciphertext {
        Ciphertext { alpha: Point(RistrettoPoint::identity()), beta: Point(RistrettoPoint::identity()) }
    }

    pub fn encrypt(y: &RistrettoPoint, m: u64, r: &Scalar) -> Ciphertext {
        Ciphertext { alpha: Point(gx(r)), beta: Point(gx(&Scalar::from(m)) + y * r) }
    }

    /// The homomorphic sum: it encrypts the sum of the two values.
    pub fn add(&self, o: &Ciphertext) -> Ciphertext {
        Ciphertext { alpha: Point(self.alpha.0 + o.alpha.0), beta: Point(self.beta.0 + o.beta.0) }
    }
}

/// One challenge and its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub challenge: Num,
    pub response: Num,
}

/// Proves knowledge of `x` with `x·G = public`, bound to `ctx` (the message, for a signature).
pub fn prove_dlog(domain: &str, ctx: &[u8], x: &Scalar) -> Branch {
    let w = random_scalar();
    let public = gx(x);
    let a = gx(&w);
    let mut t = Transcript::new(domain);
    t.bytes(ctx).point(&public).point(&a);
    let c = t.challenge();
    Branch { challenge: Num(c), response: Num(w + c * x) }
}

pub fn verify_dlog(domain: &str, ctx: &[u8], public: &RistrettoPoint, p: &Branch) -> bool {
    let a = check_mul(&-p.challenge.0, public, &p.response.0);
    let mut t = Transcript::new(domain);
    t.bytes(ctx).point(public).point(&a);
    t.challenge() == p.challenge.0
}

fn range_transcript(
    ctx: &[u8],
    y: &RistrettoPoint,
    ct: &Ciphertext,
    commitments: &[(RistrettoPoint, RistrettoPoint)],
) -> Scalar {
    let mut t = Transcript::new("liaison/ballot/range");
    t.bytes(ctx).point(y).point(&ct.alpha.0).point(&ct.beta.0);
    for (a, b) in commitments {
        t.point(a).point(b);
    }
    t.challenge()
}

/// Proves that `ct`, made with randomness `r`, encrypts `m`, one of `lo..=hi`, without saying
/// which: one real branch and `hi - lo` simulated ones whose challenges sum to the hash.
pub fn prove_range(
    ctx: &[u8],
    y: &RistrettoPoint,
    ct: &Ciphertext,
    r: &Scalar,
    m: u64,
    lo: u64,
    hi: u64,
) -> Vec<Branch> {
    assert!(lo <= m && m <= hi, "the value proven is in range");
    let n = (hi - lo + 1) as usize;
    let real = (m - lo) as usize;
    let mut branches = vec![Branch { challenge: Num(Scalar::ZERO), response: Num(Scalar::ZERO) }; n];
    let mut commitments = vec![(RistrettoPoint::identity(), RistrettoPoint::identity()); n];
    let w = random_scalar();
    let mut others = Scalar::ZERO;
    for j in 0..n {
        if j == real {
            commitments[j] = (gx(&w), y * w);
            continue;
        }
        let (c, s) = (random_scalar(), random_scalar());
        let v = Scalar::from(lo + j as u64);
        // Constant time like the real branch, so that timing does not tell which one it is.
        commitments[j] = (gx(&s) - ct.alpha.0 * c, y * s - (ct.beta.0 - gx(&v)) * c);
        branches[j] = Branch { challenge: Num(c), response: Num(s) };
        others += c;
    }
    let total = range_transcript(ctx, y, ct, &commitments);
    let c = total - others;
    branches[real] = Branch { challenge: Num(c), response: Num(w + c * r) };
    branches
}

pub fn verify_range(ctx: &[u8], y: &RistrettoPoint, ct: &Ciphertext, proof: &[Branch], lo: u64, hi: u64) -> bool {
    if hi < lo || proof.len() as u64 != hi - lo + 1 {
        return false;
    }
    let mut sum = Scalar::ZERO;
    let mut commitments = Vec::with_capacity(proof.len());
    for (j, b) in proof.iter().enumerate() {
        let (c, s) = (b.challenge.0, b.response.0);
        let v = Scalar::from(lo + j as u64);
        commitments.push((check_mul(&-c, &ct.alpha.0, &s), check_sum(&[s, -c, c * v], &[*y, ct.beta.0, g()])));
        sum += c;
    }
    range_transcript(ctx, y, ct, &commitments) == sum
}

fn equal_transcript(
    ctx: &[u8],
    public: &RistrettoPoint,
    alpha: &RistrettoPoint,
    factor: &RistrettoPoint,
    a: &RistrettoPoint,
    b: &RistrettoPoint,
) -> Scalar {
    let mut t = Transcript::new("liaison/ballot/decrypt");
    t.bytes(ctx).point(public).point(alpha).point(factor).point(a).point(b);
    t.challenge()
}

/// A trustee's decryption factor `x·alpha` of an aggregate ciphertext, with the proof that it
/// uses the same `x` as the trustee's public key.
pub fn decryption_factor(ctx: &[u8], x: &Scalar, alpha: &RistrettoPoint) -> (Point, Branch) {
    let public = gx(x);
    let factor = alpha * x;
    let w = random_scalar();
    let (a, b) = (gx(&w), alpha * w);
    let c = equal_transcript(ctx, &public, alpha, &factor, &a, &b);
    (Point(factor), Branch { challenge: Num(c), response: Num(w + c * x) })
}

pub fn verify_factor(
    ctx: &[u8],
    public: &RistrettoPoint,
    alpha: &RistrettoPoint,
    factor: &RistrettoPoint,
    p: &Branch,
) -> bool {
    let (c, s) = (p.challenge.0, p.response.0);
    let a = check_mul(&-c, public, &s);
    let b = check_sum(&[s, -c], &[*alpha, *factor]);
    equal_transcript(ctx, public, alpha, factor, &a, &b) == c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_proof_holds_for_its_value_and_fails_for_another_ciphertext() {
        let x = random_scalar();
        let y = g() * x;
        let r = random_scalar();
        let ct = Ciphertext::encrypt(&y, 1, &r);
        let p = prove_range(b"ctx", &y, &ct, &r, 1, 0, 1);
        assert!(verify_range(b"ctx", &y, &ct, &p, 0, 1));
        assert!(!verify_range(b"other", &y, &ct, &p, 0, 1), "bound to its context");
        let two = Ciphertext::encrypt(&y, 2, &r);
        assert!(!verify_range(b"ctx", &y, &two, &p, 0, 1));
        // A value outside the range cannot be proven by simulating every branch.
        let sum = prove_range(b"ctx", &y, &two, &r, 2, 0, 3);
        assert!(verify_range(b"ctx", &y, &two, &sum, 0, 3));
        assert!(!verify_range(b"ctx", &y, &two, &sum, 0, 2));
    }

    #[test]
    fn a_decryption_factor_is_checked_against_the_trustees_key() {
        let x = random_scalar();
        let alpha = g() * random_scalar();
        let (f, p) = decryption_factor(b"ctx", &x, &alpha);
        assert!(verify_factor(b"ctx", &(g() * x), &alpha, &f.0, &p));
        let wrong = Point(f.0 + g());
        assert!(!verify_factor(b"ctx", &(g() * x), &alpha, &wrong.0, &p));
        let k = prove_dlog("d", b"m", &x);
        assert!(verify_dlog("d", b"m", &(g() * x), &k));
        assert!(!verify_dlog("d", b"n", &(g() * x), &k));
    }
}
