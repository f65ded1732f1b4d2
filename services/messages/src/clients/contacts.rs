//! The contacts service: who sent an SMS (`GET /api/v1/contacts/?search_channels={phone}`
//! with this service's token: the first contact holding that exact E.164
//! number), and whether the caller may see a client (`GET
//! /api/v1/contacts/clients/{id}` with their token: 404 or 403 hides it).

use lawos_core::{ApiError, FirmId};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{As, CallerAuth, Upstream};

#[derive(Deserialize)]
struct ContactPage {
    data: Vec<Value>,
}

/// Whether a contact (as contacts answers it) holds `phone` (E.164).
fn holds(contact: &Value, phone: &str) -> bool {
    contact["phones"]
        .as_array()
        .is_some_and(|phones| phones.iter().any(|p| p["number"] == phone))
}

#[derive(Clone)]
pub struct ContactsClient {
    upstream: Upstream,
}

impl ContactsClient {
    pub fn new(upstream: Upstream) -> Self {
        Self { upstream }
    }

    /// The contact of `firm` whose phone is `phone`, if any.
    #[tracing::instrument(skip(self))]
    pub async fn by_phone(&self, firm: FirmId, phone: &str) -> Result<Option<Uuid>, ApiError> {
        let request = self
            .upstream
            .request(reqwest::Method::GET, "/api/v1/contacts/", As::Service(firm))
            .await?
            .query(&[("search_channels", phone), ("limit", "20")]);
        let page: Option<ContactPage> = self
            .upstream
            .fetch(request, "the contacts search", false)
            .await?;
        Ok(page.and_then(|p| {
            p.data
                .iter()
                .find(|c| holds(c, phone))
                .and_then(|c| c["id"].as_str().and_then(|id| id.parse().ok()))
        }))
    }

    /// Client `id` as the caller may see it; `None` when they may not.
    #[tracing::instrument(skip(self, caller))]
    pub async fn client_for_caller(
        &self,
        caller: &CallerAuth,
        id: Uuid,
    ) -> Result<Option<Value>, ApiError> {
        let path = format!("/api/v1/contacts/clients/{id}");
        let request = self
            .upstream
            .request(reqwest::Method::GET, &path, As::Caller(caller))
            .await?;
        self.upstream
            .fetch(request, "the contacts service", true)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_an_exact_number_names_the_sender() {
        let c = json!({ "phones": [{ "number": "+15550102030", "label": "mobile" }] });
        assert!(holds(&c, "+15550102030"));
        assert!(!holds(&c, "+1555010203"));
        assert!(!holds(&json!({}), "+15550102030"));
    }
}
