//! The firm's members, from the auth service's directory
//! (`GET /api/v1/auth/members/{userId}` with this service's token and
//! `X-Firm-Id`): whom a comment may mention.

use lawos_core::{ApiError, FirmId};
use serde::Deserialize;
use uuid::Uuid;

use super::{As, Upstream};

/// A member as the directory answers it (the fields messages reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: Uuid,
    pub full_name: String,
}

#[derive(Clone)]
pub struct MembersClient {
    upstream: Upstream,
}

impl MembersClient {
    pub fn new(upstream: Upstream) -> Self {
        Self { upstream }
    }

    /// User `id` as an active member of `firm`, if they are one.
    #[tracing::instrument(skip(self))]
    pub async fn member(&self, firm: FirmId, id: Uuid) -> Result<Option<Member>, ApiError> {
        let path = format!("/api/v1/auth/members/{id}");
        let request = self
            .upstream
            .request(reqwest::Method::GET, &path, As::Service(firm))
            .await?;
        self.upstream
            .fetch(request, "the auth directory", false)
            .await
    }
}
