//! The host's own IPv6 state on one interface — addresses, default routers, routes
//! learned from Router Advertisements, DNS servers — read from the kernel over rtnetlink
//! (Linux) or from the IP Helper API (Windows, see the `windows` module) and turned into
//! a [`HostObservation`] for the detector. The rest of the program sees only the
//! functions of this module ([`snapshot`], [`observe`], [`ifindex`], [`is_up`],
//! [`mac_address`], [`Watcher`]), the same on both systems.
//!
//! [`snapshot`] is one dump with everything the kernel says ([`HostState`]: flags,
//! `ifa_proto`, lifetimes, route protocols, preferences, expiry); [`observe`] is the
//! same dump reduced to what the detector needs. [`Watcher`] is told by the kernel when
//! an IPv6 address or route changes, so `watch` can observe again only then.
//!
//! # How an address's origin is decided
//! The kernel does not record who configured an address, only traces of it. In order,
//! first match wins ([`classify`]):
//!
//! | trace | origin |
//! | --- | --- |
//! | inside fe80::/10 | [`AddressOrigin::LinkLocal`] |
//! | `ifa_proto` = `kernel_ra` (Linux ≥ 6.1 marks the addresses its SLAAC made) | [`AddressOrigin::Slaac`] |
//! | `IFA_F_TEMPORARY` (RFC 8981 privacy address) or `IFA_F_MANAGETEMPADDR` (a user-space SLAAC, e.g. NetworkManager's, asking the kernel for privacy addresses) | [`AddressOrigin::Slaac`] |
//! | `IFA_F_PERMANENT` (added by hand or by a static configuration: infinite lifetime) | [`AddressOrigin::Manual`] |
//! | "dynamic" (finite lifetime) and a /128 — what dhclient, NetworkManager and systemd-networkd install for an IA_NA address | [`AddressOrigin::Dhcpv6`] |
//! | "dynamic" with a shorter prefix — SLAAC on a kernel older than 6.1, or user-space SLAAC | [`AddressOrigin::Slaac`] |
//! | anything else (another `ifa_proto` set by a daemon) | [`AddressOrigin::Other`] |
//!
//! # Routes
//! Default routers are the gateways of every unicast `::/0` route out of the interface,
//! whatever installed it (an RA — `proto ra`, RTPROT_RA = 9 — a DHCP client, or a static
//! configuration): each of them is a router the terminal sends its traffic to.
//! Multipath next hops count one by one. "Routes" are the more-specific routes the
//! kernel learned from RAs (`proto ra` with a gateway: Route Information Options,
//! RFC 4191). Routes in the local table (255) are not routes to anywhere.
//!
//! # DNS
//! Linux has no per-interface resolver list in the kernel. [`observe`] reads the
//! `nameserver` lines of `/etc/resolv.conf` that are IPv6 addresses (a zone index
//! `%IF` is dropped; one naming another interface is skipped). When that file lists
//! only the systemd-resolved stub (127.0.0.53 / 127.0.0.54), the upstream list in
//! `/run/systemd/resolve/resolv.conf` is read instead. These are the resolvers the
//! host's programs use, which is what error 011 is about; per-link servers known only to
//! systemd-resolved's D-Bus API are not read.
//!
//! # Watching
//! [`Watcher::new`] subscribes a netlink socket to the multicast groups
//! `RTNLGRP_IPV6_IFADDR` (9) and `RTNLGRP_IPV6_ROUTE` (11) before the first dump, so
//! nothing changes unseen between the dump and the subscription. [`Watcher::wait`]
//! blocks (with a time limit) until a message about the interface arrives, or the socket
//! overflowed (ENOBUFS: changes were lost), and returns `true`; the caller then calls
//! [`observe`] again and feeds the detector. For tokio, the watcher is [`AsFd`]: wrap
//! it in `tokio::io::unix::AsyncFd` after [`Watcher::set_nonblocking`], and call
//! [`Watcher::drain`] when it is readable.
//!
//! [`AsFd`]: std::os::fd::AsFd

