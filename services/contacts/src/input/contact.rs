//! Contact bodies: `POST` and `PUT` (the whole contact) and `PATCH` (the fields
//! given, merged onto the stored contact). All three end in one validation.

use lawos_core::validation::{FieldErrors, is_email};
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{address, optional_text, present};
use crate::channels::e164;
use crate::model::{CONTACT_KINDS, Contact};

const MAX_CHANNELS: usize = 20;

/// `POST /api/v1/contacts/`, `PUT` and `PATCH /api/v1/contacts/{id}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactBody {
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub given_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub family_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub organization_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub display_name: Option<Option<String>>,
    /// `[{ "address": "ada@example.com", "label": "work" }]`
    pub emails: Option<Vec<Value>>,
    /// `[{ "number": "+1 555 010 2030", "label": "mobile" }]`
    pub phones: Option<Vec<Value>>,
    /// `[{ "street", "city", "state", "zip", "country", "label" }]`
    pub addresses: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "present")]
    pub notes: Option<Option<String>>,
}

/// A contact's data before validation.
#[derive(Debug, Default)]
pub struct ContactDraft {
    pub kind: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub organization_name: Option<String>,
    pub display_name: Option<String>,
    pub emails: Vec<Value>,
    pub phones: Vec<Value>,
    pub addresses: Vec<Value>,
    pub notes: Option<String>,
}

/// A valid contact's columns.
#[derive(Debug, Clone)]
pub struct ValidContact {
    pub kind: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub organization_name: Option<String>,
    pub display_name: String,
    pub emails: Value,
    pub phones: Value,
    pub addresses: Value,
    pub notes: Option<String>,
}

fn array(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

impl ContactDraft {
    /// The whole contact from a `POST` or `PUT` body (absent means empty).
    pub fn from_body(body: ContactBody) -> Self {
        Self::default().overlay(body)
    }

    pub fn from_row(row: &Contact) -> Self {
        Self {
            kind: Some(row.kind.clone()),
            given_name: row.given_name.clone(),
            family_name: row.family_name.clone(),
            organization_name: row.organization_name.clone(),
            display_name: Some(row.display_name.clone()),
            emails: array(&row.emails),
            phones: array(&row.phones),
            addresses: array(&row.addresses),
            notes: row.notes.clone(),
        }
    }

    /// The fields `body` gives replace these; a name change without a display
    /// name derives the display name again.
    pub fn overlay(mut self, body: ContactBody) -> Self {
        let renamed = body.given_name.is_some()
            || body.family_name.is_some()
            || body.organization_name.is_some()
            || body.kind.is_some();
        if let Some(kind) = body.kind {
            self.kind = Some(kind);
        }
        if let Some(v) = body.given_name {
            self.given_name = v;
        }
        if let Some(v) = body.family_name {
            self.family_name = v;
        }
        if let Some(v) = body.organization_name {
            self.organization_name = v;
        }
        match body.display_name {
            Some(v) => self.display_name = v,
            None if renamed => self.display_name = None,
            None => {}
        }
        if let Some(v) = body.emails {
            self.emails = v;
        }
        if let Some(v) = body.phones {
            self.phones = v;
        }
        if let Some(v) = body.addresses {
            self.addresses = v;
        }
        if let Some(v) = body.notes {
            self.notes = v;
        }
        self
    }

    pub fn validate(self, calling_code: &str) -> Result<ValidContact, ApiError> {
        let mut errors = FieldErrors::new();
        let kind = self.kind.map(|k| k.trim().to_ascii_uppercase());
        match kind.as_deref() {
            None | Some("") => errors.missing("kind"),
            Some(k) => errors.one_of("kind", k, &CONTACT_KINDS),
        }
        let given = optional_text(&mut errors, "givenName", self.given_name, 100);
        let family = optional_text(&mut errors, "familyName", self.family_name, 100);
        let org = optional_text(&mut errors, "organizationName", self.organization_name, 200);
        let display = optional_text(&mut errors, "displayName", self.display_name, 300);
        let notes = optional_text(&mut errors, "notes", self.notes, 10_000);
        let is_org = kind.as_deref() == Some("ORGANIZATION");
        if is_org && org.is_none() {
            errors.missing("organizationName");
        }
        if !is_org && given.is_none() && family.is_none() && display.is_none() {
            errors.add(
                "givenName",
                ErrorCode::RequiredFieldMissing,
                "a person needs a given name, a family name or a display name",
            );
        }
        let emails = emails(&mut errors, &self.emails);
        let phones = phones(&mut errors, &self.phones, calling_code);
        let addresses = addresses(&mut errors, &self.addresses);
        errors.into_result()?;
        let person = [given.as_deref(), family.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let derived = if is_org {
            org.clone().unwrap_or_default()
        } else {
            person.clone()
        };
        let display_name = display.unwrap_or(derived);
        Ok(ValidContact {
            kind: kind.unwrap_or_default(),
            given_name: given,
            family_name: family,
            organization_name: org,
            display_name,
            emails,
            phones,
            addresses,
            notes,
        })
    }
}

/// A label: optional text of at most 40 characters.
fn label(errors: &mut FieldErrors, field: &str, value: Option<&Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().chars().count() <= 40 => {
            Some(s.trim().to_owned()).filter(|s| !s.is_empty())
        }
        Some(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be a text of at most 40 characters",
            );
            None
        }
    }
}

