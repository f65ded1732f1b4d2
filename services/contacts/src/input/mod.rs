//! Request bodies, validated field by field so a client learns every problem at
//! once (422 `VALIDATION_ERROR` naming each field).

pub mod client;
pub mod conflict;
pub mod contact;
pub mod query;

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

/// For `Option<Option<T>>` fields: absent → `None`, `null` → `Some(None)`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A body read as JSON first (for the field-policy check), then as `T`: a shape
/// mismatch is 422 like the shared JSON extractor's.
pub fn shaped<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| {
        ApiError::new(
            ErrorCode::ValidationError,
            "The request body does not match the expected shape",
        )
        .with_details(json!({ "reason": e.to_string() }))
    })
}

/// An optional trimmed text of at most `max` characters; empty counts as absent.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {max} characters"),
        );
    }
    Some(value)
}

/// Checks that an address object holds only known string parts; answers it trimmed.
pub fn address(errors: &mut FieldErrors, field: &str, value: &Value, extra: &[&str]) -> Value {
    const PARTS: [&str; 5] = ["street", "city", "state", "zip", "country"];
    let Value::Object(map) = value else {
        errors.add(field, ErrorCode::InvalidFieldFormat, "must be an object");
        return Value::Null;
    };
    let mut clean = serde_json::Map::new();
    for (key, part) in map {
        let name = format!("{field}.{key}");
        if !PARTS.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
            errors.add(
                &name,
                ErrorCode::InvalidFieldFormat,
                format!("unknown part; known: {}", PARTS.join(", ")),
            );
            continue;
        }
        match part {
            Value::Null => {}
            Value::String(s) if s.trim().chars().count() <= 200 => {
                if !s.trim().is_empty() {
                    clean.insert(key.clone(), Value::String(s.trim().to_owned()));
                }
            }
            _ => errors.add(
                &name,
                ErrorCode::InvalidFieldFormat,
                "must be a text of at most 200 characters",
            ),
        }
    }
    Value::Object(clean)
}
