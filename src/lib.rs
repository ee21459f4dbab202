//! v6sentinel: finds the devices on a LAN segment that hand out IPv6 configuration
//! (Router Advertisements, DHCPv6) and would break an eligibility terminal with
//! "network error 011".
//!
//! The layers follow `DESIGN.md`: [`wire`] parses frames without ever panicking and
//! without losing a byte of what it was given; the later layers (vendors, rules,
//! detection, reports, capture, probes, host state, sinks, metrics, privileges) build on
//! it.
// No unsafe code, except in `capture::afpacket` (AF_PACKET system calls socket2 does not
// wrap) and, on Windows, the Win32 calls of `host::windows` (IP Helper), `capture::npcap`
// (loading Packet.dll) and `sink::eventlog`, which allow it at their top and document every
// block with a `SAFETY:` line. `deny` rather than `forbid`, because `forbid` cannot be
// lifted for those modules.
#![deny(unsafe_code)]
#![warn(missing_docs)]
// Never unwrap on a packet path: outside tests, no unwrap, expect or panic at all.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod capture;
pub mod detect;
pub mod host;
pub mod metrics;
pub mod oui;
#[cfg(target_os = "linux")]
pub mod privilege;
pub mod probe;
pub mod protect;
pub mod report;
pub mod rules;
pub mod sink;
pub mod wire;
