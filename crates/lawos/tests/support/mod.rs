//! Helpers of the `lawos` crate's integration tests.

pub mod processes;
