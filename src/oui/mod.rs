//! The embedded IEEE registry (MA-L, MA-M, MA-S): longest-prefix vendor lookup and
//! detection of locally administered (randomized) MAC addresses.
//!
//! Not built yet: it arrives with the detection engine.
