//! Error handlers for actix's extractors, so that malformed JSON, bad query
//! strings and unparsable path ids answer with the envelope and the right code.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};
use lawos_core::{ApiError, ErrorCode};
use serde_json::json;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(json_error)
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large")
        }
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "The request body must be application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            ErrorCode::ValidationError,
            "The request body does not match the expected shape",
        )
        .with_details(json!({ "reason": e.to_string(), "line": e.line(), "column": e.column() })),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::MalformedJson,
            "The request body is not valid JSON",
        )
        .with_details(json!({ "line": e.line(), "column": e.column() })),
        _ => ApiError::new(
            ErrorCode::MalformedJson,
            "The request body could not be read",
        ),
    };
    api.into()
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::new(ErrorCode::InvalidFieldFormat, "Invalid query parameters")
            .with_details(json!({ "reason": err.to_string() }))
            .into()
    })
}

/// An id that does not parse cannot exist: 404, like any unknown resource.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, req| {
        ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("No resource at {}", req.path()),
        )
        .into()
    })
}
