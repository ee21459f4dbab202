//! The host's IPv6 state on Windows, from the IP Helper API: the adapter from
//! `GetAdaptersAddresses` (found by friendly name, adapter GUID, Npcap device name or
//! index), its addresses from `GetUnicastIpAddressTable` with the origin Windows records
//! for each ([`super::origin_from_ip_helper`]), its routes from `GetIpForwardTable2`
//! (origin "router advertisement" is Linux's `proto ra`), and its DNS servers from the
//! adapter. The result is the same [`HostState`] the netlink source gives, so the
//! detector cannot tell the systems apart.
//!
//! Windows has change notifications (`NotifyUnicastIpAddressChange`), but they call
//! back on a thread of the system's; [`Watcher`] instead reads the tables every
//! [`POLL`] and says whether what the detector sees changed, which costs two small
//! table reads a second and keeps every foreign call in this file.
//!
//! This is the one module besides the AF_PACKET capture with `unsafe`: each block is
//! one documented IP Helper call or a read of the buffer it filled, with its SAFETY
//! note.
#![allow(unsafe_code)]
// windows-sys names its enum constants in CamelCase; they appear in `match` patterns.
#![allow(non_upper_case_globals)]

use super::{AddressInfo, HostError, HostState, RouteInfo, flags, rtprot};
use crate::detect::HostObservation;
use crate::rules::Prefix;
use crate::wire::Mac;
use core::net::Ipv6Addr;
use std::time::{Duration, Instant};
use windows_sys::Win32::Foundation::{ERROR_BUFFER_OVERFLOW, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    FreeMibTable, GAA_FLAG_SKIP_ANYCAST, GAA_FLAG_SKIP_MULTICAST, GetAdaptersAddresses,
    GetIpForwardTable2, GetUnicastIpAddressTable, IP_ADAPTER_ADDRESSES_LH, MIB_IPFORWARD_TABLE2,
    MIB_UNICASTIPADDRESS_TABLE,
};
use windows_sys::Win32::Networking::WinSock::{
    AF_INET6, AF_UNSPEC, IpDadStateDeprecated, IpDadStateDuplicate, IpDadStateTentative,
    IpSuffixOriginRandom, NlroDHCP, NlroManual, NlroRouterAdvertisement, NlroWellKnown,
    SOCKADDR_IN6, SOCKADDR_INET,
};

/// How often [`Watcher`] reads the tables.
pub const POLL: Duration = Duration::from_secs(1);

/// `IfOperStatusUp`.
const OPER_UP: i32 = 1;

/// One adapter as `GetAdaptersAddresses` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    /// The friendly name ("Ethernet").
    pub friendly_name: String,
    /// The adapter name, a GUID in braces; Npcap's device is `\Device\NPF_` + this.
    pub guid: String,
    /// The IPv6 interface index.
    pub index: u32,
    /// The MAC, when the adapter has a 6-byte one.
    pub mac: Option<Mac>,
    /// Whether it is operationally up.
    pub up: bool,
    /// Its IPv6 DNS servers.
    pub dns: Vec<Ipv6Addr>,
    /// Whether an IPv6 default route goes out of it (filled by [`default_adapter`]).
    pub metric: u32,
}

impl Adapter {
    /// Whether `name` designates this adapter: its friendly name (case-insensitive),
    /// its GUID with or without braces, its Npcap device name, or its index.
    pub fn matches(&self, name: &str) -> bool {
        let bare = |s: &str| {
            s.trim_start_matches('{')
                .trim_end_matches('}')
                .to_ascii_lowercase()
        };
        let npf = name
            .strip_prefix(r"\Device\NPF_")
            .or_else(|| name.strip_prefix(r"\\Device\\NPF_"));
        self.friendly_name.to_lowercase() == name.to_lowercase()
            || bare(&self.guid) == bare(npf.unwrap_or(name))
            || (self.index != 0 && name.parse::<u32>().ok() == Some(self.index))
    }

    /// The device name Npcap (and pnet on Windows) knows the adapter by.
    pub fn npcap_name(&self) -> String {
        format!(r"\Device\NPF_{}", self.guid)
    }
}

