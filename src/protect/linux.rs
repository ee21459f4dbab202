//! `protect` on Linux: `net.ipv6.conf.IF.accept_ra` in `/proc/sys`, the interface's
//! addresses and routes from [`crate::host::snapshot`], and the pins over rtnetlink
//! (rtnetlink(7)), each request acknowledged by the kernel.
//!
//! - An address is pinned with `RTM_NEWADDR` + `NLM_F_REPLACE` and no `IFA_CACHEINFO`,
//!   which the kernel takes as infinite lifetimes: the address becomes `permanent`
//!   (`ip -6 addr change ADDR/LEN dev IF valid_lft forever preferred_lft forever`), and
//!   its prefix route loses its expiry with it. The flags the kernel lets a request set
//!   (`nodad`, `homeaddress`, `mngtmpaddr`, `noprefixroute`) are sent as they were, so
//!   only the lifetimes change. Unpinning sends the recorded lifetimes back.
//! - The default route is `RTM_NEWROUTE` + `NLM_F_CREATE | NLM_F_EXCL`, `proto static`,
//!   table main, metric [`PIN_METRIC`](super::PIN_METRIC): it never replaces a route that
//!   is there. Removing it names the gateway, interface, metric and `proto static`, so it
//!   cannot remove a route the kernel learned from an RA.

use super::{Error, Observed, ObservedAddress, ObservedRoute, PinnedAddress, PinnedRoute, System};
use crate::host::{self, HostError, flags};
use crate::report::Lang;
use core::net::{IpAddr, Ipv6Addr};
use netlink_packet_core::{
    NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, NetlinkHeader,
    NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressMessage, AddressScope, CacheInfo,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};
use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;

/// The address flags a `RTM_NEWADDR` request may set (the kernel ignores the others).
const SETTABLE_FLAGS: u32 =
    flags::NODAD | IFA_F_HOMEADDRESS | flags::MANAGETEMPADDR | flags::NOPREFIXROUTE;
/// `IFA_F_HOMEADDRESS` (Mobile IPv6), one of the settable flags.
const IFA_F_HOMEADDRESS: u32 = 0x10;
/// How long the kernel may take to acknowledge a request.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// The Linux [`System`].
#[derive(Debug, Default)]
pub struct Linux;

/// `/proc/sys/net/ipv6/conf/IF/accept_ra`, for a valid interface name.
fn accept_ra_path(interface: &str) -> Result<PathBuf, Error> {
    if !host::valid_interface_name(interface) {
        return Err(Error::NoSuchInterface {
            interface: interface.to_owned(),
        });
    }
    Ok(PathBuf::from("/proc/sys/net/ipv6/conf")
        .join(interface)
        .join("accept_ra"))
}

/// An `accept_ra` value: 0, 1 or 2 (ip-sysctl.rst). Anything else, from the file or
/// from a state file, is refused rather than written.
fn accept_ra_value(text: &str) -> Option<u8> {
    text.trim().parse::<u8>().ok().filter(|v| *v <= 2)
}

fn io_error(interface: &str, what: String, e: &std::io::Error) -> Error {
    match e.kind() {
        // EACCES and EPERM both.
        ErrorKind::PermissionDenied => Error::Permission {
            interface: interface.to_owned(),
            what,
            detail: e.to_string(),
        },
        _ => Error::System {
            interface: interface.to_owned(),
            what,
            detail: e.to_string(),
        },
    }
}

/// The interface's index, or [`Error::NoSuchInterface`].
fn ifindex(interface: &str) -> Result<u32, Error> {
    host::ifindex(interface).map_err(|_| Error::NoSuchInterface {
        interface: interface.to_owned(),
    })
}

