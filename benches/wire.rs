//! Parse throughput of `wire::dissect` on the three frames that matter for speed:
//! an RA with many options (the worst case of a real offender), a DHCPv6 Advertise, and
//! a TCP frame that must be turned away in a few instructions (most of a LAN's traffic).
//!
//! Run: `cargo bench --bench wire`. Figures go to BENCHMARKS.md.

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use std::net::Ipv6Addr;
use v6sentinel::wire::build::{Addressing, icmpv6_frame, udp_frame};
use v6sentinel::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, Duid, MessageType, Options, TransactionId};
use v6sentinel::wire::dns::encode_names;
use v6sentinel::wire::icmpv6::Icmpv6Repr;
use v6sentinel::wire::ndisc::{NdiscRepr, RaFlags};
use v6sentinel::wire::ndopt::{
    NdOption, NdOptions, PrefixFlags, PrefixInformation, RouteInformation,
};
use v6sentinel::wire::{AddrList, Mac, Message, addr_bytes, dissect, is_candidate};

fn main() {
    divan::main();
}

fn addressing(dst: &str) -> Addressing {
    let mac: Mac = "10:6f:3f:12:34:56".parse().expect("mac");
    Addressing {
        src_mac: mac,
        dst_mac: "33:33:00:00:00:01".parse().expect("mac"),
        src_ip: mac.link_local_eui64(),
        dst_ip: dst.parse().expect("addr"),
        hop_limit: 255,
    }
}

/// An RA with SLLA, MTU, 4 PIOs, 3 RIOs, an RDNSS with 8 servers and a DNSSL.
fn many_option_ra() -> Vec<u8> {
    let mac = [0x10, 0x6f, 0x3f, 0x12, 0x34, 0x56];
    let servers: Vec<Ipv6Addr> = (1..=8)
        .map(|i| Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0x53, i))
        .collect();
    let servers = addr_bytes(&servers);
    let mut names = encode_names(["example.com", "clinic.example.jp", "lan"]).expect("names");
    names.resize(names.len().div_ceil(8) * 8 + 2, 0);
    let prefix8 = [0x20, 0x01, 0x0d, 0xb8, 0, 0x10, 0, 0];
    let mut options = vec![
        NdOption::SourceLinkLayerAddr(&mac),
        NdOption::Mtu {
            reserved: 0,
            mtu: 1500,
        },
    ];
    for i in 0..4 {
        options.push(NdOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            flags: PrefixFlags(0xc0),
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            reserved: 0,
            prefix: Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0),
        }));
    }
    for (len, bytes) in [(0u8, &[][..]), (48, &prefix8[..]), (56, &prefix8[..])] {
        options.push(NdOption::RouteInformation(RouteInformation {
            prefix_len: len,
            flags: 0x08,
            lifetime: 1800,
            prefix_bytes: bytes,
        }));
    }
    options.push(NdOption::Rdnss {
        reserved: 0,
        lifetime: 3600,
        servers: AddrList::new(&servers).expect("list"),
    });
    let dnssl =
        v6sentinel::wire::dns::DnsNames::parse(&names, v6sentinel::wire::dns::Padding::Zeros, 0)
            .expect("names");
    options.push(NdOption::Dnssl {
        reserved: 0,
        lifetime: 3600,
        domains: dnssl,
    });
    let ra = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterAdvert {
            hop_limit: 64,
            flags: RaFlags(0x40),
            router_lifetime: 1800,
            reachable_time: 0,
            retrans_time: 0,
            options: NdOptions::from_list(options),
        },
    };
    icmpv6_frame(&addressing("ff02::1"), &ra).expect("frame")
}

/// A DHCPv6 Advertise with Server ID, Client ID, IA_NA + IAADDR, Preference, DNS, domains.
fn advertise() -> Vec<u8> {
    let sid = [0, 3, 0, 1, 0x10, 0x6f, 0x3f, 0x12, 0x34, 0x56];
    let cid = [0, 3, 0, 1, 0x02, 0, 0, 0, 0, 1];
    let dns = addr_bytes(&[Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53)]);
    let names = encode_names(["clinic.example.jp"]).expect("names");
    let iaaddr = Options {
        list: vec![DhcpOption::IaAddr {
            addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x100),
            preferred: 3600,
            valid: 7200,
            options: Options::default(),
        }],
        error: None,
    };
    let repr = Dhcpv6Repr::Message {
        msg_type: MessageType::Advertise,
        transaction_id: TransactionId(0x12_3456),
        options: Options {
            list: vec![
                DhcpOption::ServerId(Duid::parse(&sid).expect("duid")),
                DhcpOption::ClientId(Duid::parse(&cid).expect("duid")),
                DhcpOption::IaNa {
                    iaid: 1,
                    t1: 1800,
                    t2: 2880,
                    options: iaaddr,
                },
                DhcpOption::Preference(255),
                DhcpOption::DnsServers(AddrList::new(&dns).expect("list")),
                DhcpOption::DomainList(
                    v6sentinel::wire::dns::DnsNames::parse(
                        &names,
                        v6sentinel::wire::dns::Padding::None,
                        0,
                    )
                    .expect("names"),
                ),
            ],
            error: None,
        },
    };
    let mut payload = vec![0u8; repr.buffer_len()];
    repr.emit(&mut payload).expect("emit");
    udp_frame(&addressing("fe80::1"), 547, 546, &payload).expect("frame")
}

/// A TCP segment over IPv6 with 1200 bytes of payload.
fn tcp_frame() -> Vec<u8> {
    let mut f = udp_frame(&addressing("2001:db8::1"), 40000, 443, &[0u8; 1200]).expect("frame");
    f[20] = 6;
    f
}

#[divan::bench]
fn ra_many_options(b: Bencher) {
    let f = many_option_ra();
    assert!(matches!(dissect(&f).message, Message::Ndisc(_)));
    b.counter(BytesCount::new(f.len()))
        .bench(|| dissect(black_box(&f)));
}

#[divan::bench]
fn dhcpv6_advertise(b: Bencher) {
    let f = advertise();
    assert!(matches!(dissect(&f).message, Message::Dhcpv6(_)));
    b.counter(BytesCount::new(f.len()))
        .bench(|| dissect(black_box(&f)));
}

#[divan::bench]
fn tcp_turned_away(b: Bencher) {
    let f = tcp_frame();
    assert!(matches!(dissect(&f).message, Message::None));
    b.counter(BytesCount::new(f.len()))
        .bench(|| dissect(black_box(&f)));
}

#[divan::bench]
fn tcp_prefiltered(b: Bencher) {
    let f = tcp_frame();
    assert!(!is_candidate(&f));
    b.counter(BytesCount::new(f.len()))
        .bench(|| is_candidate(black_box(&f)));
}