/// Every adapter, in the system's order. An empty list when the call fails.
pub fn adapters() -> Vec<Adapter> {
    let mut size: u32 = 16 * 1024;
    for _ in 0..4 {
        // u64 elements keep the buffer aligned for IP_ADAPTER_ADDRESSES_LH.
        let mut buf = vec![0u64; (size as usize).div_ceil(8)];
        let first = buf.as_mut_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>();
        // SAFETY: `first` points to `size` writable, aligned bytes; the call writes at
        // most that much and updates `size` when it needs more.
        let rc = unsafe {
            GetAdaptersAddresses(
                u32::from(AF_UNSPEC),
                GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST,
                core::ptr::null(),
                first,
                &mut size,
            )
        };
        if rc == ERROR_BUFFER_OVERFLOW {
            continue;
        }
        if rc != NO_ERROR {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut p = first.cast_const();
        while !p.is_null() {
            // SAFETY: a non-null pointer of the list the call built inside `buf`, which
            // lives until the end of this block.
            let a = unsafe { &*p };
            // SAFETY: both members of the union are plain integers; IfIndex is the
            // second u32 of the 8 bytes whichever was written.
            let if_index = unsafe { a.Anonymous1.Anonymous.IfIndex };
            out.push(Adapter {
                friendly_name: wide(a.FriendlyName),
                guid: narrow(a.AdapterName),
                // The same number on Windows since Vista; wine leaves Ipv6IfIndex 0.
                index: if a.Ipv6IfIndex != 0 {
                    a.Ipv6IfIndex
                } else {
                    if_index
                },
                mac: (a.PhysicalAddressLength == 6).then(|| {
                    let m = a.PhysicalAddress;
                    Mac([m[0], m[1], m[2], m[3], m[4], m[5]])
                }),
                up: a.OperStatus == OPER_UP,
                dns: dns_list(a),
                metric: a.Ipv6Metric,
            });
            p = a.Next;
        }
        return out;
    }
    Vec::new()
}

/// The IPv6 DNS servers of an adapter.
fn dns_list(a: &IP_ADAPTER_ADDRESSES_LH) -> Vec<Ipv6Addr> {
    let mut out = Vec::new();
    let mut p = a.FirstDnsServerAddress.cast_const();
    while !p.is_null() {
        // SAFETY: a node of the list inside the buffer `adapters` holds.
        let d = unsafe { &*p };
        let sa = d.Address.lpSockaddr;
        if !sa.is_null() && d.Address.iSockaddrLength as usize >= size_of::<SOCKADDR_IN6>() {
            // SAFETY: the length says it is a SOCKADDR_IN6; family checked below.
            let sa6 = unsafe { &*sa.cast::<SOCKADDR_IN6>() };
            if sa6.sin6_family == AF_INET6 {
                // SAFETY: every bit pattern of the 16 bytes is a valid [u8; 16].
                out.push(Ipv6Addr::from(unsafe { sa6.sin6_addr.u.Byte }));
            }
        }
        p = d.Next;
    }
    out
}

/// A NUL-terminated UTF-16 string from the system.
fn wide(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut len = 0;
    // SAFETY: the system's strings are NUL-terminated; reading stops at the NUL.
    while unsafe { *p.add(len) } != 0 && len < 4096 {
        len += 1;
    }
    // SAFETY: `len` u16s were just read one by one.
    String::from_utf16_lossy(unsafe { core::slice::from_raw_parts(p, len) })
}

/// A NUL-terminated byte string from the system.
fn narrow(p: *const u8) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the system's strings are NUL-terminated.
    unsafe { core::ffi::CStr::from_ptr(p.cast()) }
        .to_string_lossy()
        .into_owned()
}

/// The adapter `interface` names.
pub fn adapter(interface: &str) -> Result<Adapter, HostError> {
    adapters()
        .into_iter()
        .find(|a| a.matches(interface))
        .ok_or_else(|| HostError::NoSuchInterface {
            interface: interface.to_owned(),
        })
}

/// The IPv6 interface index of `interface`.
pub fn ifindex(interface: &str) -> Result<u32, HostError> {
    adapter(interface).map(|a| a.index)
}

/// Whether `interface` exists and is operationally up.
pub fn is_up(interface: &str) -> bool {
    adapter(interface).is_ok_and(|a| a.up)
}

/// The MAC of `interface`, when it has one.
pub fn mac_address(interface: &str) -> Option<Mac> {
    adapter(interface).ok()?.mac.filter(|m| m.0 != [0; 6])
}

