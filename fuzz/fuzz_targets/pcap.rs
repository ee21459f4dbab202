//! The capture-file reader on arbitrary bytes (pcap and pcapng, any link type, any record
//! sizes): no panic, every record within the input's size, and every record's payload
//! through the link-type dispatch and `dissect`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use v6sentinel::capture::file;

fuzz_target!(|data: &[u8]| {
    let mut total = 0usize;
    let _ = file::read(data, std::path::Path::new("fuzz input"), |record| {
        assert!(record.data.len() <= data.len(), "a record longer than the file");
        total += record.data.len();
        let _ = file::dissect_record(record.linktype, record.data);
    });
    // Records never hold more bytes than the file had.
    assert!(total <= data.len());
});
