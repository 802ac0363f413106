//! Public rate limits, one bucket per purpose so that one cannot starve another: submitting,
//! guessing tracking codes (each code counts), recovering codes (per address and per phone
//! number), and signing in (per address, besides the per-account lock-out). The client's address
//! is the peer's, or — only when the peer is a configured trusted proxy — the one the proxy
//! reports in `X-Forwarded-For` or `Forwarded`.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

/// What a public request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// A new case from the public form, the API or Open311.
    Submit,
    /// Tracking-code lookups and surveys: each code named is one guess.
    Track,
    /// "Forgot my code": a message to a phone.
    Recover,
    /// A login attempt.
    Login,
}

pub struct Limits {
    submit: DefaultKeyedRateLimiter<IpAddr>,
    track: DefaultKeyedRateLimiter<IpAddr>,
    recover: DefaultKeyedRateLimiter<IpAddr>,
    login: DefaultKeyedRateLimiter<IpAddr>,
    recover_phone: DefaultKeyedRateLimiter<String>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"))
}

impl Limits {
    pub fn new(s: &crate::Settings) -> Limits {
        // Code recovery sends a text message: a few per address a minute, and per phone number
        // a few an hour (with a burst of 3), so that nobody floods a constituent's phone.
        let phone_quota = Quota::per_hour(NonZeroU32::new(s.recover_per_phone_per_hour.max(1)).expect("at least one"))
            .allow_burst(NonZeroU32::new(s.recover_per_phone_per_hour.clamp(1, 3)).expect("at least one"));
        Limits {
            submit: RateLimiter::keyed(per_minute(s.public_per_minute)),
            track: RateLimiter::keyed(per_minute(s.public_per_minute)),
            recover: RateLimiter::keyed(per_minute(s.public_per_minute.div_ceil(6))),
            login: RateLimiter::keyed(per_minute(s.login_per_minute)),
            recover_phone: RateLimiter::keyed(phone_quota),
        }
    }

    fn too_many() -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "操作过于频繁，请稍后再试")
    }

    /// Spends `n` cells of `bucket` for the client, or refuses.
    pub fn spend(&self, bucket: Bucket, client: ClientIp, n: u32) -> Result<(), ApiError> {
        let limiter = match bucket {
            Bucket::Submit => &self.submit,
            Bucket::Track => &self.track,
            Bucket::Recover => &self.recover,
            Bucket::Login => &self.login,
        };
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        match limiter.check_key_n(&client.0, n) {
            Ok(Ok(())) => Ok(()),
            _ => Err(Self::too_many()),
        }
    }

    /// One message to this phone number.
    pub fn spend_phone(&self, phone: &str) -> Result<(), ApiError> {
        self.recover_phone.check_key(&phone.to_owned()).map_err(|_| Self::too_many())
    }

    /// Forgets clients that have not been seen lately (called by the background jobs).
    pub fn forget_idle(&self) {
        self.submit.retain_recent();
        self.track.retain_recent();
        self.recover.retain_recent();
        self.login.retain_recent();
        self.recover_phone.retain_recent();
    }
}

/// The client's address, as far as it can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client behind `peer`: the peer itself unless it is a trusted proxy; then the right-most
/// address of the forwarding chain that is not a trusted proxy (an address further left was
/// written by the client and proves nothing).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut chain: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()) {
        for element in v.split(',') {
            for pair in element.split(';') {
                if let Some((k, val)) = pair.trim().split_once('=')
                    && k.trim().eq_ignore_ascii_case("for")
                {
                    let val = val.trim().trim_matches('"');
                    let host = match val.strip_prefix('[') {
                        Some(rest) => rest.split(']').next().unwrap_or(""),
                        None => val.split(':').next().unwrap_or(""),
                    };
                    if let Ok(ip) = host.parse() {
                        chain.push(ip);
                    }
                }
            }
        }
    }
    if chain.is_empty() {
        for v in headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()) {
            chain.extend(v.split(',').filter_map(|s| s.trim().parse::<IpAddr>().ok()));
        }
    }
    chain.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(client_ip(peer, &parts.headers, &state.settings.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        // Not trusted: the header is the client's own claim.
        assert_eq!(
            client_ip("198.51.100.9".parse().unwrap(), &xff, &trusted),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &xff, &[]), proxy);
        // Trusted: the right-most address that is not a proxy; the spoofed left one is ignored.
        assert_eq!(client_ip(proxy, &xff, &trusted), "198.51.100.7".parse::<IpAddr>().unwrap());
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, 10.0.0.3")]);
        assert_eq!(client_ip(proxy, &chain, &trusted), "198.51.100.7".parse::<IpAddr>().unwrap());
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.3")]);
        assert_eq!(client_ip(proxy, &fwd, &trusted), "2001:db8::1".parse::<IpAddr>().unwrap());
        let fwd = headers(&[("forwarded", "for=203.0.113.60:1234")]);
        assert_eq!(client_ip(proxy, &fwd, &trusted), "203.0.113.60".parse::<IpAddr>().unwrap());
        // Garbage or only proxies: the peer.
        assert_eq!(client_ip(proxy, &headers(&[("x-forwarded-for", "unknown")]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&[("x-forwarded-for", "10.0.0.7")]), &trusted), proxy);
    }
}
