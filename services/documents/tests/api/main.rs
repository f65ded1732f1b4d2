//! The documents service against the real S3-compatible store, rbac, contacts
//! and matters (`scripts/infra.sh --with-s3`, or LAWOS_S3_* pointing at a store).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod common;
mod completion;
mod direct;
mod isolation;
mod jobs;
mod ready;
mod roundtrip;
mod search;
mod versions;
