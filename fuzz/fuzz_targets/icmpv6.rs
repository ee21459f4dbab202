//! ICMPv6 / Neighbor Discovery messages: no panic; a message whose options frame
//! correctly re-emits to the same bytes (checksum aside).
#![no_main]
use libfuzzer_sys::fuzz_target;
use v6sentinel::wire::icmpv6::{Icmpv6Repr, Packet};

fuzz_target!(|data: &[u8]| {
    let packet = Packet::new_unchecked(data);
    if let Ok(repr @ Icmpv6Repr::Ndisc { .. }) = Icmpv6Repr::parse(&packet) {
        let Icmpv6Repr::Ndisc { repr: nd, .. } = &repr else { return };
        if nd.options().error.is_none() {
            let mut out = vec![0u8; repr.buffer_len()];
            let any = core::net::Ipv6Addr::UNSPECIFIED;
            repr.emit(&mut out, &any, &any).expect("room was computed");
            assert_eq!(out[0..2], data[0..2]);
            assert_eq!(out[4..], data[4..]);
        }
    }
});
