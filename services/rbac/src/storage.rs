//! Queries of the rbac schema. Each takes a connection already inside a tenant
//! transaction, so row-level security decides what it can see.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::model::{Assignment, FieldPolicy, Grant, MatterMember, Role, RolePermission};
use crate::schema::{
    access_grants, field_policies, matter_members, role_assignments, role_permissions, roles,
};

/// A unique violation becomes 409 naming the field that collided.
fn conflict_field(err: diesel::result::Error, field: &str) -> ApiError {
    let api: ApiError = err.into();
    if api.code == ErrorCode::ResourceAlreadyExists {
        return api.with_details(serde_json::json!({ "field": field }));
    }
    api
}

// ---- custom roles ----

pub async fn insert_role(
    conn: &mut AsyncPgConnection,
    role: Role,
    permissions: Vec<RolePermission>,
) -> Result<Role, ApiError> {
    let role = diesel::insert_into(roles::table)
        .values(role)
        .returning(Role::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "code"))?;
    diesel::insert_into(role_permissions::table)
        .values(permissions)
        .execute(conn)
        .await?;
    Ok(role)
}

pub async fn find_role(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Role>, ApiError> {
    Ok(roles::table
        .find(id)
        .filter(roles::deleted_at.is_null())
        .select(Role::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_role_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> Result<Option<Role>, ApiError> {
    Ok(roles::table
        .filter(roles::code.eq(code))
        .filter(roles::deleted_at.is_null())
        .select(Role::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_roles(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Role>, ApiError> {
    let mut query = roles::table
        .filter(roles::deleted_at.is_null())
        .select(Role::as_select())
        .order(roles::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(roles::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_roles(conn: &mut AsyncPgConnection) -> Result<i64, ApiError> {
    Ok(roles::table
        .filter(roles::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Which of `ids` are custom roles that exist and are not deleted.
pub async fn live_roles(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(roles::table
        .filter(roles::id.eq_any(ids))
        .filter(roles::deleted_at.is_null())
        .select(roles::id)
        .load(conn)
        .await?)
}

/// The scopes of the given custom roles.
pub async fn role_permissions_of(
    conn: &mut AsyncPgConnection,
    role_ids: &[Uuid],
) -> Result<Vec<RolePermission>, ApiError> {
    if role_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(role_permissions::table
        .filter(role_permissions::role_id.eq_any(role_ids))
        .select(RolePermission::as_select())
        .order((role_permissions::role_id, role_permissions::scope))
        .load(conn)
        .await?)
}

pub async fn update_role(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: Option<String>,
    description: Option<String>,
    permissions: Option<Vec<RolePermission>>,
    now: DateTime<Utc>,
) -> Result<Role, ApiError> {
    if let Some(permissions) = permissions {
        diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(id)))
            .execute(conn)
            .await?;
        diesel::insert_into(role_permissions::table)
            .values(permissions)
            .execute(conn)
            .await?;
    }
    let target = roles::table.find(id);
    let role = match (name, description) {
        (Some(n), Some(d)) => {
            diesel::update(target)
                .set((
                    roles::name.eq(n),
                    roles::description.eq(d),
                    roles::updated_at.eq(now),
                ))
                .returning(Role::as_returning())
                .get_result(conn)
                .await?
        }
        (Some(n), None) => {
            diesel::update(target)
                .set((roles::name.eq(n), roles::updated_at.eq(now)))
                .returning(Role::as_returning())
                .get_result(conn)
                .await?
        }
        (None, Some(d)) => {
            diesel::update(target)
                .set((roles::description.eq(d), roles::updated_at.eq(now)))
                .returning(Role::as_returning())
                .get_result(conn)
                .await?
        }
        (None, None) => {
            diesel::update(target)
                .set(roles::updated_at.eq(now))
                .returning(Role::as_returning())
                .get_result(conn)
                .await?
        }
    };
    Ok(role)
}

pub async fn delete_role(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(roles::table.find(id))
        .set((roles::deleted_at.eq(now), roles::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

// ---- assignments ----

pub async fn insert_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Assignment,
) -> Result<Assignment, ApiError> {
    Ok(diesel::insert_into(role_assignments::table)
        .values(assignment)
        .returning(Assignment::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_assignment(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Assignment>, ApiError> {
    Ok(role_assignments::table
        .find(id)
        .select(Assignment::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Filters of the assignment list.
#[derive(Debug, Clone, Default)]
pub struct AssignmentFilter {
    pub user_id: Option<Uuid>,
    pub role: Option<String>,
}

fn assignment_query(f: &AssignmentFilter) -> role_assignments::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = role_assignments::table.into_boxed();
    if let Some(user) = f.user_id {
        query = query.filter(role_assignments::user_id.eq(user));
    }
    if let Some(role) = f.role.clone() {
        query = query.filter(role_assignments::role.eq(role));
    }
    query
}

pub async fn list_assignments(
    conn: &mut AsyncPgConnection,
    filter: &AssignmentFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Assignment>, ApiError> {
    let mut query = assignment_query(filter)
        .select(Assignment::as_select())
        .order(role_assignments::id.asc())
        .limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(role_assignments::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_assignments(
    conn: &mut AsyncPgConnection,
    filter: &AssignmentFilter,
) -> Result<i64, ApiError> {
    Ok(assignment_query(filter).count().get_result(conn).await?)
}

pub async fn revoke_assignment(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Assignment, ApiError> {
    Ok(diesel::update(role_assignments::table.find(id))
        .set((
            role_assignments::revoked_at.eq(now),
            role_assignments::revoked_by.eq(by),
        ))
        .returning(Assignment::as_returning())
        .get_result(conn)
        .await?)
}

/// A user's assignments that are not revoked and have not ended.
pub async fn live_assignments_of_user(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Assignment>, ApiError> {
    Ok(role_assignments::table
        .filter(role_assignments::user_id.eq(user))
        .filter(role_assignments::revoked_at.is_null())
        .filter(
            role_assignments::ends_at
                .is_null()
                .or(role_assignments::ends_at.gt(now)),
        )
        .select(Assignment::as_select())
        .order(role_assignments::id.asc())
        .load(conn)
        .await?)
}

/// Users holding `role` now or later (whose access a change of the role alters).
pub async fn holders_of_role(
    conn: &mut AsyncPgConnection,
    role: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, ApiError> {
    Ok(role_assignments::table
        .filter(role_assignments::role.eq(role))
        .filter(role_assignments::revoked_at.is_null())
        .filter(
            role_assignments::ends_at
                .is_null()
                .or(role_assignments::ends_at.gt(now)),
        )
        .select(role_assignments::user_id)
        .distinct()
        .order(role_assignments::user_id)
        .load(conn)
        .await?)
}

// ---- grants ----

pub async fn insert_grant(conn: &mut AsyncPgConnection, grant: Grant) -> Result<Grant, ApiError> {
    Ok(diesel::insert_into(access_grants::table)
        .values(grant)
        .returning(Grant::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_grant(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Grant>, ApiError> {
    Ok(access_grants::table
        .find(id)
        .select(Grant::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Filters of grant lists and the search.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub user_id: Option<Uuid>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    /// `Some(None)`: grants on the resource itself; `Some(Some(..))`: on that sub-resource.
    pub sub: Option<Option<(String, Uuid)>>,
    pub action: Option<String>,
    /// Only grants in force now.
    pub active_at: Option<DateTime<Utc>>,
}

fn grant_query(f: &GrantFilter) -> access_grants::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = access_grants::table.into_boxed();
    if let Some(user) = f.user_id {
        query = query.filter(access_grants::user_id.eq(user));
    }
    if let Some(t) = f.resource_type.clone() {
        query = query.filter(access_grants::resource_type.eq(t));
    }
    if let Some(id) = f.resource_id {
        query = query.filter(access_grants::resource_id.eq(id));
    }
    match f.sub.clone() {
        None => {}
        Some(None) => query = query.filter(access_grants::subresource_type.is_null()),
        Some(Some((t, id))) => {
            query = query
                .filter(access_grants::subresource_type.eq(t))
                .filter(access_grants::subresource_id.eq(id));
        }
    }
    if let Some(action) = f.action.clone() {
        query = query.filter(access_grants::action.eq(action));
    }
    if let Some(now) = f.active_at {
        query = query
            .filter(access_grants::revoked_at.is_null())
            .filter(access_grants::starts_at.le(now))
            .filter(
                access_grants::expires_at
                    .is_null()
                    .or(access_grants::expires_at.gt(now)),
            );
    }
    query
}

pub async fn list_grants(
    conn: &mut AsyncPgConnection,
    filter: &GrantFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Grant>, ApiError> {
    let mut query = grant_query(filter)
        .select(Grant::as_select())
        .order(access_grants::id.asc())
        .limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(access_grants::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_grants(
    conn: &mut AsyncPgConnection,
    filter: &GrantFilter,
) -> Result<i64, ApiError> {
    Ok(grant_query(filter).count().get_result(conn).await?)
}

pub async fn revoke_grant(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Grant, ApiError> {
    Ok(diesel::update(access_grants::table.find(id))
        .set((
            access_grants::revoked_at.eq(now),
            access_grants::revoked_by.eq(by),
        ))
        .returning(Grant::as_returning())
        .get_result(conn)
        .await?)
}

/// A user's grants that are not revoked and have not expired.
pub async fn live_grants_of_user(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Grant>, ApiError> {
    Ok(access_grants::table
        .filter(access_grants::user_id.eq(user))
        .filter(access_grants::revoked_at.is_null())
        .filter(
            access_grants::expires_at
                .is_null()
                .or(access_grants::expires_at.gt(now)),
        )
        .select(Grant::as_select())
        .order(access_grants::id.asc())
        .load(conn)
        .await?)
}

// ---- field policies ----

pub async fn insert_field_policy(
    conn: &mut AsyncPgConnection,
    policy: FieldPolicy,
) -> Result<FieldPolicy, ApiError> {
    diesel::insert_into(field_policies::table)
        .values(policy)
        .returning(FieldPolicy::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "field"))
}

pub async fn find_field_policy(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<FieldPolicy>, ApiError> {
    Ok(field_policies::table
        .find(id)
        .select(FieldPolicy::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_field_policies(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FieldPolicy>, ApiError> {
    let mut query = field_policies::table
        .select(FieldPolicy::as_select())
        .order(field_policies::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(field_policies::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count_field_policies(conn: &mut AsyncPgConnection) -> Result<i64, ApiError> {
    Ok(field_policies::table.count().get_result(conn).await?)
}

pub async fn update_field_policy(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    read: bool,
    write: bool,
    now: DateTime<Utc>,
) -> Result<FieldPolicy, ApiError> {
    Ok(diesel::update(field_policies::table.find(id))
        .set((
            field_policies::can_read.eq(read),
            field_policies::can_write.eq(write),
            field_policies::updated_at.eq(now),
        ))
        .returning(FieldPolicy::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete_field_policy(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::delete(field_policies::table.find(id))
        .execute(conn)
        .await?;
    Ok(())
}

/// The firm's policies for any of `roles`.
pub async fn field_policies_for_roles(
    conn: &mut AsyncPgConnection,
    roles: &[String],
) -> Result<Vec<FieldPolicy>, ApiError> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    Ok(field_policies::table
        .filter(field_policies::role.eq_any(roles))
        .select(FieldPolicy::as_select())
        .order(field_policies::id.asc())
        .load(conn)
        .await?)
}

// ---- matter membership projection ----

pub async fn upsert_member(
    conn: &mut AsyncPgConnection,
    member: MatterMember,
) -> Result<(), ApiError> {
    diesel::insert_into(matter_members::table)
        .values(&member)
        .on_conflict((
            matter_members::firm_id,
            matter_members::matter_id,
            matter_members::user_id,
        ))
        .do_update()
        .set(&member)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    user: Uuid,
) -> Result<(), ApiError> {
    diesel::delete(
        matter_members::table
            .filter(matter_members::matter_id.eq(matter))
            .filter(matter_members::user_id.eq(user)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A user's memberships that have not ended.
pub async fn live_memberships_of_user(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<MatterMember>, ApiError> {
    Ok(matter_members::table
        .filter(matter_members::user_id.eq(user))
        .filter(
            matter_members::ends_at
                .is_null()
                .or(matter_members::ends_at.gt(now)),
        )
        .select(MatterMember::as_select())
        .order(matter_members::matter_id)
        .load(conn)
        .await?)
}
