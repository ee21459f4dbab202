//! Frame sources: pcap and pcapng files ([`mod@file`]), and live capture ([`open`]): AF_PACKET
//! with a kernel BPF filter on Linux ([`afpacket`]), pnet elsewhere or on request
//! ([`pnet`]). Each yields timestamped Ethernet frames for [`crate::wire::dissect`].

#[cfg(target_os = "linux")]
pub mod afpacket;
pub mod file;
mod live;
#[cfg(windows)]
pub mod npcap;
pub mod pnet;

pub use live::{
    BUFFER_LEN, Backend, CaptureError, CaptureStats, Frame, FrameSource, LiveCapture, Received,
    RecvFuture, UnknownBackend, open,
};
