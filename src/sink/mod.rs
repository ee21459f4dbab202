//! Alert sinks for `v6sentinel watch` (stdout, file, syslog, webhook).
//!
//! Not built yet: it arrives with `v6sentinel watch`.
