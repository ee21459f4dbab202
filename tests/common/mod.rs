//! Shared test harness.
pub mod netns;
