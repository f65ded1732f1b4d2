//! Validation that names each offending field: 422 `VALIDATION_ERROR` with
//! `details.fields = [{field, code, message}]`.

use serde::Serialize;
use serde_json::json;

use crate::error::{ApiError, ErrorCode};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Accumulates field errors so a client learns about every bad field at once.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, code, message);
        e
    }

    pub fn add(&mut self, field: &str, code: ErrorCode, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.as_str(),
            message: message.into(),
        });
    }

    pub fn missing(&mut self, field: &str) {
        self.add(field, ErrorCode::RequiredFieldMissing, "is required");
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.field.as_str())
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.into_api_error())
        }
    }

    pub fn into_api_error(self) -> ApiError {
        let names: Vec<&str> = self.fields().collect();
        let message = format!("Invalid fields: {}", names.join(", "));
        ApiError::new(ErrorCode::ValidationError, message).with_details(json!({ "fields": self.0 }))
    }

    /// Checks a required, trimmed, length-bounded string.
    pub fn text(&mut self, field: &str, value: Option<&str>, max: usize) {
        match value.map(str::trim) {
            None | Some("") => self.missing(field),
            Some(v) if v.chars().count() > max => self.add(
                field,
                ErrorCode::InvalidFieldFormat,
                format!("must be at most {max} characters"),
            ),
            Some(_) => {}
        }
    }

    /// Checks an e-mail address: one `@`, a non-empty local part and a dotted domain.
    pub fn email(&mut self, field: &str, value: Option<&str>) {
        match value.map(str::trim) {
            None | Some("") => self.missing(field),
            Some(v) if !is_email(v) => self.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be an e-mail address",
            ),
            Some(_) => {}
        }
    }

    /// Checks that `value` is one of `allowed`.
    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.add(
                field,
                ErrorCode::InvalidEnumValue,
                format!("must be one of {}", allowed.join(", ")),
            );
        }
    }
}

/// Input that can check itself.
pub trait Validate {
    fn validate(&self) -> Result<(), ApiError>;
}

pub fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && v.len() <= 254
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && !v.chars().any(char::is_whitespace)
}

/// A URL-safe slug: lowercase letters, digits and single hyphens, 2–63 characters.
pub fn is_slug(v: &str) -> bool {
    (2..=63).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !v.starts_with('-')
        && !v.ends_with('-')
        && !v.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_bad_field() {
        let mut e = FieldErrors::new();
        e.text("name", Some("  "), 10);
        e.email("contactEmail", Some("nope"));
        e.one_of("billingPlan", "gold", &["starter", "enterprise"]);
        let err = e.into_api_error();
        assert_eq!(err.code, ErrorCode::ValidationError);
        let body = err.body("r");
        let fields = &body["error"]["details"]["fields"];
        assert_eq!(fields[0]["field"], "name");
        assert_eq!(fields[0]["code"], "REQUIRED_FIELD_MISSING");
        assert_eq!(fields[1]["code"], "INVALID_FIELD_FORMAT");
        assert_eq!(fields[2]["code"], "INVALID_ENUM_VALUE");
    }

    #[test]
    fn emails_and_slugs() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.de"));
        assert!(is_slug("smith-associates"));
        assert!(!is_slug("Smith"));
        assert!(!is_slug("a--b"));
    }
}
