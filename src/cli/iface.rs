//! Which interface to watch when `-i` is not given (DESIGN.md): the interface of the IPv6
//! default route, else of the IPv4 default route, else the first up, non-loopback
//! Ethernet interface. Read from /proc and /sys, so it needs no privilege. On Windows:
//! the adapter of the lowest-metric IPv6 default route, else the first adapter that is up
//! and has a MAC, by its friendly name (IP Helper API).
// The /proc parsers are plain functions, tested on every system.
#![cfg_attr(windows, allow(dead_code))]

use std::path::Path;

/// The default interface, or `None` if there is none.
#[cfg(windows)]
pub fn default_interface() -> Option<String> {
    v6sentinel::host::windows_default_adapter().map(|a| a.friendly_name)
}

/// The default interface, or `None` if there is none.
#[cfg(not(windows))]
pub fn default_interface() -> Option<String> {
    let v6 = std::fs::read_to_string("/proc/net/ipv6_route").unwrap_or_default();
    let v4 = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    ipv6_default(&v6)
        .or_else(|| ipv4_default(&v4))
        .or_else(|| first_up_ethernet(Path::new("/sys/class/net")))
}

/// The device of `::/0` in /proc/net/ipv6_route (destination all zeros, prefix length 0,
/// not the loopback device), lowest metric first.
fn ipv6_default(table: &str) -> Option<String> {
    table
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (dst, len, metric, dev) = (f.first()?, f.get(1)?, f.get(5)?, f.get(9)?);
            (dst.bytes().all(|b| b == b'0') && *len == "00" && *dev != "lo").then(|| {
                (
                    u32::from_str_radix(metric, 16).unwrap_or(u32::MAX),
                    dev.to_string(),
                )
            })
        })
        .min()
        .map(|(_, dev)| dev)
}

/// The device of destination 0.0.0.0 with mask 0 in /proc/net/route, lowest metric first.
fn ipv4_default(table: &str) -> Option<String> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (dev, dst, metric, mask) = (f.first()?, f.get(1)?, f.get(6)?, f.get(7)?);
            (*dst == "00000000" && *mask == "00000000")
                .then(|| (metric.parse::<u32>().unwrap_or(u32::MAX), dev.to_string()))
        })
        .min()
        .map(|(_, dev)| dev)
}

/// The first interface (by name) that is Ethernet (type 1), not loopback, and up.
fn first_up_ethernet(sys: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(sys)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names.into_iter().find(|n| {
        let read = |f: &str| std::fs::read_to_string(sys.join(n).join(f)).unwrap_or_default();
        n != "lo" && read("type").trim() == "1" && read("operstate").trim() == "up"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_default_route() {
        let table = "\
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     wlan0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000064 00000002 00000000 00000003     eth1
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";
        assert_eq!(ipv6_default(table).as_deref(), Some("eth1"));
        assert_eq!(ipv6_default(""), None);
    }

    #[test]
    fn ipv4_default_route() {
        let table = "\
Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
eth0	00000000	010200C0	0003	0	0	100	00000000	0	0	0
wlan0	00000000	010200C0	0003	0	0	600	00000000	0	0	0
";
        assert_eq!(ipv4_default(table).as_deref(), Some("eth0"));
    }
}
