//! The Windows side of `protect` that can be checked anywhere: the `netsh` command lines
//! that change the interface, the parser of `netsh interface ipv6 show interface`, and
//! the PowerShell query (and its parser) that reads the interface's addresses and routes.
//! Only spawning the processes is Windows code (`windows.rs`).
//!
//! `netsh`'s labels are translated on a Japanese Windows, so its "Router Discovery" line
//! is found only on an English one; the PowerShell query prints the setting as the
//! `RouterDiscovery` enum name (`Enabled`, `Disabled`, `ControlledByDHCP`), which no
//! language changes, and is the fallback. The query is passed with `-EncodedCommand`
//! (UTF-16LE, base64), so no quoting rule of the command line can cut it; the interface
//! alias inside it is a single-quoted PowerShell string.

use super::{Observed, ObservedAddress, ObservedRoute};
use crate::rules::Prefix;
use core::fmt;
use core::net::Ipv6Addr;

/// A Windows interface's router discovery setting (`netsh ... routerdiscovery=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouterDiscovery {
    /// `enabled`: Router Advertisements configure the interface.
    Enabled,
    /// `disabled`.
    Disabled,
    /// `dhcp`: as DHCP says (the default on many installs).
    Dhcp,
}

impl RouterDiscovery {
    /// The `netsh` word.
    pub const fn as_str(self) -> &'static str {
        match self {
            RouterDiscovery::Enabled => "enabled",
            RouterDiscovery::Disabled => "disabled",
            RouterDiscovery::Dhcp => "dhcp",
        }
    }

    /// From the `netsh` word (any case) or the PowerShell enum name.
    pub fn parse(text: &str) -> Option<RouterDiscovery> {
        match text.trim().to_ascii_lowercase().as_str() {
            "enabled" => Some(RouterDiscovery::Enabled),
            "disabled" => Some(RouterDiscovery::Disabled),
            "dhcp" | "controlledbydhcp" => Some(RouterDiscovery::Dhcp),
            _ => None,
        }
    }
}

impl fmt::Display for RouterDiscovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command line: the program and its arguments, as passed to the process (no shell).
/// `Display` shows it as one would type it, the interface always in double quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// Program and arguments.
    pub argv: Vec<String>,
    /// Which argument is the interface (quoted when shown).
    interface_at: Option<usize>,
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.argv.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let plain = !arg.is_empty()
                && arg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._:/=-%".contains(&b));
            if plain && self.interface_at != Some(i) {
                f.write_str(arg)?;
            } else {
                write!(f, "\"{arg}\"")?;
            }
        }
        Ok(())
    }
}

/// Shows `argv` as one line (arguments with spaces or special characters quoted).
pub fn shell_line(argv: &[String]) -> String {
    Cmd {
        argv: argv.to_vec(),
        interface_at: None,
    }
    .to_string()
}

fn netsh(args: &[&str], interface: &str, rest: &[String]) -> Cmd {
    let mut argv: Vec<String> = ["netsh", "interface", "ipv6"]
        .iter()
        .chain(args)
        .map(|s| (*s).to_owned())
        .collect();
    let at = argv.len();
    argv.push(interface.to_owned());
    argv.extend(rest.iter().cloned());
    Cmd {
        argv,
        interface_at: Some(at),
    }
}

/// `netsh interface ipv6 show interface "IF"`.
pub fn netsh_show_interface(interface: &str) -> Cmd {
    netsh(&["show", "interface"], interface, &[])
}

/// `netsh interface ipv6 set interface "IF" routerdiscovery=VALUE` (stored persistently,
/// netsh's default).
pub fn netsh_set_router_discovery(interface: &str, value: RouterDiscovery) -> Cmd {
    netsh(
        &["set", "interface"],
        interface,
        &[format!("routerdiscovery={value}")],
    )
}

/// `netsh interface ipv6 add address "IF" ADDR/LEN store=persistent`: a static copy of
/// the address.
pub fn netsh_add_address(interface: &str, addr: Ipv6Addr, prefix_len: u8) -> Cmd {
    netsh(
        &["add", "address"],
        interface,
        &[
            format!("{addr}/{prefix_len}"),
            "store=persistent".to_owned(),
        ],
    )
}

/// `netsh interface ipv6 delete address "IF" ADDR`.
pub fn netsh_delete_address(interface: &str, addr: Ipv6Addr) -> Cmd {
    netsh(&["delete", "address"], interface, &[addr.to_string()])
}

