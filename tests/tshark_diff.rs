//! The differential test: every frame of every capture under `tests/captures/` is decoded
//! by v6sentinel's `wire` layer and by tshark, and every Router Advertisement, other ND
//! and DHCPv6 field both decode is compared, packet by packet. Any mismatch fails.
//!
//! Needs `tshark` (Debian package `tshark`); without it the test fails and says so.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use v6sentinel::capture::file::{self, linktype};
use v6sentinel::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, Duid, Options};
use v6sentinel::wire::ipv6::{FragmentPosition, HEADER_LEN, IpProtocol};
use v6sentinel::wire::ndisc::NdiscRepr;
use v6sentinel::wire::ndopt::NdOption;
use v6sentinel::wire::{ChecksumStatus, Dissected, Error, Layer, Message, Transport, dissect_ipv6};

/// How a field is compared: every occurrence in order, or only the first (for fields that
/// repeat in encapsulated packets tshark also dissects, e.g. a Redirected Header).
#[derive(Clone, Copy, PartialEq)]
enum Occ {
    All,
    First,
}

/// The fields compared, with their tshark names.
const FIELDS: &[(&str, Occ)] = &[
    ("eth.src", Occ::First),
    ("sll.src.eth", Occ::First),
    ("ieee8021ad.id", Occ::All),
    ("vlan.id", Occ::All),
    ("ipv6.src", Occ::First),
    ("ipv6.dst", Occ::First),
    ("ipv6.hlim", Occ::First),
    ("ipv6.nxt", Occ::First),
    ("ipv6.fraghdr.offset", Occ::First),
    ("ipv6.fraghdr.more", Occ::First),
    ("ipv6.fraghdr.ident", Occ::First),
    ("udp.srcport", Occ::First),
    ("udp.dstport", Occ::First),
    ("icmpv6.type", Occ::First),
    ("icmpv6.code", Occ::First),
    ("icmpv6.checksum.status", Occ::First),
    ("icmpv6.nd.ra.cur_hop_limit", Occ::All),
    ("icmpv6.nd.ra.flag", Occ::All),
    ("icmpv6.nd.ra.router_lifetime", Occ::All),
    ("icmpv6.nd.ra.reachable_time", Occ::All),
    ("icmpv6.nd.ra.retrans_timer", Occ::All),
    ("icmpv6.nd.ns.target_address", Occ::All),
    ("icmpv6.nd.na.flag", Occ::All),
    ("icmpv6.nd.na.target_address", Occ::All),
    ("icmpv6.nd.rd.target_address", Occ::All),
    ("icmpv6.opt.type", Occ::All),
    ("icmpv6.opt.length", Occ::All),
    ("icmpv6.opt.linkaddr", Occ::All),
    ("icmpv6.opt.prefix.length", Occ::All),
    ("icmpv6.opt.prefix.flag", Occ::All),
    ("icmpv6.opt.prefix.valid_lifetime", Occ::All),
    ("icmpv6.opt.prefix.preferred_lifetime", Occ::All),
    ("icmpv6.opt.prefix", Occ::All),
    ("icmpv6.opt.route_info.flag", Occ::All),
    ("icmpv6.opt.route_lifetime", Occ::All),
    ("icmpv6.opt.mtu", Occ::All),
    ("icmpv6.opt.advertisement_interval", Occ::All),
    ("icmpv6.opt.home_agent_preference", Occ::All),
    ("icmpv6.opt.home_agent_lifetime", Occ::All),
    ("icmpv6.opt.rdnss.lifetime", Occ::All),
    ("icmpv6.opt.rdnss", Occ::All),
    ("icmpv6.opt.dnssl.lifetime", Occ::All),
    ("icmpv6.opt.dnssl", Occ::All),
    ("icmpv6.opt.pref64.scaled_lifetime", Occ::All),
    ("icmpv6.opt.pref64.plc", Occ::All),
    ("icmpv6.opt.pref64.prefix", Occ::All),
    ("icmpv6.opt.captive_portal", Occ::All),
    ("icmpv6.opt.nonce", Occ::All),
    ("dhcpv6.msgtype", Occ::All),
    ("dhcpv6.xid", Occ::All),
    ("dhcpv6.hopcount", Occ::All),
    ("dhcpv6.linkaddr", Occ::All),
    ("dhcpv6.peeraddr", Occ::All),
    ("dhcpv6.option.type", Occ::All),
    ("dhcpv6.option.length", Occ::All),
    ("dhcpv6.duid.type", Occ::All),
    ("dhcpv6.duidll.link_layer_addr", Occ::All),
    ("dhcpv6.duidllt.link_layer_addr", Occ::All),
    ("dhcpv6.duiden.enterprise", Occ::All),
    ("dhcpv6.iaid.t1", Occ::All),
    ("dhcpv6.iaid.t2", Occ::All),
    ("dhcpv6.iaaddr.ip", Occ::All),
    ("dhcpv6.iaaddr.pref_lifetime", Occ::All),
    ("dhcpv6.iaaddr.valid_lifetime", Occ::All),
    ("dhcpv6.iaprefix.pref_lifetime", Occ::All),
    ("dhcpv6.iaprefix.valid_lifetime", Occ::All),
    ("dhcpv6.iaprefix.pref_len", Occ::All),
    ("dhcpv6.iaprefix.pref_addr", Occ::All),
    ("dhcpv6.status_code", Occ::All),
    ("dhcpv6.option_preference", Occ::All),
    ("dhcpv6.elapsed_time", Occ::All),
    ("dhcpv6.requested_option_code", Occ::All),
    ("dhcpv6.dns_server", Occ::All),
    ("dhcpv6.search_list_entry", Occ::All),
    ("dhcpv6.sntp_server", Occ::All),
    ("dhcpv6.unicast", Occ::All),
    ("dhcpv6.vendorclass.enterprise", Occ::All),
    ("dhcpv6.vendoropts.enterprise", Occ::All),
    ("dhcpv6.reconf_msg", Occ::All),
    ("dhcpv6.lifetime", Occ::All),
];

