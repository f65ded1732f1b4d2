//! A client of Logto's Management API. It authenticates as a machine-to-machine
//! application (client credentials at `{endpoint}/oidc/token` with the Management
//! API's resource indicator) and keeps the access token until shortly before it
//! expires. Every failure (unreachable, timeout, a status it did not expect, a
//! body it cannot read) is a [`LogtoError`], answered as 502 `LOGTO_SYNC_FAILED`.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::LogtoError;
use crate::config::LogtoSettings;

/// Page size asked of list endpoints (Logto's maximum is 100).
const PAGE_SIZE: usize = 100;
/// A list longer than this many pages is refused rather than read forever.
const MAX_PAGES: usize = 100;
/// A token is renewed this long before it expires (or at half its life if shorter).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// An organization role as Logto describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A role named on a member: id and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

/// A Logto user (the fields the bridge reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogtoUser {
    pub id: String,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

/// A member of an organization with their organization roles.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgMember {
    #[serde(flatten)]
    pub user: LogtoUser,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    pub invitee: String,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

struct CachedToken {
    value: String,
    renew_at: Instant,
}

pub struct LogtoClient {
    settings: LogtoSettings,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

impl LogtoClient {
    pub fn new(settings: LogtoSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .unwrap_or_default();
        Self {
            settings,
            http,
            token: tokio::sync::Mutex::new(None),
        }
    }

