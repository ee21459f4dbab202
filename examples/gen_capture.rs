//! Writes a large pcap of mixed LAN traffic for the `analyze` benchmark: mostly IPv4 and
//! IPv6 TCP/UDP of realistic sizes, ARP, MLD and Neighbor Discovery, and now and then an
//! RA from a Buffalo-OUI router and a DHCPv6 Advertise, as on a clinic's LAN.
//!
//! `cargo run --release --example gen_capture -- OUT.pcap SIZE_MB`

use std::io::{BufWriter, Write};
use std::net::Ipv6Addr;
use v6sentinel::wire::Mac;
use v6sentinel::wire::build::{Addressing, icmpv6_frame, udp_frame};
use v6sentinel::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, Duid, MessageType, Options, TransactionId};
use v6sentinel::wire::icmpv6::Icmpv6Repr;
use v6sentinel::wire::ndisc::{NdiscRepr, RaFlags};
use v6sentinel::wire::ndopt::{NdOption, NdOptions, PrefixFlags, PrefixInformation};

/// A small deterministic generator (xorshift), so the file is the same every time.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "mixed.pcap".into());
    let mb: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(400);
    let target = mb * 1_000_000;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    // pcap header: microsecond timestamps, Ethernet.
    w.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
    w.write_all(&2u16.to_le_bytes())?;
    w.write_all(&4u16.to_le_bytes())?;
    w.write_all(&[0; 8])?;
    w.write_all(&65535u32.to_le_bytes())?;
    w.write_all(&1u32.to_le_bytes())?;

    let router: Mac = "10:6f:3f:12:34:56".parse().expect("mac");
    let mac_bytes = router.octets();
    let ra = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterAdvert {
            hop_limit: 64,
            flags: RaFlags(0x40),
            router_lifetime: 1800,
            reachable_time: 0,
            retrans_time: 0,
            options: NdOptions::from_list(vec![
                NdOption::SourceLinkLayerAddr(&mac_bytes),
                NdOption::PrefixInformation(PrefixInformation {
                    prefix_len: 64,
                    flags: PrefixFlags(0xc0),
                    valid_lifetime: 86400,
                    preferred_lifetime: 14400,
                    reserved: 0,
                    prefix: Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0),
                }),
            ]),
        },
    };
    let ra_frame = icmpv6_frame(
        &Addressing {
            src_mac: router,
            dst_mac: "33:33:00:00:00:01".parse().expect("mac"),
            src_ip: router.link_local_eui64(),
            dst_ip: "ff02::1".parse().expect("addr"),
            hop_limit: 255,
        },
        &ra,
    )
    .expect("ra");
    let host: Mac = "02:76:36:00:00:01".parse().expect("mac");
    let server: Mac = "00:a0:b0:12:34:56".parse().expect("mac");
    let sid = [0, 3, 0, 1, 0x00, 0xa0, 0xb0, 0x12, 0x34, 0x56];
    let advertise = Dhcpv6Repr::Message {
        msg_type: MessageType::Advertise,
        transaction_id: TransactionId(0x12_3456),
        options: Options {
            list: vec![
                DhcpOption::ServerId(Duid::parse(&sid).expect("duid")),
                DhcpOption::IaNa {
                    iaid: 1,
                    t1: 1800,
                    t2: 2880,
                    options: Options {
                        list: vec![DhcpOption::IaAddr {
                            addr: Ipv6Addr::new(0x2001, 0xdb8, 0x77, 0, 0, 0, 0, 0xb7),
                            preferred: 3600,
                            valid: 7200,
                            options: Options::default(),
                        }],
                        error: None,
                    },
                },
            ],
            error: None,
        },
    };
    let mut payload = vec![0u8; advertise.buffer_len()];
    advertise.emit(&mut payload).expect("advertise");
    let dhcp_frame = udp_frame(
        &Addressing {
            src_mac: server,
            dst_mac: host,
            src_ip: server.link_local_eui64(),
            dst_ip: host.link_local_eui64(),
            hop_limit: 255,
        },
        547,
        546,
        &payload,
    )
    .expect("dhcpv6");
    let peer: Mac = "00:11:22:33:44:55".parse().expect("mac");
    let v6 = |src_mac: Mac, dst_mac: Mac, dport: u16, len: usize| {
        let mut f = udp_frame(
            &Addressing {
                src_mac,
                dst_mac,
                src_ip: "2001:db8:1::10".parse().expect("addr"),
                dst_ip: "2001:db8:2::20".parse().expect("addr"),
                hop_limit: 64,
            },
            40000,
            dport,
            &vec![0x5a; len],
        )
        .expect("udp");
        f[20] = if dport == 443 { 6 } else { 17 };
        f
    };
    let v4 = |len: usize| {
        let mut f = vec![0u8; 14 + 20 + len];
        f[..6].copy_from_slice(&peer.octets());
        f[6..12].copy_from_slice(&host.octets());
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[23] = 6;
        f
    };
    let arp = {
        let mut f = vec![0u8; 60];
        f[..6].copy_from_slice(&[0xff; 6]);
        f[12..14].copy_from_slice(&[0x08, 0x06]);
        f
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut written, mut ts, mut frames) = (24u64, 1_764_000_000_000_000u64, 0u64);
    while written < target {
        ts += 10 + rng.next() % 50;
        let r = rng.next() % 10_000;
        let frame = match r {
            0 => ra_frame.clone(),
            1 => dhcp_frame.clone(),
            2..=3000 => v4(40 + (rng.next() % 1400) as usize),
            3001..=8500 => v6(host, peer, 443, (rng.next() % 1400) as usize),
            8501..=9800 => v6(peer, host, 53, (rng.next() % 400) as usize),
            _ => arp.clone(),
        };
        let secs = (ts / 1_000_000) as u32;
        let usecs = (ts % 1_000_000) as u32;
        let len = frame.len() as u32;
        w.write_all(&secs.to_le_bytes())?;
        w.write_all(&usecs.to_le_bytes())?;
        w.write_all(&len.to_le_bytes())?;
        w.write_all(&len.to_le_bytes())?;
        w.write_all(&frame)?;
        written += 16 + u64::from(len);
        frames += 1;
    }
    w.flush()?;
    eprintln!("{out}: {frames} frames, {written} bytes");
    Ok(())
}
