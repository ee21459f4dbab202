//! Text (Japanese and English) and JSON rendering of a detector snapshot, and the
//! monitoring-plugin status line.
//!
//! Not built yet: it arrives with the detection engine.