type Values = BTreeMap<&'static str, Vec<String>>;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures")
}

fn tshark(path: &Path) -> Vec<Values> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path);
    // Compare what is on the wire: no reassembly, no heuristics guessing at payloads.
    cmd.args([
        "-o",
        "ipv6.defragment:FALSE",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
    ]);
    cmd.args(["-E", "aggregator=|", "-E", "separator=/t", "-E", "quote=n"]);
    for (name, _) in FIELDS {
        cmd.args(["-e", name]);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run tshark ({e}): install it (Debian: apt-get install tshark) to run the \
             differential test"
        ),
    };
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let mut values = Values::new();
            for ((name, _), cell) in FIELDS.iter().zip(line.split('\t')) {
                if !cell.is_empty() {
                    values.insert(name, cell.split('|').map(str::to_owned).collect());
                }
            }
            values
        })
        .collect()
}

/// Builds the same fields, formatted as tshark formats them, from our dissection.
struct Ours {
    values: Values,
}

impl Ours {
    fn push(&mut self, name: &'static str, value: impl ToString) {
        self.values.entry(name).or_default().push(value.to_string());
    }

    fn nd_option(&mut self, opt: &NdOption<'_>, raw_len: usize) {
        self.push("icmpv6.opt.type", u8::from(opt.kind()));
        self.push("icmpv6.opt.length", raw_len / 8);
        match opt {
            NdOption::SourceLinkLayerAddr(_) | NdOption::TargetLinkLayerAddr(_) => {
                if let Some(mac) = opt.link_layer_mac() {
                    self.push("icmpv6.opt.linkaddr", mac);
                }
            }
            NdOption::PrefixInformation(pi) => {
                self.push("icmpv6.opt.prefix.length", pi.prefix_len);
                self.push("icmpv6.opt.prefix.flag", format!("0x{:02x}", pi.flags.0));
                self.push("icmpv6.opt.prefix.valid_lifetime", pi.valid_lifetime);
                self.push(
                    "icmpv6.opt.prefix.preferred_lifetime",
                    pi.preferred_lifetime,
                );
                self.push("icmpv6.opt.prefix", pi.prefix);
            }
            NdOption::RouteInformation(ri) => {
                self.push("icmpv6.opt.prefix.length", ri.prefix_len);
                self.push("icmpv6.opt.route_info.flag", format!("0x{:02x}", ri.flags));
                self.push("icmpv6.opt.route_lifetime", ri.lifetime);
                // tshark shows no prefix for the 8-byte form (prefix length 0).
                if !ri.prefix_bytes.is_empty() {
                    self.push("icmpv6.opt.prefix", ri.prefix());
                }
            }
            NdOption::Mtu { mtu, .. } => self.push("icmpv6.opt.mtu", mtu),
            NdOption::AdvertisementInterval { interval_ms, .. } => {
                self.push("icmpv6.opt.advertisement_interval", interval_ms)
            }
            NdOption::HomeAgentInfo {
                preference,
                lifetime,
                ..
            } => {
                self.push("icmpv6.opt.home_agent_preference", preference);
                self.push("icmpv6.opt.home_agent_lifetime", lifetime);
            }
            NdOption::Rdnss {
                lifetime, servers, ..
            } => {
                self.push("icmpv6.opt.rdnss.lifetime", lifetime);
                for s in servers.iter() {
                    self.push("icmpv6.opt.rdnss", s);
                }
            }
            NdOption::Dnssl {
                lifetime, domains, ..
            } => {
                self.push("icmpv6.opt.dnssl.lifetime", lifetime);
                for d in domains.iter() {
                    self.push("icmpv6.opt.dnssl", d);
                }
            }
            NdOption::Pref64(p) => {
                self.push("icmpv6.opt.pref64.scaled_lifetime", p.lifetime_plc >> 3);
                self.push("icmpv6.opt.pref64.plc", format!("0x{:04x}", p.plc()));
                self.push("icmpv6.opt.pref64.prefix", p.prefix_addr());
            }
            NdOption::CaptivePortal(_) => {
                let uri = opt.captive_portal_uri().unwrap_or_default();
                self.push("icmpv6.opt.captive_portal", String::from_utf8_lossy(uri));
            }
            NdOption::Nonce(n) => self.push("icmpv6.opt.nonce", hex(n)),
            _ => {}
        }
    }