/// The address of a `SOCKADDR_INET` holding an IPv6 address.
fn inet6(sa: &SOCKADDR_INET) -> Option<Ipv6Addr> {
    // SAFETY: `si_family` overlays the family field of every member of the union.
    if unsafe { sa.si_family } != AF_INET6 {
        return None;
    }
    // SAFETY: the family says the union holds a SOCKADDR_IN6; any 16 bytes are valid.
    Some(Ipv6Addr::from(unsafe { sa.Ipv6.sin6_addr.u.Byte }))
}

/// A lifetime in seconds; 0xffffffff is infinite.
fn lifetime(secs: u32) -> Option<u32> {
    (secs != u32::MAX).then_some(secs)
}

/// Everything the IP Helper API reports about `interface`'s IPv6 addresses and routes,
/// and its DNS servers.
pub fn snapshot(interface: &str) -> Result<HostState, HostError> {
    let adapter = adapter(interface)?;
    let index = adapter.index;
    let mut state = HostState {
        interface: interface.to_owned(),
        ifindex: index,
        dns: adapter.dns,
        ..HostState::default()
    };
    let fail = |op, code| HostError::IpHelper {
        op,
        interface: interface.to_owned(),
        code,
    };

    let mut table: *mut MIB_UNICASTIPADDRESS_TABLE = core::ptr::null_mut();
    // SAFETY: the call allocates the table and stores its address in `table`.
    let rc = unsafe { GetUnicastIpAddressTable(AF_INET6, &mut table) };
    if rc != NO_ERROR {
        return Err(fail("GetUnicastIpAddressTable", rc));
    }
    // SAFETY: on success `table` points to NumEntries rows, freed below.
    let rows = unsafe {
        core::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize)
    };
    for row in rows.iter().filter(|r| r.InterfaceIndex == index) {
        let Some(addr) = inet6(&row.Address) else {
            continue;
        };
        if state.addresses.len() >= super::MAX_ADDRESSES {
            state.not_kept += 1;
            continue;
        }
        let mut f = 0;
        match row.DadState {
            IpDadStateTentative => f |= flags::TENTATIVE,
            IpDadStateDuplicate => f |= flags::DADFAILED,
            IpDadStateDeprecated => f |= flags::DEPRECATED,
            _ => {}
        }
        if row.SuffixOrigin == IpSuffixOriginRandom {
            f |= flags::TEMPORARY;
        }
        if row.ValidLifetime == u32::MAX {
            f |= flags::PERMANENT;
        }
        state.addresses.push(AddressInfo {
            addr,
            prefix_len: row.OnLinkPrefixLength,
            origin: super::origin_from_ip_helper(&addr, row.PrefixOrigin, row.SuffixOrigin),
            flags: f,
            proto: None,
            valid_lifetime: lifetime(row.ValidLifetime),
            preferred_lifetime: lifetime(row.PreferredLifetime),
        });
    }
    // SAFETY: the table the call allocated, freed once.
    unsafe { FreeMibTable(table.cast()) };

    let mut table: *mut MIB_IPFORWARD_TABLE2 = core::ptr::null_mut();
    // SAFETY: as above.
    let rc = unsafe { GetIpForwardTable2(AF_INET6, &mut table) };
    if rc != NO_ERROR {
        return Err(fail("GetIpForwardTable2", rc));
    }
    // SAFETY: as above.
    let rows = unsafe {
        core::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize)
    };
    for row in rows
        .iter()
        .filter(|r| r.InterfaceIndex == index && !r.Loopback)
    {
        let Some(dst) = inet6(&row.DestinationPrefix.Prefix) else {
            continue;
        };
        if dst.is_multicast() {
            continue;
        }
        let Some(destination) = Prefix::new(dst, row.DestinationPrefix.PrefixLength) else {
            continue;
        };
        if state.routes.len() >= super::MAX_ROUTES {
            state.not_kept += 1;
            continue;
        }
        let protocol = match row.Origin {
            NlroRouterAdvertisement => rtprot::RA,
            NlroDHCP => rtprot::DHCP,
            NlroManual => rtprot::STATIC,
            NlroWellKnown => rtprot::KERNEL,
            _ => 0,
        };
        state.routes.push(RouteInfo {
            destination,
            gateway: inet6(&row.NextHop).filter(|g| !g.is_unspecified()),
            protocol,
            table: 0,
            metric: Some(row.Metric),
            preference: None,
            expires: lifetime(row.ValidLifetime),
        });
    }
    // SAFETY: as above.
    unsafe { FreeMibTable(table.cast()) };
    Ok(state)
}

