//! Clients' sealed PII fields (`client_pii`): one row per client and field.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::ClientPii;
use crate::schema::client_pii;

/// The sealed fields of `clients`.
pub async fn load(
    conn: &mut AsyncPgConnection,
    clients: &[Uuid],
) -> Result<Vec<ClientPii>, ApiError> {
    Ok(client_pii::table
        .filter(client_pii::client_id.eq_any(clients.to_vec()))
        .select(ClientPii::as_select())
        .load(conn)
        .await?)
}

/// Stores (or replaces) one sealed field.
pub async fn put(conn: &mut AsyncPgConnection, row: ClientPii) -> Result<(), ApiError> {
    diesel::insert_into(client_pii::table)
        .values(&row)
        .on_conflict((
            client_pii::firm_id,
            client_pii::client_id,
            client_pii::field,
        ))
        .do_update()
        .set((
            client_pii::ciphertext.eq(excluded(client_pii::ciphertext)),
            client_pii::key_id.eq(excluded(client_pii::key_id)),
            client_pii::updated_at.eq(excluded(client_pii::updated_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear(
    conn: &mut AsyncPgConnection,
    client: Uuid,
    field: &str,
) -> Result<(), ApiError> {
    diesel::delete(
        client_pii::table
            .filter(client_pii::client_id.eq(client))
            .filter(client_pii::field.eq(field.to_owned())),
    )
    .execute(conn)
    .await?;
    Ok(())
}
