//! One file per flow: the catalogue, roles, assignments, grants, field policies
//! and capabilities.

pub mod assignments;
pub mod capabilities;
pub mod catalogue;
pub mod field_policies;
pub mod grants;
pub mod holders;
pub mod roles;

use lawos_core::{ApiError, CursorCodec, PageParams};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Keyset position of a list: rows are ordered by their UUIDv7 id.
#[derive(Serialize, Deserialize)]
pub struct Position {
    pub id: Uuid,
}

/// The page size and the id to continue after.
pub fn page(cursors: &CursorCodec, page: &PageParams) -> Result<(i64, Option<Uuid>), ApiError> {
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.id);
    Ok((limit, after))
}

pub fn cursor(cursors: &CursorCodec, id: Uuid) -> Result<String, ApiError> {
    cursors.encode(&Position { id })
}
