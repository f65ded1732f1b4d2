//! The notifications service against the real rbac and matters services, with
//! events flowing: in-app lists, the WebSocket on two instances, e-mail through
//! a real SMTP server on loopback, preferences.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod email;
mod inapp;
mod lifecycle;
mod live;
mod sms;
