//! The firm directory and the user mirror as administrators query them:
//! members of a firm (profile joined with user), user search, a user's profiles.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Profile, User};
use crate::schema::{firm_user_profiles, users};

/// Which profiles of a firm a list shows.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Matches name or e-mail, case-insensitively.
    pub q: Option<String>,
    pub role: Option<String>,
    /// Only active members of active users (the directory); otherwise every
    /// profile not deleted (the administrators' list).
    pub active_only: bool,
}

type Joined = diesel::dsl::InnerJoin<firm_user_profiles::table, users::table>;
type Boxed = diesel::dsl::IntoBoxed<'static, Joined, Pg>;

/// `%q%` with the LIKE wildcards of `q` escaped.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn filtered(firm_id: Uuid, filter: &MemberFilter) -> Boxed {
    let mut query = firm_user_profiles::table
        .inner_join(users::table)
        .filter(firm_user_profiles::firm_id.eq(firm_id))
        .filter(firm_user_profiles::deleted_at.is_null())
        .filter(users::deleted_at.is_null())
        .into_boxed();
    if filter.active_only {
        query = query
            .filter(firm_user_profiles::is_active.eq(true))
            .filter(users::is_active.eq(true));
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(
            users::full_name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern)),
        );
    }
    if let Some(role) = &filter.role {
        query = query.filter(firm_user_profiles::role.eq(role.clone()));
    }
    query
}

/// One page (`limit + 1` rows) of a firm's members in user-id order after `after`.
pub async fn list_members(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    filter: &MemberFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(User, Profile)>, ApiError> {
    let mut query = filtered(firm_id, filter);
    if let Some(after) = after {
        query = query.filter(firm_user_profiles::user_id.gt(after));
    }
    Ok(query
        .select((User::as_select(), Profile::as_select()))
        .order(firm_user_profiles::user_id.asc())
        .limit(limit + 1)
        .load(conn)
        .await?)
}

pub async fn count_members(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    filter: &MemberFilter,
) -> Result<i64, ApiError> {
    Ok(filtered(firm_id, filter).count().get_result(conn).await?)
}

/// One member of the firm (active, as the directory shows them).
pub async fn find_member(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
) -> Result<Option<(User, Profile)>, ApiError> {
    let filter = MemberFilter {
        active_only: true,
        ..MemberFilter::default()
    };
    Ok(filtered(firm_id, &filter)
        .filter(firm_user_profiles::user_id.eq(user_id))
        .select((User::as_select(), Profile::as_select()))
        .first(conn)
        .await
        .optional()?)
}

/// One page of users whose name or e-mail contains `q`, or whose identity
/// provider subject is `q` (a Logto user id), in id order after `after`.
pub async fn search_users(
    conn: &mut AsyncPgConnection,
    q: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, ApiError> {
    let pattern = like_pattern(q);
    let mut query = users::table
        .filter(
            users::full_name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern))
                .or(users::subject.eq(q.to_owned())),
        )
        .select(User::as_select())
        .order(users::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// The user's profiles (not deleted) that row-level security lets the
/// transaction see: one firm's, or every firm's on a platform transaction.
pub async fn visible_profiles(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Profile>, ApiError> {
    Ok(firm_user_profiles::table
        .filter(firm_user_profiles::user_id.eq(user_id))
        .filter(firm_user_profiles::deleted_at.is_null())
        .order(firm_user_profiles::firm_id.asc())
        .select(Profile::as_select())
        .load(conn)
        .await?)
}
