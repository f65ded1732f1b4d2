//! Request bodies and query strings, validated so that one 422 names every bad field.

mod create;
mod query;
mod update;

pub use create::{
    CreateDocument, DirectMetadata, FileFields, NewVersionBody, ValidFile, ValidMetadata,
};
pub use query::{EventsQuery, ListFilter, ListQuery, Position};
pub use update::{PatchDocument, ValidPatch};

use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;

use crate::model::{CATEGORIES, RESOURCE_TYPES};

pub const NAME_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 5000;
pub const TAGS_MAX: usize = 50;
pub const TAG_MAX: usize = 64;

/// A trimmed, non-empty string, or `None`.
pub(crate) fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A file or document name: 1–255 characters, no control characters.
pub(crate) fn check_name(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    required: bool,
) {
    match value.map(str::trim) {
        None | Some("") if required => errors.missing(field),
        None | Some("") => {}
        Some(v) if v.chars().count() > NAME_MAX => errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {NAME_MAX} characters"),
        ),
        Some(v) if v.chars().any(char::is_control) => errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must not contain control characters",
        ),
        Some(_) => {}
    }
}

/// `type/subtype` (RFC 6838 token characters), lower-cased.
pub(crate) fn check_mime(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> String {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        errors.missing(field);
        return String::new();
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match v.split_once('/') {
        Some((t, s)) if token(t) && token(s) => v.to_ascii_lowercase(),
        _ => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be a media type such as application/pdf",
            );
            String::new()
        }
    }
}

pub(crate) fn check_category(errors: &mut FieldErrors, value: Option<&str>) -> String {
    match value.map(|v| v.trim().to_ascii_uppercase()) {
        None => "OTHER".to_owned(),
        Some(v) => {
            errors.one_of("category", &v, &CATEGORIES);
            v
        }
    }
}

pub(crate) fn check_resource_type(errors: &mut FieldErrors, value: Option<&str>) -> String {
    match value.map(|v| v.trim().to_ascii_uppercase()) {
        None => {
            errors.missing("resourceType");
            String::new()
        }
        // CASE is the Backstage name of a matter (API.md).
        Some(v) if v == "CASE" => "MATTER".to_owned(),
        Some(v) => {
            errors.one_of("resourceType", &v, &RESOURCE_TYPES);
            v
        }
    }
}

/// Tags: at most 50, each 1–64 characters without control characters,
/// trimmed, lower-cased and without duplicates.
pub(crate) fn check_tags(errors: &mut FieldErrors, value: Option<Vec<String>>) -> Vec<String> {
    let Some(tags) = value else {
        return Vec::new();
    };
    if tags.len() > TAGS_MAX {
        errors.add(
            "tags",
            ErrorCode::InvalidFieldFormat,
            format!("at most {TAGS_MAX} tags"),
        );
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let t = tag.trim().to_lowercase();
        if t.is_empty() || t.chars().count() > TAG_MAX || t.chars().any(char::is_control) {
            errors.add(
                "tags",
                ErrorCode::InvalidFieldFormat,
                format!("each tag must be 1 to {TAG_MAX} characters without control characters"),
            );
            return Vec::new();
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub(crate) fn check_description(errors: &mut FieldErrors, value: Option<&str>) {
    if value.is_some_and(|v| v.chars().count() > DESCRIPTION_MAX) {
        errors.add(
            "description",
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {DESCRIPTION_MAX} characters"),
        );
    }
}
