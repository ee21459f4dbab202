//! The JSON output: the report object of `scan` / `analyze --format json`
//! (`v6sentinel.report/1`) and the alert objects `watch` writes one per line
//! (`v6sentinel.alert/1`). DESIGN.md, "JSON", is the contract; the structs below are the
//! serialization form, kept apart from the detector's types, and each field's rustdoc
//! says what it holds. `schemas/report.schema.json` and `schemas/alert.schema.json`
//! describe the same format as JSON Schema (draft 2020-12); the tests validate real
//! output against them. Change the format only together with the schema, and bump the
//! version in [`REPORT_SCHEMA`] / [`ALERT_SCHEMA`] when a change is not additive.
//!
//! # Conventions
//! - Every key is always present; a value that does not apply is `null` (an alert's
//!   `source` and `flood` are the exception: present only for their kind).
//! - Times are RFC 3339 UTC with microseconds: `2026-11-24T16:31:50.123456Z`.
//! - MACs are lower-case colon form (`10:6f:3f:aa:bb:cc`), addresses RFC 5952 text
//!   (`2001:db8::1`), prefixes `addr/len` (`2001:db8:1::/64`).
//! - Lifetimes are the seconds the sender advertised, `4294967295` meaning infinity.
//! - Codes (verdict, severity, effects, fingerprint, roles, remedy) are the stable
//!   lower-case codes of DESIGN.md, "Detection model".
//!
//! # The current state of a source
//! A source's `router_advertisement` holds the header fields of its latest RA plus every
//! prefix, route, DNS server and search domain it has advertised whose lifetime has not
//! run out at the snapshot's time (`as_of`; the end of the capture for `analyze`). A
//! prefix with preferred lifetime 0 is also listed while the detector counts it as
//! `deprecates_prefix`, so the evidence for that effect is visible. Its `dhcpv6` is the
//! same for what it offered over DHCPv6: addresses and prefixes whose valid lifetime
//! runs, DNS servers and domains within their information refresh time.
//!
//! # Example
//! ```json
//! {"schema":"v6sentinel.report/1","generator":"v6sentinel 0.1.0","verdict":"critical",
//!  "error_011_risk":true,"interface":"eth0","started":"2026-11-24T16:31:45.000000Z",
//!  "as_of":"2026-11-24T16:31:50.003000Z","duration_ms":5003,
//!  "probes":{"router_solicitation":true,"dhcpv6_solicit":true},"inputs":[],
//!  "sources":[{"mac":"10:6f:3f:aa:bb:cc","link_local":"fe80::126f:3fff:feaa:bbcc",
//!    "source_addresses":["fe80::126f:3fff:feaa:bbcc"],"slla":"10:6f:3f:aa:bb:cc",
//!    "vendor":"BUFFALO.INC","mac_randomized":false,"roles":["router"],"expected":false,
//!    "offender":{"id":"buffalo-wifi-router","name":"Buffalo Wi-Fi router",
//!      "models":["WSR-2533DHP"],"remedy":"disable_ipv6"},
//!    "fingerprint":"home_router","severity":"critical",
//!    "effects":["slaac_address","default_route","dns"],
//!    "router_advertisement":{"received":"…","count":3,"router_lifetime_s":1800,
//!      "managed":false,"other":true,"preference":"medium","proxy":false,
//!      "snac_router":false,"stub_router":false,"hop_limit":64,"reachable_time_ms":0,
//!      "retrans_timer_ms":0,"mtu":1500,
//!      "prefixes":[{"prefix":"2001:db8:1::/64","on_link":true,"autonomous":true,
//!        "valid_lifetime_s":86400,"preferred_lifetime_s":14400}],
//!      "routes":[],"rdnss":["2001:db8:1::1"],"dnssl":[],"pref64":null,
//!      "captive_portal":null,"entries_dropped":0},
//!    "dhcpv6":null,"remedy":{"code":"disable_ipv6","ja":"…","en":"…"},
//!    "evidence":[],"host_addresses":[],"first_seen":"…","last_seen":"…","packets":3,
//!    "hidden_packets":0}],
//!  "host":null,"flood":null,
//!  "stats":{"frames":120,"candidates":14,"router_adverts":3,…}}
//! ```

use super::{Context, remedy_texts, rfc3339};
use crate::detect::source::{DhcpState, Evidence, RaState};
use crate::detect::{
    AddressOrigin, Effect, EventKind, Finding, FloodSummary, HostView, Severity, Snapshot, Stats,
    Timestamp, Verdict,
};
use crate::rules::Rules;
use crate::wire::dhcpv6::MessageType;
use core::fmt::Write as _;
use serde::Serialize;

/// The `schema` value of a report.
pub const REPORT_SCHEMA: &str = "v6sentinel.report/1";
/// The `schema` value of an alert.
pub const ALERT_SCHEMA: &str = "v6sentinel.alert/1";
/// The `generator` value: the program and its version.
pub const GENERATOR: &str = concat!("v6sentinel ", env!("CARGO_PKG_VERSION"));

