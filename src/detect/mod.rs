//! The sans-IO detector: sources, lifetimes, fingerprints, effects, severities and the
//! alert lifecycle (DESIGN.md, "Detection model"). It owns no clock, socket, file or
//! runtime: frames and times are fed in, events and snapshots come out, so a pcap, a
//! live capture and a test drive the same code.
//!
//! # Driving it
//! 1. Feed every captured frame with [`Detector::handle_frame`] (Ethernet) or
//!    [`Detector::handle_packet`] (bare IPv6 with the sender's MAC, e.g. from a cooked
//!    capture), and host state with [`Detector::handle_host`], in time order.
//! 2. After each call, drain [`Detector::poll_event`] until it returns `None`.
//! 3. Arm a timer for [`Detector::poll_timeout`]; when it fires (or the next frame
//!    arrives later than it), call [`Detector::handle_timeout`] and drain events again.
//! 4. Take a [`Detector::snapshot`] whenever a report is wanted (the end of a scan or of a
//!    capture file).
//!
//! Times must not go backwards by much; a frame older than the latest time seen is
//! processed as if it arrived at the latest time.

pub mod model;
pub mod reassembly;
pub mod source;
pub mod time;

pub use model::{Effect, Effects, Fingerprint, Role, Severity, Verdict};
pub use source::{Evidence, Hiding, Source, SourceLimits};
pub use time::{Lifetime, Timestamp};

use crate::oui::{Registry, Vendor};
use crate::rules::{Category, Offender, Prefix, RemedyCode, Rules};
use crate::wire::dhcpv6::MessageType;
use crate::wire::ipv6::FragmentPosition;
use crate::wire::ndisc::NdiscRepr;
use crate::wire::{self, ChecksumStatus, Dissected, IpProtocol, Mac, Message, Transport};
use core::net::Ipv6Addr;
use core::time::Duration;
use reassembly::{Outcome, Reassembler};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// An `--allow` spec: the expected upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowSpec {
    /// The sender's MAC (or the MAC in its RA's source link-layer option).
    Mac(Mac),
    /// One of the sender's IPv6 source addresses (its link-local address).
    Address(Ipv6Addr),
    /// A prefix: a sender whose every advertised prefix lies inside it.
    Prefix(Prefix),
}

/// Why an `--allow` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a MAC address, an IPv6 address or an IPv6 prefix (e.g. 10:6f:3f:aa:bb:cc, fe80::1, 2001:db8::/32)"
)]
pub struct AllowSpecError(pub String);

impl core::str::FromStr for AllowSpec {
    type Err = AllowSpecError;

    fn from_str(s: &str) -> Result<AllowSpec, AllowSpecError> {
        let s = s.trim();
        if let Ok(mac) = s.parse::<Mac>() {
            return Ok(AllowSpec::Mac(mac));
        }
        if s.contains('/') {
            return s
                .parse::<Prefix>()
                .map(AllowSpec::Prefix)
                .map_err(|_| AllowSpecError(s.to_owned()));
        }
        s.parse::<Ipv6Addr>()
            .map(AllowSpec::Address)
            .map_err(|_| AllowSpecError(s.to_owned()))
    }
}

impl core::fmt::Display for AllowSpec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AllowSpec::Mac(m) => m.fmt(f),
            AllowSpec::Address(a) => a.fmt(f),
            AllowSpec::Prefix(p) => p.fmt(f),
        }
    }
}

/// The detector's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The expected upstream; empty means "presume the provider router" (DESIGN.md).
    pub allow: Vec<AllowSpec>,
    /// Sources kept at most (default 256); past it, new senders are counted as a flood.
    pub max_sources: usize,
    /// Caps per source.
    pub source_limits: SourceLimits,
    /// More new RA sources than this within `flood_window` is a flood (default 16).
    pub flood_threshold: usize,
    /// The flood window (default 10 s).
    pub flood_window: Duration,
    /// A raised source silent this long is resolved (default 1 h).
    pub resolve_timeout: Duration,
    /// Reassembly bounds.
    pub reassembly: reassembly::Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allow: Vec::new(),
            max_sources: 256,
            source_limits: SourceLimits::default(),
            flood_threshold: 16,
            flood_window: Duration::from_secs(10),
            resolve_timeout: Duration::from_secs(3600),
            reassembly: reassembly::Limits::default(),
        }
    }
}

/// How a terminal address came to be (from the host's own state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressOrigin {
    /// fe80::/10.
    LinkLocal,
    /// Formed from a Router Advertisement prefix.
    Slaac,
    /// Assigned by DHCPv6.
    Dhcpv6,
    /// Configured by hand.
    Manual,
    /// Anything else.
    Other,
}

/// One of the host's IPv6 addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostAddress {
    /// The address.
    pub addr: Ipv6Addr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// How it was configured.
    pub origin: AddressOrigin,
}

/// The host's own IPv6 state on the watched interface, as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostObservation {
    /// Addresses.
    pub addresses: Vec<HostAddress>,
    /// Default routers (their link-local addresses).
    pub default_routers: Vec<Ipv6Addr>,
    /// More-specific routes learned from RAs: prefix and router.
    pub routes: Vec<(Prefix, Ipv6Addr)>,
    /// DNS servers in use.
    pub dns: Vec<Ipv6Addr>,
}