#[cfg(target_os = "linux")]
mod netlink;
mod resolv;
#[cfg(target_os = "linux")]
mod watch;
#[cfg(windows)]
mod windows;

pub use resolv::parse_resolv_conf;
#[cfg(target_os = "linux")]
pub use watch::Watcher;
#[cfg(windows)]
pub use windows::{
    Adapter, Watcher, adapter as windows_adapter, adapters as windows_adapters,
    default_adapter as windows_default_adapter, ifindex, is_up, mac_address, snapshot,
};

use crate::detect::{AddressOrigin, HostAddress, HostObservation};
use crate::rules::Prefix;
use core::net::Ipv6Addr;
#[cfg(target_os = "linux")]
use std::path::Path;

/// An IPv6 address flag (`IFA_F_*`, `include/uapi/linux/if_addr.h`).
pub mod flags {
    /// `IFA_F_TEMPORARY`: an RFC 8981 temporary (privacy) address.
    pub const TEMPORARY: u32 = 0x01;
    /// `IFA_F_NODAD`: no Duplicate Address Detection.
    pub const NODAD: u32 = 0x02;
    /// `IFA_F_OPTIMISTIC`: optimistic DAD (RFC 4429).
    pub const OPTIMISTIC: u32 = 0x04;
    /// `IFA_F_DADFAILED`: DAD found a duplicate.
    pub const DADFAILED: u32 = 0x08;
    /// `IFA_F_DEPRECATED`: the preferred lifetime ran out.
    pub const DEPRECATED: u32 = 0x20;
    /// `IFA_F_TENTATIVE`: DAD still running.
    pub const TENTATIVE: u32 = 0x40;
    /// `IFA_F_PERMANENT`: configured with an infinite lifetime ("not dynamic").
    pub const PERMANENT: u32 = 0x80;
    /// `IFA_F_MANAGETEMPADDR`: the kernel makes temporary addresses from this one.
    pub const MANAGETEMPADDR: u32 = 0x100;
    /// `IFA_F_NOPREFIXROUTE`: no prefix route was added for it.
    pub const NOPREFIXROUTE: u32 = 0x200;
    /// `IFA_F_STABLE_PRIVACY`: an RFC 7217 stable address.
    pub const STABLE_PRIVACY: u32 = 0x800;
}

/// `ifa_proto` values the kernel sets (`IFAPROT_*`, Linux ≥ 6.1).
pub mod ifa_proto {
    /// `IFAPROT_KERNEL_LO`: loopback.
    pub const KERNEL_LO: u8 = 1;
    /// `IFAPROT_KERNEL_RA`: made by the kernel's SLAAC from a Router Advertisement.
    pub const KERNEL_RA: u8 = 2;
    /// `IFAPROT_KERNEL_LL`: the kernel's link-local address.
    pub const KERNEL_LL: u8 = 3;
}

/// `rtm_protocol` values used here (`RTPROT_*`, `include/uapi/linux/rtnetlink.h`).
pub mod rtprot {
    /// `RTPROT_KERNEL`: added by the kernel (prefix routes of addresses).
    pub const KERNEL: u8 = 2;
    /// `RTPROT_BOOT`: added by `ip route add` without `proto`.
    pub const BOOT: u8 = 3;
    /// `RTPROT_STATIC`: added by an administrator.
    pub const STATIC: u8 = 4;
    /// `RTPROT_RA`: learned from a Router Advertisement.
    pub const RA: u8 = 9;
    /// `RTPROT_DHCP`: added by a DHCP client.
    pub const DHCP: u8 = 16;
}

/// One IPv6 address on the interface, as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressInfo {
    /// The address.
    pub addr: Ipv6Addr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// The origin [`classify`] decided.
    pub origin: AddressOrigin,
    /// `IFA_F_*` flags (see [`flags`]); `IFA_FLAGS` when present, else the header's byte.
    pub flags: u32,
    /// `IFA_PROTO`, when the kernel sent one (see [`ifa_proto`]).
    pub proto: Option<u8>,
    /// Seconds of valid lifetime left; `None` is infinite.
    pub valid_lifetime: Option<u32>,
    /// Seconds of preferred lifetime left; `None` is infinite.
    pub preferred_lifetime: Option<u32>,
}

