//! Which address a request comes from, for rate limits and throttles. Behind a reverse
//! proxy every request arrives from the proxy, and the client's address is in
//! `X-Forwarded-For`; but that header is a list any client can start with whatever it
//! likes, and each proxy appends the address it saw. So the entries are read from the right:
//! the nearest ones were added by proxies the deployment trusts (`HELP_TRUSTED_PROXIES`),
//! and the first entry that is not one of them is the client. A request that does not come
//! from a trusted proxy is taken at its peer address, whatever it claims.

use std::net::IpAddr;

/// An address, or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(raw: &str) -> Result<Network, String> {
        let raw = raw.trim();
        let bad = || format!("`{raw}` is not an address or a network such as 10.0.0.0/8");
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (
                a.parse::<IpAddr>().map_err(|_| bad())?,
                Some(p.parse::<u8>().map_err(|_| bad())?),
            ),
            None => (raw.parse::<IpAddr>().map_err(|_| bad())?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.addr, ip) {
            // An IPv4 client seen through an IPv6 socket (`::ffff:10.0.0.1`).
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            _ => ip,
        };
        match (self.addr, ip) {
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

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    pub fn new(networks: Vec<Network>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For`
    /// values (in header order).
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let entries: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for entry in entries.iter().rev() {
            // A malformed entry ends what can be believed: the last trusted hop stands.
            let Ok(ip) = entry.parse::<IpAddr>() else {
                return Some(nearest);
            };
            if !self.trusts(ip) {
                return Some(ip);
            }
            nearest = ip;
        }
        Some(nearest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|n| Network::parse(n).unwrap()).collect())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn networks_parse_and_match() {
        let n = Network::parse("10.0.0.0/8").unwrap();
        assert!(n.contains("10.200.1.2".parse().unwrap()));
        assert!(!n.contains("11.0.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.0.0.9".parse().unwrap()));
        assert!(
            Network::parse("fd00::/8")
                .unwrap()
                .contains("fd12::1".parse().unwrap())
        );
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Network::parse("127.0.0.1")
                .unwrap()
                .contains("127.0.0.1".parse().unwrap())
        );
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0/8", "::1/129", ""] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_first_untrusted_entry_from_the_right() {
        let p = proxies(&["10.0.0.0/8"]);
        // What the client wrote comes first and is ignored.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["6.6.6.6, 203.0.113.7, 10.0.0.5"]),
            ip("203.0.113.7")
        );
        // Several header lines read as one list.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["6.6.6.6", "203.0.113.7"]),
            ip("203.0.113.7")
        );
        // Not from a trusted proxy: the header is not believed.
        assert_eq!(
            p.client(ip("198.51.100.1"), &["203.0.113.7"]),
            ip("198.51.100.1")
        );
        // Only proxies, or nothing: the farthest proxy seen.
        assert_eq!(p.client(ip("10.0.0.2"), &["10.0.0.9"]), ip("10.0.0.9"));
        assert_eq!(p.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        // A malformed entry stops the walk at the last trusted hop.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["203.0.113.7, junk, 10.0.0.5"]),
            ip("10.0.0.5")
        );
        // Nothing trusted: always the peer.
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.2"), &["203.0.113.7"]),
            ip("10.0.0.2")
        );
    }
}