/// Tells when the host's IPv6 state on one interface changed, by reading it every
/// [`POLL`] (see the module documentation). Same interface as the netlink watcher.
#[derive(Debug)]
pub struct Watcher {
    interface: String,
    last: Option<HostObservation>,
}

impl Watcher {
    /// A watcher for `interface`; fails if there is no such adapter.
    pub fn new(interface: &str) -> Result<Watcher, HostError> {
        let last = Some(snapshot(interface)?.observation());
        Ok(Watcher {
            interface: interface.to_owned(),
            last,
        })
    }

    /// Waits up to `timeout` (forever with `None`) for a change; `true` when there was
    /// one.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, HostError> {
        let start = Instant::now();
        loop {
            if self.drain()? {
                return Ok(true);
            }
            let left = timeout.map(|t| t.saturating_sub(start.elapsed()));
            if left == Some(Duration::ZERO) {
                return Ok(false);
            }
            std::thread::sleep(left.map_or(POLL, |l| l.min(POLL)));
        }
    }

    /// Whether the state changed since the last call, without waiting.
    pub fn drain(&mut self) -> Result<bool, HostError> {
        let now = Some(snapshot(&self.interface)?.observation());
        let changed = now != self.last;
        self.last = now;
        Ok(changed)
    }

    /// The interface watched.
    pub fn interface(&self) -> &str {
        &self.interface
    }
}

/// The adapter of the lowest-metric IPv6 default route, else the first up adapter with
/// a MAC: what `-i` defaults to on Windows.
pub fn default_adapter() -> Option<Adapter> {
    let all = adapters();
    let mut best: Option<(u32, u32)> = None;
    let mut table: *mut MIB_IPFORWARD_TABLE2 = core::ptr::null_mut();
    // SAFETY: as in `snapshot`.
    if unsafe { GetIpForwardTable2(AF_INET6, &mut table) } == NO_ERROR {
        // SAFETY: as in `snapshot`.
        let rows = unsafe {
            core::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize)
        };
        for row in rows {
            if row.DestinationPrefix.PrefixLength == 0 && !row.Loopback {
                let metric = row.Metric;
                if best.is_none_or(|(m, _)| metric < m) {
                    best = Some((metric, row.InterfaceIndex));
                }
            }
        }
        // SAFETY: as in `snapshot`.
        unsafe { FreeMibTable(table.cast()) };
    }
    if let Some((_, index)) = best {
        if let Some(a) = all.iter().find(|a| a.index == index) {
            return Some(a.clone());
        }
    }
    all.into_iter().find(|a| a.up && a.mac.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IP Helper readings on the machine the tests run on (wine maps the host's
    /// interfaces): every adapter is found again by each of its names, and each up
    /// adapter's snapshot reads without error, with coherent addresses.
    #[test]
    fn adapters_and_snapshots_read() {
        let all = adapters();
        assert!(!all.is_empty(), "GetAdaptersAddresses listed no adapter");
        let mut snapshots = 0;
        for a in &all {
            // An adapter without IPv6 has index 0, which names none.
            let index = (a.index != 0).then(|| a.index.to_string());
            for name in [a.friendly_name.clone(), a.guid.clone(), a.npcap_name()]
                .into_iter()
                .chain(index)
            {
                assert_eq!(adapter(&name).ok().as_ref(), Some(a), "{name}");
            }
            if !a.up || a.index == 0 {
                continue;
            }
            snapshots += 1;
            let state =
                snapshot(&a.friendly_name).unwrap_or_else(|e| panic!("{}: {e}", a.friendly_name));
            assert_eq!(state.ifindex, a.index);
            eprintln!(
                "{}: {:?}, {} routes",
                a.friendly_name,
                state.addresses,
                state.routes.len()
            );
            for addr in &state.addresses {
                assert!(addr.prefix_len <= 128, "{addr:?}");
                if addr.addr.is_unicast_link_local() {
                    assert_eq!(addr.origin, crate::detect::AddressOrigin::LinkLocal);
                }
            }
            let mut w = Watcher::new(&a.friendly_name).expect("a watcher");
            assert!(!w.drain().expect("drain"), "nothing changed in between");
        }
        assert!(snapshots > 0, "no adapter up with an index: {all:?}");
        assert!(matches!(
            adapter("no such adapter"),
            Err(HostError::NoSuchInterface { .. })
        ));
    }
}
