//! Queries of the bridge's tables, on a transaction opened by `with_tenant`
//! (row-level security confines a firm context to its firm).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use super::model::{LogtoOrg, Membership, SyncLogRow};
use crate::model::User;
use crate::schema::{logto_org_memberships as m, logto_organizations as o, logto_sync_log, users};

pub async fn org_of_firm(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
) -> Result<Option<LogtoOrg>, ApiError> {
    Ok(o::table
        .filter(o::firm_id.eq(firm_id))
        .select(LogtoOrg::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Records a firm's organization; `false` when the firm already has one.
pub async fn insert_org(conn: &mut AsyncPgConnection, org: &LogtoOrg) -> Result<bool, ApiError> {
    let inserted = diesel::insert_into(o::table)
        .values(org.clone())
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

pub async fn mark_synced(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: &str,
    description: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(o::table.find(id))
        .set((
            o::name.eq(name),
            o::description.eq(description),
            o::synced_at.eq(now),
            o::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn list_orgs(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<(Vec<LogtoOrg>, i64), ApiError> {
    let mut query = o::table
        .select(LogtoOrg::as_select())
        .order(o::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(o::id.gt(after));
    }
    let rows = query.load(conn).await?;
    let total = o::table.count().get_result(conn).await?;
    Ok((rows, total))
}

pub async fn list_members(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<(Vec<Membership>, i64), ApiError> {
    let mut query = m::table
        .filter(m::firm_id.eq(firm_id))
        .select(Membership::as_select())
        .order(m::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(m::id.gt(after));
    }
    let rows = query.load(conn).await?;
    let total = m::table
        .filter(m::firm_id.eq(firm_id))
        .count()
        .get_result(conn)
        .await?;
    Ok((rows, total))
}

pub async fn all_members(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
) -> Result<Vec<Membership>, ApiError> {
    Ok(m::table
        .filter(m::firm_id.eq(firm_id))
        .select(Membership::as_select())
        .for_update()
        .load(conn)
        .await?)
}

pub async fn find_member(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    id: Uuid,
) -> Result<Option<Membership>, ApiError> {
    Ok(m::table
        .filter(m::firm_id.eq(firm_id).and(m::id.eq(id)))
        .select(Membership::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The member holding `logto_user_id` or invited as `email` in the firm.
pub async fn find_by_identity(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    logto_user_id: Option<&str>,
    email: Option<&str>,
) -> Result<Option<Membership>, ApiError> {
    let rows: Vec<Membership> = m::table
        .filter(m::firm_id.eq(firm_id))
        .select(Membership::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().find(|r| {
        (logto_user_id.is_some() && r.logto_user_id.as_deref() == logto_user_id)
            || (email.is_some() && r.email.as_deref() == email)
    }))
}

pub async fn insert_member(
    conn: &mut AsyncPgConnection,
    row: Membership,
) -> Result<Membership, ApiError> {
    Ok(diesel::insert_into(m::table)
        .values(row)
        .returning(Membership::as_returning())
        .get_result(conn)
        .await?)
}

/// Writes what Logto reported for a member; rows that did not change are not
/// touched (so they emit no `logto_org_membership.updated`).
pub async fn update_member(
    conn: &mut AsyncPgConnection,
    current: &Membership,
    next: &Membership,
) -> Result<bool, ApiError> {
    if current.logto_user_id == next.logto_user_id
        && current.user_id == next.user_id
        && current.email == next.email
        && current.name == next.name
        && current.roles == next.roles
        && current.status == next.status
    {
        return Ok(false);
    }
    diesel::update(m::table.find(current.id))
        .set((
            m::logto_user_id.eq(&next.logto_user_id),
            m::user_id.eq(next.user_id),
            m::email.eq(&next.email),
            m::name.eq(&next.name),
            m::roles.eq(&next.roles),
            m::status.eq(&next.status),
            m::updated_at.eq(next.updated_at),
        ))
        .execute(conn)
        .await?;
    Ok(true)
}

pub async fn set_roles(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    roles: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Membership, ApiError> {
    Ok(diesel::update(m::table.find(id))
        .set((m::roles.eq(roles), m::updated_at.eq(now)))
        .returning(Membership::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete_member(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::delete(m::table.find(id)).execute(conn).await?;
    Ok(())
}

pub async fn insert_log(conn: &mut AsyncPgConnection, row: SyncLogRow) -> Result<(), ApiError> {
    diesel::insert_into(logto_sync_log::table)
        .values(row)
        .execute(conn)
        .await?;
    Ok(())
}

/// The mirror user of a Logto identity, by issuer and subject.
pub async fn user_by_identity(
    conn: &mut AsyncPgConnection,
    issuer: &str,
    subject: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::issuer.eq(issuer).and(users::subject.eq(subject)))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn user_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Refreshes a mirror user's name and sync time.
pub async fn touch_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    full_name: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(id))
        .set((
            users::full_name.eq(full_name),
            users::synced_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A user provisioned by invitation, the invitation accepted: the Logto user
/// id becomes the subject and the user active.
pub async fn claim_invited_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(id))
        .set((
            users::subject.eq(subject),
            users::is_active.eq(true),
            users::synced_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Activates the firm profile of a user whose invitation was accepted.
pub async fn activate_profile(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    use crate::schema::firm_user_profiles as p;
    diesel::update(
        p::table.filter(
            p::firm_id
                .eq(firm_id)
                .and(p::user_id.eq(user_id))
                .and(p::is_active.eq(false))
                .and(p::deleted_at.is_null()),
        ),
    )
    .set((p::is_active.eq(true), p::updated_at.eq(now)))
    .execute(conn)
    .await?;
    Ok(())
}
