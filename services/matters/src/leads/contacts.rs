//! The contacts service's intake (`POST {LAWOS_CONTACTS_URL}/api/v1/contacts/intake`,
//! this service's token and `X-Firm-Id`): the contact holding the lead's
//! e-mail (else phone), or a new person. Its 422 is passed on; anything else
//! (contacts down or failing) is 503, before anything is written here.

use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use crate::input::ValidLead;

#[derive(Clone)]
pub struct IntakeClient {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

/// The lead's contact and whether intake created it.
#[derive(Debug, Clone, Copy)]
pub struct LeadContact {
    pub id: Uuid,
    pub created: bool,
}

impl IntakeClient {
    pub fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    #[tracing::instrument(skip_all, fields(%firm))]
    pub async fn find_or_create(
        &self,
        firm: FirmId,
        lead: &ValidLead,
    ) -> Result<LeadContact, ApiError> {
        let token = self.tokens.token().await?;
        let body = json!({
            "givenName": lead.given_name,
            "familyName": lead.family_name,
            "displayName": lead.display_name,
            "email": lead.email,
            "phone": lead.phone,
        });
        let mut request = self
            .http
            .post(format!("{}/api/v1/contacts/intake", self.base_url))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current())
            .json(&body);
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        let res = request.send().await.map_err(ApiError::unavailable)?;
        let status = res.status().as_u16();
        match status {
            200 | 201 => {
                let contact: Value = res.json().await.map_err(ApiError::unavailable)?;
                let id = contact["id"]
                    .as_str()
                    .and_then(|id| id.parse().ok())
                    .ok_or_else(|| ApiError::unavailable("contacts intake answered no id"))?;
                Ok(LeadContact {
                    id,
                    created: status == 201,
                })
            }
            422 => {
                let err: Value = res.json().await.unwrap_or(Value::Null);
                Err(ApiError::new(
                    ErrorCode::ValidationError,
                    "The lead's contact details are not valid",
                )
                .with_details(err["error"]["details"].clone()))
            }
            other => Err(ApiError::dependency(
                other,
                format!("the contacts intake answered {other}"),
            )),
        }
    }
}
