//! Queries of the matters schema. Each takes a connection already inside a
//! tenant transaction, so row-level security decides which firm it sees.

pub mod matters;
pub mod members;
pub mod notes;
pub mod numbers;
pub mod parties;

/// A unique violation becomes 409 naming the field that collided.
pub(crate) fn conflict_field(err: diesel::result::Error, field: &str) -> lawos_core::ApiError {
    let api: lawos_core::ApiError = err.into();
    if api.code == lawos_core::ErrorCode::ResourceAlreadyExists {
        return api.with_details(serde_json::json!({ "field": field }));
    }
    api
}