    /// The issuer of the tokens of this Logto tenant (the user mirror's `issuer`).
    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.settings.endpoint)
    }

    /// The Management API access token, fetched once and reused until shortly
    /// before it expires.
    async fn access_token(&self) -> Result<String, LogtoError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref()
            && Instant::now() < token.renew_at
        {
            return Ok(token.value.clone());
        }
        let response = self
            .http
            .post(format!("{}/oidc/token", self.settings.endpoint))
            .basic_auth(&self.settings.client_id, Some(&self.settings.client_secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", self.settings.resource.as_str()),
                ("scope", "all"),
            ])
            .send()
            .await
            .map_err(|e| LogtoError::unreachable("token", &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(LogtoError::Status {
                call: "token".into(),
                status: status.as_u16(),
            });
        }
        let body: TokenResponse = response
            .json()
            .await
            .map_err(|e| LogtoError::body("token", &e))?;
        let lifetime = Duration::from_secs(body.expires_in);
        let margin = TOKEN_MARGIN.min(lifetime / 2);
        *slot = Some(CachedToken {
            value: body.access_token.clone(),
            renew_at: Instant::now() + lifetime - margin,
        });
        Ok(body.access_token)
    }

    /// One Management API call: the response when it succeeded, else only its status.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<(StatusCode, Option<reqwest::Response>), LogtoError> {
        let token = self.access_token().await?;
        let mut request = self
            .http
            .request(method, format!("{}/api{path}", self.settings.endpoint))
            .bearer_auth(token)
            .query(query);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| LogtoError::unreachable(path, &e))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            // The token was revoked or rotated early: fetch a new one next time.
            *self.token.lock().await = None;
        }
        if status.is_success() {
            Ok((status, Some(response)))
        } else {
            Ok((status, None))
        }
    }

    async fn expect<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<T, LogtoError> {
        match self.call(method, path, query, body).await? {
            (_, Some(response)) => response
                .json::<T>()
                .await
                .map_err(|e| LogtoError::body(path, &e)),
            (status, None) => Err(LogtoError::status(path, status)),
        }
    }

    /// A call answered without a body we need; `Ok(false)` for a 404.
    async fn act(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<bool, LogtoError> {
        match self.call(method, path, &[], body).await? {
            (_, Some(_)) => Ok(true),
            (StatusCode::NOT_FOUND, None) => Ok(false),
            (status, None) => Err(LogtoError::status(path, status)),
        }
    }

    /// Every page of a list endpoint.
    async fn all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, LogtoError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let mut q = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("page_size", PAGE_SIZE.to_string()));
            let rows: Vec<T> = self.expect(Method::GET, path, &q, None).await?;
            let last = rows.len() < PAGE_SIZE;
            all.extend(rows);
            if last {
                return Ok(all);
            }
        }
        Err(LogtoError::Body {
            call: path.to_owned(),
            reason: format!("more than {} entries", PAGE_SIZE * MAX_PAGES),
        })
    }

    pub async fn create_organization(
        &self,
        name: &str,
        description: Option<&str>,
        firm_id: uuid::Uuid,
    ) -> Result<Organization, LogtoError> {
        let body = json!({
            "name": name,
            "description": description,
            "customData": { "lawosFirmId": firm_id },
        });
        self.expect(Method::POST, "/organizations", &[], Some(body))
            .await
    }

    /// The organization, or `None` when Logto does not know it.
    pub async fn organization(&self, id: &str) -> Result<Option<Organization>, LogtoError> {
        let path = format!("/organizations/{}", segment(id));
        match self.call(Method::GET, &path, &[], None).await? {
            (_, Some(response)) => response
                .json()
                .await
                .map(Some)
                .map_err(|e| LogtoError::body(&path, &e)),
            (StatusCode::NOT_FOUND, None) => Ok(None),
            (status, None) => Err(LogtoError::status(&path, status)),
        }
    }

    /// Deletes an organization (compensation of a creation); a missing one is fine.
    pub async fn delete_organization(&self, id: &str) -> Result<(), LogtoError> {
        let path = format!("/organizations/{}", segment(id));
        self.act(Method::DELETE, &path, None).await.map(|_| ())
    }

    /// The organization's members with their organization roles.
    pub async fn organization_members(&self, org: &str) -> Result<Vec<OrgMember>, LogtoError> {
        self.all_pages(&format!("/organizations/{}/users", segment(org)), &[])
            .await
    }

    pub async fn add_member(&self, org: &str, user_id: &str) -> Result<(), LogtoError> {
        let path = format!("/organizations/{}/users", segment(org));
        let body = json!({ "userIds": [user_id] });
        match self.act(Method::POST, &path, Some(body)).await? {
            true => Ok(()),
            false => Err(LogtoError::status(&path, StatusCode::NOT_FOUND)),
        }
    }

    /// Removes a member; `Ok(false)` when they were not one (already gone).
    pub async fn remove_member(&self, org: &str, user_id: &str) -> Result<bool, LogtoError> {
        let path = format!("/organizations/{}/users/{}", segment(org), segment(user_id));
        self.act(Method::DELETE, &path, None).await
    }

    /// Replaces the member's organization roles.
    pub async fn replace_member_roles(
        &self,
        org: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> Result<(), LogtoError> {
        let path = format!(
            "/organizations/{}/users/{}/roles",
            segment(org),
            segment(user_id)
        );
        let body = json!({ "organizationRoleIds": role_ids });
        match self.act(Method::PUT, &path, Some(body)).await? {
            true => Ok(()),
            false => Err(LogtoError::status(&path, StatusCode::NOT_FOUND)),
        }
    }

    /// The member's organization roles as Logto holds them now.
    pub async fn member_roles(&self, org: &str, user_id: &str) -> Result<Vec<RoleRef>, LogtoError> {
        let path = format!(
            "/organizations/{}/users/{}/roles",
            segment(org),
            segment(user_id)
        );
        self.expect(Method::GET, &path, &[], None).await
    }

    /// Every organization role (the organization template).
    pub async fn organization_roles(&self) -> Result<Vec<OrgRole>, LogtoError> {
        self.all_pages("/organization-roles", &[]).await
    }

    /// The user, or `None` when Logto does not know them.
    pub async fn user(&self, id: &str) -> Result<Option<LogtoUser>, LogtoError> {
        let path = format!("/users/{}", segment(id));
        match self.call(Method::GET, &path, &[], None).await? {
            (_, Some(response)) => response
                .json()
                .await
                .map(Some)
                .map_err(|e| LogtoError::body(&path, &e)),
            (StatusCode::NOT_FOUND, None) => Ok(None),
            (status, None) => Err(LogtoError::status(&path, status)),
        }
    }

    /// The user whose primary e-mail is exactly `email` (case-insensitive), if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<LogtoUser>, LogtoError> {
        let query = [
            ("search.primaryEmail", email.to_owned()),
            ("mode.primaryEmail", "exact".to_owned()),
            ("isCaseSensitive", "false".to_owned()),
        ];
        let users: Vec<LogtoUser> = self.expect(Method::GET, "/users", &query, None).await?;
        Ok(users.into_iter().find(|u| {
            u.primary_email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }))
    }

    /// Creates a Logto user with `email` as primary e-mail (and an initial
    /// password when one is given).
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password: Option<&str>,
    ) -> Result<LogtoUser, LogtoError> {
        let mut body = json!({ "primaryEmail": email, "name": name });
        if let Some(password) = password {
            body["password"] = json!(password);
        }
        self.expect(Method::POST, "/users", &[], Some(body)).await
    }

    /// Deletes a Logto user (compensation of a creation); a missing one is fine.
    pub async fn delete_user(&self, id: &str) -> Result<(), LogtoError> {
        let path = format!("/users/{}", segment(id));
        self.act(Method::DELETE, &path, None).await.map(|_| ())
    }

    /// Invites `email` into the organization with `role_ids`; Logto e-mails the
    /// invitation through its e-mail connector.
    pub async fn invite(
        &self,
        org: &str,
        email: &str,
        role_ids: &[String],
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Invitation, LogtoError> {
        let body = json!({
            "invitee": email,
            "organizationId": org,
            "expiresAt": expires_at.timestamp_millis(),
            "organizationRoleIds": role_ids,
            "messagePayload": {},
        });
        self.expect(Method::POST, "/organization-invitations", &[], Some(body))
            .await
    }

    /// Withdraws an invitation; a missing one is fine.
    pub async fn delete_invitation(&self, id: &str) -> Result<(), LogtoError> {
        let path = format!("/organization-invitations/{}", segment(id));
        self.act(Method::DELETE, &path, None).await.map(|_| ())
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn segment(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
