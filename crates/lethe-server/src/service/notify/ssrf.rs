//! Which destinations a webhook may reach: accounts choose the URLs, so without this check a
//! webhook would let anyone make the server send requests into its own network (server-side
//! request forgery): its loopback services, the cloud's metadata address, private hosts.
//!
//! A URL passes when its scheme is `https` or `http`, it carries no user name or password,
//! and every address its host resolves to is public. The operator's [`AllowList`] lets chosen
//! internal hosts (by name) or networks (by address) through.
//!
//! Resolve once and connect to what was checked: [`Destination::resolve`] returns the checked
//! addresses, and delivery must connect to exactly those (with reqwest,
//! `ClientBuilder::resolve_to_addrs`), never look the name up again. A second lookup could
//! answer differently (DNS rebinding: a public address for the check, `127.0.0.1` for the
//! connection). For the same reason delivery must not follow redirects unchecked.

use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

/// Internal destinations the operator lets webhooks reach, from a comma-separated list of host
/// names (`hooks.internal.example`, matched exactly, case-insensitively) and addresses or
/// networks (`10.1.0.0/16`, `::1/128`, `192.0.2.7`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

/// Why an allow-list entry was not understood; names the entry (operator text, not secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("webhook allow-list entry '{0}' is neither a host name, an address nor a network")]
pub struct AllowListError(pub String);

impl AllowList {
    /// Parses the operator's text; empty entries (`a,,b`, a trailing comma) are skipped.
    pub fn parse(text: &str) -> Result<Self, AllowListError> {
        let mut list = AllowList::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bare = entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).unwrap_or(entry);
            if let Ok(ip) = bare.parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip.to_canonical()));
            } else if let Ok(net) = entry.parse::<IpNet>() {
                list.nets.push(net.trunc());
            } else if is_host_name(entry) {
                list.hosts.push(normalise_host(entry));
            } else {
                return Err(AllowListError(entry.to_string()));
            }
        }
        Ok(list)
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.nets.is_empty()
    }

    /// Whether `host` (a name from a URL) is on the list by name.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = normalise_host(host);
        self.hosts.contains(&host)
    }

    /// Whether `ip` lies in one of the listed networks (IPv4-mapped IPv6 counts as IPv4).
    pub fn allows_addr(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

impl std::str::FromStr for AllowList {
    type Err = AllowListError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AllowList::parse(s)
    }
}

/// Letters, digits, `-` and `.`, in labels of 1 to 63 characters.
fn is_host_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Lower case, without the root's trailing dot: `Hooks.Example.COM.` is `hooks.example.com`.
fn normalise_host(host: &str) -> String {
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// Why a webhook URL may not be used. Names the host and the reason, never the whole URL (its
/// path or query may hold the receiver's token) nor the address a name resolved to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("webhook URLs must use https or http, not {0}")]
    Scheme(String),
    #[error("a webhook URL must not contain a user name or password (host {0})")]
    Userinfo(String),
    #[error("a webhook URL must name a host")]
    NoHost,
    #[error("the webhook host {0} does not resolve to any address")]
    Unresolved(String),
    #[error("the webhook host {host} resolves to {kind} address, which webhooks may not reach")]
    Forbidden {
        host: String,
        /// What the address is, with its article: "a loopback", "a private".
        kind: &'static str,
        /// The address, for the server's log; not part of the message.
        addr: IpAddr,
    },
}

/// A webhook's destination once checked: the host, the port, and the addresses to connect to.
#[derive(Clone, PartialEq, Eq)]
pub struct Destination {
    host: String,
    port: u16,
    addrs: Vec<SocketAddr>,
}

impl fmt::Debug for Destination {
    // The host and port only: the URL's path and query are not kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Destination").field("host", &self.host).field("port", &self.port).finish_non_exhaustive()
    }
}