impl AddressInfo {
    /// Whether `flag` (one of [`flags`]) is set.
    pub const fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether the address can be used: not tentative (DAD running), not failed.
    pub const fn is_usable(&self) -> bool {
        !self.has(flags::TENTATIVE) && !self.has(flags::DADFAILED)
    }

    /// The detector's view of it.
    pub const fn to_host_address(&self) -> HostAddress {
        HostAddress {
            addr: self.addr,
            prefix_len: self.prefix_len,
            origin: self.origin,
        }
    }
}

/// Router preference of a route (RFC 4191 §2.1), from `RTA_PREF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoutePreference {
    /// 11.
    Low,
    /// 00.
    Medium,
    /// 01.
    High,
    /// 10 or anything else the kernel reported.
    Other(u8),
}

/// One IPv6 route out of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteInfo {
    /// The destination (`::/0` for a default route).
    pub destination: Prefix,
    /// The next hop, if the route has one (an on-link prefix route has none).
    pub gateway: Option<Ipv6Addr>,
    /// `rtm_protocol` (see [`rtprot`]): 9 is "learned from an RA".
    pub protocol: u8,
    /// The routing table.
    pub table: u32,
    /// The metric (`RTA_PRIORITY`).
    pub metric: Option<u32>,
    /// The RFC 4191 preference, for routes from RAs.
    pub preference: Option<RoutePreference>,
    /// Seconds until the kernel removes it (from the RA's lifetime); `None` is never.
    pub expires: Option<u32>,
}

impl RouteInfo {
    /// Whether the route is `::/0`.
    pub const fn is_default(&self) -> bool {
        self.destination.len() == 0
    }

    /// Whether the kernel learned it from a Router Advertisement.
    pub const fn from_ra(&self) -> bool {
        self.protocol == rtprot::RA
    }
}

/// Everything [`snapshot`] read about one interface.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostState {
    /// The interface name.
    pub interface: String,
    /// Its index.
    pub ifindex: u32,
    /// Its IPv6 addresses, in the kernel's order.
    pub addresses: Vec<AddressInfo>,
    /// Its unicast IPv6 routes (all tables but `local`), in the kernel's order.
    pub routes: Vec<RouteInfo>,
    /// IPv6 resolvers from the resolver configuration.
    pub dns: Vec<Ipv6Addr>,
    /// Netlink messages that could not be decoded and were skipped (a kernel newer than
    /// the parser); 0 normally.
    pub undecoded: usize,
    /// Addresses and routes past the caps of one dump (a terminal flooded with RAs),
    /// counted, not kept.
    pub not_kept: usize,
}

impl HostState {
    /// The detector's view: addresses, default routers, RA routes, DNS.
    pub fn observation(&self) -> HostObservation {
        let mut obs = HostObservation {
            addresses: self.addresses.iter().map(|a| a.to_host_address()).collect(),
            ..HostObservation::default()
        };
        let mut seen = std::collections::HashSet::new();
        for r in &self.routes {
            let Some(gw) = r.gateway else { continue };
            if r.is_default() {
                if !obs.default_routers.contains(&gw) {
                    obs.default_routers.push(gw);
                }
            } else if r.from_ra() && seen.insert((r.destination, gw)) {
                obs.routes.push((r.destination, gw));
            }
        }
        obs.dns = self.dns.clone();
        obs
    }

    /// The interface's usable link-local address, if it has one (the first the kernel
    /// lists; DAD finished).
    pub fn link_local(&self) -> Option<Ipv6Addr> {
        self.addresses
            .iter()
            .find(|a| a.origin == AddressOrigin::LinkLocal && a.is_usable())
            .map(|a| a.addr)
    }
}

