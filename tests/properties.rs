//! Property tests over every parse entry point of `wire`: arbitrary bytes never panic,
//! and what is parsed adds up — option lengths cover the options area exactly unless a
//! framing error is reported, and emitting a parsed repr gives back the same bytes.

use proptest::prelude::*;
use v6sentinel::wire::dhcpv6::Dhcpv6Repr;
use v6sentinel::wire::icmpv6::{self, Icmpv6Repr};
use v6sentinel::wire::ipv6::{ExtChain, IpProtocol};
use v6sentinel::wire::ndisc::NdiscRepr;
use v6sentinel::wire::ndopt::{NdOption, NdOptions};
use v6sentinel::wire::{Message, dissect, dissect_ipv6};

/// The ND options invariant: the options kept cover a prefix of the area, the whole area
/// exactly when no framing error is reported, and re-emit to the same bytes.
fn check_nd_options(buf: &[u8], opts: &NdOptions<'_>) -> Result<(), TestCaseError> {
    let consumed: usize = opts.list.iter().map(NdOption::buffer_len).sum();
    prop_assert!(consumed <= buf.len());
    prop_assert_eq!(opts.error.is_none(), consumed == buf.len());
    let mut out = vec![0u8; consumed];
    opts.emit(&mut out)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&out[..], &buf[..consumed]);
    Ok(())
}

/// Bytes shaped like ND options: a run of (type, length, data) with plausible lengths,
/// sometimes broken.
fn nd_option_bytes() -> impl Strategy<Value = Vec<u8>> {
    let option = (
        prop::sample::select(vec![1u8, 2, 3, 4, 5, 14, 24, 25, 26, 31, 37, 38, 200]),
        0usize..40,
        any::<u8>(),
    )
        .prop_map(|(kind, units, fill)| {
            let len = units * 8;
            let mut v = vec![fill; len.max(2)];
            v[0] = kind;
            v[1] = units as u8;
            v
        });
    prop::collection::vec(option, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn dissect_never_panics(frame in prop::collection::vec(any::<u8>(), 0..1600)) {
        let d = dissect(&frame);
        if let Message::Ndisc(m) = &d.message {
            // The options area is what follows the fixed part; its invariant must hold.
            let opts = m.options();
            let consumed: usize = opts.list.iter().map(NdOption::buffer_len).sum();
            prop_assert!(consumed <= frame.len());
        }
        let _ = dissect_ipv6(&frame);
    }

    #[test]
    fn dissect_ipv6_shaped(mut packet in prop::collection::vec(any::<u8>(), 40..1500), nh in prop::sample::select(vec![0u8, 17, 43, 44, 58, 60])) {
        packet[0] = 0x60;
        let plen = (packet.len() - 40) as u16;
        packet[4..6].copy_from_slice(&plen.to_be_bytes());
        packet[6] = nh;
        let d = dissect_ipv6(&packet);
        prop_assert!(d.ipv6.is_some());
        let chain = d.chain.unwrap_or_else(|| ExtChain::walk(IpProtocol::from(nh), &packet[40..]));
        prop_assert!(chain.upper_offset <= packet.len() - 40);
        let recorded: usize = chain.headers().map(|h| usize::from(h.len)).sum();
        prop_assert!(recorded <= chain.upper_offset || chain.error.is_some());
    }

    #[test]
    fn nd_options_add_up(buf in nd_option_bytes()) {
        let opts = NdOptions::parse(&buf);
        check_nd_options(&buf, &opts)?;
    }

    #[test]
    fn nd_options_arbitrary(buf in prop::collection::vec(any::<u8>(), 0..600)) {
        let opts = NdOptions::parse(&buf);
        check_nd_options(&buf, &opts)?;
    }

    #[test]
    fn ndisc_round_trip(kind in 133u8..=137, fixed in prop::collection::vec(any::<u8>(), 36), options in nd_option_bytes()) {
        let msg = icmpv6::Message::from(kind);
        let fixed_len = match kind { 133 => 4, 134 => 12, 135 | 136 => 20, _ => 36 };
        let body = [&fixed[..fixed_len], &options[..]].concat();
        let repr = NdiscRepr::parse(msg, &body).expect("an ND type").expect("fixed part fits");
        check_nd_options(&options, repr.options())?;
        if repr.options().error.is_none() {
            let mut out = vec![0u8; repr.buffer_len()];
            repr.emit(&mut out).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(out, body);
        }
    }

    #[test]
    fn icmpv6_arbitrary(buf in prop::collection::vec(any::<u8>(), 0..600)) {
        let packet = icmpv6::Packet::new_unchecked(&buf[..]);
        if let Ok(Icmpv6Repr::Ndisc { repr, .. }) = Icmpv6Repr::parse(&packet) {
            let consumed: usize = repr.options().list.iter().map(NdOption::buffer_len).sum();
            prop_assert!(consumed + 4 <= buf.len());
        }
    }

    #[test]
    fn dhcpv6_arbitrary(buf in prop::collection::vec(any::<u8>(), 0..800)) {
        if let Ok(repr) = Dhcpv6Repr::parse(&buf) {
            let _ = repr.innermost();
            if repr.buffer_len() == buf.len() {
                let mut out = vec![0u8; repr.buffer_len()];
                repr.emit(&mut out).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(out, buf);
            }
        }
    }
}

/// Bytes shaped like a DHCPv6 message: a header and a run of well-framed options whose
/// contents are arbitrary (so nested options, DUIDs and names are often malformed).
fn dhcpv6_bytes() -> impl Strategy<Value = Vec<u8>> {
    let option = (
        prop::sample::select(vec![
            1u16, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 16, 17, 20, 23, 24, 25, 26, 31, 32, 56, 999,
        ]),
        prop::collection::vec(any::<u8>(), 0..48),
    )
        .prop_map(|(code, data)| {
            let mut v = code.to_be_bytes().to_vec();
            v.extend_from_slice(&(data.len() as u16).to_be_bytes());
            v.extend_from_slice(&data);
            v
        });
    (
        1u8..=13,
        any::<[u8; 33]>(),
        prop::collection::vec(option, 0..10),
    )
        .prop_map(|(t, head, opts)| {
            let mut v = vec![t];
            v.extend_from_slice(if t >= 12 { &head[..] } else { &head[..3] });
            v.extend(opts.concat());
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn dhcpv6_shaped_round_trip(buf in dhcpv6_bytes()) {
        let repr = Dhcpv6Repr::parse(&buf).expect("the header fits");
        prop_assert!(repr.options().error.is_none());
        let _ = repr.innermost();
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&mut out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if repr.buffer_len() == buf.len() {
            prop_assert_eq!(out, buf);
        }
    }
}
