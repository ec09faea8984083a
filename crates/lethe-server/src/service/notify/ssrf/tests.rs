//! The destination check: each forbidden range, IPv4 inside IPv6, the allow-list by host and
//! by network, schemes and userinfo, and resolving before checking.

use super::*;

fn url(s: &str) -> Url {
    match Url::parse(s) {
        Ok(u) => u,
        Err(e) => unreachable!("test URL {s}: {e}"),
    }
}

fn ip(s: &str) -> IpAddr {
    match s.parse() {
        Ok(ip) => ip,
        Err(e) => unreachable!("test address {s}: {e}"),
    }
}

fn allow(s: &str) -> AllowList {
    match AllowList::parse(s) {
        Ok(a) => a,
        Err(e) => unreachable!("test allow-list {s}: {e}"),
    }
}

/// The check of `https://hooks.example.com/` resolving to `addrs`, with no allow-list.
fn check(addrs: &[&str]) -> Result<(), Refusal> {
    let addrs: Vec<IpAddr> = addrs.iter().map(|a| ip(a)).collect();
    Destination::check(&url("https://hooks.example.com/hook?token=abc"), &addrs, &AllowList::default())
}

fn kind(addr: &str) -> Option<&'static str> {
    match check(&[addr]) {
        Ok(()) => None,
        Err(Refusal::Forbidden { kind, addr: refused, host }) => {
            assert_eq!(refused, ip(addr));
            assert_eq!(host, "hooks.example.com");
            Some(kind)
        }
        Err(other) => unreachable!("{addr}: {other:?}"),
    }
}