/// A host item and the source it came from, if the detector knows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attributed<T> {
    /// The address, router or route.
    pub item: T,
    /// The source's MAC.
    pub source: Option<Mac>,
}

/// The host's state with each item attributed to a source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostView {
    /// Addresses.
    pub addresses: Vec<Attributed<HostAddress>>,
    /// Default routers.
    pub default_routers: Vec<Attributed<Ipv6Addr>>,
    /// Routes.
    pub routes: Vec<Attributed<(Prefix, Ipv6Addr)>>,
    /// DNS servers.
    pub dns: Vec<Attributed<Ipv6Addr>>,
}

/// A flood of RA sources, summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodSummary {
    /// When it began.
    pub started: Timestamp,
    /// When it ended, if it has.
    pub ended: Option<Timestamp>,
    /// New sources counted (not kept) while it lasted.
    pub new_sources: u64,
    /// The window, in seconds.
    pub window_s: u64,
    /// Sources kept.
    pub kept: usize,
}

/// Counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Frames fed.
    pub frames: u64,
    /// Frames that passed the prefilter.
    pub candidates: u64,
    /// Router Advertisements seen (valid or not).
    pub router_adverts: u64,
    /// DHCPv6 server messages seen.
    pub dhcpv6_server_messages: u64,
    /// RAs a host would ignore.
    pub invalid_router_adverts: u64,
    /// Frames with a malformed part.
    pub malformed: u64,
    /// Fragments fed to reassembly.
    pub fragments: u64,
    /// Datagrams reassembled.
    pub reassembled: u64,
    /// Messages from new senders not kept (source cap or flood).
    pub sources_not_kept: u64,
}

/// What changed, for `watch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A source first reached warning or critical (or a flood began).
    Raised,
    /// Its severity, effects or advertised content changed.
    Updated,
    /// Its lifetimes ran out, it fell silent past the resolve timeout, or the flood ended.
    Resolved,
}

impl EventKind {
    /// The stable code: `raised`, `updated`, `resolved` (the alert's `event`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            EventKind::Raised => "raised",
            EventKind::Updated => "updated",
            EventKind::Resolved => "resolved",
        }
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A source, by MAC; [`Detector::finding`] gives its current state.
    Source(Mac),
    /// The flood.
    Flood,
}

/// An alert lifecycle event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Event {
    /// When.
    pub time: Timestamp,
    /// What happened.
    pub kind: EventKind,
    /// To what.
    pub subject: Subject,
}

/// A source as the detector judges it at one moment.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// The source's state.
    pub source: &'a Source,
    /// Its IEEE vendor (none for a randomized MAC).
    pub vendor: Option<Vendor<'a>>,
    /// Whether its MAC is locally administered.
    pub mac_randomized: bool,
    /// What it does on the link.
    pub roles: Vec<Role>,
    /// Whether it is the expected upstream.
    pub expected: bool,
    /// The known offender it matches (non-expected sources only).
    pub offender: Option<&'a Offender>,
    /// Its behaviour fingerprint (non-expected sources only).
    pub fingerprint: Option<Fingerprint>,
    /// What it does to the terminal (non-expected sources only).
    pub effects: Effects,
    /// How bad it is.
    pub severity: Severity,
    /// What to do.
    pub remedy: RemedyCode,
    /// The terminal's addresses that came from it.
    pub host_addresses: Vec<Ipv6Addr>,
}

/// Everything a report needs, at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    /// The moment (entries whose lifetime ran out before it are not current).
    pub now: Timestamp,
    /// Every source, worst first.
    pub findings: Vec<Finding<'a>>,
    /// The worst severity.
    pub verdict: Verdict,
    /// The flood, if one happened.
    pub flood: Option<FloodSummary>,
    /// The host's state, attributed, if it was observed.
    pub host: Option<HostView>,
    /// Counters.
    pub stats: Stats,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AlertState {
    severity: Severity,
    digest: u64,
}

#[derive(Debug, Default)]
struct Flood {
    recent: VecDeque<Timestamp>,
    current: Option<FloodSummary>,
    last: Option<FloodSummary>,
    last_new: Option<Timestamp>,
    /// When the burst that started the current (or last) flood began: the first of the
    /// new senders that arrived back to back (less than [`BURST_GAP`] apart) up to the
    /// flood's start. A router first seen before it is not part of the flood.
    burst_since: Option<Timestamp>,
}

/// New senders closer together than this belong to one burst.
const BURST_GAP: Duration = Duration::from_secs(1);

/// The detector. See the module documentation for the calling order.
pub struct Detector {
    config: Config,
    rules: Arc<Rules>,
    registry: Arc<Registry>,
    sources: BTreeMap<Mac, Source>,
    reassembler: Reassembler,
    flood: Flood,
    host: Option<HostObservation>,
    alerts: BTreeMap<Mac, AlertState>,
    events: VecDeque<Event>,
    stats: Stats,
    now: Timestamp,
}

