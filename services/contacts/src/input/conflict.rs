//! `POST /api/v1/contacts/conflict-check`: who a new matter's parties might be.

use lawos_core::validation::{FieldErrors, is_email};
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::channels::{e164, email_key};

const MAX_VALUES: usize = 20;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConflictBody {
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    pub company: Option<String>,
}

/// The normalised terms: names and company lower-cased, e-mails lower-cased,
/// phones as E.164.
#[derive(Debug, Clone, Default)]
pub struct ConflictTerms {
    pub names: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub companies: Vec<String>,
}

fn bounded(errors: &mut FieldErrors, field: &str, values: &[String]) {
    if values.len() > MAX_VALUES {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("at most {MAX_VALUES} values"),
        );
    }
}

impl ConflictBody {
    pub fn validate(self, calling_code: &str) -> Result<ConflictTerms, ApiError> {
        let mut errors = FieldErrors::new();
        let mut terms = ConflictTerms::default();
        bounded(&mut errors, "names", &self.names);
        bounded(&mut errors, "emails", &self.emails);
        bounded(&mut errors, "phones", &self.phones);
        for (i, name) in self.names.iter().enumerate() {
            match name.trim() {
                n if n.chars().count() < 2 || n.chars().count() > 200 => errors.add(
                    &format!("names[{i}]"),
                    ErrorCode::InvalidFieldFormat,
                    "must be 2–200 characters",
                ),
                n => terms.names.push(n.to_lowercase()),
            }
        }
        for (i, email) in self.emails.iter().enumerate() {
            if is_email(email.trim()) {
                terms.emails.push(email_key(email));
            } else {
                errors.add(
                    &format!("emails[{i}]"),
                    ErrorCode::InvalidFieldFormat,
                    "must be an e-mail address",
                );
            }
        }
        for (i, phone) in self.phones.iter().enumerate() {
            match e164(phone, calling_code) {
                Some(p) => terms.phones.push(p),
                None => errors.add(
                    &format!("phones[{i}]"),
                    ErrorCode::InvalidFieldFormat,
                    "must be a phone number",
                ),
            }
        }
        if let Some(company) = self
            .company
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if company.chars().count() > 200 {
                errors.add(
                    "company",
                    ErrorCode::InvalidFieldFormat,
                    "must be at most 200 characters",
                );
            } else {
                terms.companies.push(company.to_lowercase());
            }
        }
        if errors.is_empty()
            && terms.names.is_empty()
            && terms.emails.is_empty()
            && terms.phones.is_empty()
            && terms.companies.is_empty()
        {
            errors.add(
                "names",
                ErrorCode::RequiredFieldMissing,
                "give at least one name, e-mail, phone or company",
            );
        }
        errors.into_result()?;
        Ok(terms)
    }
}
