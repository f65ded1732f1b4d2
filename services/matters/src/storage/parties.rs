//! A matter's parties and budgets: add, list, soft delete.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Budget, Party};
use crate::schema::{matter_budgets, matter_contacts};

/// Adds a party; 409 naming `contactId` when the contact already has that role.
pub async fn insert_party(conn: &mut AsyncPgConnection, party: Party) -> Result<Party, ApiError> {
    diesel::insert_into(matter_contacts::table)
        .values(party)
        .returning(Party::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict_field(e, "contactId"))
}

/// Every party of a matter (a handful), in the order added.
pub async fn list_parties(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
) -> Result<Vec<Party>, ApiError> {
    Ok(matter_contacts::table
        .filter(matter_contacts::matter_id.eq(matter))
        .filter(matter_contacts::deleted_at.is_null())
        .select(Party::as_select())
        .order(matter_contacts::id.asc())
        .load(conn)
        .await?)
}

pub async fn remove_party(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        matter_contacts::table
            .find(id)
            .filter(matter_contacts::matter_id.eq(matter))
            .filter(matter_contacts::deleted_at.is_null()),
    )
    .set(matter_contacts::deleted_at.eq(now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

pub async fn insert_budget(
    conn: &mut AsyncPgConnection,
    budget: Budget,
) -> Result<Budget, ApiError> {
    Ok(diesel::insert_into(matter_budgets::table)
        .values(budget)
        .returning(Budget::as_returning())
        .get_result(conn)
        .await?)
}

/// Every budget of a matter, in the order added.
pub async fn list_budgets(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
) -> Result<Vec<Budget>, ApiError> {
    Ok(matter_budgets::table
        .filter(matter_budgets::matter_id.eq(matter))
        .filter(matter_budgets::deleted_at.is_null())
        .select(Budget::as_select())
        .order(matter_budgets::id.asc())
        .load(conn)
        .await?)
}

pub async fn remove_budget(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        matter_budgets::table
            .find(id)
            .filter(matter_budgets::matter_id.eq(matter))
            .filter(matter_budgets::deleted_at.is_null()),
    )
    .set((
        matter_budgets::deleted_at.eq(now),
        matter_budgets::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// A matter where a looked-up contact is a party, or a looked-up client is the client.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyMatter {
    pub matter_id: Uuid,
    pub matter_number: String,
    pub stage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    pub role: String,
}

/// The live matters (archived included, deleted not) where `contacts` are parties
/// (in each role they hold) and where `clients` are the matter's client (role
/// `CLIENT`), ordered by matter number.
pub async fn matters_of(
    conn: &mut AsyncPgConnection,
    contacts: &[Uuid],
    clients: &[Uuid],
) -> Result<Vec<PartyMatter>, ApiError> {
    use crate::schema::matters;
    let mut rows: Vec<PartyMatter> = if contacts.is_empty() {
        Vec::new()
    } else {
        matter_contacts::table
            .inner_join(matters::table.on(matters::id.eq(matter_contacts::matter_id)))
            .filter(matter_contacts::contact_id.eq_any(contacts))
            .filter(matter_contacts::deleted_at.is_null())
            .filter(matters::deleted_at.is_null())
            .select((
                matters::id,
                matters::matter_number,
                matters::stage,
                matter_contacts::contact_id.nullable(),
                None::<Uuid>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>>(),
                matter_contacts::role,
            ))
            .load(conn)
            .await?
    };
    if !clients.is_empty() {
        let by_client: Vec<PartyMatter> = matters::table
            .filter(matters::client_id.eq_any(clients))
            .filter(matters::deleted_at.is_null())
            .select((
                matters::id,
                matters::matter_number,
                matters::stage,
                None::<Uuid>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>>(),
                matters::client_id,
                "CLIENT".into_sql::<diesel::sql_types::Text>(),
            ))
            .load(conn)
            .await?;
        rows.extend(by_client);
    }
    rows.sort_by(|a, b| (&a.matter_number, &a.role).cmp(&(&b.matter_number, &b.role)));
    Ok(rows)
}
