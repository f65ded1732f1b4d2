//! MyCase's REST API (v1) as the sync reads it: an OAuth token from the token
//! endpoint (a JSON body: `grant_type` `client_credentials` or
//! `refresh_token`, `client_id`, `client_secret`, `refresh_token`; MyCase
//! rotates refresh tokens, so the answer's new one replaces the stored one),
//! then lists as bare JSON arrays paged by cursor: `page_size` (1–1000) and the
//! `page_token` of the `Link: <…>; rel="next"` header, changed records chosen
//! with `filter[updated_after]`.
//!
//! A 429 waits for `Retry-After` (seconds or an HTTP date, cut to the
//! configured longest wait) or, without one, an exponential backoff, and
//! tries again, as do 5xx answers and network failures, up to the configured
//! attempts. A 401 is the caller's to handle (a new access token, once).

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LINK, RETRY_AFTER};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

use super::config::MyCaseConfig;
use super::model::REFRESH_TOKEN;
use super::seal::Secrets;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// 401: the access token is not (or no longer) accepted.
    Unauthorized,
    /// Anything else that ends the attempt, said for the run's log.
    Failed(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("MyCase answered 401 (the access token was refused)"),
            Self::Failed(why) => f.write_str(why),
        }
    }
}

/// A token endpoint's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    /// A new refresh token (MyCase rotates them): it replaces the stored one.
    pub refresh_token: Option<String>,
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Value>,
    pub next_token: Option<String>,
}

#[derive(Clone)]
pub struct MyCaseApi {
    http: reqwest::Client,
    config: MyCaseConfig,
}

/// The `page_token` of the `rel="next"` link, if there is a next page.
pub fn next_page_token(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let url = url::Url::parse(target).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "page_token")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    })
}

/// How long `Retry-After` asks to wait (seconds or an HTTP date).
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

impl MyCaseApi {
    pub fn new(config: MyCaseConfig) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            config,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.config
            .base_backoff
            .saturating_mul(factor)
            .min(self.config.max_backoff)
    }

    /// Sends what `build` makes until it is answered with neither 429 nor
    /// 5xx, waiting between attempts.
    async fn send(
        &self,
        what: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, CallError> {
        let mut attempt = 0u32;
        loop {
            let failure = match build().send().await {
                Ok(res) if res.status() == StatusCode::UNAUTHORIZED => {
                    return Err(CallError::Unauthorized);
                }
                Ok(res) if retryable(res.status()) => {
                    let wait = retry_after(res.headers(), Utc::now())
                        .map(|w| w.min(self.config.max_backoff))
                        .unwrap_or_else(|| self.backoff(attempt));
                    (format!("{what} answered {}", res.status().as_u16()), wait)
                }
                Ok(res) => return Ok(res),
                Err(e) => (format!("{what} failed: {e}"), self.backoff(attempt)),
            };
            attempt += 1;
            if attempt > self.config.max_retries {
                return Err(CallError::Failed(format!(
                    "{} (after {attempt} attempts)",
                    failure.0
                )));
            }
            tracing::info!(attempt, wait_ms = failure.1.as_millis() as u64, reason = %failure.0, "MyCase: waiting before another attempt");
            tokio::time::sleep(failure.1).await;
        }
    }

    /// An access token for `client_id` with `secrets` (by `grant_type`).
    pub async fn token(
        &self,
        token_url: &str,
        grant_type: &str,
        client_id: &str,
        secrets: &Secrets,
    ) -> Result<TokenAnswer, CallError> {
        let mut body = json!({
            "grant_type": if grant_type == REFRESH_TOKEN { "refresh_token" } else { "client_credentials" },
            "client_id": client_id,
            "client_secret": secrets.client_secret,
        });
        if grant_type == REFRESH_TOKEN {
            body["refresh_token"] = json!(secrets.refresh_token);
        }
        let res = self
            .send("the MyCase token endpoint", || {
                self.http.post(token_url).json(&body)
            })
            .await
            .map_err(|e| match e {
                CallError::Unauthorized => {
                    CallError::Failed("MyCase refused the credentials (401)".to_owned())
                }
                other => other,
            })?;
        let status = res.status();
        if !status.is_success() {
            return Err(CallError::Failed(format!(
                "MyCase refused the credentials ({})",
                status.as_u16()
            )));
        }
        res.json().await.map_err(|e| {
            CallError::Failed(format!("the MyCase token endpoint answered no token: {e}"))
        })
    }

    /// `GET {base}/{resource}`: one page of records changed after `since`.
    pub async fn list(
        &self,
        token: &str,
        base: &str,
        resource: &str,
        since: Option<DateTime<Utc>>,
        page_token: Option<&str>,
    ) -> Result<Page, CallError> {
        let mut url = url::Url::parse(&format!("{base}/{resource}"))
            .map_err(|e| CallError::Failed(format!("the MyCase URL is not valid: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("page_size", &self.config.page_size.to_string());
            if let Some(since) = since {
                q.append_pair(
                    "filter[updated_after]",
                    &since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
            }
            if let Some(t) = page_token {
                q.append_pair("page_token", t);
            }
        }
        let what = format!("MyCase GET /{resource}");
        let res = self
            .send(&what, || self.http.get(url.clone()).bearer_auth(token))
            .await?;
        if !res.status().is_success() {
            return Err(CallError::Failed(format!(
                "{what} answered {}",
                res.status().as_u16()
            )));
        }
        let next_token = next_page_token(res.headers());
        let body: Value = res
            .json()
            .await
            .map_err(|e| CallError::Failed(format!("{what} answered no JSON: {e}")))?;
        match body {
            Value::Array(items) => Ok(Page { items, next_token }),
            _ => Err(CallError::Failed(format!("{what} answered no list"))),
        }
    }

    /// `GET {base}/{resource}/{id}`; `None` on 404.
    pub async fn one(
        &self,
        token: &str,
        base: &str,
        resource: &str,
        id: &str,
    ) -> Result<Option<Value>, CallError> {
        let mut url = url::Url::parse(&format!("{base}/{resource}/"))
            .map_err(|e| CallError::Failed(format!("the MyCase URL is not valid: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| CallError::Failed("the MyCase URL is not valid".to_owned()))?
            .pop_if_empty()
            .push(id);
        let what = format!("MyCase GET /{resource}/{{id}}");
        let res = self
            .send(&what, || self.http.get(url.clone()).bearer_auth(token))
            .await?;
        match res.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => res
                .json()
                .await
                .map(Some)
                .map_err(|e| CallError::Failed(format!("{what} answered no JSON: {e}"))),
            s => Err(CallError::Failed(format!("{what} answered {}", s.as_u16()))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_next_link_names_the_page_token() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            HeaderValue::from_static(
                "<https://api.example/v1/cases?page_size=2&page_token=abc%3D>; rel=\"prev\", \
                 <https://api.example/v1/cases?page_size=2&page_token=xyz%3D%3D>; rel=\"next\"",
            ),
        );
        assert_eq!(next_page_token(&h).as_deref(), Some("xyz=="));
        h.insert(
            LINK,
            HeaderValue::from_static("<https://api.example/v1/cases?page_token=a>; rel=\"prev\""),
        );
        assert_eq!(next_page_token(&h), None);
        assert_eq!(next_page_token(&HeaderMap::new()), None);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-03-14T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sat, 14 Mar 2026 10:00:07 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }
}