    fn ndisc(&mut self, m: &NdiscRepr<'_>) {
        match m {
            NdiscRepr::RouterAdvert {
                hop_limit,
                flags,
                router_lifetime,
                reachable_time,
                retrans_time,
                ..
            } => {
                self.push("icmpv6.nd.ra.cur_hop_limit", hop_limit);
                self.push("icmpv6.nd.ra.flag", format!("0x{:02x}", flags.0));
                self.push("icmpv6.nd.ra.router_lifetime", router_lifetime);
                self.push("icmpv6.nd.ra.reachable_time", reachable_time);
                self.push("icmpv6.nd.ra.retrans_timer", retrans_time);
            }
            NdiscRepr::NeighborSolicit { target, .. } => {
                self.push("icmpv6.nd.ns.target_address", target)
            }
            NdiscRepr::NeighborAdvert { flags, target, .. } => {
                self.push("icmpv6.nd.na.flag", format!("0x{:08x}", flags.0));
                self.push("icmpv6.nd.na.target_address", target);
            }
            NdiscRepr::Redirect { target, .. } => self.push("icmpv6.nd.rd.target_address", target),
            NdiscRepr::RouterSolicit { .. } => {}
        }
        for opt in m.options().iter() {
            self.nd_option(opt, opt.buffer_len());
        }
        // tshark lists the option the walk stopped at with the length it claims, then
        // decodes what it can of it; we list it and stop (the caller compares only the
        // option types and lengths of such a message).
        match m.options().error {
            Some(Error::ZeroLengthOption { kind, .. }) => {
                self.push("icmpv6.opt.type", kind);
                self.push("icmpv6.opt.length", 0);
            }
            Some(Error::BadOptionLen { kind, len, .. }) => {
                self.push("icmpv6.opt.type", kind);
                self.push("icmpv6.opt.length", len / 8);
            }
            _ => {}
        }
    }

    fn dhcpv6(&mut self, m: &Dhcpv6Repr<'_>) {
        self.push("dhcpv6.msgtype", u8::from(m.msg_type()));
        match m {
            Dhcpv6Repr::Message {
                transaction_id,
                options,
                ..
            } => {
                self.push("dhcpv6.xid", format!("0x{:06x}", transaction_id.0));
                self.dhcpv6_options(options);
            }
            Dhcpv6Repr::Relay {
                hop_count,
                link_address,
                peer_address,
                options,
                ..
            } => {
                self.push("dhcpv6.hopcount", hop_count);
                self.push("dhcpv6.linkaddr", link_address);
                self.push("dhcpv6.peeraddr", peer_address);
                self.dhcpv6_options(options);
            }
        }
    }