/// What went wrong reading the host's state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The interface does not exist (in this network namespace).
    #[error("no such interface: {interface}")]
    NoSuchInterface {
        /// The name asked for.
        interface: String,
    },
    /// A netlink socket operation failed.
    #[error("netlink {op} for {interface}: {source}")]
    Netlink {
        /// What was being done.
        op: &'static str,
        /// The interface.
        interface: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The kernel answered a request with an error.
    #[error("the kernel refused {op} for {interface}: {source}")]
    Kernel {
        /// The request.
        op: &'static str,
        /// The interface.
        interface: String,
        /// The errno.
        source: std::io::Error,
    },
    /// An IP Helper call failed (Windows).
    #[error("{op} for {interface} failed with Windows error {code}")]
    IpHelper {
        /// The function.
        op: &'static str,
        /// The interface.
        interface: String,
        /// The `WIN32_ERROR` it returned.
        code: u32,
    },
    /// The resolver configuration exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    ResolvConf {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// The most addresses and routes of the interface one dump keeps. A terminal flooded with
/// RAs can hold hundreds of thousands of routes; the detector needs the default routes and
/// RA routes, and a report can show only so many. Addresses past the cap are counted in
/// [`HostState::not_kept`]; the route dump stops at the first route past it (counted as
/// one).
pub const MAX_ADDRESSES: usize = 256;
/// See [`MAX_ADDRESSES`].
pub const MAX_ROUTES: usize = 1024;

/// `/etc/resolv.conf`.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// systemd-resolved's list of upstream servers.
pub const RESOLVED_UPSTREAM: &str = "/run/systemd/resolve/resolv.conf";

/// The host's IPv6 state on `interface`, reduced to what the detector needs.
pub fn observe(interface: &str) -> Result<HostObservation, HostError> {
    snapshot(interface).map(|s| s.observation())
}

/// Everything the kernel reports about `interface`'s IPv6 addresses and routes, and the
/// host's IPv6 resolvers: one netlink dump of each.
#[cfg(target_os = "linux")]
pub fn snapshot(interface: &str) -> Result<HostState, HostError> {
    let ifindex = ifindex(interface)?;
    let mut state = netlink::dump(interface, ifindex)?;
    state.dns = dns_servers(interface)?;
    Ok(state)
}

/// The index of `interface`, from `/sys/class/net/IF/ifindex`.
#[cfg(target_os = "linux")]
pub fn ifindex(interface: &str) -> Result<u32, HostError> {
    let missing = || HostError::NoSuchInterface {
        interface: interface.to_owned(),
    };
    if !valid_interface_name(interface) {
        return Err(missing());
    }
    let path = Path::new("/sys/class/net").join(interface).join("ifindex");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .ok_or_else(missing)
}

/// The MAC address of `interface`, from `/sys/class/net/IF/address`; `None` when it has
/// none (loopback, a tunnel: all zeros) or does not exist.
#[cfg(target_os = "linux")]
pub fn mac_address(interface: &str) -> Option<crate::wire::Mac> {
    if !valid_interface_name(interface) {
        return None;
    }
    let path = Path::new("/sys/class/net").join(interface).join("address");
    let mac: crate::wire::Mac = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    (mac.0 != [0; 6]).then_some(mac)
}

/// Whether `name` can be an interface name. On Linux: 1 to 15 bytes (IFNAMSIZ − 1), no
/// `/`, no whitespace, not `.` or `..` — so it is safe to join to a `/sys` path. On
/// Windows, where names are the adapters' friendly names ("Ethernet 2", "イーサネット"),
/// GUIDs or Npcap device names: 1 to 256 characters, no control character.
#[cfg(windows)]
pub fn valid_interface_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 256 && !name.chars().any(char::is_control)
}

/// Whether `name` can be an interface name. On Linux: 1 to 15 bytes (IFNAMSIZ − 1), no
/// `/`, no whitespace, not `.` or `..` — so it is safe to join to a `/sys` path. On
/// Windows, where names are the adapters' friendly names ("Ethernet 2", "イーサネット"),
/// GUIDs or Npcap device names: 1 to 256 characters, no control character.
#[cfg(not(windows))]
pub fn valid_interface_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b == 0)
}

