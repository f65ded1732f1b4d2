//! Queries of the channels schema. Each takes a connection already inside a
//! tenant transaction, so row-level security decides which firm it sees.

pub mod activity;
pub mod calls;
pub mod channels;
pub mod participants;

/// A unique violation becomes 409 naming what collided.
pub(crate) fn conflict(err: diesel::result::Error, message: &str) -> lawos_core::ApiError {
    let api: lawos_core::ApiError = err.into();
    if api.code == lawos_core::ErrorCode::ResourceAlreadyExists {
        return lawos_core::ApiError::new(lawos_core::ErrorCode::ResourceAlreadyExists, message);
    }
    api
}
