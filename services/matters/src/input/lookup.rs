//! `POST /api/v1/matters/party-lookup` (service-only): the contacts and clients
//! whose matters a conflict check asks for.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

/// At most this many ids of each kind per lookup.
pub const LOOKUP_MAX: usize = 200;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyLookup {
    #[serde(default)]
    pub contact_ids: Vec<Uuid>,
    #[serde(default)]
    pub client_ids: Vec<Uuid>,
}

impl PartyLookup {
    /// The ids, sorted and deduplicated; 422 naming the field that has too many.
    pub fn validate(self) -> Result<(Vec<Uuid>, Vec<Uuid>), ApiError> {
        let mut errors = FieldErrors::new();
        for (field, ids) in [
            ("contactIds", &self.contact_ids),
            ("clientIds", &self.client_ids),
        ] {
            if ids.len() > LOOKUP_MAX {
                errors.add(
                    field,
                    ErrorCode::InvalidFieldFormat,
                    format!("at most {LOOKUP_MAX} ids"),
                );
            }
        }
        errors.into_result()?;
        let tidy = |mut ids: Vec<Uuid>| {
            ids.sort();
            ids.dedup();
            ids
        };
        Ok((tidy(self.contact_ids), tidy(self.client_ids)))
    }
}