/// `IF`'s addresses and routes as `protect` sees them.
pub fn observed(state: &host::HostState) -> Observed {
    Observed {
        addresses: state
            .addresses
            .iter()
            .map(|a| ObservedAddress {
                addr: a.addr,
                prefix_len: a.prefix_len,
                permanent: a.has(flags::PERMANENT) || a.valid_lifetime.is_none(),
                temporary: a.has(flags::TEMPORARY),
                duplicate: a.has(flags::DADFAILED),
                valid_lifetime: a.valid_lifetime,
                preferred_lifetime: a.preferred_lifetime,
                flags: a.flags,
            })
            .collect(),
        routes: state
            .routes
            .iter()
            .map(|r| ObservedRoute {
                destination: r.destination,
                gateway: r.gateway,
                metric: r.metric,
                dynamic: r.from_ra() || r.expires.is_some(),
            })
            .collect(),
    }
}

impl System for Linux {
    fn platform(&self) -> &'static str {
        "linux"
    }

    fn setting(&self) -> &'static str {
        "accept_ra"
    }

    fn disabled_value(&self) -> &'static str {
        "0"
    }

    fn pin_metric(&self) -> u32 {
        super::PIN_METRIC
    }

    fn setting_location(&self, interface: &str, _value: &str) -> String {
        format!("/proc/sys/net/ipv6/conf/{interface}/accept_ra")
    }

    fn pin_command(&self, interface: &str, a: &PinnedAddress) -> String {
        format!(
            "ip -6 addr change {}/{} dev {interface} valid_lft forever preferred_lft forever",
            a.address, a.prefix_len
        )
    }

    fn unpin_command(&self, interface: &str, a: &PinnedAddress) -> String {
        let (valid, preferred) = lifetimes(a);
        format!(
            "ip -6 addr change {}/{} dev {interface} valid_lft {valid} preferred_lft {preferred}",
            a.address, a.prefix_len
        )
    }

    fn add_route_command(&self, interface: &str, r: &PinnedRoute) -> String {
        format!(
            "ip -6 route add default via {} dev {interface} metric {} proto static",
            r.gateway, r.metric
        )
    }

    fn remove_route_command(&self, interface: &str, r: &PinnedRoute) -> String {
        format!(
            "ip -6 route del default via {} dev {interface} metric {} proto static",
            r.gateway, r.metric
        )
    }

    fn after_protect(&self, interface: &str, lang: Lang) -> String {
        super::text::after_protect_linux(interface, lang)
    }

    fn read_setting(&mut self, interface: &str) -> Result<String, Error> {
        let path = accept_ra_path(interface)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                ifindex(interface)?;
                return Err(Error::System {
                    interface: interface.to_owned(),
                    what: format!("reading {}", path.display()),
                    detail: "no such file: is IPv6 available on this interface?".to_owned(),
                });
            }
            Err(e) => {
                return Err(io_error(
                    interface,
                    format!("reading {}", path.display()),
                    &e,
                ));
            }
        };
        accept_ra_value(&text)
            .map(|v| v.to_string())
            .ok_or_else(|| Error::System {
                interface: interface.to_owned(),
                what: format!("reading {}", path.display()),
                detail: format!("unexpected value `{}`", text.trim()),
            })
    }

    fn observe(&mut self, interface: &str) -> Result<Observed, Error> {
        match host::snapshot(interface) {
            Ok(state) => Ok(observed(&state)),
            Err(HostError::NoSuchInterface { .. }) => Err(Error::NoSuchInterface {
                interface: interface.to_owned(),
            }),
            Err(e) => Err(Error::System {
                interface: interface.to_owned(),
                what: "reading its addresses and routes".to_owned(),
                detail: e.to_string(),
            }),
        }
    }

    fn check_privilege(&mut self, interface: &str) -> Result<(), Error> {
        // Opening the file for writing checks the permission without writing anything.
        let path = accept_ra_path(interface)?;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map(drop)
            .map_err(|e| io_error(interface, format!("opening {}", path.display()), &e))
    }

    fn write_setting(&mut self, interface: &str, value: &str) -> Result<(), Error> {
        let path = accept_ra_path(interface)?;
        let what = format!("writing {value} to {}", path.display());
        let v = accept_ra_value(value).ok_or_else(|| Error::System {
            interface: interface.to_owned(),
            what: what.clone(),
            detail: "not an accept_ra value (0, 1 or 2)".to_owned(),
        })?;
        std::fs::write(&path, format!("{v}\n")).map_err(|e| io_error(interface, what, &e))
    }

    fn pin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error> {
        let index = ifindex(interface)?;
        let msg = address_message(index, a, None);
        ack(RouteNetlinkMessage::NewAddress(msg), NLM_F_REPLACE).map_err(|e| {
            io_error(
                interface,
                format!("pinning {}/{}", a.address, a.prefix_len),
                &e,
            )
        })
    }

    fn unpin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error> {
        let index = ifindex(interface)?;
        let msg = address_message(index, a, Some(lifetimes(a)));
        ack(RouteNetlinkMessage::NewAddress(msg), NLM_F_REPLACE).map_err(|e| {
            io_error(
                interface,
                format!("unpinning {}/{}", a.address, a.prefix_len),
                &e,
            )
        })
    }

    fn add_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error> {
        let index = ifindex(interface)?;
        ack(
            RouteNetlinkMessage::NewRoute(route_message(index, r)),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map_err(|e| {
            let what = format!("adding the default route via {}", r.gateway);
            io_error(interface, what, &e)
        })
    }

    fn remove_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error> {
        let index = ifindex(interface)?;
        match ack(RouteNetlinkMessage::DelRoute(route_message(index, r)), 0) {
            Ok(()) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
            Err(e) => {
                let what = format!("removing the default route via {}", r.gateway);
                Err(io_error(interface, what, &e))
            }
        }
    }
}

