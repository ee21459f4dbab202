//! Detector scenarios as data: each `tests/scenarios/*.toml` lists timed frames (built
//! from a compact description, or taken from a capture) and the findings expected at the
//! end. One file per behaviour; see `tests/scenarios/README.md` for the format.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use v6sentinel::capture::file;
use v6sentinel::detect::{
    AddressOrigin, Config, Detector, HostAddress, HostObservation, Subject, Timestamp,
};
use v6sentinel::oui::Registry;
use v6sentinel::rules::Rules;
use v6sentinel::wire::build::{Addressing, icmpv6_frame, udp_frame};
use v6sentinel::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, Duid, MessageType, Options, TransactionId};
use v6sentinel::wire::dns::{DnsNames, Padding, encode_names};
use v6sentinel::wire::icmpv6::Icmpv6Repr;
use v6sentinel::wire::ndisc::{NdiscRepr, RaFlags};
use v6sentinel::wire::ndopt::{
    NdOption, NdOptions, PrefixFlags, PrefixInformation, RouteInformation,
};
use v6sentinel::wire::{AddrList, Mac, addr_bytes};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    frame: Vec<Frame>,
    #[serde(default)]
    host: Option<Host>,
    /// Seconds after the first frame at which the snapshot is taken (default: last frame).
    at: Option<f64>,
    /// The detector's resolve timeout in seconds (default 3600).
    resolve_timeout: Option<u64>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Frame {
    #[serde(default)]
    at: f64,
    /// Every frame of a capture under tests/captures/, shifted to start at `at`.
    pcap: Option<String>,
    ra: Option<Ra>,
    dhcpv6: Option<Dhcp>,
    /// Repeat the frame this many times, one per `every` seconds, from distinct MACs
    /// (the last byte counts up): for floods.
    #[serde(default)]
    repeat: Option<u32>,
    #[serde(default)]
    every: f64,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Ra {
    mac: String,
    src: Option<String>,
    #[serde(default = "hop255")]
    hop_limit: u8,
    #[serde(default)]
    router_lifetime: u16,
    /// Letters: M, O, H, P, S (SNAC), and `prf` separately.
    #[serde(default)]
    flags: String,
    #[serde(default)]
    prf: Option<String>,
    #[serde(default)]
    prefix: Vec<Pio>,
    #[serde(default)]
    route: Vec<Rio>,
    #[serde(default)]
    rdnss: Vec<String>,
    #[serde(default)]
    dnssl: Vec<String>,
    /// Hex of the RA Flags Extension option's six bytes.
    flags_ext: Option<String>,
    #[serde(default = "yes")]
    slla: bool,
    /// How the RA is hidden from RA-Guard (see `build_ra` and the README).
    hide: Option<String>,
    #[serde(default)]
    bad_checksum: bool,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Pio {
    prefix: String,
    #[serde(default = "yes")]
    l: bool,
    #[serde(default = "yes")]
    a: bool,
    #[serde(default = "day")]
    valid: u32,
    #[serde(default = "hours4")]
    preferred: u32,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Rio {
    prefix: String,
    #[serde(default = "day")]
    lifetime: u32,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Dhcp {
    mac: String,
    #[serde(default = "advertise")]
    msg: String,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
    #[serde(default)]
    dns: Vec<String>,
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Host {
    #[serde(default)]
    slaac: Vec<String>,
    #[serde(default)]
    default_routers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    verdict: String,
    /// How many sources the snapshot holds, if given.
    sources: Option<usize>,
    #[serde(default)]
    flood: bool,
    #[serde(default)]
    source: Vec<ExpectSource>,
    /// Terminal addresses and the MAC they must be attributed to.
    #[serde(default)]
    host: BTreeMap<String, String>,
    /// The exact sequence of lifecycle events, as `"raised MAC"`, `"updated MAC"`,
    /// `"resolved flood"`, each optionally `"@SECONDS"` (within half a second). When
    /// given, time passes between frames as in `watch`: the detector's timers fire.
    events: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSource {
    mac: String,
    severity: Option<String>,
    /// The exact set of effects.
    effects: Option<Vec<String>>,
    /// "none" for no fingerprint.
    fingerprint: Option<String>,
    remedy: Option<String>,
    /// An offender id, or "none".
    offender: Option<String>,
    expected: Option<bool>,
}

fn hop255() -> u8 {
    255
}
fn yes() -> bool {
    true
}
fn day() -> u32 {
    86_400
}
fn hours4() -> u32 {
    14_400
}
fn advertise() -> String {
    "advertise".into()
}

fn mac(s: &str) -> Mac {
    s.parse().unwrap_or_else(|_| panic!("bad MAC {s}"))
}

fn prefix(s: &str) -> (Ipv6Addr, u8) {
    let (a, l) = s
        .split_once('/')
        .unwrap_or_else(|| panic!("bad prefix {s}"));
    (a.parse().unwrap(), l.parse().unwrap())
}

fn addressing(src_mac: Mac, src: Option<&str>) -> Addressing {
    Addressing {
        src_mac,
        dst_mac: "33:33:00:00:00:01".parse().unwrap(),
        src_ip: src.map_or_else(|| src_mac.link_local_eui64(), |s| s.parse().unwrap()),
        dst_ip: "ff02::1".parse().unwrap(),
        hop_limit: 255,
    }
}

fn build_ra(ra: &Ra, src_mac: Mac) -> Vec<Vec<u8>> {
    let mac_bytes = src_mac.octets();
    let mut flags = 0u8;
    for c in ra.flags.chars() {
        flags |= match c {
            'M' => 0x80,
            'O' => 0x40,
            'H' => 0x20,
            'P' => 0x04,
            'S' => 0x02,
            _ => panic!("unknown RA flag {c}"),
        };
    }
    flags |= match ra.prf.as_deref() {
        None | Some("medium") => 0,
        Some("high") => 0x08,
        Some("low") => 0x18,
        Some(p) => panic!("bad prf {p}"),
    };
    let rdnss: Vec<Ipv6Addr> = ra.rdnss.iter().map(|a| a.parse().unwrap()).collect();
    let rdnss_bytes = addr_bytes(&rdnss);
    let mut dnssl_bytes = encode_names(ra.dnssl.iter().map(String::as_str)).unwrap();
    dnssl_bytes.resize((dnssl_bytes.len() + 6).div_ceil(8) * 8 - 6, 0);
    let route_bytes: Vec<(u8, Vec<u8>)> = ra
        .route
        .iter()
        .map(|r| {
            let (a, l) = prefix(&r.prefix);
            let n = if l == 0 {
                0
            } else if l <= 64 {
                8
            } else {
                16
            };
            (l, a.octets()[..n].to_vec())
        })
        .collect();
    let flags_ext: Option<Vec<u8>> = ra.flags_ext.as_ref().map(|h| {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    });
    let mut options = Vec::new();
    if ra.slla {
        options.push(NdOption::SourceLinkLayerAddr(&mac_bytes));
    }
    for p in &ra.prefix {
        let (a, l) = prefix(&p.prefix);
        options.push(NdOption::PrefixInformation(PrefixInformation {
            prefix_len: l,
            flags: PrefixFlags(u8::from(p.l) << 7 | u8::from(p.a) << 6),
            valid_lifetime: p.valid,
            preferred_lifetime: p.preferred,
            reserved: 0,
            prefix: a,
        }));
    }
    for (r, (l, bytes)) in ra.route.iter().zip(&route_bytes) {
        options.push(NdOption::RouteInformation(RouteInformation {
            prefix_len: *l,
            flags: 0,
            lifetime: r.lifetime,
            prefix_bytes: bytes,
        }));
    }
    if !rdnss.is_empty() {
        options.push(NdOption::Rdnss {
            reserved: 0,
            lifetime: 3600,
            servers: AddrList::new(&rdnss_bytes).unwrap(),
        });
    }
    if !ra.dnssl.is_empty() {
        let names = DnsNames::parse(&dnssl_bytes, Padding::Zeros, 0).unwrap();
        options.push(NdOption::Dnssl {
            reserved: 0,
            lifetime: 3600,
            domains: names,
        });
    }
    if let Some(bits) = &flags_ext {
        options.push(NdOption::RaFlagsExtension(bits));
    }
    let message = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterAdvert {
            hop_limit: 64,
            flags: RaFlags(flags),
            router_lifetime: ra.router_lifetime,
            reachable_time: 0,
            retrans_time: 0,
            options: NdOptions::from_list(options),
        },
    };
    let mut addr = addressing(src_mac, ra.src.as_deref());
    addr.hop_limit = ra.hop_limit;
    let mut frame = icmpv6_frame(&addr, &message).unwrap();
    if ra.bad_checksum {
        frame[56] ^= 0xff;
    }
    match ra.hide.as_deref() {
        None => vec![frame],
        Some("hbh") => vec![insert_ext(&frame, 0)],
        Some("dstopt") => vec![insert_ext(&frame, 60)],
        Some("fragment") => fragment_after_header(&frame),
        Some("fragment-reversed") => {
            let mut parts = fragment_after_header(&frame);
            parts.reverse();
            parts
        }
        Some("large-dstopt") => vec![insert_large_dstopt(&frame, 1024)],
        Some("nested-fragment") => vec![insert_atomic_fragment(&insert_atomic_fragment(&frame))],
        Some("overlap-keep-last") => overlapping(&frame).to_vec(),
        Some("overlap-keep-first") => {
            let [first, second] = overlapping(&frame);
            vec![second, first]
        }
        Some("overlap-garbage") => overlap_garbage(&frame),
        Some("ip6ip6") => vec![ip6ip6(&frame)],
        Some("ip6ip6-twice") => vec![ip6ip6(&ip6ip6(&frame))],
        Some(h) => panic!("unknown hide {h}"),
    }
}

/// Inserts an 8-byte Hop-by-Hop or Destination Options header (PadN) after the IPv6
/// header of an untagged frame.
fn insert_ext(frame: &[u8], kind: u8) -> Vec<u8> {
    let mut out = frame[..54].to_vec();
    let next = out[20];
    out[20] = kind;
    out.extend_from_slice(&[next, 0, 1, 4, 0, 0, 0, 0]);
    out.extend_from_slice(&frame[54..]);
    let plen = u16::from_be_bytes([out[18], out[19]]) + 8;
    out[18..20].copy_from_slice(&plen.to_be_bytes());
    out
}

/// A Destination Options header of `len` bytes (one PadN option) in front of the
/// ICMPv6 message: RFC 7113's long header chain, in one packet.
fn insert_large_dstopt(frame: &[u8], len: usize) -> Vec<u8> {
    assert!(len % 8 == 0 && (8..=2048).contains(&len));
    let mut out = frame[..54].to_vec();
    let next = out[20];
    out[20] = 60;
    out.push(next);
    out.push((len / 8 - 1) as u8);
    // PadN options of at most 255 bytes each fill the rest.
    let mut left = len - 2;
    while left > 0 {
        let n = left.min(257);
        let (n, pad) = if n == 1 {
            (1, vec![0u8])
        } else {
            let mut o = vec![1u8, (n - 2) as u8];
            o.resize(n, 0);
            (n, o)
        };
        out.extend_from_slice(&pad);
        left -= n;
    }
    out.extend_from_slice(&frame[54..]);
    let plen = u16::from_be_bytes([out[18], out[19]]) + len as u16;
    out[18..20].copy_from_slice(&plen.to_be_bytes());
    out
}

/// An atomic fragment header (offset 0, M=0) in front of the ICMPv6 message; with
/// a second one on top, a fragment header inside another (thc-ipv6's
/// `fake_router6 -F` sends such nested ones).
fn insert_atomic_fragment(frame: &[u8]) -> Vec<u8> {
    let mut out = frame[..54].to_vec();
    let next = out[20];
    out[20] = 44;
    out.extend_from_slice(&[next, 0, 0, 0, 0x0b, 0xad, 0xf0, 0x0d]);
    out.extend_from_slice(&frame[54..]);
    let plen = u16::from_be_bytes([out[18], out[19]]) + 8;
    out[18..20].copy_from_slice(&plen.to_be_bytes());
    out
}

/// RFC 7113's pattern: a first fragment with a Destination Options header only, the
/// ICMPv6 message whole in the second fragment.
fn fragment_after_header(frame: &[u8]) -> Vec<Vec<u8>> {
    let icmp = &frame[54..];
    let head = |plen: u16, offset_units: u16, more: bool| {
        let mut f = frame[..54].to_vec();
        f[20] = 44;
        f[18..20].copy_from_slice(&plen.to_be_bytes());
        let word = (offset_units << 3) | u16::from(more);
        f.extend_from_slice(&[60, 0]);
        f.extend_from_slice(&word.to_be_bytes());
        f.extend_from_slice(&0x7113_0001u32.to_be_bytes());
        f
    };
    let mut first = head(16, 0, true);
    first.extend_from_slice(&[58, 0, 1, 4, 0, 0, 0, 0]);
    let mut second = head(8 + icmp.len() as u16, 1, false);
    second.extend_from_slice(icmp);
    vec![first, second]
}

/// A fragment of the ICMPv6 message of `frame` (an untagged frame without extension
/// headers): the frame's Ethernet and IPv6 headers, a Fragment header naming `next`, then
/// `data` at `offset`.
fn fragment_of(frame: &[u8], offset: usize, more: bool, next: u8, data: &[u8]) -> Vec<u8> {
    let mut f = frame[..54].to_vec();
    f[20] = 44;
    f[18..20].copy_from_slice(&(8 + data.len() as u16).to_be_bytes());
    let word = ((offset / 8) as u16) << 3 | u16::from(more);
    f.extend_from_slice(&[next, 0]);
    f.extend_from_slice(&word.to_be_bytes());
    f.extend_from_slice(&0x5722_0001u32.to_be_bytes());
    f.extend_from_slice(data);
    f
}

/// thc-ipv6's overlapping fragments (`fake_router26 -E o`, in this order; `-E O` sends
/// them the other way round): a first fragment holding a 16-byte and an 8-byte
/// Destination Options header and an ICMPv6 echo request, and a second one that rewrites
/// its last 16 bytes with the same 8-byte header and the start of the RA. Keep the last
/// copy in this order, or the first copy in the other, and it is an RA; the other reading
/// is an echo request with a bad checksum.
fn overlapping(frame: &[u8]) -> [Vec<u8>; 2] {
    let icmp = &frame[54..];
    let mut first = vec![60, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    first.extend_from_slice(&[58, 0, 1, 4, 0, 0, 0, 0]);
    first.extend_from_slice(&[128, 0, 0x12, 0x34, 0, 0, 0, 1]);
    let mut second = vec![58, 0, 1, 4, 0, 0, 0, 0];
    second.extend_from_slice(icmp);
    [
        fragment_of(frame, 0, true, 60, &first),
        fragment_of(frame, 16, false, 60, &second),
    ]
}

/// Overlapping fragments in which the RA is never read: the 8 bytes of its ICMPv6 header
/// are overwritten by junk that arrives both before and after them, so neither the
/// first-copy nor the last-copy reading holds an RA.
fn overlap_garbage(frame: &[u8]) -> Vec<Vec<u8>> {
    let icmp = &frame[54..];
    let mut head = vec![58, 0, 1, 4, 0, 0, 0, 0];
    head.extend_from_slice(&icmp[..8]);
    vec![
        fragment_of(frame, 8, true, 60, &[0xee; 8]),
        fragment_of(frame, 0, true, 60, &head),
        fragment_of(frame, 8, true, 60, &[0xdd; 8]),
        fragment_of(frame, 16, false, 60, &icmp[8..]),
    ]
}

/// The IPv6 packet of `frame` inside another (IPv6-in-IPv6, next header 41) between two
/// tunnel endpoints on the link, as an `ip6tnl` device would send it.
fn ip6ip6(frame: &[u8]) -> Vec<u8> {
    let inner = &frame[14..];
    let mut out = frame[..14].to_vec();
    out.extend_from_slice(&[0x60, 0, 0, 0]);
    out.extend_from_slice(&(inner.len() as u16).to_be_bytes());
    out.extend_from_slice(&[41, 64]);
    out.extend_from_slice(&"fd00:5e::2".parse::<Ipv6Addr>().unwrap().octets());
    out.extend_from_slice(&"fd00:5e::1".parse::<Ipv6Addr>().unwrap().octets());
    out.extend_from_slice(inner);
    out
}

fn build_dhcp(d: &Dhcp, src_mac: Mac) -> Vec<u8> {
    let duid_bytes = [[0u8, 3, 0, 1].as_slice(), &src_mac.octets()].concat();
    let client = [0u8, 3, 0, 1, 2, 0x76, 0x36, 0, 0, 1];
    let dns: Vec<Ipv6Addr> = d.dns.iter().map(|a| a.parse().unwrap()).collect();
    let dns_bytes = addr_bytes(&dns);
    let names = encode_names(d.domains.iter().map(String::as_str)).unwrap();
    let ia_addrs: Vec<DhcpOption<'_>> = d
        .addresses
        .iter()
        .map(|a| DhcpOption::IaAddr {
            addr: a.parse().unwrap(),
            preferred: 3600,
            valid: 7200,
            options: Options::default(),
        })
        .collect();
    let ia_prefixes: Vec<DhcpOption<'_>> = d
        .prefixes
        .iter()
        .map(|p| {
            let (a, l) = prefix(p);
            DhcpOption::IaPrefix {
                preferred: 3600,
                valid: 7200,
                prefix_len: l,
                prefix: a,
                options: Options::default(),
            }
        })
        .collect();
    let mut list = vec![
        DhcpOption::ServerId(Duid::parse(&duid_bytes).unwrap()),
        DhcpOption::ClientId(Duid::parse(&client).unwrap()),
    ];
    if !ia_addrs.is_empty() {
        list.push(DhcpOption::IaNa {
            iaid: 1,
            t1: 1800,
            t2: 2880,
            options: Options {
                list: ia_addrs,
                error: None,
            },
        });
    }
    if !ia_prefixes.is_empty() {
        list.push(DhcpOption::IaPd {
            iaid: 2,
            t1: 1800,
            t2: 2880,
            options: Options {
                list: ia_prefixes,
                error: None,
            },
        });
    }
    if !dns.is_empty() {
        list.push(DhcpOption::DnsServers(AddrList::new(&dns_bytes).unwrap()));
    }
    if !d.domains.is_empty() {
        list.push(DhcpOption::DomainList(
            DnsNames::parse(&names, Padding::None, 0).unwrap(),
        ));
    }
    let msg_type = match d.msg.as_str() {
        "advertise" => MessageType::Advertise,
        "reply" => MessageType::Reply,
        m => panic!("unknown DHCPv6 message {m}"),
    };
    let repr = Dhcpv6Repr::Message {
        msg_type,
        transaction_id: TransactionId(0x00ab_cdef),
        options: Options { list, error: None },
    };
    let mut payload = vec![0u8; repr.buffer_len()];
    repr.emit(&mut payload).unwrap();
    let mut addr = addressing(src_mac, None);
    addr.dst_ip = "fe80::76:36ff:fe00:1".parse().unwrap();
    addr.dst_mac = "02:76:36:00:00:01".parse().unwrap();
    udp_frame(&addr, 547, 546, &payload).unwrap()
}

/// A MAC with its last byte(s) advanced by `n` (for floods).
fn nth_mac(base: Mac, n: u32) -> Mac {
    let mut o = base.octets();
    let tail = u32::from_be_bytes([0, o[3], o[4], o[5]]).wrapping_add(n);
    o[3..6].copy_from_slice(&tail.to_be_bytes()[1..]);
    Mac(o)
}

const T0: i64 = 1_764_000_000_000_000;

fn run(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let sc: Scenario = toml::from_str(&text).map_err(|e| format!("bad scenario file: {e}"))?;
    let config = Config {
        allow: sc.allow.iter().map(|a| a.parse().unwrap()).collect(),
        resolve_timeout: sc.resolve_timeout.map_or(
            Config::default().resolve_timeout,
            std::time::Duration::from_secs,
        ),
        ..Config::default()
    };
    let mut det = Detector::new(
        config,
        Arc::new(Rules::embedded().clone()),
        Arc::new(Registry::embedded().clone()),
    );
    let mut timed: Vec<(i64, Mac, Vec<u8>, bool)> = Vec::new(); // (time, mac, bytes, is_ip)
    let secs = |s: f64| T0 + (s * 1e6) as i64;
    for f in &sc.frame {
        let times: Vec<(f64, u32)> = (0..f.repeat.unwrap_or(1))
            .map(|i| (f.at + f.every * f64::from(i), i))
            .collect();
        if let Some(p) = &f.pcap {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/captures")
                .join(p);
            let mut first = None;
            file::read_file(&path, |r| {
                let t0 = *first.get_or_insert(r.ts_micros);
                timed.push((
                    secs(f.at) + (r.ts_micros - t0),
                    Mac::default(),
                    r.data.to_vec(),
                    false,
                ));
            })
            .map_err(|e| e.to_string())?;
        }
        for (at, i) in times {
            if let Some(ra) = &f.ra {
                let m = nth_mac(mac(&ra.mac), i);
                for frame in build_ra(ra, m) {
                    timed.push((secs(at), m, frame, false));
                }
            }
            if let Some(d) = &f.dhcpv6 {
                let m = nth_mac(mac(&d.mac), i);
                timed.push((secs(at), m, build_dhcp(d, m), false));
            }
        }
    }
    timed.sort_by_key(|t| t.0);
    let last = timed.last().map_or(T0, |t| t.0);
    let lifecycle = sc.expect.events.is_some();
    let mut events: Vec<(i64, String)> = Vec::new();
    let mut record = |det: &mut Detector| {
        while let Some(e) = det.poll_event() {
            let subject = match e.subject {
                Subject::Source(mac) => mac.to_string(),
                Subject::Flood => "flood".to_owned(),
            };
            events.push((e.time.as_micros(), format!("{} {subject}", e.kind.as_str())));
        }
    };
    // Lets the detector's timers fire up to `until`, as the service's event loop does.
    let run_timers = |det: &mut Detector, until: i64, record: &mut dyn FnMut(&mut Detector)| {
        while let Some(t) = det.poll_timeout() {
            if t.as_micros() > until {
                break;
            }
            det.handle_timeout(t);
            record(det);
        }
    };
    for (t, _, bytes, _) in &timed {
        if lifecycle {
            run_timers(&mut det, *t, &mut record);
        }
        det.handle_frame(Timestamp::from_micros(*t), bytes);
        record(&mut det);
    }
    if let Some(h) = &sc.host {
        let obs = HostObservation {
            addresses: h
                .slaac
                .iter()
                .map(|a| HostAddress {
                    addr: a.parse().unwrap(),
                    prefix_len: 64,
                    origin: AddressOrigin::Slaac,
                })
                .collect(),
            default_routers: h
                .default_routers
                .iter()
                .map(|a| a.parse().unwrap())
                .collect(),
            ..Default::default()
        };
        det.handle_host(Timestamp::from_micros(last), obs);
    }
    let now = sc.at.map_or(last, secs);
    if lifecycle {
        run_timers(&mut det, now, &mut record);
    }
    det.handle_timeout(Timestamp::from_micros(now));
    record(&mut det);
    let snap = det.snapshot(Timestamp::from_micros(now));
    let mut problems = Vec::new();
    if let Some(want) = &sc.expect.events {
        let matches = want.len() == events.len()
            && want.iter().zip(&events).all(|(w, (t, got))| {
                let (what, at) = w
                    .split_once(" @")
                    .map_or((w.as_str(), None), |(a, b)| (a, Some(b)));
                what == got
                    && at.is_none_or(|at| {
                        let at: f64 = at.parse().unwrap_or(f64::NAN);
                        ((*t - T0) as f64 / 1e6 - at).abs() <= 0.5
                    })
            });
        if !matches {
            let got: Vec<String> = events
                .iter()
                .map(|(t, e)| format!("{e} @{:.1}", (*t - T0) as f64 / 1e6))
                .collect();
            problems.push(format!("events {got:?} (expected {want:?})"));
        }
    }
    if snap.verdict.as_str() != sc.expect.verdict {
        problems.push(format!(
            "verdict {} (expected {})",
            snap.verdict, sc.expect.verdict
        ));
    }
    if snap.flood.is_some() != sc.expect.flood {
        problems.push(format!(
            "flood {:?} (expected {})",
            snap.flood, sc.expect.flood
        ));
    }
    if let Some(n) = sc.expect.sources {
        if snap.findings.len() != n {
            problems.push(format!("{} sources (expected {n})", snap.findings.len()));
        }
    }
    for want in &sc.expect.source {
        let Some(f) = snap
            .findings
            .iter()
            .find(|f| f.source.mac == mac(&want.mac))
        else {
            problems.push(format!("{}: no such source", want.mac));
            continue;
        };
        let check = |what: &str, got: String, want: &Option<String>, problems: &mut Vec<String>| {
            if let Some(w) = want {
                if &got != w {
                    problems.push(format!("{}: {what} {got} (expected {w})", f.source.mac));
                }
            }
        };
        check(
            "severity",
            f.severity.to_string(),
            &want.severity,
            &mut problems,
        );
        check(
            "remedy",
            f.remedy.as_str().to_string(),
            &want.remedy,
            &mut problems,
        );
        check(
            "fingerprint",
            f.fingerprint.map_or("none".into(), |x| x.to_string()),
            &want.fingerprint,
            &mut problems,
        );
        check(
            "offender",
            f.offender.map_or("none".into(), |o| o.id.clone()),
            &want.offender,
            &mut problems,
        );
        check(
            "expected",
            f.expected.to_string(),
            &want.expected.map(|b| b.to_string()),
            &mut problems,
        );
        if let Some(effects) = &want.effects {
            let got: Vec<String> = f.effects.iter().map(|e| e.to_string()).collect();
            let mut want_sorted = effects.clone();
            want_sorted.sort();
            let mut got_sorted = got.clone();
            got_sorted.sort();
            if got_sorted != want_sorted {
                problems.push(format!(
                    "{}: effects {got:?} (expected {effects:?})",
                    f.source.mac
                ));
            }
        }
    }
    for (addr, want_mac) in &sc.expect.host {
        let got = snap
            .host
            .as_ref()
            .and_then(|h| {
                h.addresses
                    .iter()
                    .find(|a| a.item.addr.to_string() == *addr)
            })
            .and_then(|a| a.source);
        if got != Some(mac(want_mac)) {
            problems.push(format!(
                "host address {addr} attributed to {got:?} (expected {want_mac})"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} — {}:\n  {}",
            path.display(),
            sc.description,
            problems.join("\n  ")
        ))
    }
}

#[test]
fn scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "too few scenarios in {}", dir.display());
    let failures: Vec<String> = files.iter().filter_map(|f| run(f).err()).collect();
    eprintln!("{} scenarios, {} failed", files.len(), failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
