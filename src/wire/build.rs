//! Whole-frame emitters: Ethernet + IPv6 + ICMPv6 or UDP around a message repr. The
//! probes send Router Solicitations and DHCPv6 Solicits built here; tests and benchmarks
//! build Router Advertisements here. Nothing in v6sentinel sends an RA on a real link.

use super::ethernet::{EtherType, EthernetRepr, Mac};
use super::icmpv6::Icmpv6Repr;
use super::ipv6::{ALL_ROUTERS, IpProtocol, Ipv6Repr};
use super::ndisc::NdiscRepr;
use super::ndopt::{NdOption, NdOptions};
use super::udp::UdpRepr;
use super::{Error, Layer, Result};
use core::net::Ipv6Addr;

/// The hop limit every Neighbor Discovery message carries (RFC 4861 §6.1).
pub const ND_HOP_LIMIT: u8 = 255;

/// Link and network addressing of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addressing {
    /// Ethernet source.
    pub src_mac: Mac,
    /// Ethernet destination.
    pub dst_mac: Mac,
    /// IPv6 source.
    pub src_ip: Ipv6Addr,
    /// IPv6 destination.
    pub dst_ip: Ipv6Addr,
    /// IPv6 hop limit.
    pub hop_limit: u8,
}

fn frame(addr: &Addressing, proto: IpProtocol, upper_len: usize) -> Result<(Vec<u8>, usize)> {
    let eth = EthernetRepr {
        src: addr.src_mac,
        dst: addr.dst_mac,
        ethertype: EtherType::Ipv6.into(),
        ..EthernetRepr::default()
    };
    let payload_len = u16::try_from(upper_len).map_err(|_| Error::Malformed {
        layer: Layer::Ipv6,
        offset: 4,
        what: "payload longer than 65535 bytes",
    })?;
    let ip = Ipv6Repr {
        src: addr.src_ip,
        dst: addr.dst_ip,
        next_header: proto,
        payload_len,
        hop_limit: addr.hop_limit,
        traffic_class: 0,
        flow_label: 0,
    };
    let start = eth.buffer_len() + ip.buffer_len();
    let mut buf = vec![0u8; start + upper_len];
    eth.emit(&mut buf)?;
    ip.emit(&mut buf[eth.buffer_len()..])?;
    Ok((buf, start))
}

/// An Ethernet frame carrying an ICMPv6 message, checksum filled in.
pub fn icmpv6_frame(addr: &Addressing, message: &Icmpv6Repr<'_>) -> Result<Vec<u8>> {
    let (mut buf, start) = frame(addr, IpProtocol::Icmpv6, message.buffer_len())?;
    message.emit(&mut buf[start..], &addr.src_ip, &addr.dst_ip)?;
    Ok(buf)
}

/// An Ethernet frame carrying a UDP datagram, checksum filled in.
pub fn udp_frame(
    addr: &Addressing,
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
) -> Result<Vec<u8>> {
    let udp = UdpRepr { src_port, dst_port };
    let (mut buf, start) = frame(addr, IpProtocol::Udp, udp.buffer_len(payload.len()))?;
    udp.emit(&mut buf[start..], &addr.src_ip, &addr.dst_ip, payload)?;
    Ok(buf)
}

/// A Router Solicitation to ff02::2 (RFC 4861 §4.1), with the Source Link-Layer Address
/// option unless the source is the unspecified address (RFC 4861 §4.1 forbids it then).
pub fn router_solicit(src_mac: Mac, src_ip: Ipv6Addr) -> Result<Vec<u8>> {
    let mac = src_mac.octets();
    let options = if src_ip.is_unspecified() {
        NdOptions::default()
    } else {
        NdOptions::from_list(vec![NdOption::SourceLinkLayerAddr(&mac)])
    };
    let message = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterSolicit {
            reserved: 0,
            options,
        },
    };
    icmpv6_frame(
        &Addressing {
            src_mac,
            dst_mac: Mac::for_ipv6_multicast(&ALL_ROUTERS),
            src_ip,
            dst_ip: ALL_ROUTERS,
            hop_limit: ND_HOP_LIMIT,
        },
        &message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Message, dissect};

    #[test]
    fn router_solicit_dissects_back() {
        let mac: Mac = "02:00:5e:10:00:01".parse().unwrap();
        let frame = router_solicit(mac, mac.link_local_eui64()).unwrap();
        let d = dissect(&frame);
        assert_eq!(d.error, None);
        let ip = d.ipv6.unwrap();
        assert_eq!((ip.dst, ip.hop_limit), (ALL_ROUTERS, 255));
        assert_eq!(d.ethernet.unwrap().dst.to_string(), "33:33:00:00:00:02");
        let Message::Ndisc(NdiscRepr::RouterSolicit { options, .. }) = d.message else {
            panic!("not an RS")
        };
        assert_eq!(options.source_mac(), Some(mac));
        let bare = router_solicit(mac, Ipv6Addr::UNSPECIFIED).unwrap();
        let Message::Ndisc(m) = dissect(&bare).message else {
            panic!()
        };
        assert!(m.options().list.is_empty());
    }
}