/// The recorded lifetimes in a form the kernel takes: valid at least 1 s (0 is refused),
/// preferred at most valid; `u32::MAX` is infinite.
fn lifetimes(a: &PinnedAddress) -> (u32, u32) {
    let valid = a.valid_lifetime_s.unwrap_or(u32::MAX).max(1);
    let preferred = a.preferred_lifetime_s.unwrap_or(u32::MAX).min(valid);
    (valid, preferred)
}

/// `RTM_NEWADDR` for `a` on `index`; with `lifetimes` (valid, preferred) or, without,
/// infinite ones.
fn address_message(index: u32, a: &PinnedAddress, lifetimes: Option<(u32, u32)>) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = AddressFamily::Inet6;
    m.header.prefix_len = a.prefix_len;
    m.header.scope = AddressScope::Universe;
    m.header.index = index;
    m.attributes = vec![
        AddressAttribute::Local(IpAddr::V6(a.address)),
        AddressAttribute::Address(IpAddr::V6(a.address)),
        AddressAttribute::Flags(AddressFlags::from_bits_retain(a.flags & SETTABLE_FLAGS)),
    ];
    if let Some((valid, preferred)) = lifetimes {
        let mut c = CacheInfo::default();
        c.ifa_valid = valid;
        c.ifa_preferred = preferred;
        m.attributes.push(AddressAttribute::CacheInfo(c));
    }
    m
}

/// `RTM_NEWROUTE`/`RTM_DELROUTE` body for the pinned default route.
fn route_message(index: u32, r: &PinnedRoute) -> RouteMessage {
    let mut m = RouteMessage::default();
    m.header.address_family = AddressFamily::Inet6;
    m.header.destination_prefix_length = 0;
    m.header.table = RouteHeader::RT_TABLE_MAIN;
    m.header.protocol = RouteProtocol::Static;
    m.header.scope = RouteScope::Universe;
    m.header.kind = RouteType::Unicast;
    m.attributes = vec![
        RouteAttribute::Destination(RouteAddress::Inet6(Ipv6Addr::UNSPECIFIED)),
        RouteAttribute::Gateway(RouteAddress::Inet6(r.gateway)),
        RouteAttribute::Oif(index),
        RouteAttribute::Priority(r.metric),
    ];
    m
}

