//! The actix-web application every LawOS service is built with. Cross-cutting
//! work happens here once: request ids, tracing, metrics, authentication, rate
//! limits, body-size limits and the JSON error envelope for every failure
//! (unknown routes, wrong methods, malformed JSON, oversized bodies included).

pub mod app;
pub mod audit;
pub mod config;
pub mod docs_page;
pub mod envelope;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod mount;
pub mod observe;
pub mod openapi;
pub mod revocation;
pub mod runtime;
pub mod server;
pub mod support_log;

pub use app::{AppSettings, build_app};
pub use health::{DbCheck, ReadinessCheck};
pub use mount::Mount;
pub use openapi::OpenApi;
pub use server::serve;
