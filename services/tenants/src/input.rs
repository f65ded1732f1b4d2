//! Request bodies, validated field by field so a client learns every problem at once.

use lawos_core::validation::{FieldErrors, is_slug};
use lawos_core::{ApiError, ErrorCode};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{BILLING_PLANS, FEATURES};

const MAX_SETTINGS_BYTES: usize = 16 * 1024;

/// `POST /api/v1/tenants/` (Backstage §2.2.1).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFirm {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub contact_email: Option<String>,
    pub billing_plan: Option<String>,
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub features: Option<Value>,
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub settings: Option<Value>,
    #[serde(default)]
    pub create_logto_org: bool,
    pub logto_org_id: Option<String>,
}

/// A validated firm creation.
#[derive(Debug)]
pub struct ValidFirm {
    pub name: String,
    pub slug: String,
    pub contact_email: String,
    pub billing_plan: String,
    pub features: Value,
    pub settings: Value,
    pub create_logto_org: bool,
    pub logto_org_id: Option<String>,
}

impl CreateFirm {
    pub fn validate(self) -> Result<ValidFirm, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("name", self.name.as_deref(), 200);
        match self.slug.as_deref() {
            None | Some("") => errors.missing("slug"),
            Some(s) if !is_slug(s) => errors.add(
                "slug",
                ErrorCode::InvalidFieldFormat,
                "must be 2–63 lowercase letters, digits and single hyphens",
            ),
            Some(_) => {}
        }
        errors.email("contactEmail", self.contact_email.as_deref());
        match self.billing_plan.as_deref() {
            None | Some("") => errors.missing("billingPlan"),
            Some(plan) => errors.one_of("billingPlan", plan, &BILLING_PLANS),
        }
        let features = merge_features(&default_features(), self.features.as_ref(), &mut errors);
        let settings = merge_settings(
            &Value::Object(Map::new()),
            self.settings.as_ref(),
            &mut errors,
        );
        if let Some(org) = &self.logto_org_id {
            errors.text("logtoOrgId", Some(org), 128);
        }
        errors.into_result()?;
        Ok(ValidFirm {
            name: self.name.unwrap_or_default().trim().to_owned(),
            slug: self.slug.unwrap_or_default(),
            contact_email: self.contact_email.unwrap_or_default().trim().to_lowercase(),
            billing_plan: self.billing_plan.unwrap_or_default(),
            features,
            settings,
            create_logto_org: self.create_logto_org,
            logto_org_id: self.logto_org_id,
        })
    }
}

/// `PATCH /api/v1/tenants/{firmId}`: every field optional.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFirm {
    pub name: Option<String>,
    pub contact_email: Option<String>,
    pub billing_plan: Option<String>,
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub features: Option<Value>,
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub settings: Option<Value>,
    pub logto_org_id: Option<String>,
}

impl UpdateFirm {
    /// Fields only a platform administrator (`firms:update`) may write.
    pub fn platform_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.billing_plan.is_some() {
            fields.push("billingPlan");
        }
        if self.features.is_some() {
            fields.push("features");
        }
        if self.logto_org_id.is_some() {
            fields.push("logtoOrgId");
        }
        fields
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.contact_email.is_none()
            && self.billing_plan.is_none()
            && self.features.is_none()
            && self.settings.is_none()
            && self.logto_org_id.is_none()
    }

    /// Validates the patch against the current features and settings and
    /// returns the merged values.
    pub fn validate(
        &self,
        features: &Value,
        settings: &Value,
    ) -> Result<(Option<Value>, Option<Value>), ApiError> {
        let mut errors = FieldErrors::new();
        if self.is_empty() {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        if let Some(name) = &self.name {
            errors.text("name", Some(name), 200);
        }
        if let Some(email) = &self.contact_email {
            errors.email("contactEmail", Some(email));
        }
        if let Some(plan) = &self.billing_plan {
            errors.one_of("billingPlan", plan, &BILLING_PLANS);
        }
        if let Some(org) = &self.logto_org_id {
            errors.text("logtoOrgId", Some(org), 128);
        }
        let features = self
            .features
            .as_ref()
            .map(|f| merge_features(features, Some(f), &mut errors));
        let settings = self
            .settings
            .as_ref()
            .map(|s| merge_settings(settings, Some(s), &mut errors));
        errors.into_result()?;
        Ok((features, settings))
    }
}