/// Sends one request with `NLM_F_REQUEST | NLM_F_ACK | flags` and waits for the kernel's
/// acknowledgement; a negative one is the errno.
fn ack(message: RouteNetlinkMessage, flags: u16) -> Result<(), std::io::Error> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    socket2::SockRef::from(&socket).set_read_timeout(Some(ACK_TIMEOUT))?;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header.sequence_number = 1;
    let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(message));
    packet.finalize();
    let mut buf = vec![0u8; packet.buffer_len()];
    packet.serialize(&mut buf);
    socket.send(&buf, 0)?;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let size = socket.recv(&mut &mut buf[..], 0)?;
        let data = buf.get(..size).unwrap_or_default();
        let reply = NetlinkMessage::<RouteNetlinkMessage>::deserialize(data)
            .map_err(|e| std::io::Error::other(format!("undecodable netlink answer: {e}")))?;
        if reply.header.sequence_number != 1 {
            continue;
        }
        return match reply.payload {
            NetlinkPayload::Error(e) if e.code.is_some() => Err(e.to_io()),
            NetlinkPayload::Error(_) => Ok(()),
            _ => continue,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(valid: Option<u32>, preferred: Option<u32>) -> PinnedAddress {
        PinnedAddress {
            address: "2408:210:1:2::5".parse().unwrap(),
            prefix_len: 64,
            valid_lifetime_s: valid,
            preferred_lifetime_s: preferred,
            flags: flags::NOPREFIXROUTE | flags::PERMANENT | flags::TENTATIVE,
        }
    }

    #[test]
    fn accept_ra_values() {
        assert_eq!(accept_ra_value("1\n"), Some(1));
        assert_eq!(accept_ra_value("2"), Some(2));
        assert_eq!(accept_ra_value("0"), Some(0));
        for bad in ["3", "-1", "", "1; reboot", "０"] {
            assert_eq!(accept_ra_value(bad), None, "{bad:?}");
        }
        assert!(matches!(
            accept_ra_path("../all"),
            Err(Error::NoSuchInterface { .. })
        ));
    }

    #[test]
    fn lifetimes_the_kernel_takes() {
        assert_eq!(lifetimes(&pinned(Some(3600), Some(1800))), (3600, 1800));
        assert_eq!(lifetimes(&pinned(Some(0), Some(0))), (1, 0));
        assert_eq!(lifetimes(&pinned(Some(600), None)), (600, 600));
        assert_eq!(lifetimes(&pinned(None, None)), (u32::MAX, u32::MAX));
    }

    #[test]
    fn messages() {
        let a = pinned(Some(3600), Some(1800));
        let m = address_message(7, &a, None);
        assert_eq!(m.header.index, 7);
        assert_eq!(m.header.prefix_len, 64);
        assert!(
            m.attributes
                .contains(&AddressAttribute::Flags(AddressFlags::Noprefixroute)),
            "only the settable flags are sent: {:?}",
            m.attributes
        );
        assert!(
            !m.attributes
                .iter()
                .any(|a| matches!(a, AddressAttribute::CacheInfo(_)))
        );
        let m = address_message(7, &a, Some((3600, 1800)));
        assert!(m.attributes.iter().any(|a| matches!(
            a,
            AddressAttribute::CacheInfo(c) if c.ifa_valid == 3600 && c.ifa_preferred == 1800
        )));
        let r = route_message(
            7,
            &PinnedRoute {
                gateway: "fe80::1".parse().unwrap(),
                metric: 1023,
            },
        );
        assert_eq!(r.header.protocol, RouteProtocol::Static);
        assert!(r.attributes.contains(&RouteAttribute::Priority(1023)));
        assert!(r.attributes.contains(&RouteAttribute::Oif(7)));
        let l = Linux;
        assert_eq!(
            l.unpin_command("eth0", &a),
            "ip -6 addr change 2408:210:1:2::5/64 dev eth0 valid_lft 3600 preferred_lft 1800"
        );
        assert_eq!(
            l.setting_location("eth0", "0"),
            "/proc/sys/net/ipv6/conf/eth0/accept_ra"
        );
    }
}
