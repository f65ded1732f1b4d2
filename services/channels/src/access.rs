//! Who may see and do what with a channel, decided with `lawos-authz` in the
//! order authenticated → firm (the `Tenant` extractor) → scope → reach / grant
//! / wall. Access follows the channel's context:
//!
//! - a `MATTER` channel is the matter's: `scope` on `Resource::matter(id)`
//!   (reach, grants, ethical walls);
//! - a `CONTACT` channel is for whoever may read contacts (`clients:read`, a
//!   firm-level scope, as in the contacts service) and holds the scope;
//! - an `INTERNAL` channel (the firm's SMS intake, a team room) is for callers
//!   whose scope reaches the whole firm (LAWYER, FIRM_ADMIN, SYSTEM_ADMIN), and
//!   for its user participants holding the scope at any reach.
//!
//! A channel the caller cannot see (`channels:read`), or another firm's, is 404;
//! a forbidden action on a visible one is 403 `PERMISSION_DENIED`. A service
//! principal (messages asking about a channel) is not limited.

use lawos_authz::{Access, Capabilities, Decision, MatterFilter, Reach, Resource};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::model::{Context, Loaded};

pub const CHANNELS_READ: &str = "channels:read";
pub const CHANNELS_CREATE: &str = "channels:create";
pub const CHANNELS_UPDATE: &str = "channels:update";
pub const MESSAGES_READ: &str = "messages:read";
pub const MESSAGES_CREATE: &str = "messages:create";
pub const CLIENTS_READ: &str = "clients:read";

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Channel", id)
}

fn forbidden(scope: &str) -> ApiError {
    ApiError::permission_denied(format!("This action requires the {scope} scope"))
        .with_details(json!({ "requiredScopes": [scope] }))
}

/// Whether `caps` allow `scope` on a channel of `context` (`participant`: the
/// caller takes part in it).
fn allows(caps: &Capabilities, context: Context, participant: bool, scope: &str) -> bool {
    match context {
        Context::Matter(id) => caps.decide(scope, &Resource::matter(id)) == Decision::Allowed,
        Context::Contact(_) => caps.reach(scope).is_some() && caps.reach(CLIENTS_READ).is_some(),
        Context::Internal => match caps.reach(scope) {
            Some(Reach::All) => true,
            Some(Reach::Assigned) => participant,
            None => false,
        },
    }
}

/// `scope` on `channel` for the caller (`user`): `Ok`, 404 when the channel is
/// out of sight, 403 when it is visible but `scope` is not allowed.
pub fn require(
    access: &Access,
    channel: &Loaded,
    user: Option<Uuid>,
    scope: &str,
) -> Result<(), ApiError> {
    let Some(caps) = access.capabilities() else {
        return Ok(());
    };
    let context = channel.row.context();
    let participant = channel.has_user(user);
    if !allows(caps, context, participant, CHANNELS_READ) {
        return Err(not_found(channel.row.id));
    }
    if scope == CHANNELS_READ || allows(caps, context, participant, scope) {
        Ok(())
    } else {
        Err(forbidden(scope))
    }
}

/// May the caller open a channel in `context`? 403 without `channels:create`
/// (or, for a contact's, without `clients:read`); a matter out of the caller's
/// reach is 422 naming `contextId`, exactly like one that does not exist.
pub fn may_create(access: &Access, context: Context) -> Result<(), ApiError> {
    access.require_firm(CHANNELS_CREATE)?;
    let Some(caps) = access.capabilities() else {
        return Ok(());
    };
    match context {
        Context::Matter(id) => match caps.decide(CHANNELS_CREATE, &Resource::matter(id)) {
            Decision::Allowed => Ok(()),
            Decision::Forbidden => Err(forbidden(CHANNELS_CREATE)),
            Decision::Hidden => Err(unknown_matter(id)),
        },
        Context::Contact(_) => access.require_firm(CLIENTS_READ),
        Context::Internal => Ok(()),
    }
}

pub fn unknown_matter(id: Uuid) -> ApiError {
    FieldErrors::single(
        "contextId",
        ErrorCode::ResourceNotFound,
        format!("no matter {id} in this firm"),
    )
    .into()
}

/// What a list may show, decided in SQL (see `storage::channels::list`).
#[derive(Debug, Clone)]
pub struct Visibility {
    /// The matters whose channels show.
    pub matters: MatterFilter,
    /// Whether contacts' channels show.
    pub contacts: bool,
    /// Whether every internal channel shows (else only those the caller takes part in).
    pub internal: bool,
    /// The caller, for the channels they take part in.
    pub user: Option<Uuid>,
}

impl Visibility {
    /// The caller's view of the firm's channels; 403 without `channels:read`.
    pub fn of(access: &Access, user: Option<Uuid>) -> Result<Self, ApiError> {
        let matters = access.matter_filter(CHANNELS_READ)?;
        let Some(caps) = access.capabilities() else {
            return Ok(Self {
                matters,
                contacts: true,
                internal: true,
                user,
            });
        };
        Ok(Self {
            matters,
            contacts: caps.reach(CLIENTS_READ).is_some(),
            internal: caps.reach(CHANNELS_READ) == Some(Reach::All),
            user,
        })
    }
}
