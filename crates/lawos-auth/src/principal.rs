//! The authenticated caller, as handlers see it.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use lawos_core::{ApiError, FirmId, UserId};

use crate::claims::Claims;
use crate::error::TokenError;
use crate::scopes::{ScopeSet, roles};

/// Who is calling: built from a validated token by [`crate::Authenticate`]
/// and extracted by handlers (`principal: Principal`, or `Option<Principal>`
/// on routes that also serve anonymous callers).
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The `sub` claim.
    pub subject: String,
    /// `sub` as a platform user id, when it is a uuid.
    pub user_id: Option<UserId>,
    /// The `firm_id` claim.
    pub firm_id: Option<FirmId>,
    /// Logto's `organization_id` (resolved to a firm by the tenants service).
    pub organization_id: Option<String>,
    pub client_id: Option<String>,
    /// The `sid` claim.
    pub session_id: Option<String>,
    /// `act.sub`: the support administrator acting as `subject`.
    pub act_as: Option<String>,
    pub scopes: ScopeSet,
    pub roles: Vec<String>,
    pub issuer: String,
    pub token_id: Option<String>,
    /// `exp`, seconds since the epoch.
    pub expires_at: i64,
    /// The bearer token as received, for forwarding to other services.
    pub token: String,
}

impl Principal {
    pub fn from_claims(claims: Claims, token: impl Into<String>) -> Self {
        let scopes = ScopeSet::parse(&claims.scope);
        Self {
            user_id: claims.sub.parse::<UserId>().ok(),
            subject: claims.sub,
            firm_id: claims.firm_id,
            organization_id: claims.organization_id,
            client_id: claims.client_id,
            session_id: claims.sid,
            act_as: claims.act.map(|a| a.sub),
            scopes,
            roles: claims.roles,
            issuer: claims.iss,
            token_id: claims.jti,
            expires_at: claims.exp,
            token: token.into(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// `Ok` when the token grants `scope`, else 403 `PERMISSION_DENIED` naming it.
    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        self.scopes.require(scope)
    }

    /// `Ok` when the token grants at least one of `scopes`.
    pub fn require_any_scope(&self, scopes: &[&str]) -> Result<(), ApiError> {
        self.scopes.require_any(scopes)
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The FIRM_ADMIN of `firm` itself (the role in a token of that firm).
    pub fn is_firm_admin_of(&self, firm: FirmId) -> bool {
        self.firm_id == Some(firm) && self.has_role(roles::FIRM_ADMIN)
    }

    pub fn is_system_admin(&self) -> bool {
        self.has_role(roles::SYSTEM_ADMIN)
    }

    /// A `client_credentials` token: the subject is the client itself
    /// (`sub == client_id`, as both the platform issuer and Logto issue them),
    /// so no user stands behind it.
    pub fn is_service(&self) -> bool {
        self.client_id.as_deref() == Some(self.subject.as_str())
    }

    /// Whether a support administrator is acting as the subject.
    pub fn is_impersonated(&self) -> bool {
        self.act_as.is_some()
    }

    /// The `Authorization` header value to forward this caller's token.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(|| TokenError::Missing.into()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn builds_from_claims() {
        let user = UserId::new();
        let firm = FirmId::new();
        let claims = Claims::new("iss", user.to_string(), "aud", Duration::from_secs(60))
            .with_firm(firm)
            .with_scopes(["a:b", "c:d"])
            .with_roles(["SYSTEM_ADMIN"])
            .with_actor("support-1")
            .with_session("s1")
            .with_client_id("web");
        let p = Principal::from_claims(claims, "tok");
        assert_eq!(p.user_id, Some(user));
        assert_eq!(p.firm_id, Some(firm));
        assert!(p.has_scope("c:d") && !p.has_scope("x"));
        assert!(p.is_system_admin() && !p.is_service() && p.is_impersonated());
        assert_eq!(p.session_id.as_deref(), Some("s1"));
        assert_eq!(p.bearer(), "Bearer tok");
        let svc = Principal::from_claims(
            Claims::new("iss", "svc-billing", "aud", Duration::from_secs(60))
                .with_client_id("svc-billing"),
            "t",
        );
        assert!(svc.is_service() && svc.user_id.is_none());
    }

    #[test]
    fn a_firm_admin_administers_only_the_firm_of_the_token() {
        let (firm, other) = (FirmId::new(), FirmId::new());
        let token = |roles: &[&str]| {
            let claims = Claims::new(
                "iss",
                UserId::new().to_string(),
                "aud",
                Duration::from_secs(60),
            )
            .with_firm(firm)
            .with_roles(roles.iter().copied());
            Principal::from_claims(claims, "t")
        };
        let admin = token(&["FIRM_ADMIN"]);
        assert!(admin.is_firm_admin_of(firm));
        assert!(!admin.is_firm_admin_of(other), "another firm");
        assert!(!token(&["LAWYER"]).is_firm_admin_of(firm), "another role");
    }
}