    fn duid(&mut self, d: &Duid<'_>) {
        match d {
            Duid::Llt { .. } => {
                self.push("dhcpv6.duid.type", 1);
                if let Some(mac) = d.mac() {
                    self.push("dhcpv6.duidllt.link_layer_addr", mac);
                }
            }
            Duid::En { enterprise, .. } => {
                self.push("dhcpv6.duid.type", 2);
                self.push("dhcpv6.duiden.enterprise", enterprise);
            }
            Duid::Ll { .. } => {
                self.push("dhcpv6.duid.type", 3);
                if let Some(mac) = d.mac() {
                    self.push("dhcpv6.duidll.link_layer_addr", mac);
                }
            }
            Duid::Uuid(_) => self.push("dhcpv6.duid.type", 4),
            Duid::Unknown { kind, .. } => self.push("dhcpv6.duid.type", kind),
        }
    }

    fn dhcpv6_options(&mut self, options: &Options<'_>) {
        for opt in &options.list {
            self.push("dhcpv6.option.type", u16::from(opt.code()));
            self.push("dhcpv6.option.length", opt.buffer_len() - 4);
            match opt {
                DhcpOption::ClientId(d) | DhcpOption::ServerId(d) => self.duid(d),
                DhcpOption::IaNa {
                    t1, t2, options, ..
                }
                | DhcpOption::IaPd {
                    t1, t2, options, ..
                } => {
                    self.push("dhcpv6.iaid.t1", t1);
                    self.push("dhcpv6.iaid.t2", t2);
                    self.dhcpv6_options(options);
                }
                DhcpOption::IaTa { options, .. } => self.dhcpv6_options(options),
                DhcpOption::IaAddr {
                    addr,
                    preferred,
                    valid,
                    options,
                } => {
                    self.push("dhcpv6.iaaddr.ip", addr);
                    self.push("dhcpv6.iaaddr.pref_lifetime", preferred);
                    self.push("dhcpv6.iaaddr.valid_lifetime", valid);
                    self.dhcpv6_options(options);
                }
                DhcpOption::IaPrefix {
                    preferred,
                    valid,
                    prefix_len,
                    prefix,
                    options,
                } => {
                    self.push("dhcpv6.iaprefix.pref_lifetime", preferred);
                    self.push("dhcpv6.iaprefix.valid_lifetime", valid);
                    self.push("dhcpv6.iaprefix.pref_len", prefix_len);
                    self.push("dhcpv6.iaprefix.pref_addr", prefix);
                    self.dhcpv6_options(options);
                }
                DhcpOption::Oro(_) => {
                    for code in opt.requested_options() {
                        self.push("dhcpv6.requested_option_code", u16::from(code));
                    }
                }
                DhcpOption::Preference(p) => self.push("dhcpv6.option_preference", p),
                DhcpOption::ElapsedTime(t) => self.push("dhcpv6.elapsed_time", t),
                DhcpOption::StatusCode { code, .. } => {
                    self.push("dhcpv6.status_code", u16::from(*code))
                }
                DhcpOption::DnsServers(list) => {
                    for a in list.iter() {
                        self.push("dhcpv6.dns_server", a);
                    }
                }
                DhcpOption::SntpServers(list) => {
                    for a in list.iter() {
                        self.push("dhcpv6.sntp_server", a);
                    }
                }
                DhcpOption::DomainList(names) => {
                    for n in names.iter() {
                        self.push("dhcpv6.search_list_entry", format!("{n}."));
                    }
                }
                DhcpOption::Unicast(a) => self.push("dhcpv6.unicast", a),
                DhcpOption::VendorClass { enterprise, .. } => {
                    self.push("dhcpv6.vendorclass.enterprise", enterprise)
                }
                DhcpOption::VendorOpts { enterprise, .. } => {
                    self.push("dhcpv6.vendoropts.enterprise", enterprise)
                }
                DhcpOption::ReconfMsg(m) => self.push("dhcpv6.reconf_msg", m),
                DhcpOption::InformationRefreshTime(t) => self.push("dhcpv6.lifetime", t),
                DhcpOption::RelayMsg(inner) => {
                    if let Ok(inner) = Dhcpv6Repr::parse(inner) {
                        self.dhcpv6(&inner);
                    }
                }
                _ => {}
            }
        }
    }
}

