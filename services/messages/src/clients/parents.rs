//! The owners of what comments are about, asked whether it exists and
//! whether the caller may see it:
//!
//! - a matter at matters (`GET /api/v1/matters/{id}`, this service's token:
//!   existence; whether the caller reaches it is decided here with lawos-authz);
//! - a document at documents (`GET /api/v1/documents/{id}`), an appointment at
//!   tasks (`GET /api/v1/tasks/appointments/{id}`), a time entry at billing
//!   (`GET /api/v1/billing/time-entries/{id}`), each with the caller's token:
//!   404 (or 403) hides it.
//!
//! Clients are asked of contacts ([`super::contacts`]).

use lawos_core::{ApiError, FirmId};
use serde_json::Value;
use uuid::Uuid;

use super::{As, CallerAuth, Upstream};

/// The matter a resource (as its owner answers it) lies under, if it names one:
/// `matterId`, `caseId`, or `resourceType` MATTER/CASE with `resourceId`.
pub fn matter_of(resource: &Value) -> Option<Uuid> {
    let id = |v: &Value| v.as_str().and_then(|s| s.parse().ok());
    id(&resource["matterId"])
        .or_else(|| id(&resource["caseId"]))
        .or_else(|| {
            matches!(resource["resourceType"].as_str(), Some("MATTER" | "CASE"))
                .then(|| id(&resource["resourceId"]))
                .flatten()
        })
}

#[derive(Clone)]
pub struct ParentsClient {
    pub matters: Upstream,
    pub documents: Upstream,
    pub tasks: Upstream,
    pub billing: Upstream,
}

impl ParentsClient {
    /// Whether matter `id` exists in `firm`.
    #[tracing::instrument(skip(self))]
    pub async fn matter_exists(&self, firm: FirmId, id: Uuid) -> Result<bool, ApiError> {
        let path = format!("/api/v1/matters/{id}");
        let request = self
            .matters
            .request(reqwest::Method::GET, &path, As::Service(firm))
            .await?;
        let found: Option<Value> = self
            .matters
            .fetch(request, "the matters service", false)
            .await?;
        Ok(found.is_some())
    }

    /// A document, appointment or time entry as the caller may see it.
    #[tracing::instrument(skip(self, caller))]
    pub async fn for_caller(
        &self,
        caller: &CallerAuth,
        resource_type: &str,
        id: Uuid,
    ) -> Result<Option<Value>, ApiError> {
        let (upstream, path, what) = match resource_type {
            "DOCUMENT" => (
                &self.documents,
                format!("/api/v1/documents/{id}"),
                "the documents service",
            ),
            "APPOINTMENT" => (
                &self.tasks,
                format!("/api/v1/tasks/appointments/{id}"),
                "the tasks service",
            ),
            "TIME_ENTRY" => (
                &self.billing,
                format!("/api/v1/billing/time-entries/{id}"),
                "the billing service",
            ),
            other => {
                return Err(ApiError::internal(format!(
                    "no owner is asked about {other}"
                )));
            }
        };
        let request = upstream
            .request(reqwest::Method::GET, &path, As::Caller(caller))
            .await?;
        upstream.fetch(request, what, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_matter_is_read_from_the_owners_answer() {
        let m = Uuid::now_v7();
        assert_eq!(matter_of(&json!({ "matterId": m })), Some(m));
        assert_eq!(matter_of(&json!({ "caseId": m })), Some(m));
        assert_eq!(
            matter_of(&json!({ "resourceType": "CASE", "resourceId": m })),
            Some(m)
        );
        assert_eq!(
            matter_of(&json!({ "resourceType": "CLIENT", "resourceId": m })),
            None
        );
        assert_eq!(matter_of(&json!({ "matterId": null })), None);
    }
}
