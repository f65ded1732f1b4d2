//! Test support for LawOS services: every integration test gets its own migrated
//! database (from a template, dropped afterwards), its own Redis key prefix, any
//! set of services started in-process on port 0, and tokens for test principals
//! signed by a key generated for the test.

pub mod api;
pub mod app;
pub mod binary;
pub mod broker;
pub mod tokens;

pub use app::{Replica, TestApp};
pub use lawos_db::testdb::TestDatabase;
pub use tokens::{TestIssuer, TestUser};
