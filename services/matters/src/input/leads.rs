//! Lead bodies: the public intake (`POST /api/v1/leads/`), a Meta lead's
//! answers, and the administration of lead forms and Meta pages.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::optional_text;

const NAME_MAX: usize = 200;
const PART_MAX: usize = 100;
const MESSAGE_MAX: usize = 5_000;
const AREA_MAX: usize = 100;
const SOURCE_MAX: usize = 100;
const UTM_MAX: usize = 200;
/// The largest intake body accepted, in bytes.
pub const LEAD_BODY_LIMIT: usize = 16 * 1024;

/// `POST /api/v1/leads/`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeadBody {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub message: Option<String>,
    pub practice_area: Option<String>,
    pub source: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    /// The lead form, when not given as `X-Lead-Form-Key`.
    pub form_key: Option<String>,
}

/// A valid lead: who, how to reach them, and what they asked.
#[derive(Debug, Clone)]
pub struct ValidLead {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: String,
    /// Lower-cased.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub message: Option<String>,
    pub practice_area: Option<String>,
    pub source: Option<String>,
    /// `utm_source`, … as given.
    pub utm: Map<String, Value>,
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Digits and the usual separators, 7–15 digits.
fn is_phone(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && v.len() <= 30
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +.-/()".contains(c))
}

impl LeadBody {
    pub fn validate(self) -> Result<ValidLead, ApiError> {
        let mut errors = FieldErrors::new();
        let name = clean(self.name);
        let first = clean(self.first_name);
        let last = clean(self.last_name);
        optional_text(&mut errors, "name", name.as_deref(), NAME_MAX);
        optional_text(&mut errors, "firstName", first.as_deref(), PART_MAX);
        optional_text(&mut errors, "lastName", last.as_deref(), PART_MAX);
        if name.is_none() && first.is_none() && last.is_none() {
            errors.add(
                "name",
                ErrorCode::RequiredFieldMissing,
                "give name, or firstName and/or lastName",
            );
        }
        let email = clean(self.email).map(|e| e.to_lowercase());
        if email.is_some() {
            errors.email("email", email.as_deref());
        }
        let phone = clean(self.phone);
        if let Some(p) = &phone
            && !is_phone(p)
        {
            errors.add(
                "phone",
                ErrorCode::InvalidFieldFormat,
                "must be a phone number (7–15 digits)",
            );
        }
        if email.is_none() && phone.is_none() {
            for field in ["email", "phone"] {
                errors.add(
                    field,
                    ErrorCode::RequiredFieldMissing,
                    "an e-mail address or a phone number is required",
                );
            }
        }
        let message = clean(self.message);
        optional_text(&mut errors, "message", message.as_deref(), MESSAGE_MAX);
        let practice_area = clean(self.practice_area);
        optional_text(
            &mut errors,
            "practiceArea",
            practice_area.as_deref(),
            AREA_MAX,
        );
        let source = clean(self.source);
        optional_text(&mut errors, "source", source.as_deref(), SOURCE_MAX);
        let mut utm = Map::new();
        for (field, value) in [
            ("utmSource", self.utm_source),
            ("utmMedium", self.utm_medium),
            ("utmCampaign", self.utm_campaign),
            ("utmTerm", self.utm_term),
            ("utmContent", self.utm_content),
        ] {
            let value = clean(value);
            optional_text(&mut errors, field, value.as_deref(), UTM_MAX);
            if let Some(v) = value {
                utm.insert(field.to_owned(), Value::String(v));
            }
        }
        errors.into_result()?;
        let (given, family) = match (&first, &last) {
            (None, None) => {
                let full = name.clone().unwrap_or_default();
                match full.rsplit_once(' ') {
                    Some((g, f)) => (Some(g.trim().to_owned()), Some(f.trim().to_owned())),
                    None => (Some(full), None),
                }
            }
            _ => (first.clone(), last.clone()),
        };
        let display_name = name.unwrap_or_else(|| {
            [first.as_deref(), last.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        });
        Ok(ValidLead {
            given_name: given,
            family_name: family,
            display_name,
            email,
            phone,
            message,
            practice_area,
            source,
            utm,
        })
    }

    /// A Meta lead's `field_data` (`[{name, values}]`): the standard questions
    /// (`full_name`, `first_name`, `last_name`, `email`, `phone_number`) fill the
    /// lead; every other answer goes into the message.
    pub fn from_meta_fields(fields: &[Value]) -> Self {
        let mut body = Self {
            source: Some("meta_lead_ads".to_owned()),
            ..Self::default()
        };
        let mut extra = Vec::new();
        for field in fields {
            let Some(name) = field["name"].as_str() else {
                continue;
            };
            let value = field["values"]
                .as_array()
                .map(|vs| {
                    vs.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            match name {
                "full_name" => body.name = Some(value),
                "first_name" => body.first_name = Some(value),
                "last_name" => body.last_name = Some(value),
                "email" => body.email = Some(value),
                "phone_number" | "phone" => body.phone = Some(value),
                other => extra.push(format!("{other}: {value}")),
            }
        }
        if !extra.is_empty() {
            let mut message = extra.join("\n");
            message.truncate(
                message
                    .char_indices()
                    .nth(MESSAGE_MAX)
                    .map_or(message.len(), |(i, _)| i),
            );
            body.message = Some(message);
        }
        body
    }
}

/// `POST /api/v1/matters/lead-forms/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateLeadForm {
    pub name: Option<String>,
    pub practice_area: Option<String>,
}

impl CreateLeadForm {
    /// `(name, practice area)`.
    pub fn validate(self) -> Result<(String, Option<String>), ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("name", self.name.as_deref(), NAME_MAX);
        let area = clean(self.practice_area);
        optional_text(&mut errors, "practiceArea", area.as_deref(), AREA_MAX);
        errors.into_result()?;
        Ok((self.name.unwrap_or_default().trim().to_owned(), area))
    }
}

/// `POST /api/v1/matters/meta-pages/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMetaPage {
    pub page_id: Option<String>,
    pub form_id: Option<String>,
    pub name: Option<String>,
    pub practice_area: Option<String>,
    pub access_token: Option<String>,
}

/// A valid page mapping.
#[derive(Debug)]
pub struct ValidMetaPage {
    pub page_id: String,
    pub form_id: Option<String>,
    pub name: Option<String>,
    pub practice_area: Option<String>,
    pub access_token: String,
}

fn meta_id(errors: &mut FieldErrors, field: &str, value: Option<&str>) {
    if let Some(v) = value
        && (v.is_empty() || v.len() > 32 || !v.chars().all(|c| c.is_ascii_digit()))
    {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be a Meta id (digits)",
        );
    }
}

