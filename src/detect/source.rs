//! What the detector remembers of one sender: its identities, the current state of what
//! it advertises (each entry with its lifetime), and evidence. Bounded: every map has a
//! cap, and what does not fit is counted, not stored.

use super::time::{Lifetime, Timestamp};
use crate::rules::Prefix;
use crate::wire::Mac;
use crate::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, Duid, MessageType};
use crate::wire::ndisc::{NdiscRepr, RaFlags};
use crate::wire::ndopt::{NdOption, Preference, PrefixFlags};
use core::net::Ipv6Addr;
use std::collections::{BTreeMap, BTreeSet};

/// Caps on what one source may make the detector store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimits {
    /// Entries per kind (prefixes, routes, DNS servers, domains, addresses).
    pub entries: usize,
    /// Distinct IPv6 source addresses remembered.
    pub addresses: usize,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            entries: 32,
            addresses: 8,
        }
    }
}

/// Something about a source's packets worth telling, apart from what they configure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// The RA's Source Link-Layer Address option names another MAC than the frame's
    /// sender: a proxy, or spoofing.
    SllaMismatch(Mac),
    /// The EUI-64 interface identifier of the link-local address embeds another MAC.
    Eui64Mismatch(Mac),
    /// The DHCPv6 server DUID embeds another MAC (often just another interface).
    DuidMismatch(Mac),
    /// RAs or DHCPv6 behind extension headers (RA-Guard evasion, RFC 7113).
    BehindExtensionHeaders,
    /// RAs or DHCPv6 that came in fragments and were reassembled.
    Fragmented,
    /// Fragments that overlap with different bytes. Hosts that follow RFC 5722 drop the
    /// datagram; stacks that keep the first or the last copy of the overlapped bytes
    /// reassemble it (RA-Guard evasion: thc-ipv6's `fake_router26 -E O` / `-E o`). An RA
    /// either reading gives is applied, with `hidden_ra`.
    OverlappingFragments,
    /// RAs inside an IPv6-in-IPv6 packet (next header 41) sent over the link. Only a host
    /// that terminates that tunnel decapsulates it, and applies the RA to the tunnel's own
    /// interface, not to its Ethernet one; the RA is not applied here.
    Tunnelled,
    /// An RA a host ignores: not from a link-local address, hop limit not 255, code not 0
    /// or a bad checksum (RFC 4861 §6.1.2). It changes nothing, but someone sent it.
    InvalidRa(&'static str),
    /// A message with a malformed part (the first problem seen, as text).
    Malformed(String),
}

/// How an RA or DHCPv6 message was hidden from RA-Guard (the `hidden_ra` effect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hiding {
    /// Behind extension headers, in one packet (atomic fragments included).
    ExtensionHeaders,
    /// In fragments, reassembled.
    Fragments,
    /// In fragments that overlap with different bytes, read both ways.
    OverlappingFragments,
    /// Inside an IPv6-in-IPv6 packet.
    Tunnel,
}

/// A Prefix Information entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixEntry {
    /// The L/A/R/P flags.
    pub flags: PrefixFlags,
    /// The valid lifetime.
    pub valid: Lifetime,
    /// The preferred lifetime.
    pub preferred: Lifetime,
}

/// A Route Information entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEntry {
    /// The route preference.
    pub preference: Preference,
    /// The route lifetime.
    pub lifetime: Lifetime,
}

