//! The messages service's API tests (one binary): messages and threads,
//! search, the matter timeline, SMS over Telnyx (a wiremock Telnyx), comments,
//! isolation between firms and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod channels_stub;
mod comments;
mod common;
mod messages;
mod openapi;
mod search;
mod sms;
mod telnyx;
mod timeline;
mod together;