impl core::fmt::Debug for Detector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Detector")
            .field("sources", &self.sources.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The Thread stub-router flag: the first bit of the RA Flags Extension option
/// (draft-hui-stub-router-ra-flag, as OpenThread sends it).
const STUB_ROUTER_FLAG: u8 = 0x80;

impl Detector {
    /// A detector with these settings, rules and vendor registry.
    pub fn new(config: Config, rules: Arc<Rules>, registry: Arc<Registry>) -> Detector {
        Detector {
            reassembler: Reassembler::new(config.reassembly),
            config,
            rules,
            registry,
            sources: BTreeMap::new(),
            flood: Flood::default(),
            host: None,
            alerts: BTreeMap::new(),
            events: VecDeque::new(),
            stats: Stats::default(),
            now: Timestamp::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The sources kept, by MAC.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.values()
    }

    fn advance(&mut self, now: Timestamp) -> Timestamp {
        self.now = self.now.max(now);
        self.now
    }

    /// Feeds one Ethernet frame captured at `now`.
    pub fn handle_frame(&mut self, now: Timestamp, frame: &[u8]) {
        let now = self.advance(now);
        self.stats.frames += 1;
        if !wire::is_candidate(frame) {
            return;
        }
        self.stats.candidates += 1;
        let d = wire::dissect(frame);
        let Some(eth) = d.ethernet else {
            self.stats.malformed += 1;
            return;
        };
        let packet = frame.get(eth.header_len()..).unwrap_or_default();
        self.handle_dissected(now, eth.src, packet, &d);
    }

    /// Feeds one bare IPv6 packet sent by `mac` (cooked or raw-IP captures).
    pub fn handle_packet(&mut self, now: Timestamp, mac: Mac, packet: &[u8]) {
        let now = self.advance(now);
        self.stats.frames += 1;
        if !wire::is_ipv6_candidate(packet) {
            return;
        }
        self.stats.candidates += 1;
        let d = wire::dissect_ipv6(packet);
        self.handle_dissected(now, mac, packet, &d);
    }

    fn handle_dissected(&mut self, now: Timestamp, mac: Mac, packet: &[u8], d: &Dissected<'_>) {
        if d.error.is_some() {
            self.stats.malformed += 1;
        }
        match (d.fragment_position(), d.chain) {
            (FragmentPosition::First | FragmentPosition::Later, Some(chain)) => {
                self.stats.fragments += 1;
                match self.reassembler.add(now, mac, packet, &chain) {
                    Outcome::Complete(whole) => {
                        self.stats.reassembled += 1;
                        self.handle_reassembled(now, mac, &whole, Hiding::Fragments);
                    }
                    // RFC 5722 hosts drop it; older stacks keep the first or the last copy
                    // of the overlapped bytes. Whichever reading is an RA counts.
                    Outcome::Overlapping {
                        first_wins,
                        last_wins,
                    } => {
                        self.stats.reassembled += 1;
                        let how = Hiding::OverlappingFragments;
                        self.handle_reassembled(now, mac, &first_wins, how);
                        if last_wins != first_wins {
                            self.handle_reassembled(now, mac, &last_wins, how);
                        }
                        if let Some(s) = self.sources.get_mut(&mac) {
                            s.note(Evidence::OverlappingFragments);
                        }
                    }
                    Outcome::Pending | Outcome::Dropped => {}
                }
            }
            _ => self.handle_message(now, mac, packet, d, None),
        }
    }

    fn handle_reassembled(&mut self, now: Timestamp, mac: Mac, whole: &[u8], how: Hiding) {
        let inner = wire::dissect_ipv6(whole);
        if inner.error.is_some() {
            self.stats.malformed += 1;
        }
        self.handle_message(now, mac, whole, &inner, Some(how));
    }

    /// One message, `packet` being the IPv6 packet `d` was dissected from; `reassembled`
    /// says how, if it came in fragments.
    fn handle_message(
        &mut self,
        now: Timestamp,
        mac: Mac,
        packet: &[u8],
        d: &Dissected<'_>,
        reassembled: Option<Hiding>,
    ) {
        let Some(ip) = d.ipv6 else { return };
        let hidden = reassembled.or(d
            .behind_extension_headers()
            .then_some(Hiding::ExtensionHeaders));
        if d.chain
            .is_some_and(|c| c.reached_upper && c.upper == IpProtocol::Ipv6)
        {
            self.handle_tunnel(now, mac, ip.src, packet, d, hidden);
            return;
        }
        match (&d.message, d.transport) {
            (
                Message::Ndisc(ra @ NdiscRepr::RouterAdvert { .. }),
                Some(Transport::Icmpv6 { code, checksum, .. }),
            ) => {
                self.stats.router_adverts += 1;
                let invalid = if !ip.src.is_unicast_link_local() {
                    Some("source address is not link-local")
                } else if ip.hop_limit != 255 {
                    Some("hop limit is not 255")
                } else if code != 0 {
                    Some("ICMPv6 code is not 0")
                } else if checksum == ChecksumStatus::Invalid {
                    Some("bad ICMPv6 checksum")
                } else if ra.options().error.is_some() {
                    Some("malformed options")
                } else {
                    None
                };
                if invalid.is_some() {
                    self.stats.invalid_router_adverts += 1;
                }
                let limits = self.config.source_limits;
                let Some(source) = self.source_for(now, mac, true) else {
                    return;
                };
                source.saw(now, ip.src, &limits);
                if let Some(e) = ra.options().error.or(d.error) {
                    source.note(Evidence::Malformed(e.to_string()));
                }
                match invalid {
                    Some(why) => source.note(Evidence::InvalidRa(why)),
                    None => source.apply_ra(now, ra, &limits),
                }
                // Hidden, even if hosts ignore it: someone is trying to slip RAs past
                // RA-Guard (thc-ipv6's `fake_router26 -E F` sends RAs whose reassembled
                // checksum is wrong). Alone, `hidden_ra` is a warning.
                if let Some(how) = hidden {
                    source.saw_hidden(how);
                }
                self.refresh_alerts(now);
            }
            (Message::Ndisc(_), _) => {}
            // An RA too short or too broken to read, behind extension headers or in
            // fragments: hosts drop it, but someone is trying to slip RAs past RA-Guard
            // (thc-ipv6's fake_router6 -F sends its periodic RA so). The sender is
            // recorded with that evidence, and `hidden_ra` alone is a warning.
            (
                Message::None,
                Some(Transport::Icmpv6 {
                    msg_type: wire::icmpv6::Message::RouterAdvert,
                    ..
                }),
            ) if hidden.is_some() && d.error.is_some() => {
                let limits = self.config.source_limits;
                let error = d.error.map(|e| e.to_string()).unwrap_or_default();
                let Some(source) = self.source_for(now, mac, true) else {
                    return;
                };
                source.saw(now, ip.src, &limits);
                source.note(Evidence::Malformed(error));
                source.note(Evidence::InvalidRa("cut short or unreadable"));
                if let Some(how) = hidden {
                    source.saw_hidden(how);
                }
                self.refresh_alerts(now);
            }
            (
                Message::Dhcpv6(outer),
                Some(Transport::Udp {
                    checksum, src_port, ..
                }),
            ) => {
                // A Relay-Reply goes from a server to a relay agent; the terminal only
                // applies what the relay then sends it as a plain Advertise or Reply.
                if outer.msg_type().is_relay() {
                    return;
                }
                let Ok((inner, _depth)) = outer.innermost() else {
                    self.stats.malformed += 1;
                    return;
                };
                let from_server = matches!(
                    inner.msg_type(),
                    MessageType::Advertise | MessageType::Reply | MessageType::Reconfigure
                ) && src_port == wire::dhcpv6::SERVER_PORT;
                if !from_server {
                    return;
                }
                self.stats.dhcpv6_server_messages += 1;
                let limits = self.config.source_limits;
                let Some(source) = self.source_for(now, mac, false) else {
                    return;
                };
                source.saw(now, ip.src, &limits);
                let not_checksum = d
                    .error
                    .filter(|e| !matches!(e, wire::Error::Checksum { .. }));
                if let Some(e) = inner.options().error.or(not_checksum) {
                    source.note(Evidence::Malformed(e.to_string()));
                }
                // A bad UDP checksum is noted but not held against the message: captures
                // taken on the sending host carry checksums the NIC has not filled in yet
                // (offload), and missing a rogue server is worse than a false alarm.
                if checksum == ChecksumStatus::Invalid {
                    source.note(Evidence::Malformed(
                        "bad UDP checksum (checksum offload in the capture, or corruption)".into(),
                    ));
                }
                source.apply_dhcpv6(now, &inner, &limits);
                if let Some(how) = hidden {
                    source.saw_hidden(how);
                }
                self.refresh_alerts(now);
            }
            _ => {}
        }
    }

    /// An IPv6 packet inside `packet` (IPv6-in-IPv6, next header 41). A host applies an RA
    /// only as it arrives on the link; one inside a tunnel reaches a host's stack only if
    /// the host terminates that tunnel, and then configures the tunnel's interface, not the
    /// Ethernet one. So the RA is not applied: when one is inside (under at most
    /// [`MAX_TUNNEL_DEPTH`] tunnels), the sender is recorded with `hidden_ra` alone, a
    /// warning — RA-Guard does not look inside tunnels, and such a sender has no business
    /// on a clinic's segment.
    fn handle_tunnel(
        &mut self,
        now: Timestamp,
        mac: Mac,
        src: Ipv6Addr,
        packet: &[u8],
        d: &Dissected<'_>,
        outer: Option<Hiding>,
    ) {
        let mut inner = upper_bytes(packet, d);
        let mut found = false;
        for _ in 0..MAX_TUNNEL_DEPTH {
            let Some(bytes) = inner else { break };
            let d = wire::dissect_ipv6(bytes);
            let ra = d.router_advert().is_some()
                || matches!(
                    d.transport,
                    Some(Transport::Icmpv6 {
                        msg_type: wire::icmpv6::Message::RouterAdvert,
                        ..
                    })
                );
            if ra {
                found = true;
                break;
            }
            if !d
                .chain
                .is_some_and(|c| c.reached_upper && c.upper == IpProtocol::Ipv6)
            {
                break;
            }
            inner = upper_bytes(bytes, &d);
        }
        if !found {
            return;
        }
        let limits = self.config.source_limits;
        let Some(source) = self.source_for(now, mac, true) else {
            return;
        };
        source.saw(now, src, &limits);
        source.saw_hidden(Hiding::Tunnel);
        if let Some(how) = outer {
            source.saw_hidden(how);
        }
        self.refresh_alerts(now);
    }

    /// The source for `mac`, created if there is room and no flood. New RA senders count
    /// toward the flood threshold.
    fn source_for(&mut self, now: Timestamp, mac: Mac, router: bool) -> Option<&mut Source> {
        if !self.sources.contains_key(&mac) {
            let window = self.config.flood_window;
            if router {
                self.flood.recent.push_back(now);
                while self
                    .flood
                    .recent
                    .front()
                    .is_some_and(|t| now.since(*t) >= window)
                {
                    self.flood.recent.pop_front();
                }
                self.flood.last_new = Some(now);
            }
            let full = self.sources.len() >= self.config.max_sources;
            let flooding = router && self.flood.recent.len() > self.config.flood_threshold;
            if self.flood.current.is_none() && router && (full || flooding) {
                let mut since = now;
                for t in self.flood.recent.iter().rev() {
                    if since.since(*t) >= BURST_GAP {
                        break;
                    }
                    since = *t;
                }
                self.flood.burst_since = Some(since);
                self.flood.current = Some(FloodSummary {
                    started: now,
                    ended: None,
                    new_sources: 0,
                    window_s: window.as_secs(),
                    kept: self.sources.len(),
                });
                self.events.push_back(Event {
                    time: now,
                    kind: EventKind::Raised,
                    subject: Subject::Flood,
                });
            }
            if full || (router && self.flood.current.is_some()) {
                self.stats.sources_not_kept += 1;
                if let Some(f) = self.flood.current.as_mut() {
                    f.new_sources += 1;
                }
                return None;
            }
            self.sources.insert(mac, Source::new(mac, now));
        }
        self.sources.get_mut(&mac)
    }

    /// Feeds the host's own state, observed at `now`.
    pub fn handle_host(&mut self, now: Timestamp, observation: HostObservation) {
        let now = self.advance(now);
        self.host = Some(observation);
        self.refresh_alerts(now);
    }

    /// Lets time pass: lifetimes run out, silent sources resolve, a flood ends,
    /// fragments time out.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        let now = self.advance(now);
        self.reassembler.expire(now);
        if let Some(mut f) = self.flood.current {
            let quiet = self
                .flood
                .last_new
                .is_none_or(|t| now.since(t) >= self.config.flood_window);
            if quiet {
                f.ended = Some(now);
                f.kept = self.sources.len();
                self.flood.current = None;
                self.flood.last = Some(f);
                self.flood.recent.clear();
                self.events.push_back(Event {
                    time: now,
                    kind: EventKind::Resolved,
                    subject: Subject::Flood,
                });
            }
        }
        self.refresh_alerts(now);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let now = self.now;
        let mut next = self.reassembler.next_timeout();
        let mut consider = |t: Option<Timestamp>| {
            if let Some(t) = t.filter(|t| *t > now) {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        if self.flood.current.is_some() {
            consider(
                self.flood
                    .last_new
                    .map(|t| t.plus(self.config.flood_window)),
            );
        }
        for mac in self.alerts.keys() {
            let Some(s) = self.sources.get(mac) else {
                continue;
            };
            consider(Some(s.last_seen.plus(self.config.resolve_timeout)));
            for l in lifetimes(s) {
                consider(l.expires());
            }
        }
        next
    }

    /// The flood going on, else the last one (with the number of sources kept now).
    pub fn flood(&self) -> Option<FloodSummary> {
        self.flood.current.or(self.flood.last).map(|mut f| {
            f.kept = self.sources.len();
            f
        })
    }

    /// Takes new settings and tables (a reloaded configuration) without forgetting what
    /// was seen: every source is judged again at `now`, so a source the new `--allow`
    /// covers is resolved, one a new offender entry names is updated, and so on. The
    /// reassembly bounds stay those the detector was created with.
    pub fn reconfigure(
        &mut self,
        now: Timestamp,
        config: Config,
        rules: Arc<Rules>,
        registry: Arc<Registry>,
    ) {
        let now = self.advance(now);
        let reassembly = self.config.reassembly;
        self.config = Config {
            reassembly,
            ..config
        };
        self.rules = rules;
        self.registry = registry;
        self.refresh_alerts(now);
    }

    /// The current judgement of one source.
    pub fn finding(&self, mac: &Mac) -> Option<Finding<'_>> {
        self.assess(self.now)
            .into_iter()
            .find(|f| f.source.mac == *mac)
    }

    /// Everything, judged at `now` (use the end of the capture for a file, the end of
    /// the scan for `scan`).
    pub fn snapshot(&self, now: Timestamp) -> Snapshot<'_> {
        let now = self.now.max(now);
        let mut findings = self.assess(now);
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.expected.cmp(&b.expected))
                .then(a.source.first_seen.cmp(&b.source.first_seen))
                .then(a.source.mac.cmp(&b.source.mac))
        });
        let mut verdict = findings
            .iter()
            .map(|f| Verdict::from(f.severity))
            .max()
            .unwrap_or(Verdict::Ok);
        let flood = self.flood();
        if flood.is_some() {
            verdict = Verdict::Critical;
        }
        let host = self.host.as_ref().map(|h| self.attribute(h, now));
        Snapshot {
            now,
            findings,
            verdict,
            flood,
            host,
            stats: self.stats,
        }
    }

    fn refresh_alerts(&mut self, now: Timestamp) {
        let findings = self.assess(now);
        let mut next = BTreeMap::new();
        let mut events = Vec::new();
        for f in &findings {
            let mac = f.source.mac;
            let silent = now.since(f.source.last_seen) >= self.config.resolve_timeout;
            if f.severity < Severity::Warning || silent {
                if self.alerts.contains_key(&mac) {
                    events.push((EventKind::Resolved, mac));
                }
                continue;
            }
            let state = AlertState {
                severity: f.severity,
                digest: digest(f, now),
            };
            match self.alerts.get(&mac) {
                None => events.push((EventKind::Raised, mac)),
                Some(old) if *old != state => events.push((EventKind::Updated, mac)),
                Some(_) => {}
            }
            next.insert(mac, state);
        }
        drop(findings);
        self.alerts = next;
        self.events
            .extend(events.into_iter().map(|(kind, mac)| Event {
                time: now,
                kind,
                subject: Subject::Source(mac),
            }));
    }

    /// Judges every source at `now`.
    fn assess(&self, now: Timestamp) -> Vec<Finding<'_>> {
        // Which routers advertise which prefixes (for duplicates and deprecation).
        let mut advertisers: BTreeMap<Prefix, BTreeSet<Mac>> = BTreeMap::new();
        for s in self.sources.values() {
            for (p, e) in s.ra.iter().flat_map(|r| &r.prefixes) {
                if e.valid.is_active(now) && e.preferred.is_active(now) {
                    advertisers.entry(*p).or_default().insert(s.mac);
                }
            }
        }
        let others_advertise = |p: &Prefix, mac: Mac| {
            advertisers
                .get(p)
                .is_some_and(|set| set.iter().any(|m| *m != mac))
        };
        // Without --allow: the one router whose current prefixes all lie in provider
        // space. When an ND proxy re-advertises the upstream's prefix there are several:
        // keep the ones that look like the upstream, then those no offender entry names.
        let provider_routers: Vec<&Source> = self
            .sources
            .values()
            .filter(|s| {
                s.ra.as_ref().is_some_and(|r| {
                    let mut current = r
                        .prefixes
                        .iter()
                        .filter(|(_, e)| e.valid.is_active(now))
                        .peekable();
                    current.peek().is_some()
                        && current.all(|(p, _)| self.rules.provider_of(p).is_some())
                })
            })
            .collect();
        let presumed = if self.config.allow.is_empty() {
            self.pick_upstream(&provider_routers).map(|s| s.mac)
        } else {
            None
        };
        let host = self.host.as_ref();
        self.sources
            .values()
            .map(|s| {
                let expected = Some(s.mac) == presumed || self.allowed(s);
                let mut effects = Effects::NONE;
                let mut duplicate = false;
                if let Some(ra) = &s.ra {
                    let current = |l: &Lifetime| l.is_active(now);
                    if ra.prefixes.iter().any(|(p, e)| {
                        e.flags.autonomous()
                            && p.len() == 64
                            && !p.is_link_local()
                            && current(&e.valid)
                    }) {
                        effects.insert(Effect::SlaacAddress);
                    }
                    if current(&ra.router_lifetime) {
                        effects.insert(Effect::DefaultRoute);
                    }
                    if ra.routes.values().any(|r| current(&r.lifetime)) {
                        effects.insert(Effect::Route);
                    }
                    if ra.rdnss.values().any(current) || ra.dnssl.values().any(current) {
                        effects.insert(Effect::Dns);
                    }
                    if ra.flags.managed() || ra.flags.other() {
                        effects.insert(Effect::Dhcpv6Trigger);
                    }
                    duplicate = ra.prefixes.iter().any(|(p, e)| {
                        current(&e.valid) && e.preferred.seconds != 0 && others_advertise(p, s.mac)
                    });
                    if duplicate {
                        effects.insert(Effect::DuplicatePrefix);
                    }
                    if ra
                        .prefixes
                        .iter()
                        .any(|(p, e)| e.preferred.seconds == 0 && others_advertise(p, s.mac))
                    {
                        effects.insert(Effect::DeprecatesPrefix);
                    }
                }
                if let Some(dhcp) = &s.dhcp {
                    if dhcp.addresses.values().any(|(v, _)| v.is_active(now)) {
                        effects.insert(Effect::Dhcpv6Address);
                    }
                    if dhcp.prefixes.values().any(|(v, _)| v.is_active(now)) {
                        effects.insert(Effect::PrefixDelegation);
                    }
                    if dhcp.dns.values().any(|l| l.is_active(now))
                        || dhcp.domains.values().any(|l| l.is_active(now))
                    {
                        effects.insert(Effect::Dns);
                    }
                }
                if s.hidden > 0 {
                    effects.insert(Effect::HiddenRa);
                }
                let host_addresses = host
                    .map(|h| self.addresses_from(s, h, now))
                    .unwrap_or_default();
                let mut roles = Vec::new();
                if s.is_router() {
                    roles.push(Role::Router);
                }
                if s.is_dhcpv6_server() {
                    roles.push(Role::Dhcpv6Server);
                }
                let vendor = self.registry.lookup(s.mac);
                if expected {
                    return Finding {
                        source: s,
                        vendor,
                        mac_randomized: s.mac.is_locally_administered(),
                        roles,
                        expected,
                        offender: None,
                        fingerprint: None,
                        effects: Effects::NONE,
                        severity: Severity::Info,
                        remedy: RemedyCode::None,
                        host_addresses,
                    };
                }
                let fingerprint = fingerprint(s, duplicate);
                let mut severity = effects.severity();
                if !host_addresses.is_empty() {
                    severity = Severity::Critical;
                }
                // Senders that arrived in the burst that started a flood are most likely
                // forged: say so, and do not send anyone to reconfigure them.
                let in_flood = self.flood.current.or(self.flood.last).is_some_and(|f| {
                    s.first_seen <= f.started
                        && self.flood.burst_since.is_some_and(|b| s.first_seen >= b)
                });
                if in_flood {
                    effects.insert(Effect::Flood);
                    severity = Severity::Critical;
                }
                let offender = self.offender(s, vendor.as_ref().map(|v| v.name), fingerprint);
                let remedy = match (offender, fingerprint) {
                    _ if in_flood => RemedyCode::Unknown,
                    (Some(o), _) => o.remedy,
                    _ if severity == Severity::Info => RemedyCode::None,
                    (None, Some(Fingerprint::ThreadBorderRouter)) => RemedyCode::SeparateLine,
                    (None, _) => RemedyCode::DisableIpv6,
                };
                Finding {
                    source: s,
                    vendor,
                    mac_randomized: s.mac.is_locally_administered(),
                    roles,
                    expected,
                    offender,
                    fingerprint,
                    effects,
                    severity,
                    remedy,
                    host_addresses,
                }
            })
            .collect()
    }

    fn allowed(&self, s: &Source) -> bool {
        self.config.allow.iter().any(|spec| match spec {
            AllowSpec::Mac(m) => s.mac == *m || s.slla == Some(*m),
            AllowSpec::Address(a) => s.addresses.contains(a),
            AllowSpec::Prefix(allowed) => {
                // Every source whose prefixes all lie inside the allowed one; when several
                // do (an ND proxy re-advertises the upstream's prefix), the one that looks
                // like the upstream.
                let inside: Vec<&Source> = self
                    .sources
                    .values()
                    .filter(|x| advertises_only_inside(x, allowed))
                    .collect();
                self.pick_upstream(&inside).is_some_and(|u| u.mac == s.mac)
            }
        })
    }

    /// Of several routers that could be the upstream, the one that looks like it: no P
    /// flag, a default route, no preferred-lifetime-0 entries; if several still do, the
    /// one no offender entry names. `None` when that leaves none or more than one.
    fn pick_upstream<'s>(&self, candidates: &[&'s Source]) -> Option<&'s Source> {
        if let [only] = candidates {
            return Some(only);
        }
        let upstream_like: Vec<&'s Source> = candidates
            .iter()
            .copied()
            .filter(|x| {
                x.ra.as_ref().is_some_and(|r| {
                    !r.flags.proxy()
                        && r.router_lifetime.seconds > 0
                        && r.prefixes.values().all(|e| e.preferred.seconds > 0)
                })
            })
            .collect();
        if let [only] = upstream_like.as_slice() {
            return Some(only);
        }
        let unnamed: Vec<&'s Source> = upstream_like
            .iter()
            .copied()
            .filter(|x| {
                let vendor = self.registry.lookup(x.mac);
                self.rules
                    .offenders_for(vendor.as_ref().map(|v| v.name), x.mac)
                    .next()
                    .is_none()
            })
            .collect();
        match unnamed.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    fn offender(
        &self,
        s: &Source,
        vendor: Option<&str>,
        fp: Option<Fingerprint>,
    ) -> Option<&Offender> {
        let candidates: Vec<&Offender> = self.rules.offenders_for(vendor, s.mac).collect();
        let fits = |o: &&Offender| match fp {
            Some(Fingerprint::ThreadBorderRouter) => matches!(
                o.category,
                Category::MediaPlayer | Category::SmartDisplay | Category::SmartSpeaker
            ),
            Some(Fingerprint::HomeRouter | Fingerprint::NdProxy) => {
                o.category == Category::WifiRouter
            }
            _ => false,
        };
        candidates
            .iter()
            .find(|o| fits(o))
            .or(candidates.first())
            .copied()
    }

    /// The host's addresses that came from `s`: SLAAC addresses inside its prefixes,
    /// DHCPv6 addresses it handed out.
    fn addresses_from(&self, s: &Source, host: &HostObservation, now: Timestamp) -> Vec<Ipv6Addr> {
        host.addresses
            .iter()
            .filter(|a| a.origin != AddressOrigin::LinkLocal)
            .filter(|a| {
                let slaac = s.ra.as_ref().is_some_and(|r| {
                    r.prefixes.iter().any(|(p, e)| {
                        e.flags.autonomous() && e.valid.is_active(now) && p.contains_addr(&a.addr)
                    })
                });
                let dhcp = s
                    .dhcp
                    .as_ref()
                    .is_some_and(|d| d.addresses.contains_key(&a.addr));
                slaac || dhcp
            })
            .map(|a| a.addr)
            .collect()
    }

    fn attribute(&self, host: &HostObservation, now: Timestamp) -> HostView {
        let by_addr = |a: &HostAddress| {
            self.sources
                .values()
                .find(|s| {
                    self.addresses_from(
                        s,
                        &HostObservation {
                            addresses: vec![*a],
                            ..Default::default()
                        },
                        now,
                    )
                    .len()
                        == 1
                })
                .map(|s| s.mac)
        };
        let by_router = |r: &Ipv6Addr| {
            self.sources
                .values()
                .find(|s| s.is_router() && s.addresses.contains(r))
                .map(|s| s.mac)
        };
        let by_dns = |d: &Ipv6Addr| {
            self.sources
                .values()
                .find(|s| {
                    s.ra.as_ref().is_some_and(|r| r.rdnss.contains_key(d))
                        || s.dhcp.as_ref().is_some_and(|x| x.dns.contains_key(d))
                })
                .map(|s| s.mac)
        };
        HostView {
            addresses: host
                .addresses
                .iter()
                .map(|a| Attributed {
                    item: *a,
                    source: by_addr(a),
                })
                .collect(),
            default_routers: host
                .default_routers
                .iter()
                .map(|r| Attributed {
                    item: *r,
                    source: by_router(r),
                })
                .collect(),
            routes: host
                .routes
                .iter()
                .map(|r| Attributed {
                    item: *r,
                    source: by_router(&r.1),
                })
                .collect(),
            dns: host
                .dns
                .iter()
                .map(|d| Attributed {
                    item: *d,
                    source: by_dns(d),
                })
                .collect(),
        }
    }
}