impl Destination {
    /// Checks `url` against the addresses its host `resolved` to (for an address literal, the
    /// literal is checked too, whatever `resolved` holds). Every address must be public or in
    /// an allowed network, unless the host name itself is allowed.
    pub fn check(url: &Url, resolved: &[IpAddr], allow: &AllowList) -> Result<(), Refusal> {
        let host = checked_host(url)?;
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(Host::Domain(name)) if allow.allows_host(name) => return Ok(()),
            _ => None,
        };
        let shown = normalise_host(&host);
        let addrs: Vec<IpAddr> = literal.into_iter().chain(resolved.iter().copied()).collect();
        if addrs.is_empty() {
            return Err(Refusal::Unresolved(shown));
        }
        for addr in addrs {
            if allow.allows_addr(addr) {
                continue;
            }
            if let Some(kind) = forbidden(addr) {
                return Err(Refusal::Forbidden { host: shown, kind, addr });
            }
        }
        Ok(())
    }

    /// Resolves `url`'s host (see [`resolve`]) and checks the answer: the destination to
    /// deliver to, with the very addresses that were checked.
    pub async fn resolve(url: &Url, allow: &AllowList) -> Result<Destination, Refusal> {
        let host = checked_host(url)?;
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs = match url.host() {
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            _ => resolve(&host, port).await?,
        };
        let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
        Destination::check(url, &ips, allow)?;
        Ok(Destination { host: normalise_host(&host), port, addrs })
    }

    /// The host name, for the request's `Host` header and TLS server name.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The checked addresses: connect to these and no others.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }
}

/// Looks `host` up (the system's resolver, through tokio) and returns every address it has.
/// Check the answer with [`Destination::check`] and connect to those same addresses: looking
/// the name up again to connect would let its DNS answer differently the second time.
pub async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Refusal> {
    let unresolved = || Refusal::Unresolved(normalise_host(host));
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await.map_err(|_| unresolved())?.collect();
    if found.is_empty() {
        return Err(unresolved());
    }
    Ok(found)
}

/// The scheme and userinfo checks, and the host as text (IPv6 in brackets).
fn checked_host(url: &Url) -> Result<String, Refusal> {
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Refusal::Scheme(url.scheme().to_string()));
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or(Refusal::NoHost)?.to_string();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Userinfo(normalise_host(&host)));
    }
    Ok(host)
}

/// What kind of address webhooks may not reach `ip` is, or `None` for a public address.
fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => "an unspecified",
        _ if ip.is_broadcast() => "a broadcast",
        (0, _, _) => "a this-network (0.0.0.0/8)",
        (127, _, _) => "a loopback",
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => "a private",
        (100, 64..=127, _) => "a shared (carrier-grade NAT)",
        (169, 254, _) => "a link-local",
        (192, 0, 0) => "an IETF protocol",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation",
        (198, 18..=19, _) => "a benchmarking",
        (224..=239, _, _) => "a multicast",
        (240..=255, _, _) => "a reserved",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    // Addresses that carry an IPv4 address are judged by it: `::ffff:127.0.0.1` is loopback.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    Some(match s {
        _ if ip.is_unspecified() => "an unspecified",
        _ if ip.is_loopback() => "a loopback",
        // `::a.b.c.d`, deprecated IPv4-compatible addresses: nothing public lives there.
        [0, 0, 0, 0, 0, 0, _, _] => "an IPv4-compatible",
        [0, 0, 0, 0, 0xffff, 0, _, _] => "an IPv4-translated",
        // NAT64 (RFC 6052) and 6to4 (RFC 3056) reach the IPv4 address they embed.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return forbidden_v4(embedded(hi, lo)),
        [0x2002, hi, lo, ..] => return forbidden_v4(embedded(hi, lo)),
        [0x64, 0xff9b, 1, ..] => "a local-use NAT64",
        [0x100, 0, 0, 0, ..] => "a discard-only",
        [0x2001, 0, ..] => "a Teredo",
        [0x2001, 2, 0, ..] => "a benchmarking",
        [0x2001, 0xdb8, ..] => "a documentation",
        [0x3fff, y, ..] if y & 0xf000 == 0 => "a documentation",
        [x, ..] if x & 0xfe00 == 0xfc00 => "a unique-local",
        [x, ..] if x & 0xffc0 == 0xfe80 => "a link-local",
        [x, ..] if x & 0xffc0 == 0xfec0 => "a site-local",
        [x, ..] if x & 0xff00 == 0xff00 => "a multicast",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