/// The report object (`v6sentinel.report/1`), one per `scan` or `analyze`.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// Always [`REPORT_SCHEMA`].
    pub schema: &'static str,
    /// The program and version that wrote it, e.g. `v6sentinel 0.1.0`.
    pub generator: &'static str,
    /// `ok`, `warning` or `critical`: the worst severity among sources (critical during
    /// or after a flood). The exit code follows it: 0, 1, 2.
    pub verdict: &'static str,
    /// Whether the card reader's "network error 011" is likely: the verdict is critical.
    pub error_011_risk: bool,
    /// The interface listened on; `null` for `analyze`.
    pub interface: Option<&'a str>,
    /// When listening started (for `analyze`: the first record's time).
    pub started: String,
    /// The moment the current state refers to (the end of the scan or of the capture).
    pub as_of: String,
    /// How long it listened, in milliseconds.
    pub duration_ms: u64,
    /// The probes sent.
    pub probes: ProbesJson,
    /// The capture files read by `analyze`, in order; empty for `scan`.
    pub inputs: Vec<&'a str>,
    /// Every sender of RAs or DHCPv6 server messages: non-expected sources first, worst
    /// first, then the expected upstream.
    pub sources: Vec<SourceJson<'a>>,
    /// This machine's own IPv6 state, each item attributed to the source it came from;
    /// `null` when it was not observed (`analyze`, or no host support).
    pub host: Option<HostJson>,
    /// The RA flood, if one happened; `null` otherwise.
    pub flood: Option<FloodJson>,
    /// The detector's counters.
    pub stats: StatsJson,
}

/// The probes a scan sent.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ProbesJson {
    /// A Router Solicitation to ff02::2 was sent.
    pub router_solicitation: bool,
    /// A DHCPv6 Solicit to ff02::1:2 was sent.
    pub dhcpv6_solicit: bool,
}

/// One source: a sender, keyed by its Ethernet source MAC. The same object appears in a
/// report's `sources` and in an alert's `source`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceJson<'a> {
    /// The Ethernet source MAC.
    pub mac: String,
    /// The IPv6 source address of its latest RA or DHCPv6 message (normally link-local).
    pub link_local: Option<String>,
    /// Every IPv6 source address it used (capped by the detector).
    pub source_addresses: Vec<String>,
    /// The MAC in its RA's Source Link-Layer Address option, if it sent one.
    pub slla: Option<String>,
    /// The IEEE organization its MAC is registered to; `null` when unknown or randomized.
    pub vendor: Option<&'a str>,
    /// Whether the MAC is locally administered (randomized): the vendor cannot be known.
    pub mac_randomized: bool,
    /// `router` (sent an RA a host accepts) and/or `dhcpv6_server`; may be empty when it
    /// only sent messages a host ignores.
    pub roles: Vec<&'static str>,
    /// Whether it is the expected upstream (matches `--allow`, or the one provider
    /// router).
    pub expected: bool,
    /// The known offender it matches (non-expected sources only).
    pub offender: Option<OffenderJson<'a>>,
    /// Its behaviour fingerprint (non-expected sources only).
    pub fingerprint: Option<&'static str>,
    /// `info`, `warning` or `critical`.
    pub severity: &'static str,
    /// What it does to the terminal (non-expected sources only), in DESIGN.md's order.
    pub effects: Vec<&'static str>,
    /// The router side, current state; `null` if it never sent an RA a host accepts.
    pub router_advertisement: Option<RaJson>,
    /// The DHCPv6 server side, current state; `null` if it never answered DHCPv6.
    pub dhcpv6: Option<DhcpJson>,
    /// What to do about it, with the texts in both languages.
    pub remedy: RemedyJson<'a>,
    /// Things about its packets worth telling, in English (MAC mismatches, RA-Guard
    /// evasion, malformed or invalid messages).
    pub evidence: Vec<String>,
    /// This machine's addresses that came from it (when the host state was observed).
    pub host_addresses: Vec<String>,
    /// Its first packet.
    pub first_seen: String,
    /// Its latest packet.
    pub last_seen: String,
    /// RAs and DHCPv6 server messages counted, valid or not.
    pub packets: u64,
    /// How many of them came behind extension headers or in fragments.
    pub hidden_packets: u64,
}

/// A matched offender from `rules/offenders.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct OffenderJson<'a> {
    /// The rule's id.
    pub id: &'a str,
    /// The product family, e.g. `Buffalo Wi-Fi router`.
    pub name: &'a str,
    /// Models on which the problem is confirmed.
    pub models: &'a [String],
    /// The rule's remedy code.
    pub remedy: &'static str,
}

/// A remedy code and its texts.
#[derive(Debug, Clone, Serialize)]
pub struct RemedyJson<'a> {
    /// `disable_ipv6` (remedy 1), `separate_line` (remedy 2), `unknown` or `none`.
    pub code: &'static str,
    /// The Japanese text.
    pub ja: std::borrow::Cow<'a, str>,
    /// The English text.
    pub en: std::borrow::Cow<'a, str>,
}

