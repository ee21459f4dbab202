//! The ND option walk: options cover the area exactly unless a framing error is reported,
//! and re-emit to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use v6sentinel::wire::ndopt::{NdOption, NdOptions};

fuzz_target!(|data: &[u8]| {
    let opts = NdOptions::parse(data);
    let consumed: usize = opts.list.iter().map(NdOption::buffer_len).sum();
    assert!(consumed <= data.len());
    assert_eq!(opts.error.is_none(), consumed == data.len());
    let mut out = vec![0u8; consumed];
    opts.emit(&mut out).expect("room was computed");
    assert_eq!(&out[..], &data[..consumed]);
});