/// How many IPv6-in-IPv6 headers deep the detector looks for an RA.
const MAX_TUNNEL_DEPTH: usize = 4;

/// The bytes after the extension-header chain of the IPv6 packet `packet` (dissected as
/// `d`), within its payload length.
fn upper_bytes<'p>(packet: &'p [u8], d: &Dissected<'_>) -> Option<&'p [u8]> {
    let (ip, chain) = (d.ipv6?, d.chain?);
    let payload = packet.get(wire::ipv6::HEADER_LEN..)?;
    payload
        .get(..usize::from(ip.payload_len))
        .unwrap_or(payload)
        .get(chain.upper_offset..)
}

/// Whether `s` advertises at least one prefix or address and all of them lie in `allowed`.
fn advertises_only_inside(s: &Source, allowed: &Prefix) -> bool {
    let mut advertised =
        s.ra.iter()
            .flat_map(|r| r.prefixes.keys().copied())
            .chain(s.dhcp.iter().flat_map(|d| d.prefixes.keys().copied()))
            .chain(
                s.dhcp
                    .iter()
                    .flat_map(|d| d.addresses.keys().filter_map(|a| Prefix::new(*a, 128))),
            )
            .peekable();
    advertised.peek().is_some() && advertised.all(|p| allowed.contains(&p))
}