/// The router side of a source: the header of its latest RA and every entry it has
/// advertised, each with the lifetime it was last given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaState {
    /// When the latest RA arrived.
    pub received: Timestamp,
    /// RAs counted.
    pub count: u64,
    /// Cur Hop Limit of the latest RA.
    pub hop_limit: u8,
    /// Flags of the latest RA.
    pub flags: RaFlags,
    /// Router lifetime of the latest RA.
    pub router_lifetime: Lifetime,
    /// Whether any of its RAs had a router lifetime above 0 (a shutdown RA sets it to 0).
    pub was_default_router: bool,
    /// Reachable time (ms) of the latest RA.
    pub reachable_time: u32,
    /// Retrans timer (ms) of the latest RA.
    pub retrans_time: u32,
    /// MTU option of the latest RA.
    pub mtu: Option<u32>,
    /// The RA Flags Extension bits of the latest RA that had the option.
    pub flags_extension: Option<Vec<u8>>,
    /// The PREF64 prefix and its lifetime.
    pub pref64: Option<(Prefix, Lifetime)>,
    /// The captive portal URI.
    pub captive_portal: Option<String>,
    /// Prefix Information entries.
    pub prefixes: BTreeMap<Prefix, PrefixEntry>,
    /// Route Information entries.
    pub routes: BTreeMap<Prefix, RouteEntry>,
    /// RDNSS servers.
    pub rdnss: BTreeMap<Ipv6Addr, Lifetime>,
    /// DNSSL domains.
    pub dnssl: BTreeMap<String, Lifetime>,
    /// Entries that did not fit under the caps.
    pub dropped: u64,
}

/// The DHCPv6 server side of a source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DhcpState {
    /// When the latest server message arrived.
    pub received: Timestamp,
    /// Server messages counted, by type.
    pub messages: BTreeMap<u8, u64>,
    /// The server DUID, raw.
    pub server_duid: Option<Vec<u8>>,
    /// The Preference option of the latest message that had one.
    pub preference: Option<u8>,
    /// Addresses offered or assigned (IA_NA, IA_TA): valid and preferred lifetimes.
    pub addresses: BTreeMap<Ipv6Addr, (Lifetime, Lifetime)>,
    /// Prefixes delegated (IA_PD).
    pub prefixes: BTreeMap<Prefix, (Lifetime, Lifetime)>,
    /// DNS servers, living for the information refresh time.
    pub dns: BTreeMap<Ipv6Addr, Lifetime>,
    /// Domain search list entries, likewise.
    pub domains: BTreeMap<String, Lifetime>,
    /// Entries that did not fit under the caps.
    pub dropped: u64,
}

/// RFC 8415 §21.23: IRT_DEFAULT, how long DHCPv6 configuration without lifetimes lasts.
pub const INFORMATION_REFRESH_DEFAULT: u32 = 86_400;

/// One sender, keyed by its Ethernet source MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The Ethernet source MAC.
    pub mac: Mac,
    /// The IPv6 source address of its latest RA or DHCPv6 message.
    pub link_local: Option<Ipv6Addr>,
    /// Every IPv6 source address seen (capped).
    pub addresses: BTreeSet<Ipv6Addr>,
    /// The MAC in its RA's Source Link-Layer Address option.
    pub slla: Option<Mac>,
    /// The MAC inside its DHCPv6 server DUID.
    pub duid_mac: Option<Mac>,
    /// First packet.
    pub first_seen: Timestamp,
    /// Latest packet.
    pub last_seen: Timestamp,
    /// Packets counted (RAs and DHCPv6 server messages, valid or not).
    pub packets: u64,
    /// The router side, once it has sent an RA a host accepts.
    pub ra: Option<RaState>,
    /// The DHCPv6 server side.
    pub dhcp: Option<DhcpState>,
    /// Evidence, deduplicated.
    pub evidence: BTreeSet<Evidence>,
    /// RAs or DHCPv6 messages that arrived behind extension headers or in fragments.
    pub hidden: u64,
}

fn insert_capped<K: Ord, V>(
    map: &mut BTreeMap<K, V>,
    cap: usize,
    key: K,
    value: V,
    dropped: &mut u64,
) {
    if map.len() < cap || map.contains_key(&key) {
        map.insert(key, value);
    } else {
        *dropped += 1;
    }
}

impl Source {
    /// A source first seen at `now`.
    pub fn new(mac: Mac, now: Timestamp) -> Source {
        Source {
            mac,
            link_local: None,
            addresses: BTreeSet::new(),
            slla: None,
            duid_mac: None,
            first_seen: now,
            last_seen: now,
            packets: 0,
            ra: None,
            dhcp: None,
            evidence: BTreeSet::new(),
            hidden: 0,
        }
    }