impl CreateMetaPage {
    pub fn validate(self) -> Result<ValidMetaPage, ApiError> {
        let mut errors = FieldErrors::new();
        let page_id = clean(self.page_id);
        if page_id.is_none() {
            errors.missing("pageId");
        }
        meta_id(&mut errors, "pageId", page_id.as_deref());
        let form_id = clean(self.form_id);
        meta_id(&mut errors, "formId", form_id.as_deref());
        let name = clean(self.name);
        optional_text(&mut errors, "name", name.as_deref(), NAME_MAX);
        let area = clean(self.practice_area);
        optional_text(&mut errors, "practiceArea", area.as_deref(), AREA_MAX);
        let token = clean(self.access_token);
        match token.as_deref() {
            None => errors.missing("accessToken"),
            Some(t) if t.len() > 1_000 || !t.chars().all(|c| c.is_ascii_graphic()) => errors.add(
                "accessToken",
                ErrorCode::InvalidFieldFormat,
                "must be a page access token",
            ),
            Some(_) => {}
        }
        errors.into_result()?;
        Ok(ValidMetaPage {
            page_id: page_id.unwrap_or_default(),
            form_id,
            name,
            practice_area: area,
            access_token: token.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn names_every_bad_field() {
        let body: LeadBody = serde_json::from_value(json!({
            "email": "not-an-address", "phone": "12", "utmSource": "x".repeat(201)
        }))
        .unwrap();
        let err = body.validate().unwrap_err();
        let fields: Vec<String> = err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["name", "email", "phone", "utmSource"]);
    }

    #[test]
    fn meta_answers_fill_the_lead() {
        let body = LeadBody::from_meta_fields(&[
            json!({ "name": "full_name", "values": ["Ada Lovelace"] }),
            json!({ "name": "email", "values": ["ADA@example.com"] }),
            json!({ "name": "case_type", "values": ["injury"] }),
        ]);
        let lead = body.validate().unwrap();
        assert_eq!(lead.given_name.as_deref(), Some("Ada"));
        assert_eq!(lead.family_name.as_deref(), Some("Lovelace"));
        assert_eq!(lead.email.as_deref(), Some("ada@example.com"));
        assert_eq!(lead.message.as_deref(), Some("case_type: injury"));
    }
}
