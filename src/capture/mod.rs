//! Frame sources: pcap and pcapng files now; AF_PACKET with a BPF filter on Linux and
//! pnet elsewhere arrive with `v6sentinel scan`. Each yields timestamped frames for
//! [`crate::wire::dissect`].

pub mod file;
