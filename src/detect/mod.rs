//! The sans-IO detector: sources, lifetimes, fingerprints, effects, severities and the
//! alert lifecycle. It owns no clock, socket, file or runtime (see `DESIGN.md`).
//!
//! Not built yet: it arrives with the detection engine.
