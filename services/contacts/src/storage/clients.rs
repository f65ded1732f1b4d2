//! Clients and their people (client contacts).

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Client, ClientContact, ClientFields, NewClient};
use crate::schema::{client_contacts, clients, contacts};

pub async fn insert(conn: &mut AsyncPgConnection, new: NewClient) -> Result<Client, ApiError> {
    Ok(diesel::insert_into(clients::table)
        .values(new)
        .returning(Client::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Client>, ApiError> {
    Ok(clients::table
        .find(id)
        .filter(clients::deleted_at.is_null())
        .select(Client::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Client>, ApiError> {
    Ok(clients::table
        .find(id)
        .filter(clients::deleted_at.is_null())
        .select(Client::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: ClientFields,
) -> Result<Client, ApiError> {
    Ok(diesel::update(clients::table.find(id))
        .set(fields)
        .returning(Client::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
) -> Result<bool, ApiError> {
    let now = Utc::now();
    let n = diesel::update(
        clients::table
            .find(id)
            .filter(clients::deleted_at.is_null()),
    )
    .set((
        clients::deleted_at.eq(now),
        clients::updated_by.eq(by),
        clients::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// One page of the clients `visible` admits, in id order after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    visible: &MatterFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Client>, ApiError> {
    let mut query = clients::table
        .filter(clients::deleted_at.is_null())
        .filter(visible.predicate(clients::id))
        .select(Client::as_select())
        .order(clients::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(clients::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, visible: &MatterFilter) -> Result<i64, ApiError> {
    Ok(clients::table
        .filter(clients::deleted_at.is_null())
        .filter(visible.predicate(clients::id))
        .count()
        .get_result(conn)
        .await?)
}

/// Whether an undeleted contact `id` exists (in the transaction's firm).
pub async fn contact_exists(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        contacts::table
            .find(id)
            .filter(contacts::deleted_at.is_null()),
    ))
    .get_result(conn)
    .await?)
}

pub async fn list_links(
    conn: &mut AsyncPgConnection,
    client: Uuid,
) -> Result<Vec<ClientContact>, ApiError> {
    Ok(client_contacts::table
        .filter(client_contacts::client_id.eq(client))
        .select(ClientContact::as_select())
        .order(client_contacts::id.asc())
        .load(conn)
        .await?)
}

/// Adds a link; a second link of the same contact to the client is 409.
pub async fn insert_link(
    conn: &mut AsyncPgConnection,
    link: ClientContact,
) -> Result<ClientContact, ApiError> {
    diesel::insert_into(client_contacts::table)
        .values(link)
        .returning(ClientContact::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| {
            let api: ApiError = e.into();
            if api.code == lawos_core::ErrorCode::ResourceAlreadyExists {
                return api.with_details(serde_json::json!({ "field": "contactId" }));
            }
            api
        })
}

/// Removes the link of `contact` to `client`; `false` when there was none.
pub async fn delete_link(
    conn: &mut AsyncPgConnection,
    client: Uuid,
    contact: Uuid,
) -> Result<bool, ApiError> {
    let n = diesel::delete(
        client_contacts::table
            .filter(client_contacts::client_id.eq(client))
            .filter(client_contacts::contact_id.eq(contact)),
    )
    .execute(conn)
    .await?;
    Ok(n == 1)
}
