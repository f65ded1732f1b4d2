//! `POST /api/v1/messages/sms-numbers`: a number the firm sends and receives
//! SMS on (E.164, as bought at Telnyx).

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddNumber {
    /// E.164: `+` and 7 to 15 digits, e.g. `+18445550001`.
    pub number: Option<String>,
    /// A name for people (at most 100 characters).
    pub label: Option<String>,
}

pub fn is_e164(v: &str) -> bool {
    let digits = v.strip_prefix('+').unwrap_or_default();
    (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

impl AddNumber {
    pub fn validate(self) -> Result<(String, Option<String>), ApiError> {
        let mut errors = FieldErrors::new();
        let number = self.number.as_deref().map(str::trim).unwrap_or_default();
        if number.is_empty() {
            errors.missing("number");
        } else if !is_e164(number) {
            errors.add(
                "number",
                ErrorCode::InvalidFieldFormat,
                "must be E.164: + and 7 to 15 digits",
            );
        }
        let label = self
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        if label.is_some_and(|l| l.chars().count() > 100) {
            errors.add(
                "label",
                ErrorCode::InvalidFieldFormat,
                "must be at most 100 characters",
            );
        }
        errors.into_result()?;
        Ok((number.to_owned(), label.map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_e164() {
        assert!(is_e164("+18445550001"));
        assert!(!is_e164("18445550001"));
        assert!(!is_e164("+0844555"));
        assert!(!is_e164("+1 844 555 0001"));
        assert!(!is_e164("+123456"));
    }
}
