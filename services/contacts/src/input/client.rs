//! Client bodies (the Backstage Client model): `POST` (the whole client) and
//! `PATCH` (the fields given, merged onto the stored client). `ssn` and
//! `dateOfBirth` are validated here and sealed by the handler.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{address, optional_text, present};
use crate::channels::e164;
use crate::model::{CLIENT_STATUSES, CLIENT_TYPES, Client};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientBody {
    #[serde(rename = "type")]
    pub client_type: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub address: Option<Option<Value>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub contact_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub ssn: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub date_of_birth: Option<Option<String>>,
}

/// A PII field of a change: left as stored, cleared, or set to a new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pii {
    Keep,
    Clear,
    Set(String),
}

#[derive(Debug, Default)]
pub struct ClientDraft {
    pub client_type: Option<String>,
    pub full_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Value>,
    pub status: Option<String>,
    pub contact_id: Option<String>,
    pub ssn: Option<Option<String>>,
    pub date_of_birth: Option<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct ValidClient {
    pub client_type: String,
    pub full_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Value>,
    pub status: String,
    pub contact_id: Option<Uuid>,
    pub ssn: Pii,
    pub date_of_birth: Pii,
}

impl ClientDraft {
    pub fn from_body(body: ClientBody) -> Self {
        Self::default().overlay(body)
    }

    /// The stored client's data; its PII stays sealed unless the patch sets it.
    pub fn from_row(row: &Client) -> Self {
        Self {
            client_type: Some(row.client_type.clone()),
            full_name: row.full_name.clone(),
            company_name: row.company_name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            address: row.address.clone(),
            status: Some(row.status.clone()),
            contact_id: row.contact_id.map(|c| c.to_string()),
            ssn: None,
            date_of_birth: None,
        }
    }

    pub fn overlay(mut self, body: ClientBody) -> Self {
        if let Some(t) = body.client_type {
            self.client_type = Some(t);
        }
        if let Some(v) = body.full_name {
            self.full_name = v;
        }
        if let Some(v) = body.company_name {
            self.company_name = v;
        }
        if let Some(v) = body.email {
            self.email = v;
        }
        if let Some(v) = body.phone {
            self.phone = v;
        }
        if let Some(v) = body.address {
            self.address = v;
        }
        if let Some(v) = body.status {
            self.status = Some(v);
        }
        if let Some(v) = body.contact_id {
            self.contact_id = v;
        }
        if body.ssn.is_some() {
            self.ssn = body.ssn;
        }
        if body.date_of_birth.is_some() {
            self.date_of_birth = body.date_of_birth;
        }
        self
    }

    pub fn validate(self, calling_code: &str) -> Result<ValidClient, ApiError> {
        let mut errors = FieldErrors::new();
        let client_type = self.client_type.map(|t| t.trim().to_ascii_uppercase());
        match client_type.as_deref() {
            None | Some("") => errors.missing("type"),
            Some(t) => errors.one_of("type", t, &CLIENT_TYPES),
        }
        let full_name = optional_text(&mut errors, "fullName", self.full_name, 200);
        let company_name = optional_text(&mut errors, "companyName", self.company_name, 200);
        match client_type.as_deref() {
            Some("INDIVIDUAL") if full_name.is_none() => errors.missing("fullName"),
            Some("CORPORATION" | "GOVERNMENT" | "NON_PROFIT") if company_name.is_none() => {
                errors.missing("companyName");
            }
            _ => {}
        }
        let email = self
            .email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty());
        if email.is_some() {
            errors.email("email", email.as_deref());
        }
        let phone = self.phone.filter(|p| !p.trim().is_empty()).and_then(|p| {
            let normal = e164(&p, calling_code);
            if normal.is_none() {
                errors.add(
                    "phone",
                    ErrorCode::InvalidFieldFormat,
                    "must be a phone number",
                );
            }
            normal
        });
        let address = self
            .address
            .filter(|a| !a.is_null())
            .map(|a| address(&mut errors, "address", &a, &[]));
        let status = self
            .status
            .unwrap_or_else(|| "ACTIVE".to_owned())
            .trim()
            .to_ascii_uppercase();
        errors.one_of("status", &status, &CLIENT_STATUSES);
        let contact_id = self.contact_id.and_then(|c| {
            let id = c.trim().parse::<Uuid>().ok();
            if id.is_none() {
                errors.add(
                    "contactId",
                    ErrorCode::InvalidFieldFormat,
                    "must be a contact id",
                );
            }
            id
        });
        let ssn = pii(&mut errors, "ssn", self.ssn, ssn_value);
        let date_of_birth = pii(&mut errors, "dateOfBirth", self.date_of_birth, birth_date);
        errors.into_result()?;
        Ok(ValidClient {
            client_type: client_type.unwrap_or_default(),
            full_name,
            company_name,
            email,
            phone,
            address,
            status,
            contact_id,
            ssn,
            date_of_birth,
        })
    }
}

fn pii(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<Option<String>>,
    parse: fn(&str) -> Option<String>,
) -> Pii {
    match value {
        None => Pii::Keep,
        Some(None) => Pii::Clear,
        Some(Some(v)) if v.trim().is_empty() => Pii::Clear,
        Some(Some(v)) => match parse(v.trim()) {
            Some(normal) => Pii::Set(normal),
            None => {
                let hint = if field == "ssn" {
                    "must be a social security number such as 123-45-6789"
                } else {
                    "must be a past date YYYY-MM-DD"
                };
                errors.add(field, ErrorCode::InvalidFieldFormat, hint);
                Pii::Keep
            }
        },
    }
}

/// `123-45-6789` or `123456789` → `123-45-6789`.
fn ssn_value(v: &str) -> Option<String> {
    let digits: String = v.chars().filter(|c| *c != '-' && *c != ' ').collect();
    (digits.len() == 9 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &digits[..3], &digits[3..5], &digits[5..]))
}

fn birth_date(v: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    let today = chrono::Utc::now().date_naive();
    use chrono::Datelike;
    (date <= today && date.year() >= 1800).then(|| date.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_field_is_named() {
        let body: ClientBody = serde_json::from_value(json!({
            "type": "ALIEN", "email": "x", "phone": "12", "status": "MAYBE",
            "contactId": "nope", "ssn": "12", "dateOfBirth": "3000-01-01",
            "address": { "street": "1 Main", "moon": "Io" }
        }))
        .unwrap();
        let err = ClientDraft::from_body(body).validate("1").unwrap_err();
        let fields: Vec<String> = err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            fields,
            [
                "type",
                "email",
                "phone",
                "address.moon",
                "status",
                "contactId",
                "ssn",
                "dateOfBirth"
            ]
        );
    }

    #[test]
    fn pii_is_normalised_and_patches_keep_what_they_do_not_name() {
        let body: ClientBody = serde_json::from_value(json!({
            "type": "individual", "fullName": "Ada Lovelace", "ssn": "123456789", "dateOfBirth": "1815-12-10"
        }))
        .unwrap();
        let valid = ClientDraft::from_body(body).validate("1").unwrap();
        assert_eq!(valid.ssn, Pii::Set("123-45-6789".into()));
        assert_eq!(valid.date_of_birth, Pii::Set("1815-12-10".into()));
        let patch: ClientBody = serde_json::from_value(json!({ "ssn": null })).unwrap();
        let draft = ClientDraft {
            client_type: Some("INDIVIDUAL".into()),
            full_name: Some("A".into()),
            ..Default::default()
        };
        let valid = draft.overlay(patch).validate("1").unwrap();
        assert_eq!((valid.ssn, valid.date_of_birth), (Pii::Clear, Pii::Keep));
    }
}