/// Every lifetime a source has advertised.
fn lifetimes(s: &Source) -> Vec<Lifetime> {
    let mut out = Vec::new();
    if let Some(r) = &s.ra {
        out.push(r.router_lifetime);
        out.extend(r.prefixes.values().map(|e| e.valid));
        out.extend(r.routes.values().map(|e| e.lifetime));
        out.extend(r.rdnss.values().copied());
        out.extend(r.dnssl.values().copied());
    }
    if let Some(d) = &s.dhcp {
        out.extend(d.addresses.values().map(|e| e.0));
        out.extend(d.prefixes.values().map(|e| e.0));
        out.extend(d.dns.values().copied());
        out.extend(d.domains.values().copied());
    }
    out
}

fn fingerprint(s: &Source, duplicate: bool) -> Option<Fingerprint> {
    if let Some(ra) = &s.ra {
        let stub = ra
            .flags_extension
            .as_ref()
            .and_then(|b| b.first())
            .is_some_and(|b| b & STUB_ROUTER_FLAG != 0);
        let ula_shaped = ra.router_lifetime.seconds == 0
            && (ra.routes.keys().any(Prefix::is_ula)
                || ra
                    .prefixes
                    .iter()
                    .any(|(p, e)| p.is_ula() && e.flags.autonomous()));
        if stub || ra.flags.snac_router() || ula_shaped {
            return Some(Fingerprint::ThreadBorderRouter);
        }
        if ra.flags.proxy() || duplicate {
            return Some(Fingerprint::NdProxy);
        }
        if ra.was_default_router && (!ra.rdnss.is_empty() || ra.flags.other()) {
            return Some(Fingerprint::HomeRouter);
        }
    }
    s.is_dhcpv6_server().then_some(Fingerprint::Dhcpv6Server)
}

