//! The crate's error type. Relay and consumer sessions end with one of these and
//! are restarted with backoff; only [`Error::Config`] stops `run` for good.

/// Everything that can go wrong while writing, relaying or consuming events.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Diesel(#[from] diesel::result::Error),
    #[error("database connection: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database connection closed")]
    DatabaseGone,
    #[error("broker: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("broker connection closed")]
    BrokerGone,
    #[error("broker did not confirm publish of event {0}")]
    NotConfirmed(uuid::Uuid),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// A consumer's effect fails as the request path does: with `ApiError`, so
/// `apply_once` takes effects written against `ApiError` directly (the inbox's
/// own failures become an internal error, their cause logged).
impl From<Error> for lawos_core::ApiError {
    fn from(e: Error) -> Self {
        lawos_core::ApiError::internal(e)
    }
}