/// The router side of a source.
#[derive(Debug, Clone, Serialize)]
pub struct RaJson {
    /// When its latest RA arrived.
    pub received: String,
    /// RAs a host accepts counted.
    pub count: u64,
    /// Router lifetime of the latest RA, seconds (0: not a default router).
    pub router_lifetime_s: u32,
    /// M flag of the latest RA: addresses from DHCPv6.
    pub managed: bool,
    /// O flag of the latest RA: other configuration (DNS) from DHCPv6.
    pub other: bool,
    /// Default router preference: `high`, `medium`, `low` or `reserved`.
    pub preference: &'static str,
    /// P flag (RFC 4389): the sender is an ND proxy.
    pub proxy: bool,
    /// The SNAC-router flag (0x02 of the flags byte), sent by Thread border routers.
    pub snac_router: bool,
    /// The stub-router bit of the RA Flags Extension option (Thread border routers).
    pub stub_router: bool,
    /// Cur Hop Limit of the latest RA.
    pub hop_limit: u8,
    /// Reachable time of the latest RA, milliseconds.
    pub reachable_time_ms: u32,
    /// Retrans timer of the latest RA, milliseconds.
    pub retrans_timer_ms: u32,
    /// The MTU option of the latest RA.
    pub mtu: Option<u32>,
    /// Current Prefix Information entries.
    pub prefixes: Vec<PrefixJson>,
    /// Current Route Information entries.
    pub routes: Vec<RouteJson>,
    /// Current RDNSS servers.
    pub rdnss: Vec<String>,
    /// Current DNSSL domains.
    pub dnssl: Vec<String>,
    /// The current PREF64 (NAT64) prefix.
    pub pref64: Option<Pref64Json>,
    /// The captive portal URI it announced.
    pub captive_portal: Option<String>,
    /// Entries the detector did not keep (per-source caps).
    pub entries_dropped: u64,
}

/// A Prefix Information entry.
#[derive(Debug, Clone, Serialize)]
pub struct PrefixJson {
    /// The prefix.
    pub prefix: String,
    /// L flag: on-link.
    pub on_link: bool,
    /// A flag: hosts form addresses from it (SLAAC).
    pub autonomous: bool,
    /// Valid lifetime, seconds.
    pub valid_lifetime_s: u32,
    /// Preferred lifetime, seconds.
    pub preferred_lifetime_s: u32,
}

/// A Route Information entry.
#[derive(Debug, Clone, Serialize)]
pub struct RouteJson {
    /// The route's prefix.
    pub prefix: String,
    /// Its preference: `high`, `medium`, `low` or `reserved`.
    pub preference: &'static str,
    /// Its lifetime, seconds.
    pub lifetime_s: u32,
}

/// A PREF64 entry.
#[derive(Debug, Clone, Serialize)]
pub struct Pref64Json {
    /// The NAT64 prefix.
    pub prefix: String,
    /// Its lifetime, seconds.
    pub lifetime_s: u32,
}

/// The DHCPv6 server side of a source.
#[derive(Debug, Clone, Serialize)]
pub struct DhcpJson {
    /// When its latest server message arrived.
    pub received: String,
    /// The server DUID, lower-case hex without separators.
    pub server_duid: Option<String>,
    /// The MAC inside the DUID (DUID-LL / DUID-LLT).
    pub server_duid_mac: Option<String>,
    /// The Preference option of its latest message that had one.
    pub preference: Option<u8>,
    /// Server messages counted, by type.
    pub messages: DhcpMessagesJson,
    /// Current addresses offered or assigned (IA_NA, IA_TA).
    pub addresses: Vec<LeaseJson>,
    /// Current prefixes delegated (IA_PD).
    pub prefixes: Vec<DelegationJson>,
    /// Current DNS servers.
    pub dns: Vec<String>,
    /// Current domain search list.
    pub domains: Vec<String>,
    /// Entries the detector did not keep (per-source caps).
    pub entries_dropped: u64,
}

/// DHCPv6 server messages by type.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DhcpMessagesJson {
    /// ADVERTISE.
    pub advertise: u64,
    /// REPLY.
    pub reply: u64,
    /// RECONFIGURE.
    pub reconfigure: u64,
}

/// An address lease.
#[derive(Debug, Clone, Serialize)]
pub struct LeaseJson {
    /// The address.
    pub address: String,
    /// Valid lifetime, seconds.
    pub valid_lifetime_s: u32,
    /// Preferred lifetime, seconds.
    pub preferred_lifetime_s: u32,
}

/// A delegated prefix.
#[derive(Debug, Clone, Serialize)]
pub struct DelegationJson {
    /// The prefix.
    pub prefix: String,
    /// Valid lifetime, seconds.
    pub valid_lifetime_s: u32,
    /// Preferred lifetime, seconds.
    pub preferred_lifetime_s: u32,
}

/// This machine's IPv6 state, attributed.
#[derive(Debug, Clone, Serialize)]
pub struct HostJson {
    /// Its addresses.
    pub addresses: Vec<HostAddressJson>,
    /// Its default routers.
    pub default_routers: Vec<HostRouterJson>,
    /// Its more-specific routes learned from RAs.
    pub routes: Vec<HostRouteJson>,
    /// The DNS servers it uses.
    pub dns: Vec<HostRouterJson>,
}

