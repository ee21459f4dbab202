//! Shared test harness.
pub mod netns;
pub mod scan;
