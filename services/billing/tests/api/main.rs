//! The billing service's API tests, in one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod append_only;
mod common;
mod flow;
mod numbers;
mod pdf;
mod rates;
mod trust;
