//! Queries of the tenants schema. Each takes a connection already inside a tenant
//! transaction, so row-level security decides what it can see.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Firm, FirmChanges, FirmDomain, NewFirm};
use crate::schema::{firm_domains, firms};

pub async fn insert_firm(conn: &mut AsyncPgConnection, new: NewFirm) -> Result<Firm, ApiError> {
    diesel::insert_into(firms::table)
        .values(new)
        .returning(Firm::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "slug"))
}

pub async fn find_firm(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Firm>, ApiError> {
    Ok(firms::table
        .find(id)
        .select(Firm::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn lock_firm(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Firm>, ApiError> {
    Ok(firms::table
        .find(id)
        .select(Firm::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// One page of firms in id (creation) order after `after`, `limit + 1` rows.
pub async fn list_firms(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Firm>, ApiError> {
    let mut query = firms::table
        .select(Firm::as_select())
        .order(firms::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(firms::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_firms(conn: &mut AsyncPgConnection) -> Result<i64, ApiError> {
    Ok(firms::table.count().get_result(conn).await?)
}

pub async fn update_firm(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: FirmChanges,
) -> Result<Firm, ApiError> {
    diesel::update(firms::table.find(id))
        .set(changes)
        .returning(Firm::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "logtoOrgId"))
}

pub async fn resolve(
    conn: &mut AsyncPgConnection,
    key: &str,
    value: &str,
) -> Result<Option<Firm>, ApiError> {
    let query = firms::table.select(Firm::as_select()).into_boxed();
    let query = match key {
        "slug" => query.filter(firms::slug.eq(value.to_owned())),
        "logto_org_id" => query.filter(firms::logto_org_id.eq(value.to_owned())),
        _ => query.filter(
            firms::id.eq_any(
                firm_domains::table
                    .filter(firm_domains::domain.eq(value.to_owned()))
                    .filter(firm_domains::verified.eq(true))
                    .select(firm_domains::firm_id),
            ),
        ),
    };
    Ok(query.first(conn).await.optional()?)
}

pub async fn insert_domain(
    conn: &mut AsyncPgConnection,
    domain: FirmDomain,
) -> Result<FirmDomain, ApiError> {
    diesel::insert_into(firm_domains::table)
        .values(domain)
        .returning(FirmDomain::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "domain"))
}

pub async fn list_domains(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FirmDomain>, ApiError> {
    let mut query = firm_domains::table
        .filter(firm_domains::firm_id.eq(firm_id))
        .select(FirmDomain::as_select())
        .order(firm_domains::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(firm_domains::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_domains(conn: &mut AsyncPgConnection, firm_id: Uuid) -> Result<i64, ApiError> {
    Ok(firm_domains::table
        .filter(firm_domains::firm_id.eq(firm_id))
        .count()
        .get_result(conn)
        .await?)
}

/// Removes a domain; `false` when the firm has no such domain.
pub async fn delete_domain(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    id: Uuid,
) -> Result<bool, ApiError> {
    let n = diesel::delete(
        firm_domains::table
            .filter(firm_domains::id.eq(id))
            .filter(firm_domains::firm_id.eq(firm_id)),
    )
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// A unique violation becomes 409 naming the field that collided.
fn conflict_field(err: diesel::result::Error, field: &str) -> ApiError {
    let api: ApiError = err.into();
    if api.code == lawos_core::ErrorCode::ResourceAlreadyExists {
        return api.with_details(serde_json::json!({ "field": field }));
    }
    api
}
