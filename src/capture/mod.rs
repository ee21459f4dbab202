//! Frame sources: AF_PACKET with a BPF filter on Linux, pnet elsewhere, pcap and pcapng
//! files. Each yields `(Timestamp, &[u8])` pairs for [`crate::wire::dissect`].
//!
//! Not built yet: live capture arrives with `v6sentinel scan`.
