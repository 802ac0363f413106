//! The group (ristretto255), its elements and scalars as hex text, randomness and the
//! Fiat–Shamir hash. Nothing here is a primitive of our own: the group arithmetic is
//! curve25519-dalek's and the hash is SHA-512 from `sha2`.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256, Sha512};

/// The group's generator.
pub fn g() -> RistrettoPoint {
    RISTRETTO_BASEPOINT_POINT
}

/// `s·G` with the precomputed table of the generator (constant time).
pub fn gx(s: &Scalar) -> RistrettoPoint {
    RistrettoPoint::mul_base(s)
}

/// `a·P + b·G`, in variable time: for checking proofs, whose values are all public.
pub fn check_mul(a: &Scalar, p: &RistrettoPoint, b: &Scalar) -> RistrettoPoint {
    RistrettoPoint::vartime_double_scalar_mul_basepoint(a, p, b)
}

/// `Σ sᵢ·Pᵢ`, in variable time, for checking proofs.
pub fn check_sum(scalars: &[Scalar], points: &[RistrettoPoint]) -> RistrettoPoint {
    use curve25519_dalek::traits::VartimeMultiscalarMul;
    RistrettoPoint::vartime_multiscalar_mul(scalars, points)
}

/// A uniformly random scalar, from 64 bytes of the operating system's generator.
pub fn random_scalar() -> Scalar {
    let a: [u8; 32] = rand::random();
    let b: [u8; 32] = rand::random();
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(&a);
    wide[32..].copy_from_slice(&b);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// A group element, written as the hex of its 32-byte encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point(pub RistrettoPoint);

impl Point {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.compress().as_bytes())
    }

    pub fn from_hex(s: &str) -> Option<Point> {
        let bytes: [u8; 32] = hex::decode(s).ok()?.try_into().ok()?;
        CompressedRistretto(bytes).decompress().map(Point)
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        let s = String::deserialize(d)?;
        Point::from_hex(&s).ok_or_else(|| serde::de::Error::custom("not a ristretto255 element"))
    }
}

/// A scalar, written as the hex of its canonical 32-byte encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Num(pub Scalar);

impl Num {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn from_hex(s: &str) -> Option<Num> {
        let bytes: [u8; 32] = hex::decode(s.trim()).ok()?.try_into().ok()?;
        Option::<Scalar>::from(Scalar::from_canonical_bytes(bytes)).map(Num)
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        let s = String::deserialize(d)?;
        Num::from_hex(&s).ok_or_else(|| serde::de::Error::custom("not a canonical scalar"))
    }
}

/// The Fiat–Shamir transcript: a domain label, then length-prefixed parts, hashed with SHA-512
/// and reduced to a scalar.
pub struct Transcript(Sha512);

impl Transcript {
    pub fn new(domain: &str) -> Transcript {
        let mut t = Transcript(Sha512::new());
        t.bytes(domain.as_bytes());
        t
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update((b.len() as u64).to_be_bytes());
        self.0.update(b);
        self
    }

    pub fn point(&mut self, p: &RistrettoPoint) -> &mut Self {
        self.bytes(p.compress().as_bytes())
    }

    pub fn challenge(self) -> Scalar {
        let out: [u8; 64] = self.0.finalize().into();
        Scalar::from_bytes_mod_order_wide(&out)
    }
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}
