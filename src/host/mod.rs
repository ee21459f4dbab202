//! The host's own IPv6 addresses, routes and resolvers (netlink on Linux), turned into
//! observations for the detector.
//!
//! Not built yet: it arrives with `v6sentinel scan`.