/// `netsh interface ipv6 add route ::/0 "IF" GW metric=M store=persistent`.
pub fn netsh_add_route(interface: &str, gateway: Ipv6Addr, metric: u32) -> Cmd {
    netsh(
        &["add", "route", "::/0"],
        interface,
        &[
            gateway.to_string(),
            format!("metric={metric}"),
            "store=persistent".to_owned(),
        ],
    )
}

/// `netsh interface ipv6 delete route ::/0 "IF" GW`.
pub fn netsh_delete_route(interface: &str, gateway: Ipv6Addr) -> Cmd {
    netsh(
        &["delete", "route", "::/0"],
        interface,
        &[gateway.to_string()],
    )
}

/// The router discovery setting in the output of `netsh interface ipv6 show interface
/// "IF"` (the `Router Discovery : enabled` line), or `None` when there is no such line
/// (a translated Windows) or its value is unknown.
pub fn parse_netsh_interface(text: &str) -> Option<RouterDiscovery> {
    text.lines().find_map(|line| {
        let (label, value) = line.split_once(':')?;
        if label.trim().eq_ignore_ascii_case("Router Discovery") {
            RouterDiscovery::parse(value)
        } else {
            None
        }
    })
}

/// The PowerShell script that prints, one per line, `rd SETTING`, then `addr ADDRESS
/// PREFIXLEN PREFIXORIGIN SUFFIXORIGIN STATE VALID PREFERRED` per address and `route
/// DESTINATION NEXTHOP METRIC VALID` per route (lifetimes in whole seconds).
fn powershell_script(interface: &str) -> String {
    // Any of PowerShell's single quotes (' and the typographic ones) is doubled.
    let mut alias = String::with_capacity(interface.len());
    for c in interface.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            alias.push(c);
        }
        alias.push(c);
    }
    format!(
        "$ErrorActionPreference = 'Stop'\n\
         $i = '{alias}'\n\
         $n = Get-NetIPInterface -AddressFamily IPv6 -InterfaceAlias $i\n\
         'rd ' + $n.RouterDiscovery\n\
         Get-NetIPAddress -AddressFamily IPv6 -InterfaceAlias $i -ErrorAction SilentlyContinue | \
         ForEach-Object {{ 'addr ' + $_.IPAddress + ' ' + $_.PrefixLength + ' ' + \
         $_.PrefixOrigin + ' ' + $_.SuffixOrigin + ' ' + $_.AddressState + ' ' + \
         [uint64]$_.ValidLifetime.TotalSeconds + ' ' + [uint64]$_.PreferredLifetime.TotalSeconds }}\n\
         Get-NetRoute -AddressFamily IPv6 -InterfaceAlias $i -ErrorAction SilentlyContinue | \
         ForEach-Object {{ 'route ' + $_.DestinationPrefix + ' ' + $_.NextHop + ' ' + \
         $_.RouteMetric + ' ' + [uint64]$_.ValidLifetime.TotalSeconds }}\n"
    )
}

