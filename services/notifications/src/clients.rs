//! What the consumer asks other services, with this service's token and
//! `X-Firm-Id`: a matter's team (matters) and who holds a scope (rbac).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lawos_auth::ServiceTokenSource;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

#[derive(Clone)]
pub struct Directory {
    http: reqwest::Client,
    matters_url: String,
    rbac_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    user_id: Uuid,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
    pagination: Pagination,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Holders {
    user_ids: Vec<Uuid>,
}

impl Directory {
    pub fn new(matters_url: &str, rbac_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            matters_url: matters_url.trim_end_matches('/').to_owned(),
            rbac_url: rbac_url.trim_end_matches('/').to_owned(),
            tokens,
        }
    }

    /// `GET url` for `firm`; `None` on 404.
    async fn get<T: DeserializeOwned>(&self, firm: Uuid, url: &str) -> anyhow::Result<Option<T>> {
        let token = self
            .tokens
            .token()
            .await
            .map_err(|e| anyhow::anyhow!("service token: {e}"))?;
        let res = self
            .http
            .get(url)
            .bearer_auth(token)
            .header("X-Firm-Id", firm.to_string())
            .send()
            .await?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let res = res.error_for_status()?;
        Ok(Some(res.json().await?))
    }

    /// The matter's current members (none when the matter is gone).
    pub async fn matter_members(&self, firm: Uuid, matter: Uuid) -> anyhow::Result<Vec<Uuid>> {
        let now = Utc::now();
        let mut users = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!(
                "{}/api/v1/matters/{matter}/members?limit=100",
                self.matters_url
            );
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={}", urlencode(c)));
            }
            let Some(page) = self.get::<Page<Member>>(firm, &url).await? else {
                return Ok(users);
            };
            users.extend(
                page.data
                    .iter()
                    .filter(|m| m.starts_at.is_none_or(|s| s <= now))
                    .filter(|m| m.ends_at.is_none_or(|e| e > now))
                    .map(|m| m.user_id),
            );
            match page.pagination.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(users),
            }
        }
    }

    /// The firm's users holding `scope` now (rbac, service-only).
    pub async fn scope_holders(&self, firm: Uuid, scope: &str) -> anyhow::Result<Vec<Uuid>> {
        let url = format!(
            "{}/api/v1/rbac/firms/{firm}/scope-holders?scope={}",
            self.rbac_url,
            urlencode(scope)
        );
        Ok(self
            .get::<Holders>(firm, &url)
            .await?
            .map(|h| h.user_ids)
            .unwrap_or_default())
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