#[test]
fn public_addresses_pass() {
    for addr in ["93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "2a00:1450::1"]
    {
        assert_eq!(kind(addr), None, "{addr}");
    }
    assert_eq!(check(&["8.8.8.8", "2606:4700::1111"]), Ok(()));
}

#[test]
fn each_forbidden_ipv4_range_is_refused_at_its_edges() {
    let cases = [
        ("0.0.0.0", "an unspecified"),
        ("0.1.2.3", "a this-network (0.0.0.0/8)"),
        ("0.255.255.255", "a this-network (0.0.0.0/8)"),
        ("127.0.0.1", "a loopback"),
        ("127.255.255.254", "a loopback"),
        ("10.0.0.0", "a private"),
        ("10.255.255.255", "a private"),
        ("172.16.0.1", "a private"),
        ("172.31.255.255", "a private"),
        ("192.168.0.1", "a private"),
        ("192.168.255.255", "a private"),
        ("100.64.0.1", "a shared (carrier-grade NAT)"),
        ("100.127.255.255", "a shared (carrier-grade NAT)"),
        ("169.254.169.254", "a link-local"),
        ("192.0.0.8", "an IETF protocol"),
        ("192.0.2.1", "a documentation"),
        ("198.51.100.1", "a documentation"),
        ("203.0.113.1", "a documentation"),
        ("198.18.0.1", "a benchmarking"),
        ("224.0.0.1", "a multicast"),
        ("239.255.255.255", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("255.255.255.255", "a broadcast"),
    ];
    for (addr, expected) in cases {
        assert_eq!(kind(addr), Some(expected), "{addr}");
    }
    // Just outside: 172.15/16, 172.32/16, 100.63/16, 100.128/16, 169.253/16, 198.20/16.
    for addr in ["172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "169.253.0.1", "198.20.0.1"] {
        assert_eq!(kind(addr), None, "{addr}");
    }
}

#[test]
fn each_forbidden_ipv6_range_is_refused() {
    let cases = [
        ("::", "an unspecified"),
        ("::1", "a loopback"),
        ("fe80::1", "a link-local"),
        ("febf::1", "a link-local"),
        ("fec0::1", "a site-local"),
        ("fc00::1", "a unique-local"),
        ("fdff:ffff::1", "a unique-local"),
        ("ff02::1", "a multicast"),
        ("2001:db8::1", "a documentation"),
        ("3fff:0fff::1", "a documentation"),
        ("::10.0.0.1", "an IPv4-compatible"),
        ("::ffff:0:8.8.8.8", "an IPv4-translated"),
        ("64:ff9b:1::1", "a local-use NAT64"),
        ("100::1", "a discard-only"),
        ("2001::1", "a Teredo"),
        ("2001:2::1", "a benchmarking"),
    ];
    for (addr, expected) in cases {
        assert_eq!(kind(addr), Some(expected), "{addr}");
    }
    for addr in ["fe7f::1", "fbff::1", "3fff:1000::1", "2001:db9::1", "64:ff9b::808:808", "2002:808:808::1"] {
        assert_eq!(kind(addr), None, "{addr}");
    }
}

#[test]
fn ipv6_that_carries_ipv4_is_judged_by_the_ipv4_address() {
    assert_eq!(kind("::ffff:127.0.0.1"), Some("a loopback"));
    assert_eq!(kind("::ffff:10.1.2.3"), Some("a private"));
    assert_eq!(kind("::ffff:169.254.169.254"), Some("a link-local"));
    assert_eq!(kind("::ffff:0.0.0.0"), Some("an unspecified"));
    assert_eq!(kind("::ffff:8.8.8.8"), None);
    // NAT64 and 6to4 reach the address they embed.
    assert_eq!(kind("64:ff9b::7f00:1"), Some("a loopback"));
    assert_eq!(kind("64:ff9b::a9fe:a9fe"), Some("a link-local"));
    assert_eq!(kind("2002:c0a8:0101::1"), Some("a private"));
}

#[test]
fn one_forbidden_address_among_public_ones_refuses() {
    let got = check(&["8.8.8.8", "2606:4700::1111", "127.0.0.1"]);
    assert!(matches!(got, Err(Refusal::Forbidden { kind: "a loopback", .. })), "{got:?}");
}

#[test]
fn a_host_that_resolved_to_nothing_is_refused() {
    assert_eq!(check(&[]), Err(Refusal::Unresolved("hooks.example.com".into())));
}

#[test]
fn address_literals_in_the_url_are_checked_whatever_was_resolved() {
    let none = AllowList::default();
    for literal in [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        // The URL parser reads these as 127.0.0.1, as browsers and HTTP clients do.
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0/",
    ] {
        let got = Destination::check(&url(literal), &[ip("8.8.8.8")], &none);
        assert!(matches!(got, Err(Refusal::Forbidden { .. })), "{literal}: {got:?}");
        assert!(Destination::check(&url(literal), &[], &none).is_err(), "{literal}");
    }
    assert_eq!(Destination::check(&url("https://8.8.8.8/"), &[], &none), Ok(()));
}

#[test]
fn only_https_and_http_are_allowed() {
    let public = [ip("8.8.8.8")];
    let none = AllowList::default();
    for ok in ["https://hooks.example.com/", "http://hooks.example.com:8080/x"] {
        assert_eq!(Destination::check(&url(ok), &public, &none), Ok(()), "{ok}");
    }
    for (bad, scheme) in [
        ("ftp://hooks.example.com/", "ftp"),
        ("file:///etc/passwd", "file"),
        ("gopher://hooks.example.com/", "gopher"),
        ("ws://hooks.example.com/", "ws"),
        ("mailto:ops@example.com", "mailto"),
        ("data:text/plain,hi", "data"),
    ] {
        assert_eq!(Destination::check(&url(bad), &public, &none), Err(Refusal::Scheme(scheme.into())), "{bad}");
    }
}

#[test]
fn userinfo_is_refused_naming_only_the_host() {
    let public = [ip("8.8.8.8")];
    let none = AllowList::default();
    for with in
        ["https://user@hooks.example.com/", "https://user:pw@hooks.example.com/", "https://:pw@hooks.example.com/"]
    {
        let got = Destination::check(&url(with), &public, &none);
        assert_eq!(got, Err(Refusal::Userinfo("hooks.example.com".into())), "{with}");
    }
    // Even for an allowed host.
    let got = Destination::check(&url("https://u:p@hooks.example.com/"), &public, &allow("hooks.example.com"));
    assert!(matches!(got, Err(Refusal::Userinfo(_))));
}

#[test]
fn refusals_name_the_host_and_why_but_not_the_url_or_address() {
    let got =
        Destination::check(&url("https://Hooks.Example.com/p/secret-path?token=abc"), &[ip("10.9.8.7")], &allow(""));
    let Err(refusal) = got else { unreachable!("10.9.8.7 must be refused") };
    let message = refusal.to_string();
    assert!(message.contains("hooks.example.com") && message.contains("private"), "{message}");
    for hidden in ["token", "abc", "secret-path", "10.9.8.7", "https://"] {
        assert!(!message.contains(hidden), "{message} shows {hidden}");
    }
    let userinfo = Destination::check(&url("https://bob:hunter2@hooks.example.com/"), &[], &allow(""));
    assert!(userinfo.is_err_and(|r| !r.to_string().contains("hunter2") && !r.to_string().contains("bob")));
}

#[test]
fn an_allowed_host_name_may_resolve_anywhere() {
    let list = allow("hooks.internal.example, other.example");
    let internal = [ip("10.1.2.3"), ip("127.0.0.1")];
    assert_eq!(Destination::check(&url("https://hooks.internal.example/"), &internal, &list), Ok(()));
    // Case and the root's dot do not matter; subdomains and look-alikes are not allowed.
    assert_eq!(Destination::check(&url("https://HOOKS.internal.example./"), &internal, &list), Ok(()));
    for other in
        ["https://a.hooks.internal.example/", "https://hooks.internal.example.evil.test/", "https://internal.example/"]
    {
        let got = Destination::check(&url(other), &internal, &list);
        assert!(matches!(got, Err(Refusal::Forbidden { .. })), "{other}: {got:?}");
    }
}

#[test]
fn addresses_inside_allowed_networks_pass_and_others_do_not() {
    let list = allow("10.1.0.0/16, ::1/128, fd00:1::/32");
    let at = |addrs: &[&str]| {
        let addrs: Vec<IpAddr> = addrs.iter().map(|a| ip(a)).collect();
        Destination::check(&url("https://hooks.example.com/"), &addrs, &list)
    };
    assert_eq!(at(&["10.1.0.5"]), Ok(()));
    assert_eq!(at(&["10.1.255.255", "::1"]), Ok(()));
    assert_eq!(at(&["fd00:1:ab::7"]), Ok(()));
    // IPv4-mapped IPv6 is matched against the IPv4 network.
    assert_eq!(at(&["::ffff:10.1.0.5"]), Ok(()));
    // Public addresses beside allowed internal ones are still fine: each address is either.
    assert_eq!(at(&["10.1.0.5", "8.8.8.8"]), Ok(()));
    for outside in [&["10.2.0.1"][..], &["10.1.0.5", "10.2.0.1"], &["127.0.0.1"], &["::2"], &["fd00:2::1"]] {
        assert!(matches!(at(outside), Err(Refusal::Forbidden { .. })), "{outside:?}");
    }
    // An address literal inside an allowed network passes as well.
    let literal = Destination::check(&url("http://[::1]/"), &[], &list);
    assert_eq!(literal, Ok(()));
}

#[test]
fn the_allow_list_parses_operator_text() {
    let list = allow(" hooks.example.com ,10.1.0.0/16,, ::1/128, 192.0.2.7, [fd00::1], 10.2.3.4/8 ,");
    assert!(list.allows_host("hooks.example.com"));
    assert!(list.allows_host("Hooks.Example.Com."));
    assert!(!list.allows_host("example.com"));
    for inside in ["10.1.200.1", "::1", "192.0.2.7", "fd00::1", "10.200.0.1"] {
        assert!(list.allows_addr(ip(inside)), "{inside}");
    }
    for outside in ["9.255.255.255", "::2", "192.0.2.8", "fd00::2", "11.0.0.0"] {
        assert!(!list.allows_addr(ip(outside)), "{outside}");
    }
    assert!(allow("").is_empty() && allow(" , ").is_empty());
    assert!(!list.is_empty());
    for bad in ["hooks example.com", "10.0.0.0/33", "https://hooks.example.com", "-bad.example", "a..b", "*.example"] {
        assert_eq!(AllowList::parse(bad), Err(AllowListError(bad.into())), "{bad}");
    }
    assert_eq!("10.0.0.0/8".parse::<AllowList>(), Ok(allow("10.0.0.0/8")));
}

#[tokio::test]
async fn resolving_returns_the_checked_addresses_and_refuses_loopback_names() {
    // `localhost` resolves from the hosts file, without a network.
    let got = Destination::resolve(&url("http://localhost:8080/hook"), &AllowList::default()).await;
    assert!(matches!(got, Err(Refusal::Forbidden { kind: "a loopback", .. })), "{got:?}");

    let found = resolve("localhost", 8080).await;
    assert!(found.as_ref().is_ok_and(|a| !a.is_empty() && a.iter().all(|s| s.port() == 8080)), "{found:?}");

    let list = allow("localhost");
    let dest = Destination::resolve(&url("http://localhost:8080/hook?q=1"), &list).await;
    let Ok(dest) = dest else { unreachable!("an allowed host resolves: {dest:?}") };
    assert_eq!((dest.host(), dest.port()), ("localhost", 8080));
    assert!(!dest.addrs().is_empty() && dest.addrs().iter().all(|a| a.ip().is_loopback()));
    let shown = format!("{dest:?}");
    assert!(shown.contains("localhost") && !shown.contains("q=1"), "{shown}");
}

#[tokio::test]
async fn resolving_an_address_literal_needs_no_lookup() {
    let list = AllowList::default();
    let dest = Destination::resolve(&url("https://8.8.8.8/"), &list).await;
    assert_eq!(dest.map(|d| d.addrs().to_vec()), Ok(vec![SocketAddr::new(ip("8.8.8.8"), 443)]));
    let refused = Destination::resolve(&url("http://[::ffff:192.168.1.1]:81/"), &list).await;
    assert!(matches!(refused, Err(Refusal::Forbidden { kind: "a private", .. })), "{refused:?}");
    // `.invalid` never resolves (RFC 6761).
    let missing = resolve("no-such-host.invalid", 443).await;
    assert_eq!(missing, Err(Refusal::Unresolved("no-such-host.invalid".into())));
}