/// One of this machine's addresses.
#[derive(Debug, Clone, Serialize)]
pub struct HostAddressJson {
    /// The address.
    pub address: String,
    /// Its prefix length.
    pub prefix_len: u8,
    /// How it was configured: `link_local`, `slaac`, `dhcpv6`, `manual` or `other`.
    pub origin: &'static str,
    /// The MAC of the source it came from, if known.
    pub source: Option<String>,
}

/// A default router or DNS server of this machine.
#[derive(Debug, Clone, Serialize)]
pub struct HostRouterJson {
    /// Its address.
    pub address: String,
    /// The MAC of the source it came from, if known.
    pub source: Option<String>,
}

/// A route of this machine.
#[derive(Debug, Clone, Serialize)]
pub struct HostRouteJson {
    /// The destination prefix.
    pub prefix: String,
    /// The next hop.
    pub router: String,
    /// The MAC of the source it came from, if known.
    pub source: Option<String>,
}

/// An RA flood.
#[derive(Debug, Clone, Serialize)]
pub struct FloodJson {
    /// New RA sources counted, not kept, while it lasted.
    pub new_sources: u64,
    /// The detection window, seconds.
    pub window_s: u64,
    /// Sources kept.
    pub kept: usize,
    /// When it began.
    pub started: String,
    /// When it ended; `null` while it lasts.
    pub ended: Option<String>,
}

/// The detector's counters.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StatsJson {
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

/// An alert (`v6sentinel.alert/1`), one JSON line per `watch` event.
#[derive(Debug, Clone, Serialize)]
pub struct Alert<'a> {
    /// Always [`ALERT_SCHEMA`].
    pub schema: &'static str,
    /// When the event happened.
    pub time: String,
    /// `raised`, `updated` or `resolved`.
    pub event: &'static str,
    /// `source` or `flood`.
    pub kind: &'static str,
    /// `src:MAC` for a source, `flood:INTERFACE` for a flood: the same id across an
    /// alert's lifecycle.
    pub id: String,
    /// The source's severity now; for a flood `critical`, and `info` once resolved.
    pub severity: &'static str,
    /// Whether "network error 011" is likely: the severity is critical.
    pub error_011_risk: bool,
    /// The interface watched.
    pub interface: &'a str,
    /// The source, as in a report (kind `source` only; the key is absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceJson<'a>>,
    /// The flood (kind `flood` only; the key is absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flood: Option<Option<FloodJson>>,
}

/// The report object for `snapshot` (see the module documentation).
pub fn report<'a>(snapshot: &'a Snapshot<'_>, ctx: &'a Context<'_>) -> Report<'a> {
    let mut findings: Vec<&Finding<'_>> = snapshot.findings.iter().collect();
    // Non-expected first; the snapshot's own order (worst first) otherwise.
    findings.sort_by_key(|f| f.expected);
    let millis = ctx.duration.as_millis();
    Report {
        schema: REPORT_SCHEMA,
        generator: GENERATOR,
        verdict: snapshot.verdict.as_str(),
        error_011_risk: snapshot.verdict == Verdict::Critical,
        interface: ctx.interface,
        started: rfc3339(ctx.started),
        as_of: rfc3339(snapshot.now),
        duration_ms: u64::try_from(millis).unwrap_or(u64::MAX),
        probes: ProbesJson {
            router_solicitation: ctx.probes.router_solicitation,
            dhcpv6_solicit: ctx.probes.dhcpv6_solicit,
        },
        inputs: ctx.inputs.iter().map(String::as_str).collect(),
        sources: findings
            .into_iter()
            .map(|f| source(f, snapshot.now, Some(ctx.rules)))
            .collect(),
        host: snapshot.host.as_ref().map(host),
        flood: snapshot.flood.as_ref().map(flood),
        stats: stats(&snapshot.stats),
    }
}

/// The report for `snapshot` as one line of JSON (no trailing newline).
pub fn report_json(snapshot: &Snapshot<'_>, ctx: &Context<'_>) -> String {
    to_line(&report(snapshot, ctx))
}

/// The alert object for one `watch` event: kind `source` when `finding` is given (its
/// state judged at `now`), else kind `flood` with `flood`. The remedy texts are the
/// built-in ones; use [`alert_json_with_rules`] to take them from the rule tables.
pub fn alert_json(
    time: Timestamp,
    event: EventKind,
    finding: Option<&Finding<'_>>,
    flood: Option<&FloodSummary>,
    interface: &str,
    now: Timestamp,
) -> String {
    to_line(&alert(time, event, finding, flood, interface, now, None))
}

/// [`alert_json`] with the remedy texts from `rules` (the same texts as the reports).
pub fn alert_json_with_rules(
    time: Timestamp,
    event: EventKind,
    finding: Option<&Finding<'_>>,
    flood: Option<&FloodSummary>,
    interface: &str,
    now: Timestamp,
    rules: &Rules,
) -> String {
    to_line(&alert(
        time,
        event,
        finding,
        flood,
        interface,
        now,
        Some(rules),
    ))
}

