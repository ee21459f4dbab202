//! Offender, provider and remedy tables: parsed from `rules/*.toml`, validated, embedded
//! at build time and overridable with `--rules DIR`.
//!
//! Not built yet: it arrives with the detection engine.
