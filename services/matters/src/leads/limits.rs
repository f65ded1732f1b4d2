//! Rate limits of the public intake, in Redis (GCRA, `lawos-cache`): per client
//! IP, checked before anything else, and per firm, once the firm is known.
//! Both allow their whole minute's worth at once (burst = limit). Like the
//! platform's limiter they fail open, with a warning, when Redis is down.
//!
//! The client IP is the TCP peer, unless `LAWOS_LEADS_TRUSTED_PROXY_HOPS` says
//! how many proxies of ours append to `X-Forwarded-For`: then it is the entry
//! the outermost of them saw (counted from the right), which a client cannot forge.

use actix_web::HttpRequest;
use lawos_cache::{Cache, ClientType, RateLimiter, RatePolicy};
use lawos_core::{ApiError, FirmId};
use std::time::Duration;

#[derive(Clone)]
pub struct LeadLimits {
    per_ip: Option<RateLimiter>,
    per_firm: Option<RateLimiter>,
    trusted_hops: usize,
}

fn limiter(cache: &Cache, per_minute: u32) -> RateLimiter {
    let policy = RatePolicy {
        limit: per_minute,
        burst: per_minute,
        period: Duration::from_secs(60),
    };
    RateLimiter::new(cache.clone()).with_policy(ClientType::Web, policy)
}

impl LeadLimits {
    pub fn new(cache: Option<&Cache>, per_ip: u32, per_firm: u32, trusted_hops: usize) -> Self {
        if cache.is_none() {
            tracing::warn!("no Redis: lead intake is not rate-limited");
        }
        Self {
            per_ip: cache.map(|c| limiter(c, per_ip)),
            per_firm: cache.map(|c| limiter(c, per_firm)),
            trusted_hops,
        }
    }

    /// The client's address, as far as the trusted proxies say.
    pub fn client_ip(&self, req: &HttpRequest) -> String {
        let peer = req
            .peer_addr()
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
        if self.trusted_hops == 0 {
            return peer;
        }
        let forwarded: Vec<String> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        forwarded
            .len()
            .checked_sub(self.trusted_hops)
            .and_then(|i| forwarded.get(i))
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
            .cloned()
            .unwrap_or(peer)
    }

    async fn check(limiter: Option<&RateLimiter>, subject: String) -> Result<(), ApiError> {
        let Some(limiter) = limiter else {
            return Ok(());
        };
        match limiter.check(&subject, ClientType::Web).await {
            Ok(d) if d.allowed => Ok(()),
            Ok(d) => {
                tracing::info!(
                    subject,
                    retry_after = d.retry_after_secs,
                    "lead rate limit exceeded"
                );
                Err(d.into_error())
            }
            Err(e) => {
                tracing::warn!(error = %e, "lead rate limiter unavailable; letting the lead through");
                Ok(())
            }
        }
    }

    pub async fn check_ip(&self, ip: &str) -> Result<(), ApiError> {
        Self::check(self.per_ip.as_ref(), format!("lead-ip:{ip}")).await
    }

    pub async fn check_firm(&self, firm: FirmId) -> Result<(), ApiError> {
        Self::check(self.per_firm.as_ref(), format!("lead-firm:{firm}")).await
    }
}