    /// Records a packet from `src` at `now`.
    pub fn saw(&mut self, now: Timestamp, src: Ipv6Addr, limits: &SourceLimits) {
        self.packets += 1;
        self.last_seen = self.last_seen.max(now);
        self.link_local = Some(src);
        if self.addresses.len() < limits.addresses {
            self.addresses.insert(src);
        }
        if let Some(mac) = Mac::from_ipv6_eui64(&src) {
            if mac != self.mac && src.is_unicast_link_local() {
                self.note(Evidence::Eui64Mismatch(mac));
            }
        }
    }

    /// Adds evidence (deduplicated; at most 16 kinds are kept).
    pub fn note(&mut self, evidence: Evidence) {
        if self.evidence.len() < 16 {
            self.evidence.insert(evidence);
        }
    }

    /// Records a message hidden from RA-Guard, and how.
    pub fn saw_hidden(&mut self, how: Hiding) {
        self.hidden += 1;
        self.note(match how {
            Hiding::ExtensionHeaders => Evidence::BehindExtensionHeaders,
            Hiding::Fragments => Evidence::Fragmented,
            Hiding::OverlappingFragments => Evidence::OverlappingFragments,
            Hiding::Tunnel => Evidence::Tunnelled,
        });
    }

    /// Whether it has sent an RA a host accepts.
    pub fn is_router(&self) -> bool {
        self.ra.is_some()
    }

    /// Whether it has sent DHCPv6 server messages.
    pub fn is_dhcpv6_server(&self) -> bool {
        self.dhcp.is_some()
    }

    /// Applies an RA that a host would accept.
    pub fn apply_ra(&mut self, now: Timestamp, ra: &NdiscRepr<'_>, limits: &SourceLimits) {
        let NdiscRepr::RouterAdvert {
            hop_limit,
            flags,
            router_lifetime,
            reachable_time,
            retrans_time,
            options,
        } = ra
        else {
            return;
        };
        let state = self.ra.get_or_insert_with(|| RaState {
            received: now,
            count: 0,
            hop_limit: *hop_limit,
            flags: *flags,
            router_lifetime: Lifetime::new(now, 0),
            was_default_router: false,
            reachable_time: 0,
            retrans_time: 0,
            mtu: None,
            flags_extension: None,
            pref64: None,
            captive_portal: None,
            prefixes: BTreeMap::new(),
            routes: BTreeMap::new(),
            rdnss: BTreeMap::new(),
            dnssl: BTreeMap::new(),
            dropped: 0,
        });
        state.received = now;
        state.count += 1;
        state.hop_limit = *hop_limit;
        state.flags = *flags;
        state.router_lifetime = Lifetime::new(now, u32::from(*router_lifetime));
        state.was_default_router |= *router_lifetime > 0;
        state.reachable_time = *reachable_time;
        state.retrans_time = *retrans_time;
        let cap = limits.entries;
        let mut slla = None;
        for option in options.iter() {
            match option {
                NdOption::SourceLinkLayerAddr(_) => slla = option.link_layer_mac(),
                NdOption::PrefixInformation(pi) => {
                    let Some(prefix) = Prefix::new(pi.prefix, pi.prefix_len.min(128)) else {
                        continue;
                    };
                    let entry = PrefixEntry {
                        flags: pi.flags,
                        valid: Lifetime::new(now, pi.valid_lifetime),
                        preferred: Lifetime::new(now, pi.preferred_lifetime),
                    };
                    insert_capped(&mut state.prefixes, cap, prefix, entry, &mut state.dropped);
                }
                NdOption::RouteInformation(ri) => {
                    let Some(prefix) = Prefix::new(ri.prefix(), ri.prefix_len.min(128)) else {
                        continue;
                    };
                    let entry = RouteEntry {
                        preference: ri.preference(),
                        lifetime: Lifetime::new(now, ri.lifetime),
                    };
                    insert_capped(&mut state.routes, cap, prefix, entry, &mut state.dropped);
                }
                NdOption::Mtu { mtu, .. } => state.mtu = Some(*mtu),
                NdOption::Rdnss {
                    lifetime, servers, ..
                } => {
                    for server in servers.iter() {
                        let l = Lifetime::new(now, *lifetime);
                        insert_capped(&mut state.rdnss, cap, server, l, &mut state.dropped);
                    }
                }
                NdOption::Dnssl {
                    lifetime, domains, ..
                } => {
                    for domain in domains.iter() {
                        let l = Lifetime::new(now, *lifetime);
                        let name = domain.to_string();
                        insert_capped(&mut state.dnssl, cap, name, l, &mut state.dropped);
                    }
                }
                NdOption::RaFlagsExtension(bits) => state.flags_extension = Some(bits.to_vec()),
                NdOption::Pref64(p) => {
                    if let Some(prefix) = Prefix::new(p.prefix_addr(), p.prefix_len().unwrap_or(96))
                    {
                        state.pref64 = Some((prefix, Lifetime::new(now, p.lifetime())));
                    }
                }
                NdOption::CaptivePortal(_) => {
                    let uri = option.captive_portal_uri().unwrap_or_default();
                    state.captive_portal = Some(String::from_utf8_lossy(uri).into_owned());
                }
                _ => {}
            }
        }
        if let Some(mac) = slla {
            self.slla = Some(mac);
            if mac != self.mac {
                self.note(Evidence::SllaMismatch(mac));
            }
        }
    }