/// `powershell -NoProfile -NonInteractive -EncodedCommand …` running the query of
/// [`parse_powershell`] for `interface`.
pub fn powershell_query(interface: &str) -> Vec<String> {
    let utf16: Vec<u8> = powershell_script(interface)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    [
        "powershell",
        "-NoProfile",
        "-NonInteractive",
        "-EncodedCommand",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([base64(&utf16)])
    .collect()
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (n >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(TABLE[index as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Seconds as PowerShell printed them: 4294967295 or more (a `TimeSpan.MaxValue`) is
/// infinite.
fn lifetime(text: &str) -> Option<Option<u32>> {
    let secs: u64 = text.parse().ok()?;
    Some(u32::try_from(secs).ok().filter(|s| *s != u32::MAX))
}

/// An address as PowerShell prints it (`fe80::1%12`: the zone is dropped).
fn address(text: &str) -> Option<Ipv6Addr> {
    text.split('%').next()?.parse().ok()
}

/// Parses the output of [`powershell_query`]: the router discovery setting (if the `rd`
/// line was there and known) and the addresses and routes. A known line that does not
/// parse is an error (an address missed could hide the NGN upstream); unknown lines are
/// skipped.
pub fn parse_powershell(text: &str) -> Result<(Option<RouterDiscovery>, Observed), String> {
    let mut setting = None;
    let mut observed = Observed::default();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("unexpected line from PowerShell: `{}`", line.trim());
        match f.as_slice() {
            ["rd", value] => setting = RouterDiscovery::parse(value),
            [
                "addr",
                addr,
                len,
                prefix_origin,
                _suffix_origin,
                state,
                valid,
                preferred,
            ] => {
                let addr = address(addr).ok_or_else(bad)?;
                let prefix_len: u8 = len.parse().ok().filter(|l| *l <= 128).ok_or_else(bad)?;
                let valid = lifetime(valid).ok_or_else(bad)?;
                let preferred = lifetime(preferred).ok_or_else(bad)?;
                observed.addresses.push(ObservedAddress {
                    addr,
                    prefix_len,
                    permanent: prefix_origin.eq_ignore_ascii_case("Manual") || valid.is_none(),
                    // PowerShell does not tell a temporary address from a stable one
                    // (both have a random suffix on Windows).
                    temporary: false,
                    duplicate: ["Duplicate", "Invalid"]
                        .iter()
                        .any(|s| state.eq_ignore_ascii_case(s)),
                    valid_lifetime: valid,
                    preferred_lifetime: preferred,
                    flags: 0,
                });
            }
            ["route", destination, next_hop, metric, valid] => {
                let destination: Prefix = destination.parse().map_err(|_| bad())?;
                let gateway = address(next_hop).ok_or_else(bad)?;
                let metric: u32 = metric.parse().map_err(|_| bad())?;
                let valid = lifetime(valid).ok_or_else(bad)?;
                observed.routes.push(ObservedRoute {
                    destination,
                    gateway: (!gateway.is_unspecified()).then_some(gateway),
                    metric: Some(metric),
                    dynamic: valid.is_some(),
                });
            }
            [] => {}
            [kind, ..] if ["rd", "addr", "route"].contains(kind) => return Err(bad()),
            _ => {}
        }
    }
    Ok((setting, observed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `netsh interface ipv6 show interface "Ethernet"` on an English Windows 11.
    const SHOW_INTERFACE: &str = "\r
Interface Ethernet Parameters\r
----------------------------------------------\r
IfLuid                             : ethernet_32769\r
IfIndex                            : 12\r
State                              : connected\r
Metric                             : 25\r
Link MTU                           : 1500 bytes\r
Reachable Time                     : 21500 ms\r
Base Reachable Time                : 30000 ms\r
Retransmission Interval            : 1000 ms\r
DAD Transmits                      : 1\r
Site Prefix Length                 : 64\r
Site Id                            : 1\r
Forwarding                         : disabled\r
Advertising                        : disabled\r
Neighbor Discovery                 : enabled\r
Neighbor Unreachability Detection  : enabled\r
Router Discovery                   : dhcp\r
Managed Address Configuration      : enabled\r
Other Stateful Configuration       : enabled\r
Weak Host Sends                    : disabled\r
Weak Host Receives                 : disabled\r
Use Automatic Metric               : enabled\r
Ignore Default Routes              : disabled\r
Advertised Router Lifetime         : 1800 seconds\r
Advertise Default Route            : disabled\r
Current Hop Limit                  : 0\r
Force ARPND Wake up patterns       : disabled\r
Directed MAC Wake up patterns      : disabled\r
ECN capability                     : application\r
RA Based DNS Config (RFC 6106)     : enabled\r
DHCP/Static IP coexistence         : enabled\r
";

    #[test]
    fn router_discovery_from_netsh() {
        assert_eq!(
            parse_netsh_interface(SHOW_INTERFACE),
            Some(RouterDiscovery::Dhcp)
        );
        let enabled = SHOW_INTERFACE.replace(": dhcp", ": enabled");
        assert_eq!(
            parse_netsh_interface(&enabled),
            Some(RouterDiscovery::Enabled)
        );
        let disabled = SHOW_INTERFACE.replace(": dhcp", ": disabled");
        assert_eq!(
            parse_netsh_interface(&disabled),
            Some(RouterDiscovery::Disabled)
        );
        // "Advertise Default Route" and "Neighbor Discovery" are not the line.
        let without = SHOW_INTERFACE.replace("Router Discovery", "ルーターの探索");
        assert_eq!(parse_netsh_interface(&without), None);
        assert_eq!(parse_netsh_interface(""), None);
        let odd = SHOW_INTERFACE.replace(": dhcp", ": maybe");
        assert_eq!(parse_netsh_interface(&odd), None);
    }

    #[test]
    fn netsh_command_lines() {
        assert_eq!(
            netsh_set_router_discovery("Ethernet", RouterDiscovery::Disabled).to_string(),
            "netsh interface ipv6 set interface \"Ethernet\" routerdiscovery=disabled"
        );
        let cmd = netsh_set_router_discovery("イーサネット 2", RouterDiscovery::Dhcp);
        assert_eq!(
            cmd.argv,
            [
                "netsh",
                "interface",
                "ipv6",
                "set",
                "interface",
                "イーサネット 2",
                "routerdiscovery=dhcp"
            ]
        );
        assert_eq!(
            netsh_show_interface("Ethernet").to_string(),
            "netsh interface ipv6 show interface \"Ethernet\""
        );
        let a: Ipv6Addr = "2408:210:1:2::5".parse().unwrap();
        assert_eq!(
            netsh_add_address("Ethernet 2", a, 64).to_string(),
            "netsh interface ipv6 add address \"Ethernet 2\" 2408:210:1:2::5/64 store=persistent"
        );
        assert_eq!(
            netsh_delete_address("Ethernet", a).to_string(),
            "netsh interface ipv6 delete address \"Ethernet\" 2408:210:1:2::5"
        );
        let gw: Ipv6Addr = "fe80::1".parse().unwrap();
        assert_eq!(
            netsh_add_route("Ethernet", gw, 1023).to_string(),
            "netsh interface ipv6 add route ::/0 \"Ethernet\" fe80::1 metric=1023 store=persistent"
        );
        assert_eq!(
            netsh_delete_route("Ethernet", gw).to_string(),
            "netsh interface ipv6 delete route ::/0 \"Ethernet\" fe80::1"
        );
        assert_eq!(
            shell_line(&["a b".to_owned(), "c".to_owned(), String::new()]),
            "\"a b\" c \"\""
        );
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn powershell_query_quotes_the_alias() {
        let script = powershell_script("It's ‘x’");
        assert!(script.contains("$i = 'It''s ‘‘x’’'\n"), "{script}");
        let argv = powershell_query("Ethernet");
        assert_eq!(argv[3], "-EncodedCommand");
        // "$E" in UTF-16LE is 24 00 45 00.
        assert!(argv[4].starts_with("JABFAH"), "{}", argv[4]);
    }

    #[test]
    fn powershell_output() {
        let text = "rd ControlledByDHCP\r\n\
            addr fe80::1c2b:3d4e:5f60:7182%12 64 WellKnown Link Preferred 4294967295 4294967295\r\n\
            addr 2408:210:1:2:1c2b:3d4e:5f60:7182 64 RouterAdvertisement Random Preferred 2591990 604790\r\n\
            addr 2001:db8::5 64 Manual Manual Tentative 4294967295 4294967295\r\n\
            addr 2001:db8::6 64 Manual Manual Duplicate 4294967295 4294967295\r\n\
            route ::/0 fe80::1 256 1790\r\n\
            route 2408:210:1:2::/64 :: 256 2591990\r\n\
            route ::/0 fe80::9 0 922337203685\r\n\
            something else\r\n";
        let (rd, o) = parse_powershell(text).unwrap();
        assert_eq!(rd, Some(RouterDiscovery::Dhcp));
        assert_eq!(o.addresses.len(), 4);
        assert!(o.addresses[3].duplicate);
        let ll = &o.addresses[0];
        assert_eq!(
            ll.addr,
            "fe80::1c2b:3d4e:5f60:7182".parse::<Ipv6Addr>().unwrap()
        );
        assert!(ll.permanent);
        let slaac = &o.addresses[1];
        assert!(!slaac.permanent && !slaac.duplicate);
        assert_eq!(
            (slaac.valid_lifetime, slaac.preferred_lifetime),
            (Some(2_591_990), Some(604_790))
        );
        assert!(o.addresses[2].permanent && !o.addresses[2].duplicate);
        assert_eq!(o.routes.len(), 3);
        assert!(o.routes[0].dynamic);
        assert_eq!(o.routes[1].gateway, None);
        assert!(!o.routes[2].dynamic);
        assert_eq!(
            o.default_routers(),
            [
                "fe80::1".parse::<Ipv6Addr>().unwrap(),
                "fe80::9".parse().unwrap()
            ]
        );
        assert!(parse_powershell("addr nonsense 64 a b c 1 1").is_err());
        assert!(parse_powershell("route ::/0 fe80::1").is_err());
        assert_eq!(parse_powershell("rd Weird").unwrap().0, None);
    }
}
