//! What one caller may do in one firm: a service (trusted: it acts after its own
//! checks), or a user with their capabilities.

use std::sync::Arc;

use lawos_core::{ApiError, Page};
use serde_json::{Value, json};

use crate::capabilities::Capabilities;
use crate::decision::{Decision, Resource};
use crate::filter::MatterFilter;

#[derive(Debug, Clone)]
pub enum Access {
    /// A service token: no user stands behind it, so no user's limits apply.
    Service,
    User(Arc<Capabilities>),
}

fn forbidden(scope: &str) -> ApiError {
    ApiError::permission_denied(format!("This action requires the {scope} scope"))
        .with_details(json!({ "requiredScopes": [scope] }))
}

fn hidden(resource: &Resource) -> ApiError {
    ApiError::not_found(resource.kind, resource.id)
}

impl Access {
    pub fn capabilities(&self) -> Option<&Capabilities> {
        match self {
            Self::Service => None,
            Self::User(caps) => Some(caps),
        }
    }

    pub fn decide(&self, scope: &str, resource: &Resource) -> Decision {
        self.capabilities()
            .map_or(Decision::Allowed, |caps| caps.decide(scope, resource))
    }

    /// `Ok`, 403 `PERMISSION_DENIED` on a resource the caller may see, or 404.
    pub fn require(&self, scope: &str, resource: &Resource) -> Result<(), ApiError> {
        match self.decide(scope, resource) {
            Decision::Allowed => Ok(()),
            Decision::Forbidden => Err(forbidden(scope)),
            Decision::Hidden => Err(hidden(resource)),
        }
    }

    /// A firm-level use of `scope` (a list, a create): `Ok` or 403.
    pub fn require_firm(&self, scope: &str) -> Result<(), ApiError> {
        match self.capabilities().map(|caps| caps.decide_firm(scope)) {
            None | Some(Decision::Allowed) => Ok(()),
            Some(_) => Err(forbidden(scope)),
        }
    }

    /// The matters a list under `scope` may show, or 403 without the scope.
    pub fn matter_filter(&self, scope: &str) -> Result<MatterFilter, ApiError> {
        match self.capabilities() {
            None => Ok(MatterFilter::AllExcept(Vec::new())),
            Some(caps) => caps.matter_filter(scope).ok_or_else(|| forbidden(scope)),
        }
    }

    pub fn can_read_field(&self, resource_type: &str, field: &str) -> bool {
        self.capabilities()
            .is_none_or(|caps| caps.can_read_field(resource_type, field))
    }

    /// `value` as a JSON body without the fields of `resource_type` the caller
    /// may not read. When none of them is hidden (the common case) the value is
    /// written straight out, without an intermediate `serde_json::Value`.
    pub fn to_json<T: serde::Serialize>(
        &self,
        resource_type: &str,
        value: &T,
    ) -> Result<Vec<u8>, ApiError> {
        match self.capabilities() {
            Some(caps) if caps.hides_fields_of(resource_type) => {
                let mut body = serde_json::to_value(value).map_err(ApiError::internal)?;
                caps.redact(resource_type, &mut body);
                serde_json::to_vec(&body).map_err(ApiError::internal)
            }
            _ => serde_json::to_vec(value).map_err(ApiError::internal),
        }
    }

    /// A page of `resource_type` rows as a JSON body, each row without the
    /// fields the caller may not read; written straight out, without a
    /// `serde_json::Value` per row, when none of them is hidden.
    pub fn page_json<T: serde::Serialize>(
        &self,
        resource_type: &str,
        page: &Page<T>,
    ) -> Result<Vec<u8>, ApiError> {
        match self.capabilities() {
            Some(caps) if caps.hides_fields_of(resource_type) => {
                let data = page
                    .data
                    .iter()
                    .map(|row| {
                        let mut body = serde_json::to_value(row).map_err(ApiError::internal)?;
                        caps.redact(resource_type, &mut body);
                        Ok(body)
                    })
                    .collect::<Result<Vec<_>, ApiError>>()?;
                serde_json::to_vec(&Page {
                    data,
                    pagination: page.pagination.clone(),
                })
                .map_err(ApiError::internal)
            }
            _ => serde_json::to_vec(page).map_err(ApiError::internal),
        }
    }

    /// Drops the fields the caller may not read from a response body.
    pub fn redact(&self, resource_type: &str, body: &mut Value) {
        if let Some(caps) = self.capabilities() {
            caps.redact(resource_type, body);
        }
    }

    /// 403 naming the fields of a request body the caller may not write.
    pub fn check_writes(&self, resource_type: &str, body: &Value) -> Result<(), ApiError> {
        self.capabilities()
            .map_or(Ok(()), |caps| caps.check_writes(resource_type, body))
    }
}