    /// Applies a DHCPv6 server message (the innermost message of a relay).
    pub fn apply_dhcpv6(&mut self, now: Timestamp, msg: &Dhcpv6Repr<'_>, limits: &SourceLimits) {
        let cap = limits.entries;
        let mut duid_mac = None;
        let state = self.dhcp.get_or_insert_with(DhcpState::default);
        state.received = now;
        *state.messages.entry(u8::from(msg.msg_type())).or_default() += 1;
        if let Some(duid) = msg.server_id() {
            let mut raw = vec![0u8; duid.buffer_len()];
            if duid.emit(&mut raw).is_ok() {
                state.server_duid = Some(raw);
            }
            duid_mac = duid.mac();
        }
        if let Some(p) = msg.preference() {
            state.preference = Some(p);
        }
        let refresh = msg
            .options()
            .iter()
            .find_map(|o| match o {
                DhcpOption::InformationRefreshTime(t) => Some(*t),
                _ => None,
            })
            .unwrap_or(INFORMATION_REFRESH_DEFAULT);
        // Only Advertise and Reply hand out configuration; Reconfigure only asks for it.
        if matches!(msg.msg_type(), MessageType::Advertise | MessageType::Reply) {
            for lease in msg.addresses() {
                let l = (
                    Lifetime::new(now, lease.valid),
                    Lifetime::new(now, lease.preferred),
                );
                insert_capped(&mut state.addresses, cap, lease.addr, l, &mut state.dropped);
            }
            for lease in msg.prefixes() {
                if let Some(prefix) = Prefix::new(lease.prefix, lease.prefix_len.min(128)) {
                    let l = (
                        Lifetime::new(now, lease.valid),
                        Lifetime::new(now, lease.preferred),
                    );
                    insert_capped(&mut state.prefixes, cap, prefix, l, &mut state.dropped);
                }
            }
            for server in msg.dns_servers() {
                let l = Lifetime::new(now, refresh);
                insert_capped(&mut state.dns, cap, server, l, &mut state.dropped);
            }
            for domain in msg.domains() {
                let l = Lifetime::new(now, refresh);
                insert_capped(
                    &mut state.domains,
                    cap,
                    domain.to_string(),
                    l,
                    &mut state.dropped,
                );
            }
        }
        if let Some(mac) = duid_mac {
            self.duid_mac = Some(mac);
            if mac != self.mac {
                self.note(Evidence::DuidMismatch(mac));
            }
        }
    }
}

/// The DUID's MAC, for callers that only have the raw bytes.
pub fn duid_mac(raw: &[u8]) -> Option<Mac> {
    Duid::parse(raw).ok().and_then(|d| d.mac())
}
