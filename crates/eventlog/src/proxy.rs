//! Who a client is behind a reverse proxy (`--trusted-proxy`), and which
//! browser origins may post events (`--allow-origin`), SPEC 7.2.
//!
//! `X-Forwarded-For` is only read when the connection comes from a trusted
//! proxy: anyone else could write any address into it and get a fresh rate
//! limit with every request. The list is read from the right, where the
//! trusted proxies appended what they saw; the first address that is not a
//! trusted proxy is the client. Anything left of it was written by the
//! client itself and is ignored.

use std::net::IpAddr;

use axum::http::{header, HeaderMap};

/// An address block such as `10.0.0.0/8` or `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR/BITS` or a single address.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let bad = || {
            format!(
                "--trusted-proxy \"{text}\" is not an address block like 10.0.0.0/8, 192.168.1.7 or fd00::/8"
            )
        };
        let (addr, bits) = match text.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match bits {
            None => max,
            Some(b) => b.parse::<u8>().ok().filter(|&b| b <= max).ok_or_else(bad)?,
        };
        Ok(Cidr { net, prefix })
    }

    /// Whether `ip` is inside the block (IPv4-mapped IPv6 addresses count as
    /// their IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// One hop of `X-Forwarded-For`: an address, maybe with a port
/// (`203.0.113.9:5123`, `[2001:db8::1]:443`).
fn hop(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = t.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (addr, port) = t.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The client's address: the peer's, unless the peer is a trusted proxy
/// and says (in `X-Forwarded-For`) whom it forwards for.
pub fn client_ip(trusted: &[Cidr], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Several headers are one list, in order.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for text in hops.iter().rev() {
        let Some(ip) = hop(text) else {
            // Not an address: written by someone untrusted; the last
            // trusted hop is as far as the chain can be believed.
            return client;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

/// Parses an allowed origin: `scheme://host[:port]`, as a browser sends it
/// in `Origin` (no path, no trailing slash), compared whole.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let t = text.trim();
    let bad = |why: &str| {
        format!("--allow-origin \"{text}\" {why}; write it as a browser sends it, e.g. https://merchant.example or http://localhost:3000")
    };
    let (scheme, rest) = t.split_once("://").ok_or_else(|| bad("has no scheme"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(bad("is not http or https"));
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad("is not just scheme://host[:port]"));
    }
    // Browsers send scheme and host lower-case.
    Ok(t.to_ascii_lowercase())
}

/// Whether a post with these headers may be stored: yes without an
/// allowlist, and for requests without `Origin` (not sent by a browser);
/// otherwise only when `Origin` is one of `allowed`, whole.
pub fn origin_allowed<'a>(allowed: &[String], headers: &'a HeaderMap) -> Result<(), &'a str> {
    if allowed.is_empty() {
        return Ok(());
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    match (origins.next(), origins.next()) {
        (None, _) => Ok(()),
        (Some(o), None) => match o.to_str() {
            Ok(o) if allowed.iter().any(|a| a == o) => Ok(()),
            Ok(o) => Err(o),
            Err(_) => Err("(not text)"),
        },
        (Some(_), Some(_)) => Err("(several Origin headers)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains(ip("10.1.255.3")));
        assert!(!c.contains(ip("10.2.0.1")));
        assert!(c.contains(ip("::ffff:10.1.2.3")));
        let one = Cidr::parse("192.0.2.7").unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("2001:db8::1")));
        let v6 = Cidr::parse("fd00::/8").unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "x", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_read_from_trusted_peers_only() {
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap()];
        let h = xff(&["203.0.113.9"]);
        // Untrusted peer: its header is ignored.
        assert_eq!(
            client_ip(&trusted, ip("198.51.100.1"), &h),
            ip("198.51.100.1")
        );
        assert_eq!(client_ip(&[], ip("10.0.0.1"), &h), ip("10.0.0.1"));
        // Trusted peer: the right-most address that is not a trusted proxy.
        assert_eq!(client_ip(&trusted, ip("10.0.0.1"), &h), ip("203.0.113.9"));
        let spoofed = xff(&["1.2.3.4, 203.0.113.9, 10.0.0.2"]);
        assert_eq!(
            client_ip(&trusted, ip("10.0.0.1"), &spoofed),
            ip("203.0.113.9")
        );
        let split = xff(&["1.2.3.4", "203.0.113.9:4711"]);
        assert_eq!(
            client_ip(&trusted, ip("10.0.0.1"), &split),
            ip("203.0.113.9")
        );
        let v6 = xff(&["[2001:db8::5]:443"]);
        assert_eq!(client_ip(&trusted, ip("10.0.0.1"), &v6), ip("2001:db8::5"));
        // Garbage stops the walk at the last trusted hop.
        let junk = xff(&["203.0.113.9, nonsense"]);
        assert_eq!(client_ip(&trusted, ip("10.0.0.1"), &junk), ip("10.0.0.1"));
        // No header, or only proxies: the left-most known.
        assert_eq!(
            client_ip(&trusted, ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        let proxies = xff(&["10.9.9.9, 10.0.0.2"]);
        assert_eq!(
            client_ip(&trusted, ip("10.0.0.1"), &proxies),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn origins_are_compared_whole() {
        let allowed = vec![parse_origin("https://Merchant.example").unwrap()];
        let with = |o: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
            origin_allowed(&allowed, &h).map_err(str::to_owned)
        };
        assert_eq!(with("https://merchant.example"), Ok(()));
        for o in [
            "https://merchant.example.evil.com",
            "https://merchant.example:8443",
            "https://merchant.example:443",
            "http://merchant.example",
            "https://evilmerchant.example",
            "https://merchant.exampl",
            "null",
        ] {
            assert_eq!(with(o), Err(o.to_owned()), "{o}");
        }
        assert_eq!(origin_allowed(&allowed, &HeaderMap::new()), Ok(()));
        assert_eq!(origin_allowed(&[], &xff(&["x"])), Ok(()));
        for bad in [
            "merchant.example",
            "https://merchant.example/",
            "ftp://x",
            "https://",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
