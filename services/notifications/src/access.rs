//! Who reads which notifications. Each person reads only their own
//! (`notifications:read`; marking read and preferences need
//! `notifications:update`), and of those only what they may still see now:
//! a notification about something under a matter is shown while they may read
//! that matter (reach, grants, walls, as `lawos-authz` decides `matters:read`),
//! and never when an ethical wall names its resource, so a wall added after
//! the event hides it from the list, the count and the socket.
//!
//! Firm settings and defaults are for the firm's administrator (`FIRM_ADMIN`)
//! or a platform administrator holding `firms:update`.

use diesel::dsl;
use diesel::prelude::*;
use lawos_authz::{Authz, Capabilities, MatterFilter, MatterPredicate};
use lawos_core::{ApiError, FirmId, UserId};
use lawos_tenancy::Tenant;
use std::sync::Arc;
use uuid::Uuid;

use crate::schema::notifications;

pub const READ: &str = "notifications:read";
pub const UPDATE: &str = "notifications:update";
pub const FIRM_ADMIN: &str = "FIRM_ADMIN";
pub const FIRMS_UPDATE: &str = "firms:update";

/// The person whose notifications a request reads or changes.
#[derive(Debug, Clone)]
pub struct Reader {
    pub firm: FirmId,
    pub user: UserId,
    pub visibility: Visibility,
}

/// What of their notifications someone may see now.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Matters whose notifications show (`matters:read`).
    pub matters: MatterFilter,
    /// Resources an ethical wall hides (resource or sub-resource DENY grants).
    pub walled: Vec<Uuid>,
}

impl Visibility {
    pub fn of(caps: &Capabilities) -> Self {
        let matters = caps
            .matter_filter("matters:read")
            .unwrap_or(MatterFilter::Only(Vec::new()));
        let walled = caps
            .doc
            .grants
            .iter()
            .filter(|g| g.action == "DENY")
            .filter_map(|g| {
                g.subresource_id
                    .or((g.resource_type != lawos_authz::MATTER).then_some(g.resource_id))
            })
            .collect();
        Self { matters, walled }
    }

    /// Whether one notification shows (the same rule as [`Self::predicate`]).
    pub fn admits(&self, matter_id: Option<Uuid>, resource_id: Uuid) -> bool {
        matter_id.is_none_or(|m| self.matters.admits(m)) && !self.walled.contains(&resource_id)
    }

    /// The rule in SQL: `(matter_id IS NULL OR <matters>) AND resource_id <> ALL(<walled>)`.
    pub fn predicate(&self) -> VisiblePredicate {
        let matter = notifications::matter_id.is_null().or(self
            .matters
            .predicate(notifications::matter_id.assume_not_null()));
        matter.and(notifications::resource_id.ne_all(self.walled.clone()))
    }
}

/// The SQL form of a [`Visibility`], for `.filter(…)` on notifications.
pub type VisiblePredicate = dsl::And<
    dsl::Or<
        dsl::IsNull<notifications::matter_id>,
        MatterPredicate<dsl::AssumeNotNull<notifications::matter_id>>,
    >,
    dsl::NeAny<notifications::resource_id, Vec<Uuid>>,
>;

fn no_user() -> ApiError {
    ApiError::permission_denied("Notifications belong to users: this token names none")
}

/// The caller, once `scope` is allowed in their firm.
pub async fn reader(authz: &Authz, tenant: &Tenant, scope: &str) -> Result<Reader, ApiError> {
    let user = tenant.principal.user_id.ok_or_else(no_user)?;
    if tenant.principal.is_service() {
        return Err(no_user());
    }
    let access = authz
        .authorize_firm(&tenant.principal, tenant.firm_id, scope)
        .await?;
    let caps: Arc<Capabilities> = match access.capabilities() {
        Some(_) => authz.capabilities(tenant.firm_id.0, user.0).await?,
        None => return Err(no_user()),
    };
    Ok(Reader {
        firm: tenant.firm_id,
        user,
        visibility: Visibility::of(&caps),
    })
}

/// The visibility of `user`'s notifications now (for pushes and counts made
/// outside a request).
pub async fn visibility_of(
    authz: &Authz,
    firm: FirmId,
    user: UserId,
) -> Result<Visibility, ApiError> {
    let caps = authz.capabilities(firm.0, user.0).await?;
    Ok(Visibility::of(&caps))
}

/// Administering the firm's notification settings.
pub fn firm_admin(tenant: &Tenant) -> Result<(), ApiError> {
    let p = &tenant.principal;
    if p.is_firm_admin_of(tenant.firm_id) || p.has_scope(FIRMS_UPDATE) {
        Ok(())
    } else {
        Err(ApiError::permission_denied(
            "The firm's notification settings are for its administrator",
        )
        .with_details(
            serde_json::json!({ "roles": [FIRM_ADMIN], "requiredScopes": [FIRMS_UPDATE] }),
        ))
    }
}