fn hex(b: &[u8]) -> String {
    let mut s = String::new();
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn ours(linktype: i32, d: &Dissected<'_>) -> Values {
    let mut o = Ours {
        values: Values::new(),
    };
    if let Some(eth) = &d.ethernet {
        o.push(
            if linktype == linktype::ETHERNET {
                "eth.src"
            } else {
                "sll.src.eth"
            },
            eth.src,
        );
        for tag in eth.tags() {
            o.push(
                if tag.tpid == 0x88a8 {
                    "ieee8021ad.id"
                } else {
                    "vlan.id"
                },
                tag.vid(),
            );
        }
    }
    if let Some(ip) = &d.ipv6 {
        o.push("ipv6.src", ip.src);
        o.push("ipv6.dst", ip.dst);
        o.push("ipv6.hlim", ip.hop_limit);
        o.push("ipv6.nxt", u8::from(ip.next_header));
    }
    if let Some(frag) = d.chain.and_then(|c| c.fragment) {
        o.push("ipv6.fraghdr.offset", frag.offset);
        o.push("ipv6.fraghdr.more", u8::from(frag.more));
        o.push("ipv6.fraghdr.ident", format!("0x{:08x}", frag.ident));
    }
    match d.transport {
        Some(Transport::Icmpv6 {
            msg_type,
            code,
            checksum,
        }) => {
            o.push("icmpv6.type", u8::from(msg_type));
            o.push("icmpv6.code", code);
            o.push(
                "icmpv6.checksum.status",
                match checksum {
                    ChecksumStatus::Valid => 1,
                    ChecksumStatus::Invalid => 0,
                    ChecksumStatus::Unverifiable => 2,
                },
            );
        }
        Some(Transport::Udp {
            src_port, dst_port, ..
        }) => {
            o.push("udp.srcport", src_port);
            o.push("udp.dstport", dst_port);
        }
        _ => {}
    }
    match &d.message {
        Message::Ndisc(m) => o.ndisc(m),
        Message::Dhcpv6(m) => o.dhcpv6(m),
        Message::None => {}
    }
    o.values
}

#[test]
fn wire_agrees_with_tshark_on_real_captures() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .expect("tests/captures is missing")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no captures under tests/captures");

    let mut mismatches = Vec::new();
    let mut compared = BTreeMap::<String, (usize, usize, usize)>::new(); // file -> (RA, other ND, DHCPv6)
    let mut skipped_fragments = 0usize;
    let mut quoted_errors = 0usize;
    let mut framing_errors = 0usize;
    let mut truncated = 0usize;
    let mut tunnelled = 0usize;
    for path in &files {
        let theirs = tshark(path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut index = 0usize;
        file::read_file(path, |record| {
            let frame_no = index + 1;
            let Some(t) = theirs.get(index) else {
                mismatches.push(format!("{name} #{frame_no}: tshark has no such frame"));
                index += 1;
                return;
            };
            index += 1;
            let Some(d) = file::dissect_record(record.linktype, record.data) else {
                return;
            };
            let mut mine = ours(record.linktype, &d);
            // An IPv6 packet inside (IPv6-in-IPv6): tshark decodes the inner packet's
            // message, and so does the detector; compare it too (the IPv6 fields compared
            // are the first occurrences, the outer header's).
            if let (Some(Transport::Other(IpProtocol::Ipv6)), Some(eth), Some(ip), Some(chain)) =
                (d.transport, d.ethernet, d.ipv6, d.chain)
            {
                let payload = &record.data[eth.header_len() + HEADER_LEN..];
                let payload = payload
                    .get(..usize::from(ip.payload_len))
                    .unwrap_or(payload);
                let inner = dissect_ipv6(&payload[chain.upper_offset..]);
                for (k, v) in ours(record.linktype, &inner) {
                    if !k.starts_with("ipv6") {
                        mine.insert(k, v);
                    }
                }
                tunnelled += 1;
            }
            let tshark_decoded = t.contains_key("icmpv6.type") || t.contains_key("dhcpv6.msgtype");
            if !tshark_decoded && d.fragment_position() != FragmentPosition::Unfragmented {
                // tshark does not dissect a fragment's payload without reassembly; compare
                // the headers only.
                mine.retain(|k, _| {
                    k.starts_with("eth")
                        || k.starts_with("sll")
                        || k.starts_with("vlan")
                        || k.starts_with("ipv6")
                });
                skipped_fragments += 1;
            }
            let mut t = t.clone();
            if let Some(Transport::Icmpv6 { msg_type, .. }) = d.transport {
                if u8::from(msg_type) < 128 {
                    // An ICMPv6 error quotes the packet that caused it; tshark dissects the
                    // quote, we do not. Compare the error's own headers only.
                    let own = |k: &str| {
                        matches!(k, "icmpv6.type" | "icmpv6.code" | "icmpv6.checksum.status")
                            || !(k.starts_with("icmpv6")
                                || k.starts_with("udp")
                                || k.starts_with("dhcpv6")
                                || k.starts_with("ipv6.fraghdr"))
                    };
                    t.retain(|k, _| own(k));
                    mine.retain(|k, _| own(k));
                    quoted_errors += 1;
                }
            }
            if let Some(Error::Truncated { layer, .. }) = d.error {
                // A message cut short (by the capture or by the sender): tshark decodes
                // the fields it can reach, we report the cut. Compare the headers.
                let keep = |k: &str| {
                    let message_field = k.starts_with("icmpv6.nd.")
                        || k.starts_with("icmpv6.opt.")
                        || k.starts_with("dhcpv6");
                    let unverifiable = layer == Layer::Ipv6 && k == "icmpv6.checksum.status";
                    !message_field && !unverifiable
                };
                t.retain(|k, _| keep(k));
                mine.retain(|k, _| keep(k));
                truncated += 1;
            }
            if let Message::Ndisc(m) = &d.message {
                if m.options().error.is_some() {
                    // Past a framing error the two decoders part ways by design: compare
                    // the message header and the option types and lengths.
                    let keep = |k: &str| {
                        !k.starts_with("icmpv6.opt.")
                            || k == "icmpv6.opt.type"
                            || k == "icmpv6.opt.length"
                    };
                    t.retain(|k, _| keep(k));
                    mine.retain(|k, _| keep(k));
                    framing_errors += 1;
                }
            }
            match &d.message {
                Message::Ndisc(NdiscRepr::RouterAdvert { .. }) => {
                    compared.entry(name.clone()).or_default().0 += 1
                }
                Message::Ndisc(_) => compared.entry(name.clone()).or_default().1 += 1,
                Message::Dhcpv6(_) => compared.entry(name.clone()).or_default().2 += 1,
                Message::None => {}
            }
            for (field, occ) in FIELDS {
                let a = mine.get(field).cloned().unwrap_or_default();
                let b = t.get(field).cloned().unwrap_or_default();
                let (a, b) = match occ {
                    Occ::All => (a, b),
                    Occ::First => (
                        a.into_iter().take(1).collect(),
                        b.into_iter().take(1).collect(),
                    ),
                };
                if a != b {
                    mismatches.push(format!(
                        "{name} #{frame_no} {field}: ours {a:?}, tshark {b:?}"
                    ));
                }
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        if index != theirs.len() {
            mismatches.push(format!(
                "{name}: we read {index} records, tshark {}",
                theirs.len()
            ));
        }
    }
    let ra: usize = compared.values().map(|c| c.0).sum();
    let nd: usize = compared.values().map(|c| c.1).sum();
    let dhcp: usize = compared.values().map(|c| c.2).sum();
    eprintln!(
        "compared {ra} RAs, {nd} other ND and {dhcp} DHCPv6 messages across {} files; \
         on headers only: {skipped_fragments} fragments, {quoted_errors} ICMPv6 errors, \
         {framing_errors} ND messages with a framing error, {truncated} cut messages; \
         {tunnelled} IPv6-in-IPv6 packets, their inner message compared",
        files.len()
    );
    for (file, (r, n, d)) in &compared {
        eprintln!("  {file}: {r} RA, {n} other ND, {d} DHCPv6");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        ra + dhcp >= 30,
        "too few messages compared: {ra} RA + {dhcp} DHCPv6"
    );
}