/// Whether `interface` exists and is administratively up (IFF_UP in
/// `/sys/class/net/IF/flags`).
#[cfg(target_os = "linux")]
pub fn is_up(interface: &str) -> bool {
    if !valid_interface_name(interface) {
        return false;
    }
    let path = Path::new("/sys/class/net").join(interface).join("flags");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok())
        .is_some_and(|flags| flags & 1 != 0)
}

/// The origin of an address from its traces (see the module documentation).
pub fn classify(addr: &Ipv6Addr, prefix_len: u8, flags: u32, proto: Option<u8>) -> AddressOrigin {
    if addr.is_unicast_link_local() {
        return AddressOrigin::LinkLocal;
    }
    match proto {
        Some(ifa_proto::KERNEL_RA) => return AddressOrigin::Slaac,
        Some(ifa_proto::KERNEL_LL) => return AddressOrigin::LinkLocal,
        _ => {}
    }
    if flags & (flags::TEMPORARY | flags::MANAGETEMPADDR) != 0 {
        return AddressOrigin::Slaac;
    }
    if flags & flags::PERMANENT != 0 {
        return AddressOrigin::Manual;
    }
    match (proto, prefix_len) {
        (None | Some(0), 128) => AddressOrigin::Dhcpv6,
        (None | Some(0), _) => AddressOrigin::Slaac,
        _ => AddressOrigin::Other,
    }
}

/// The origin of an address from what the IP Helper API records about it (Windows'
/// `NL_PREFIX_ORIGIN` and `NL_SUFFIX_ORIGIN`; unlike Linux, Windows remembers who
/// configured each address): inside fe80::/10 → link-local; prefix from a DHCP server
/// (3) → DHCPv6; prefix from an RA (4) → SLAAC; manual prefix (1) → manual; anything
/// else → other. Platform-independent so that it is tested everywhere.
pub fn origin_from_ip_helper(
    addr: &Ipv6Addr,
    prefix_origin: i32,
    suffix_origin: i32,
) -> AddressOrigin {
    const PREFIX_MANUAL: i32 = 1;
    const PREFIX_DHCP: i32 = 3;
    const PREFIX_RA: i32 = 4;
    const SUFFIX_DHCP: i32 = 3;
    if addr.is_unicast_link_local() {
        return AddressOrigin::LinkLocal;
    }
    match (prefix_origin, suffix_origin) {
        (PREFIX_DHCP, _) | (_, SUFFIX_DHCP) => AddressOrigin::Dhcpv6,
        (PREFIX_RA, _) => AddressOrigin::Slaac,
        (PREFIX_MANUAL, _) => AddressOrigin::Manual,
        _ => AddressOrigin::Other,
    }
}