/// A digest of what an alert shows, to tell an update from a repeat.
fn digest(f: &Finding<'_>, now: Timestamp) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    f.severity.hash(&mut h);
    // The flood effect is left out: it marks senders the flood alert already covers,
    // and must not turn into one `updated` alert per forged sender when the flood starts
    // or ends.
    let mut effects = f.effects;
    effects.remove(Effect::Flood);
    effects.hash(&mut h);
    f.fingerprint.hash(&mut h);
    if let Some(r) = &f.source.ra {
        r.flags.0.hash(&mut h);
        r.router_lifetime.seconds.hash(&mut h);
        for (p, e) in &r.prefixes {
            if e.valid.is_active(now) {
                (p, e.flags.0, e.valid.seconds, e.preferred.seconds).hash(&mut h);
            }
        }
        for (p, e) in &r.routes {
            if e.lifetime.is_active(now) {
                (p, e.lifetime.seconds).hash(&mut h);
            }
        }
        r.rdnss.keys().collect::<Vec<_>>().hash(&mut h);
        r.dnssl.keys().collect::<Vec<_>>().hash(&mut h);
    }
    if let Some(d) = &f.source.dhcp {
        d.addresses.keys().collect::<Vec<_>>().hash(&mut h);
        d.prefixes.keys().collect::<Vec<_>>().hash(&mut h);
        d.dns.keys().collect::<Vec<_>>().hash(&mut h);
    }
    h.finish()
}
