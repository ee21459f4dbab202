//! The IPv6 `nameserver` lines of a resolv.conf (resolv.conf(5)).

use core::net::{IpAddr, Ipv6Addr};

/// The IPv6 resolvers in a resolv.conf text, in order, without duplicates. A zone
/// index (`fe80::1%eth0`) is dropped when it names `interface` (or is a number: an
/// index the caller cannot check here); a server zoned to another interface is not one
/// `interface`'s traffic goes to and is skipped. IPv4 servers, comments (`#`, `;`) and
/// malformed lines are ignored.
pub fn parse_resolv_conf(text: &str, interface: &str) -> Vec<Ipv6Addr> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            continue;
        }
        let Some(value) = words.next() else { continue };
        let (addr, zone) = match value.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (value, None),
        };
        let Ok(addr) = addr.parse::<Ipv6Addr>() else {
            continue;
        };
        let zone_ok = zone.is_none_or(|z| z == interface || z.bytes().all(|b| b.is_ascii_digit()));
        if zone_ok && !out.contains(&addr) {
            out.push(addr);
        }
    }
    out
}

/// Whether the only servers listed are systemd-resolved's local stubs.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) fn only_resolved_stub(text: &str) -> bool {
    let servers: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("nameserver")).then(|| w.next()).flatten()
        })
        .collect();
    !servers.is_empty()
        && servers.iter().all(|s| {
            matches!(
                s.parse::<IpAddr>(),
                Ok(IpAddr::V4(a)) if a.octets() == [127, 0, 0, 53] || a.octets() == [127, 0, 0, 54]
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ipv6_servers_only() {
        let text = "# generated\nsearch example.jp\nnameserver 192.0.2.1\n\
                    nameserver 2404:1a8:7f01:a::3\nnameserver   2404:1a8:7f01:b::3  # NGN\n\
                    nameserver fe80::1%eth0\nnameserver fe80::2%wlan0\nnameserver fe80::3%2\n\
                    nameserver 2404:1a8:7f01:a::3\nnameserver\nnameserver bogus\n\
                    ;nameserver 2001:db8::1\n  nameserver 2001:db8::2\n";
        let got = parse_resolv_conf(text, "eth0");
        let want: Vec<Ipv6Addr> = [
            "2404:1a8:7f01:a::3",
            "2404:1a8:7f01:b::3",
            "fe80::1",
            "fe80::3",
            "2001:db8::2",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(got, want);
        assert!(parse_resolv_conf("", "eth0").is_empty());
    }

    #[test]
    fn resolved_stub() {
        assert!(only_resolved_stub(
            "nameserver 127.0.0.53\noptions edns0 trust-ad\n"
        ));
        assert!(!only_resolved_stub(
            "nameserver 127.0.0.53\nnameserver 2001:db8::1\n"
        ));
        assert!(!only_resolved_stub("search x\n"));
    }
}
