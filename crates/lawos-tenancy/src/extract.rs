//! The `Tenant` extractor: an authenticated principal and the firm it acts for.

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use lawos_auth::Principal;
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::TenantCtx;
use std::sync::Arc;

use crate::resolver::FirmResolver;

pub const X_FIRM_ID: HeaderName = HeaderName::from_static("x-firm-id");

/// The resolver every service registers as app data.
pub type SharedResolver = web::Data<Arc<dyn FirmResolver>>;

/// An authenticated request bound to one firm.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub firm_id: FirmId,
    pub principal: Principal,
}

impl Tenant {
    /// The database context for this request's tenant transaction.
    pub fn ctx(&self) -> TenantCtx {
        TenantCtx {
            firm_id: Some(self.firm_id),
            user_id: self.principal.user_id,
            act_as: self.principal.act_as.clone(),
            all_firms: false,
            traceparent: None,
        }
    }
}

fn denied() -> ApiError {
    ApiError::new(
        ErrorCode::FirmAccessDenied,
        "You cannot access this firm's data",
    )
}

fn host_of(req: &HttpRequest) -> Option<String> {
    let info = req.connection_info();
    let host = info.host().split(':').next()?.to_ascii_lowercase();
    let local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok();
    (!local).then_some(host)
}

async fn resolve_tenant(req: HttpRequest) -> Result<Tenant, ApiError> {
    let principal = Principal::extract(&req).await?;
    let resolver = req.app_data::<SharedResolver>().cloned();
    if let Some(header) = req.headers().get(X_FIRM_ID) {
        let firm_id: FirmId = header
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidFieldFormat, "X-Firm-Id must be a firm id")
            })?;
        // System administrators and services (acting for a firm after their own checks)
        // may name the firm; anyone else only their own.
        if principal.is_system_admin()
            || principal.is_service()
            || principal.firm_id == Some(firm_id)
        {
            return Ok(Tenant { firm_id, principal });
        }
        return Err(denied());
    }
    if let Some(firm_id) = principal.firm_id {
        return Ok(Tenant { firm_id, principal });
    }
    let Some(resolver) = resolver else {
        return Err(denied());
    };
    if let Some(org) = principal.organization_id.clone()
        && let Some(found) = resolver.resolve("logto_org_id", &org).await?
    {
        return Ok(Tenant {
            firm_id: found.firm_id,
            principal,
        });
    }
    // A system administrator without a firm claim works on the firm whose domain it calls.
    if principal.is_system_admin()
        && let Some(host) = host_of(&req)
        && let Some(found) = resolver.resolve("host", &host).await?
    {
        return Ok(Tenant {
            firm_id: found.firm_id,
            principal,
        });
    }
    Err(denied())
}

impl FromRequest for Tenant {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(resolve_tenant(req))
    }
}

/// The firm a public (unauthenticated) request is addressed to, by host.
#[derive(Debug, Clone, Copy)]
pub struct HostFirm(pub FirmId);

impl FromRequest for HostFirm {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let not_found =
                || ApiError::new(ErrorCode::ResourceNotFound, "No firm serves this host");
            let resolver = req
                .app_data::<SharedResolver>()
                .cloned()
                .ok_or_else(not_found)?;
            let host = host_of(&req).ok_or_else(not_found)?;
            let found = resolver
                .resolve("host", &host)
                .await?
                .ok_or_else(not_found)?;
            Ok(HostFirm(found.firm_id))
        })
    }
}
