//! Billing rates and activity codes (firm administration).

use chrono::NaiveDate;
use lawos_core::ApiError;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{activity_code_shape, amount, currency};

/// `POST /api/v1/billing/rates/`: a new rate row (rates are never edited; a
/// later `effectiveFrom` supersedes).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRate {
    pub user_id: Option<Uuid>,
    /// Only on this matter.
    pub matter_id: Option<Uuid>,
    /// Only for this activity.
    pub activity_code: Option<String>,
    /// Minor units per hour.
    pub rate_minor: Option<i64>,
    pub currency: Option<String>,
    /// Default today.
    pub effective_from: Option<NaiveDate>,
}

impl CreateRate {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        if self.user_id.is_none() {
            errors.missing("userId");
        }
        if self.activity_code.is_some() {
            activity_code_shape(&mut errors, "activityCode", self.activity_code.as_deref());
        }
        amount(&mut errors, "rateMinor", self.rate_minor, 0);
        currency(&mut errors, "currency", self.currency.as_deref());
        errors.into_result()
    }
}

/// `POST /api/v1/billing/activity-codes/`: a firm's own activity code.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateActivityCode {
    pub code: Option<String>,
    pub description: Option<String>,
}

impl CreateActivityCode {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        activity_code_shape(&mut errors, "code", self.code.as_deref());
        errors.text("description", self.description.as_deref(), 200);
        errors.into_result()
    }
}
