//! One file per flow: discovery (metadata and keys), tokens (grants and
//! revocation), the caller's own profile and export, the firm directory, user
//! administration, provisioning, lawyer credentials, support sessions and locks.

pub mod credentials;
pub mod discovery;
pub mod export;
pub mod firm_users;
pub mod logto;
pub mod me;
pub mod members;
pub mod sso;
pub mod support_locks;
pub mod support_sessions;
pub mod token;
pub mod users;

use lawos_core::{ApiError, CursorCodec, PageParams};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The position a list cursor carries: the last row's id.
#[derive(Serialize, Deserialize)]
struct Position {
    id: Uuid,
}

/// The id after which a page starts, from its cursor.
pub(crate) fn after(cursors: &CursorCodec, page: &PageParams) -> Result<Option<Uuid>, ApiError> {
    Ok(page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.id))
}

/// The cursor of a page ending at `id`.
pub(crate) fn cursor(cursors: &CursorCodec, id: Uuid) -> Result<String, ApiError> {
    cursors.encode(&Position { id })
}
