//! DHCPv6 messages: no panic; relays unwrap within their bound; a message parsed without
//! loss re-emits to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use v6sentinel::wire::dhcpv6::Dhcpv6Repr;

fuzz_target!(|data: &[u8]| {
    if let Ok(repr) = Dhcpv6Repr::parse(data) {
        let _ = repr.innermost();
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&mut out).expect("room was computed");
        if out.len() == data.len() {
            assert_eq!(out, data);
        }
    }
});