/// The host's IPv6 resolvers (see the module documentation).
#[cfg(target_os = "linux")]
fn dns_servers(interface: &str) -> Result<Vec<Ipv6Addr>, HostError> {
    let read = |path: &str| match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(HostError::ResolvConf {
            path: path.to_owned(),
            source,
        }),
    };
    let Some(text) = read(RESOLV_CONF)? else {
        return Ok(Vec::new());
    };
    if resolv::only_resolved_stub(&text) {
        if let Some(upstream) = read(RESOLVED_UPSTREAM)? {
            return Ok(parse_resolv_conf(&upstream, interface));
        }
    }
    Ok(parse_resolv_conf(&text, interface))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn origins() {
        use AddressOrigin::*;
        let g = ip("2001:db8::1");
        // The kernel's SLAAC address on Linux ≥ 6.1: dynamic, proto kernel_ra.
        assert_eq!(classify(&g, 64, 0, Some(ifa_proto::KERNEL_RA)), Slaac);
        // Older kernels: dynamic /64, no proto.
        assert_eq!(classify(&g, 64, 0, None), Slaac);
        assert_eq!(classify(&g, 64, flags::TEMPORARY, None), Slaac);
        assert_eq!(classify(&g, 64, flags::MANAGETEMPADDR, None), Slaac);
        // dhclient / NetworkManager: dynamic /128.
        assert_eq!(classify(&g, 128, 0, None), Dhcpv6);
        assert_eq!(classify(&g, 128, 0, Some(0)), Dhcpv6);
        // ip addr add without lifetimes: permanent.
        assert_eq!(classify(&g, 64, flags::PERMANENT, None), Manual);
        assert_eq!(classify(&g, 128, flags::PERMANENT, None), Manual);
        assert_eq!(
            classify(&ip("fe80::1"), 64, flags::PERMANENT, None),
            LinkLocal
        );
        assert_eq!(
            classify(&ip("fe80::1"), 64, 0, Some(ifa_proto::KERNEL_LL)),
            LinkLocal
        );
        assert_eq!(classify(&g, 64, 0, Some(42)), Other);
    }

    #[test]
    fn observation_keeps_defaults_and_ra_routes() {
        let ll = ip("fe80::126f:3fff:fe12:3456");
        let other = ip("fe80::2");
        let route = |dst: &str, gw: Option<Ipv6Addr>, protocol| RouteInfo {
            destination: dst.parse().unwrap(),
            gateway: gw,
            protocol,
            table: 254,
            metric: Some(1024),
            preference: None,
            expires: None,
        };
        let state = HostState {
            interface: "eth0".into(),
            ifindex: 2,
            addresses: vec![AddressInfo {
                addr: ip("2001:db8:1::1"),
                prefix_len: 64,
                origin: AddressOrigin::Slaac,
                flags: 0,
                proto: Some(2),
                valid_lifetime: Some(86400),
                preferred_lifetime: Some(14400),
            }],
            routes: vec![
                route("::/0", Some(ll), rtprot::RA),
                route("::/0", Some(ll), rtprot::RA),
                route("::/0", Some(other), rtprot::STATIC),
                route("2001:db8:1::/64", None, rtprot::RA),
                route("2001:db8:99::/48", Some(ll), rtprot::RA),
                route("2001:db8:98::/48", Some(other), rtprot::STATIC),
            ],
            dns: vec![ip("2001:db8::53")],
            undecoded: 0,
            not_kept: 0,
        };
        let obs = state.observation();
        assert_eq!(obs.default_routers, vec![ll, other]);
        assert_eq!(obs.routes, vec![("2001:db8:99::/48".parse().unwrap(), ll)]);
        assert_eq!(obs.addresses.len(), 1);
        assert_eq!(obs.dns, vec![ip("2001:db8::53")]);
        assert_eq!(state.link_local(), None);
    }

    #[test]
    fn origins_from_ip_helper() {
        use AddressOrigin::*;
        let g = ip("2001:db8::1");
        // (NL_PREFIX_ORIGIN, NL_SUFFIX_ORIGIN) as Windows reports them.
        assert_eq!(origin_from_ip_helper(&g, 4, 4), Slaac); // RA + EUI-64
        assert_eq!(origin_from_ip_helper(&g, 4, 5), Slaac); // RA + random (temporary)
        assert_eq!(origin_from_ip_helper(&g, 3, 3), Dhcpv6);
        assert_eq!(origin_from_ip_helper(&g, 0, 3), Dhcpv6);
        assert_eq!(origin_from_ip_helper(&g, 1, 1), Manual);
        assert_eq!(origin_from_ip_helper(&g, 2, 2), Other); // well-known (loopback)
        assert_eq!(origin_from_ip_helper(&ip("fe80::1"), 2, 4), LinkLocal);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn interface_names() {
        assert!(valid_interface_name("eth0"));
        assert!(valid_interface_name("enp0s31f6"));
        for bad in ["", ".", "..", "a/b", "../x", "a b", "abcdefghijklmnop"] {
            assert!(!valid_interface_name(bad), "{bad:?}");
        }
        assert!(matches!(
            ifindex("../eth0"),
            Err(HostError::NoSuchInterface { .. })
        ));
    }
}
