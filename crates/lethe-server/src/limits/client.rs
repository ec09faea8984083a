//! Who a client is, for limits: the socket's peer address, or, when the peer is a configured
//! trusted proxy, the address that proxy reports in `X-Forwarded-For`. IPv6 clients are
//! counted per /64 network, the block one subscriber usually holds.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The socket's peer, put in every request's extensions by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// A trusted proxy as configured: an address (`10.0.0.7`) or a network (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet(pub IpNet);

impl std::str::FromStr for ProxyNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(ProxyNet(IpNet::from(ip)));
        }
        s.parse::<IpNet>().map(ProxyNet).map_err(|_| format!("'{s}' is neither an address nor a network"))
    }
}

impl serde::Serialize for ProxyNet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ProxyNet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The networks whose connections are proxies that may speak for their clients.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    pub fn from_config(nets: &[ProxyNet]) -> Self {
        TrustedProxies(nets.iter().map(|n| n.0).collect())
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address. From a trusted proxy, `X-Forwarded-For` is read from the right
    /// (the entry the nearest proxy appended) past every trusted proxy; the first address that
    /// is not one is the client. Entries further left were written by the client itself and
    /// are ignored. A header that cannot be read leaves the proxy as the client.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(list) = value.to_str() else { return client };
            for entry in list.rsplit(',') {
                let Some(ip) = parse_entry(entry) else { return client };
                client = ip;
                if !self.contains(ip) {
                    return ip;
                }
            }
        }
        client
    }
}

/// An entry of `X-Forwarded-For`: an address, possibly with a port (`1.2.3.4:5`,
/// `[2001:db8::1]:5`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    entry.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are the IPv4 address they map.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The bytes a client is counted under: an IPv4 address whole, an IPv6 address's /64 network,
/// after a byte that says which (no allocation: this runs for every limited request).
pub fn client_bytes(ip: IpAddr) -> [u8; 9] {
    let mut out = [0u8; 9];
    match canonical(ip) {
        IpAddr::V4(v4) => {
            out[0] = 4;
            out[1..5].copy_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            out[0] = 6;
            out[1..].copy_from_slice(&v6.octets()[..8]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies() -> TrustedProxies {
        TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()])
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        assert_eq!("10.0.0.7".parse::<ProxyNet>().unwrap().0, "10.0.0.7/32".parse::<IpNet>().unwrap());
        assert_eq!("fd00::/8".parse::<ProxyNet>().unwrap().0, "fd00::/8".parse::<IpNet>().unwrap());
        assert!("proxy.local".parse::<ProxyNet>().is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        assert_eq!(proxies().client_of(ip("203.0.113.9"), &xff(&["198.51.100.1"])), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_speaks_for_its_client() {
        let p = proxies();
        assert_eq!(p.client_of(ip("10.1.1.1"), &xff(&["198.51.100.1"])), ip("198.51.100.1"));
        // The client wrote a fake entry; the proxies appended the real one, then themselves.
        let h = xff(&["6.6.6.6, 198.51.100.1, 10.2.2.2"]);
        assert_eq!(p.client_of(ip("10.1.1.1"), &h), ip("198.51.100.1"));
        // Several headers are one list, in order.
        let h = xff(&["6.6.6.6", "198.51.100.1:4711", "10.2.2.2"]);
        assert_eq!(p.client_of(ip("10.1.1.1"), &h), ip("198.51.100.1"));
        assert_eq!(p.client_of(ip("::1"), &xff(&["[2001:db8::7]:443"])), ip("2001:db8::7"));
    }

    #[test]
    fn without_a_readable_header_the_proxy_is_the_client() {
        let p = proxies();
        assert_eq!(p.client_of(ip("10.1.1.1"), &HeaderMap::new()), ip("10.1.1.1"));
        assert_eq!(p.client_of(ip("10.1.1.1"), &xff(&["not-an-ip"])), ip("10.1.1.1"));
        assert_eq!(p.client_of(ip("10.1.1.1"), &xff(&["10.3.3.3"])), ip("10.3.3.3"));
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(client_bytes(ip("2001:db8:1:2:aaaa::1")), client_bytes(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(client_bytes(ip("2001:db8:1:2::1")), client_bytes(ip("2001:db8:1:3::1")));
        assert_eq!(client_bytes(ip("::ffff:192.0.2.1")), client_bytes(ip("192.0.2.1")));
        assert!(proxies().contains(ip("::ffff:10.9.9.9")));
    }
}