/// The alert object (see [`alert_json`]).
pub fn alert<'a>(
    time: Timestamp,
    event: EventKind,
    finding: Option<&'a Finding<'_>>,
    flood_summary: Option<&FloodSummary>,
    interface: &'a str,
    now: Timestamp,
    rules: Option<&'a Rules>,
) -> Alert<'a> {
    let event_code = event.as_str();
    let (kind, id, severity, source_json, flood_json) = match finding {
        Some(f) => (
            "source",
            format!("src:{}", f.source.mac),
            f.severity,
            Some(source(f, now, rules)),
            None,
        ),
        None => {
            let severity = if event == EventKind::Resolved {
                Severity::Info
            } else {
                Severity::Critical
            };
            (
                "flood",
                format!("flood:{interface}"),
                severity,
                None,
                Some(flood_summary.map(flood)),
            )
        }
    };
    Alert {
        schema: ALERT_SCHEMA,
        time: rfc3339(time),
        event: event_code,
        kind,
        id,
        severity: severity.as_str(),
        error_011_risk: severity == Severity::Critical,
        interface,
        source: source_json,
        flood: flood_json,
    }
}

fn to_line<T: Serialize>(value: &T) -> String {
    // Serializing these structs cannot fail: every key is a string, every value plain.
    serde_json::to_string(value)
        .unwrap_or_else(|_| String::from(r#"{"schema":"v6sentinel.error/1"}"#))
}

/// The source object for one finding, its entries judged at `now`.
pub fn source<'a>(f: &'a Finding<'_>, now: Timestamp, rules: Option<&'a Rules>) -> SourceJson<'a> {
    let s = f.source;
    let (ja, en) = remedy_texts(rules, f.remedy);
    SourceJson {
        mac: s.mac.to_string(),
        link_local: s.link_local.map(|a| a.to_string()),
        source_addresses: s.addresses.iter().map(ToString::to_string).collect(),
        slla: s.slla.map(|m| m.to_string()),
        vendor: f.vendor.as_ref().map(|v| v.name),
        mac_randomized: f.mac_randomized,
        roles: f.roles.iter().map(|r| r.as_str()).collect(),
        expected: f.expected,
        offender: f.offender.map(|o| OffenderJson {
            id: o.id.as_str(),
            name: o.name.as_str(),
            models: o.models.as_slice(),
            remedy: o.remedy.as_str(),
        }),
        fingerprint: f.fingerprint.map(|fp| fp.as_str()),
        severity: f.severity.as_str(),
        effects: f.effects.iter().map(|e| e.as_str()).collect(),
        router_advertisement: s
            .ra
            .as_ref()
            .map(|ra| router_advertisement(ra, now, f.effects.contains(Effect::DeprecatesPrefix))),
        dhcpv6: s.dhcp.as_ref().map(|d| dhcpv6(d, s.duid_mac, now)),
        remedy: RemedyJson {
            code: f.remedy.as_str(),
            ja,
            en,
        },
        evidence: s.evidence.iter().map(evidence_en).collect(),
        host_addresses: f.host_addresses.iter().map(ToString::to_string).collect(),
        first_seen: rfc3339(s.first_seen),
        last_seen: rfc3339(s.last_seen),
        packets: s.packets,
        hidden_packets: s.hidden,
    }
}

/// Whether a prefix entry is shown as current (see the module documentation).
pub(crate) fn prefix_is_current(
    e: &crate::detect::source::PrefixEntry,
    now: Timestamp,
    deprecates: bool,
) -> bool {
    e.valid.is_active(now) || (deprecates && e.preferred.seconds == 0)
}

fn router_advertisement(ra: &RaState, now: Timestamp, deprecates: bool) -> RaJson {
    let stub = ra
        .flags_extension
        .as_ref()
        .and_then(|b| b.first())
        .is_some_and(|b| b & 0x80 != 0);
    RaJson {
        received: rfc3339(ra.received),
        count: ra.count,
        router_lifetime_s: ra.router_lifetime.seconds,
        managed: ra.flags.managed(),
        other: ra.flags.other(),
        preference: ra.flags.preference().as_str(),
        proxy: ra.flags.proxy(),
        snac_router: ra.flags.snac_router(),
        stub_router: stub,
        hop_limit: ra.hop_limit,
        reachable_time_ms: ra.reachable_time,
        retrans_timer_ms: ra.retrans_time,
        mtu: ra.mtu,
        prefixes: ra
            .prefixes
            .iter()
            .filter(|(_, e)| prefix_is_current(e, now, deprecates))
            .map(|(p, e)| PrefixJson {
                prefix: p.to_string(),
                on_link: e.flags.on_link(),
                autonomous: e.flags.autonomous(),
                valid_lifetime_s: e.valid.seconds,
                preferred_lifetime_s: e.preferred.seconds,
            })
            .collect(),
        routes: ra
            .routes
            .iter()
            .filter(|(_, r)| r.lifetime.is_active(now))
            .map(|(p, r)| RouteJson {
                prefix: p.to_string(),
                preference: r.preference.as_str(),
                lifetime_s: r.lifetime.seconds,
            })
            .collect(),
        rdnss: ra
            .rdnss
            .iter()
            .filter(|(_, l)| l.is_active(now))
            .map(|(a, _)| a.to_string())
            .collect(),
        dnssl: ra
            .dnssl
            .iter()
            .filter(|(_, l)| l.is_active(now))
            .map(|(d, _)| d.clone())
            .collect(),
        pref64: ra
            .pref64
            .as_ref()
            .filter(|(_, l)| l.is_active(now))
            .map(|(p, l)| Pref64Json {
                prefix: p.to_string(),
                lifetime_s: l.seconds,
            }),
        captive_portal: ra.captive_portal.clone(),
        entries_dropped: ra.dropped,
    }
}