/// Each item an object of `main` and `label` only; answers `(main value, label)`.
fn items<'a>(
    errors: &mut FieldErrors,
    field: &str,
    values: &'a [Value],
    main: &str,
) -> Vec<(usize, Option<&'a str>, Option<String>)> {
    if values.len() > MAX_CHANNELS {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("at most {MAX_CHANNELS} entries"),
        );
    }
    let mut out = Vec::new();
    for (i, item) in values.iter().enumerate() {
        let Value::Object(map) = item else {
            errors.add(
                &format!("{field}[{i}]"),
                ErrorCode::InvalidFieldFormat,
                "must be an object",
            );
            continue;
        };
        for key in map.keys().filter(|k| *k != main && *k != "label") {
            errors.add(
                &format!("{field}[{i}].{key}"),
                ErrorCode::InvalidFieldFormat,
                "unknown field",
            );
        }
        let label = label(errors, &format!("{field}[{i}].label"), map.get("label"));
        out.push((i, map.get(main).and_then(Value::as_str), label));
    }
    out
}

fn emails(errors: &mut FieldErrors, values: &[Value]) -> Value {
    let mut list = Vec::new();
    for (i, address, label) in items(errors, "emails", values, "address") {
        let field = format!("emails[{i}].address");
        errors.email(&field, address);
        if let Some(a) = address.map(str::trim).filter(|a| is_email(a)) {
            list.push(json!({ "address": a, "label": label }));
        }
    }
    Value::Array(list)
}

fn phones(errors: &mut FieldErrors, values: &[Value], calling_code: &str) -> Value {
    let mut list = Vec::new();
    for (i, number, label) in items(errors, "phones", values, "number") {
        let field = format!("phones[{i}].number");
        match number.map(|n| (n, e164(n, calling_code))) {
            None => errors.missing(&field),
            Some((_, None)) => errors.add(
                &field,
                ErrorCode::InvalidFieldFormat,
                "must be a phone number (international with + or a national number)",
            ),
            Some((_, Some(e))) => list.push(json!({ "number": e, "label": label })),
        }
    }
    Value::Array(list)
}

fn addresses(errors: &mut FieldErrors, values: &[Value]) -> Value {
    if values.len() > MAX_CHANNELS {
        errors.add(
            "addresses",
            ErrorCode::InvalidFieldFormat,
            format!("at most {MAX_CHANNELS} entries"),
        );
    }
    let list = values
        .iter()
        .enumerate()
        .map(|(i, v)| address(errors, &format!("addresses[{i}]"), v, &["label"]))
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_bad_field_is_named() {
        let body: ContactBody = serde_json::from_value(json!({
            "kind": "ROBOT",
            "emails": [{ "address": "nope" }, { "address": "a@b.co", "kind": "x" }],
            "phones": [{ "number": "12" }],
            "addresses": [{ "planet": "Mars" }]
        }))
        .unwrap();
        let err = ContactDraft::from_body(body).validate("1").unwrap_err();
        assert_eq!(
            fields(err),
            [
                "kind",
                "givenName",
                "emails[1].kind",
                "emails[0].address",
                "phones[0].number",
                "addresses[0].planet"
            ]
        );
    }

    #[test]
    fn a_person_gets_a_derived_display_name_and_search_keys() {
        let body: ContactBody = serde_json::from_value(json!({
            "kind": "person", "givenName": " Ada ", "familyName": "Lovelace",
            "emails": [{ "address": "Ada@Example.com" }], "phones": [{ "number": "(555) 010-2030" }]
        }))
        .unwrap();
        let valid = ContactDraft::from_body(body).validate("1").unwrap();
        assert_eq!(valid.kind, "PERSON");
        assert_eq!(valid.display_name, "Ada Lovelace");
        assert_eq!(valid.emails[0]["address"], "Ada@Example.com");
        assert_eq!(valid.phones[0]["number"], "+15550102030");
    }
}
