//! The channels service (the owner of channels):
//!
//! - `GET /api/v1/channels/{id}` for the caller (their token): 404 when they
//!   may not see it, else the channel with its context, kind and participants;
//!   with this service's token it answers any channel of the firm;
//! - `POST /api/v1/channels/sms` (service token) `{contactId, phone}`: the SMS
//!   channel of that contact (found or created), or the firm's SMS intake
//!   channel when the contact is unknown.

use chrono::{DateTime, Utc};
use lawos_core::{ApiError, FirmId};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{As, CallerAuth, Upstream};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A channel as channels answers it (the fields messages reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub context_type: String,
    #[serde(default)]
    pub context_id: Option<Uuid>,
    pub kind: String,
    #[serde(default)]
    pub participants: Vec<Participant>,
    #[serde(default)]
    pub archived_at: Option<DateTime<Utc>>,
}

impl Channel {
    /// The firm users taking part (for notifications).
    pub fn user_ids(&self) -> Vec<Uuid> {
        self.participants
            .iter()
            .filter(|p| p.kind == "USER")
            .filter_map(|p| p.user_id)
            .collect()
    }

    /// Whether `user` takes part in the channel.
    pub fn has_user(&self, user: Option<Uuid>) -> bool {
        user.is_some_and(|u| self.user_ids().contains(&u))
    }

    /// The contact an SMS goes to: the first contact participant with a phone.
    pub fn sms_recipient(&self) -> Option<(Option<Uuid>, String)> {
        self.participants
            .iter()
            .filter(|p| p.kind == "CONTACT")
            .find_map(|p| p.phone.clone().map(|phone| (p.contact_id, phone)))
    }
}

#[derive(Clone)]
pub struct ChannelsClient {
    upstream: Upstream,
}

impl ChannelsClient {
    pub fn new(upstream: Upstream) -> Self {
        Self { upstream }
    }

    /// Channel `id` as the caller may see it; `None` when they may not.
    #[tracing::instrument(skip(self, caller))]
    pub async fn for_caller(
        &self,
        caller: &CallerAuth,
        id: Uuid,
    ) -> Result<Option<Channel>, ApiError> {
        let path = format!("/api/v1/channels/{id}");
        let request = self
            .upstream
            .request(reqwest::Method::GET, &path, As::Caller(caller))
            .await?;
        self.upstream
            .fetch(request, "the channels service", false)
            .await
    }

    /// The SMS channel of `contact` (or the firm's intake channel when `None`)
    /// for messages from `phone`.
    #[tracing::instrument(skip(self))]
    pub async fn sms_channel(
        &self,
        firm: FirmId,
        contact: Option<Uuid>,
        phone: &str,
    ) -> Result<Channel, ApiError> {
        let request = self
            .upstream
            .request(
                reqwest::Method::POST,
                "/api/v1/channels/sms",
                As::Service(firm),
            )
            .await?
            .json(&json!({ "contactId": contact, "phone": phone }));
        self.upstream
            .fetch(request, "the channels SMS lookup", false)
            .await?
            .ok_or_else(|| ApiError::unavailable("the channels SMS lookup answered 404"))
    }
}
