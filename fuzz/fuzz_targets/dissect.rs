//! `dissect` and `dissect_ipv6` on arbitrary frames: no panic, and a decoded ND message's
//! options re-emit within the frame's length.
#![no_main]
use libfuzzer_sys::fuzz_target;
use v6sentinel::wire::ndopt::NdOption;
use v6sentinel::wire::{dissect, dissect_ipv6, Message};

fuzz_target!(|data: &[u8]| {
    for d in [dissect(data), dissect_ipv6(data)] {
        if let Message::Ndisc(m) = &d.message {
            let opts = m.options();
            let len: usize = opts.list.iter().map(NdOption::buffer_len).sum();
            let mut out = vec![0u8; len];
            opts.emit(&mut out).expect("room was computed");
            assert!(len <= data.len());
        }
        if let Message::Dhcpv6(m) = &d.message {
            let _ = m.innermost();
        }
    }
});