pub fn default_features() -> Value {
    Value::Object(
        FEATURES
            .iter()
            .map(|f| ((*f).to_owned(), Value::Bool(false)))
            .collect(),
    )
}

fn merge_features(current: &Value, patch: Option<&Value>, errors: &mut FieldErrors) -> Value {
    let mut merged = current.as_object().cloned().unwrap_or_default();
    match patch {
        None => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                if !FEATURES.contains(&key.as_str()) {
                    errors.add(
                        &format!("features.{key}"),
                        ErrorCode::InvalidEnumValue,
                        format!("unknown feature; known: {}", FEATURES.join(", ")),
                    );
                } else if !value.is_boolean() {
                    errors.add(
                        &format!("features.{key}"),
                        ErrorCode::InvalidFieldFormat,
                        "must be true or false",
                    );
                } else {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
        Some(_) => errors.add(
            "features",
            ErrorCode::InvalidFieldFormat,
            "must be an object of feature flags",
        ),
    }
    Value::Object(merged)
}

/// JSON merge patch (RFC 7396) of one level: `null` removes a key.
fn merge_settings(current: &Value, patch: Option<&Value>, errors: &mut FieldErrors) -> Value {
    let mut merged = current.as_object().cloned().unwrap_or_default();
    match patch {
        None => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                if value.is_null() {
                    merged.remove(key);
                } else {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
        Some(_) => errors.add(
            "settings",
            ErrorCode::InvalidFieldFormat,
            "must be an object",
        ),
    }
    let merged = Value::Object(merged);
    if merged.to_string().len() > MAX_SETTINGS_BYTES {
        errors.add(
            "settings",
            ErrorCode::InvalidFieldFormat,
            "must be at most 16 KiB",
        );
    }
    merged
}

/// `POST /api/v1/tenants/{firmId}/domains`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDomain {
    pub domain: Option<String>,
    #[serde(default)]
    pub verified: bool,
}

impl CreateDomain {
    pub fn validate(&self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        let domain = self
            .domain
            .as_deref()
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase());
        match domain.as_deref() {
            None | Some("") => errors.missing("domain"),
            Some(d) if !is_domain(d) => errors.add(
                "domain",
                ErrorCode::InvalidFieldFormat,
                "must be a host name such as smithlaw.com",
            ),
            Some(_) => {}
        }
        errors.into_result()?;
        Ok(domain.unwrap_or_default())
    }
}

fn is_domain(d: &str) -> bool {
    d.len() <= 253
        && d.split('.').count() >= 2
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_names_every_bad_field() {
        let body: CreateFirm = serde_json::from_value(json!({
            "name": "", "slug": "Bad Slug", "contactEmail": "x", "billingPlan": "gold",
            "features": { "timeTracking": "yes", "teleport": true }
        }))
        .unwrap();
        let err = body.validate().unwrap_err();
        let fields: Vec<String> = err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "slug",
                "contactEmail",
                "billingPlan",
                "features.teleport",
                "features.timeTracking"
            ]
        );
    }

    #[test]
    fn settings_merge_patch_removes_nulls() {
        let patch = UpdateFirm {
            settings: Some(json!({ "a": null, "b": 2 })),
            ..Default::default()
        };
        let (_, settings) = patch
            .validate(&default_features(), &json!({ "a": 1, "c": 3 }))
            .unwrap();
        assert_eq!(settings, Some(json!({ "b": 2, "c": 3 })));
    }
}
