//! The matters service, asked over REST where a conflict check's contacts and
//! clients are parties (`POST {LAWOS_MATTERS_URL}/api/v1/matters/party-lookup`
//! with this service's token and `X-Firm-Id`). Contacts (phase 4) depends on
//! matters (phase 5) softly: any failure is `None`, and the check answers
//! without matters.

use std::sync::Arc;
use std::time::Duration;

use lawos_auth::ServiceTokenSource;
use lawos_core::{FirmId, request_id};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// A matter where a contact is a party (`contactId`) or a client the client (`clientId`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyMatter {
    pub matter_id: Uuid,
    pub matter_number: String,
    pub stage: String,
    pub contact_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub role: String,
}

#[derive(Deserialize)]
struct Lookup {
    data: Vec<PartyMatter>,
}

#[derive(Clone)]
pub struct MattersClient {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl MattersClient {
    pub fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(3))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// The matters of `contacts` (as parties) and `clients` (as the client), or
    /// `None` when matters cannot answer (down, failing, or not deployed).
    #[tracing::instrument(skip_all, fields(contacts = contacts.len(), clients = clients.len()))]
    pub async fn party_matters(
        &self,
        firm: FirmId,
        contacts: &[Uuid],
        clients: &[Uuid],
    ) -> Option<Vec<PartyMatter>> {
        match self.lookup(firm, contacts, clients).await {
            Ok(rows) => Some(rows),
            Err(e) => {
                tracing::warn!(error = %e, "matters unavailable to the conflict check");
                None
            }
        }
    }

    async fn lookup(
        &self,
        firm: FirmId,
        contacts: &[Uuid],
        clients: &[Uuid],
    ) -> Result<Vec<PartyMatter>, String> {
        let token = self.tokens.token().await.map_err(|e| e.to_string())?;
        let url = format!("{}/api/v1/matters/party-lookup", self.base_url);
        let mut request = self
            .http
            .post(url)
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current())
            .json(&json!({ "contactIds": contacts, "clientIds": clients }));
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        let res = request.send().await.map_err(|e| e.to_string())?;
        if res.status().as_u16() != 200 {
            return Err(format!("the matters service answered {}", res.status()));
        }
        Ok(res.json::<Lookup>().await.map_err(|e| e.to_string())?.data)
    }
}
