//! The channels service's API tests, one binary: channels beside the real
//! rbac, contacts and matters services (events flowing where a test needs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod calls;
mod channels;
mod common;
mod defaults;
mod sms;
mod thread;
mod together;