fn dhcpv6(d: &DhcpState, duid_mac: Option<crate::wire::Mac>, now: Timestamp) -> DhcpJson {
    let count = |t: MessageType| d.messages.get(&u8::from(t)).copied().unwrap_or(0);
    DhcpJson {
        received: rfc3339(d.received),
        server_duid: d.server_duid.as_deref().map(hex),
        server_duid_mac: duid_mac.map(|m| m.to_string()),
        preference: d.preference,
        messages: DhcpMessagesJson {
            advertise: count(MessageType::Advertise),
            reply: count(MessageType::Reply),
            reconfigure: count(MessageType::Reconfigure),
        },
        addresses: d
            .addresses
            .iter()
            .filter(|(_, (valid, _))| valid.is_active(now))
            .map(|(a, (valid, preferred))| LeaseJson {
                address: a.to_string(),
                valid_lifetime_s: valid.seconds,
                preferred_lifetime_s: preferred.seconds,
            })
            .collect(),
        prefixes: d
            .prefixes
            .iter()
            .filter(|(_, (valid, _))| valid.is_active(now))
            .map(|(p, (valid, preferred))| DelegationJson {
                prefix: p.to_string(),
                valid_lifetime_s: valid.seconds,
                preferred_lifetime_s: preferred.seconds,
            })
            .collect(),
        dns: d
            .dns
            .iter()
            .filter(|(_, l)| l.is_active(now))
            .map(|(a, _)| a.to_string())
            .collect(),
        domains: d
            .domains
            .iter()
            .filter(|(_, l)| l.is_active(now))
            .map(|(n, _)| n.clone())
            .collect(),
        entries_dropped: d.dropped,
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// One piece of evidence, in English.
pub(crate) fn evidence_en(e: &Evidence) -> String {
    match e {
        Evidence::SllaMismatch(m) => {
            format!(
                "its RA's source link-layer address option names {m}, not the sender's MAC (a proxy, or spoofing)"
            )
        }
        Evidence::Eui64Mismatch(m) => {
            format!("its link-local address embeds another MAC, {m}")
        }
        Evidence::DuidMismatch(m) => {
            format!(
                "its DHCPv6 server DUID embeds another MAC, {m} (often another interface of the same device)"
            )
        }
        Evidence::BehindExtensionHeaders => {
            "sends RAs or DHCPv6 behind IPv6 extension headers (RA-Guard evasion)".into()
        }
        Evidence::Fragmented => "sends RAs or DHCPv6 in fragments (RA-Guard evasion)".into(),
        Evidence::OverlappingFragments => {
            "sends fragments that overlap with different bytes (RA-Guard evasion): hosts that follow RFC 5722 drop them, older stacks reassemble them keeping the first or the last copy of the overlapped bytes; an RA either way is counted".into()
        }
        Evidence::Tunnelled => {
            "sends RAs inside IPv6-in-IPv6 packets (RA-Guard evasion): only a host that terminates that tunnel applies them, to the tunnel's interface, so they are not counted as configuration".into()
        }
        Evidence::InvalidRa(why) => format!("sent an RA that hosts ignore: {why}"),
        Evidence::Malformed(what) => format!("sent a malformed message: {what}"),
    }
}

fn host(h: &HostView) -> HostJson {
    let mac = |m: Option<crate::wire::Mac>| m.map(|m| m.to_string());
    HostJson {
        addresses: h
            .addresses
            .iter()
            .map(|a| HostAddressJson {
                address: a.item.addr.to_string(),
                prefix_len: a.item.prefix_len,
                origin: origin(a.item.origin),
                source: mac(a.source),
            })
            .collect(),
        default_routers: h
            .default_routers
            .iter()
            .map(|r| HostRouterJson {
                address: r.item.to_string(),
                source: mac(r.source),
            })
            .collect(),
        routes: h
            .routes
            .iter()
            .map(|r| HostRouteJson {
                prefix: r.item.0.to_string(),
                router: r.item.1.to_string(),
                source: mac(r.source),
            })
            .collect(),
        dns: h
            .dns
            .iter()
            .map(|d| HostRouterJson {
                address: d.item.to_string(),
                source: mac(d.source),
            })
            .collect(),
    }
}

/// The code of an address origin.
pub(crate) fn origin(o: AddressOrigin) -> &'static str {
    match o {
        AddressOrigin::LinkLocal => "link_local",
        AddressOrigin::Slaac => "slaac",
        AddressOrigin::Dhcpv6 => "dhcpv6",
        AddressOrigin::Manual => "manual",
        AddressOrigin::Other => "other",
    }
}

fn flood(f: &FloodSummary) -> FloodJson {
    FloodJson {
        new_sources: f.new_sources,
        window_s: f.window_s,
        kept: f.kept,
        started: rfc3339(f.started),
        ended: f.ended.map(rfc3339),
    }
}

fn stats(s: &Stats) -> StatsJson {
    StatsJson {
        frames: s.frames,
        candidates: s.candidates,
        router_adverts: s.router_adverts,
        dhcpv6_server_messages: s.dhcpv6_server_messages,
        invalid_router_adverts: s.invalid_router_adverts,
        malformed: s.malformed,
        fragments: s.fragments,
        reassembled: s.reassembled,
        sources_not_kept: s.sources_not_kept,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{detector, feed};
    use super::*;
    use crate::detect::{Config, Subject};
    use crate::wire::Mac;
    use crate::wire::build::{Addressing, ND_HOP_LIMIT, icmpv6_frame};
    use crate::wire::icmpv6::Icmpv6Repr;
    use crate::wire::ndisc::{NdiscRepr, RaFlags};
    use crate::wire::ndopt::{NdOption, NdOptions, PrefixFlags, PrefixInformation};
    use serde_json::Value;

    fn parse(line: &str) -> Value {
        assert!(!line.contains('\n'));
        serde_json::from_str(line).unwrap()
    }

    /// An RA from `mac` with one /64 prefix (L+A).
    fn ra(
        mac: &str,
        lifetime: u16,
        flags: u8,
        prefix: &str,
        valid: u32,
        preferred: u32,
    ) -> Vec<u8> {
        let mac: Mac = mac.parse().unwrap();
        let octets = mac.octets();
        let options = NdOptions::from_list(vec![
            NdOption::SourceLinkLayerAddr(&octets),
            NdOption::PrefixInformation(PrefixInformation {
                prefix_len: 64,
                flags: PrefixFlags(0xc0),
                valid_lifetime: valid,
                preferred_lifetime: preferred,
                reserved: 0,
                prefix: prefix.parse().unwrap(),
            }),
        ]);
        let message = Icmpv6Repr::Ndisc {
            code: 0,
            repr: NdiscRepr::RouterAdvert {
                hop_limit: 64,
                flags: RaFlags(flags),
                router_lifetime: lifetime,
                reachable_time: 0,
                retrans_time: 0,
                options,
            },
        };
        icmpv6_frame(
            &Addressing {
                src_mac: mac,
                dst_mac: "33:33:00:00:00:01".parse().unwrap(),
                src_ip: mac.link_local_eui64(),
                dst_ip: "ff02::1".parse().unwrap(),
                hop_limit: ND_HOP_LIMIT,
            },
            &message,
        )
        .unwrap()
    }

    #[test]
    fn report_shape() {
        let fed = feed(&["radvd-buffalo.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        let r = parse(&report_json(
            &snap,
            &fed.context(rules, &["radvd-buffalo.pcap"]),
        ));
        assert_eq!(r["schema"], REPORT_SCHEMA);
        assert_eq!(r["generator"], GENERATOR);
        assert_eq!(r["interface"], Value::Null);
        assert_eq!(r["inputs"], serde_json::json!(["radvd-buffalo.pcap"]));
        let s = &r["sources"][0];
        for key in ["started", "as_of"] {
            let t = r[key].as_str().unwrap();
            assert!(
                t.ends_with('Z') && t.len() == 27 && &t[19..20] == ".",
                "{t}"
            );
        }
        assert_eq!(s["first_seen"].as_str().unwrap().len(), 27);
        assert_eq!(
            s["effects"],
            serde_json::json!(["slaac_address", "dhcpv6_trigger"])
        );
        assert_eq!(s["offender"]["id"], "buffalo-wifi-router");
        assert!(s["offender"]["models"].as_array().unwrap().len() >= 5);
        assert_eq!(s["vendor"], "BUFFALO.INC");
        assert_eq!(s["offender"]["remedy"], "disable_ipv6");
        assert!(!s["remedy"]["ja"].as_str().unwrap().is_empty());
        assert!(!s["remedy"]["en"].as_str().unwrap().is_empty());
        assert_eq!(s["evidence"], serde_json::json!([]));
        assert_eq!(s["hidden_packets"], 0);
        assert_eq!(r["stats"]["router_adverts"], 4);
    }

    #[test]
    fn nd_proxy_and_deprecation_are_visible() {
        // With --allow: without it, a proxy relaying the provider prefix makes the home
        // gateway look like a second provider router, and neither is presumed expected.
        let mut d = detector(Config {
            allow: vec!["00:3a:9d:11:22:33".parse().unwrap()],
            ..Config::default()
        });
        let t0 = Timestamp::from_secs(1_800_000_000);
        // The NGN home gateway, a Wi-Fi router relaying its prefix with the P flag, and a
        // device telling hosts to stop using it (preferred lifetime 0).
        d.handle_frame(
            t0,
            &ra(
                "00:3a:9d:11:22:33",
                1800,
                0x40,
                "2001:c90:1:2::",
                86_400,
                14_400,
            ),
        );
        d.handle_frame(
            t0.add_secs(1),
            &ra(
                "10:6f:3f:12:34:56",
                1800,
                0x04,
                "2001:c90:1:2::",
                86_400,
                14_400,
            ),
        );
        d.handle_frame(
            t0.add_secs(2),
            &ra("00:a0:b0:12:34:56", 0, 0, "2001:c90:1:2::", 0, 0),
        );
        let now = t0.add_secs(3);
        let snap = d.snapshot(now);
        let rules = Rules::embedded();
        let ctx = Context {
            interface: Some("eth0"),
            started: t0,
            duration: core::time::Duration::from_secs(3),
            probes: super::super::Probes::default(),
            inputs: Vec::new(),
            rules,
        };
        let r = parse(&report_json(&snap, &ctx));
        let by_mac = |m: &str| {
            r["sources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["mac"] == m)
                .unwrap()
                .clone()
        };
        let proxy = by_mac("10:6f:3f:12:34:56");
        assert_eq!(proxy["fingerprint"], "nd_proxy");
        assert_eq!(proxy["router_advertisement"]["proxy"], true);
        let effects = proxy["effects"].as_array().unwrap();
        assert!(effects.contains(&"duplicate_prefix".into()), "{proxy}");
        let killer = by_mac("00:a0:b0:12:34:56");
        assert!(
            killer["effects"]
                .as_array()
                .unwrap()
                .contains(&"deprecates_prefix".into()),
            "{killer}"
        );
        // The deprecating PIO is shown although its valid lifetime is 0.
        assert_eq!(
            killer["router_advertisement"]["prefixes"][0]["preferred_lifetime_s"], 0,
            "{killer}"
        );
        assert_eq!(
            r["sources"].as_array().unwrap().last().unwrap()["expected"],
            true
        );
        // The text report names the upstream briefly and explains the proxy.
        let text = super::super::report_text(&snap, &ctx, super::super::Lang::Ja);
        assert!(
            text.contains("上流ルーターと同じプレフィックスを中継して配っています"),
            "{text}"
        );
        assert!(text.contains("「使用中止」"), "{text}");
        assert!(
            text.contains("■ 想定どおりの上流ルーター\n  00:3a:9d:11:22:33"),
            "{text}"
        );
    }

    #[test]
    fn source_alerts() {
        let fed = feed(&["radvd-buffalo.pcap"]);
        let raised = fed.events.first().unwrap();
        assert_eq!(raised.kind, EventKind::Raised);
        let Subject::Source(mac) = raised.subject else {
            panic!("{raised:?}")
        };
        let finding = fed.detector.finding(&mac).unwrap();
        let a = parse(&alert_json(
            raised.time,
            raised.kind,
            Some(&finding),
            None,
            "eth0",
            fed.last,
        ));
        assert_eq!(a["schema"], ALERT_SCHEMA);
        assert_eq!(a["event"], "raised");
        assert_eq!(a["kind"], "source");
        assert_eq!(a["id"], "src:10:6f:3f:12:34:56");
        assert_eq!(a["severity"], "critical");
        assert_eq!(a["error_011_risk"], true);
        assert_eq!(a["interface"], "eth0");
        assert_eq!(a["source"]["mac"], "10:6f:3f:12:34:56");
        assert!(a.get("flood").is_none());
        // Built-in remedy texts without rules, the rules' texts with them.
        assert!(
            a["source"]["remedy"]["ja"]
                .as_str()
                .unwrap()
                .contains("対処方法１")
        );
        let with = parse(&alert_json_with_rules(
            raised.time,
            raised.kind,
            Some(&finding),
            None,
            "eth0",
            fed.last,
            Rules::embedded(),
        ));
        assert_eq!(with["source"]["mac"], a["source"]["mac"]);
    }

    #[test]
    fn flood_alerts() {
        let fed = feed(&["thc-flood_router26.pcap"]);
        let e = fed
            .events
            .iter()
            .find(|e| e.subject == Subject::Flood)
            .unwrap();
        let snap = fed.detector.snapshot(fed.last);
        let a = parse(&alert_json(
            e.time,
            e.kind,
            None,
            snap.flood.as_ref(),
            "eth0",
            fed.last,
        ));
        assert_eq!(a["kind"], "flood");
        assert_eq!(a["id"], "flood:eth0");
        assert_eq!(a["severity"], "critical");
        assert!(a.get("source").is_none());
        assert_eq!(a["flood"]["window_s"], 10);
        assert_eq!(a["flood"]["ended"], Value::Null);
        // Neither a finding nor a flood: still a well-formed flood alert.
        let a = parse(&alert_json(
            e.time,
            EventKind::Resolved,
            None,
            None,
            "eth0",
            fed.last,
        ));
        assert_eq!(a["flood"], Value::Null);
        assert_eq!(a["severity"], "info");
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0x01, 0xab, 0xff]), "0001abff");
        assert_eq!(hex(&[]), "");
    }
}
