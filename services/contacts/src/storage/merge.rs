//! Merging one contact into another: its client links move to the survivor.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::schema::{client_contacts, clients};

/// What moved from the merged contact to the survivor.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Moved {
    pub client_links: usize,
    pub clients: usize,
}

/// Re-points `from`'s client links and primary-contact references at `to`;
/// a link `to` already has to the same client is kept once.
pub async fn relink(conn: &mut AsyncPgConnection, from: Uuid, to: Uuid) -> Result<Moved, ApiError> {
    let dropped = diesel::sql_query(
        "delete from contacts.client_contacts f where f.contact_id = $1 and exists \
         (select 1 from contacts.client_contacts t where t.client_id = f.client_id and t.contact_id = $2)",
    )
    .bind::<diesel::sql_types::Uuid, _>(from)
    .bind::<diesel::sql_types::Uuid, _>(to)
    .execute(conn)
    .await?;
    let links = diesel::update(client_contacts::table.filter(client_contacts::contact_id.eq(from)))
        .set(client_contacts::contact_id.eq(to))
        .execute(conn)
        .await?;
    let primary = diesel::update(clients::table.filter(clients::contact_id.eq(from)))
        .set((
            clients::contact_id.eq(to),
            clients::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(Moved {
        client_links: links + dropped,
        clients: primary,
    })
}
