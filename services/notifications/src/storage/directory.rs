//! The projection of auth's user directory: e-mail and name per user, phone
//! and activity per firm membership.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::schema::{directory_members, directory_users};

/// How to reach one person in one firm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// False once the user or their membership of the firm is deactivated.
    pub active: bool,
}

pub async fn upsert_user(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    email: Option<&str>,
    name: Option<&str>,
    active: bool,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(directory_users::table)
        .values((
            directory_users::user_id.eq(user),
            directory_users::email.eq(email),
            directory_users::full_name.eq(name),
            directory_users::is_active.eq(active),
            directory_users::updated_at.eq(at),
        ))
        .on_conflict(directory_users::user_id)
        .do_update()
        .set((
            directory_users::email.eq(excluded(directory_users::email)),
            directory_users::full_name.eq(excluded(directory_users::full_name)),
            directory_users::is_active.eq(excluded(directory_users::is_active)),
            directory_users::updated_at.eq(excluded(directory_users::updated_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn upsert_member(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    phone: Option<&str>,
    role: Option<&str>,
    active: bool,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(directory_members::table)
        .values((
            directory_members::firm_id.eq(firm),
            directory_members::user_id.eq(user),
            directory_members::phone.eq(phone),
            directory_members::role.eq(role),
            directory_members::is_active.eq(active),
            directory_members::updated_at.eq(at),
        ))
        .on_conflict((directory_members::firm_id, directory_members::user_id))
        .do_update()
        .set((
            directory_members::phone.eq(excluded(directory_members::phone)),
            directory_members::role.eq(excluded(directory_members::role)),
            directory_members::is_active.eq(excluded(directory_members::is_active)),
            directory_members::updated_at.eq(excluded(directory_members::updated_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// How to reach `user` in the transaction's firm (inactive when unknown).
pub async fn contact(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Contact, ApiError> {
    let person: Option<(Option<String>, Option<String>, bool)> = directory_users::table
        .find(user)
        .select((
            directory_users::email,
            directory_users::full_name,
            directory_users::is_active,
        ))
        .first(conn)
        .await
        .optional()?;
    let member: Option<(Option<String>, bool)> = directory_members::table
        .filter(directory_members::user_id.eq(user))
        .select((directory_members::phone, directory_members::is_active))
        .first(conn)
        .await
        .optional()?;
    let Some((email, name, user_active)) = person else {
        return Ok(Contact::default());
    };
    Ok(Contact {
        email,
        name,
        phone: member.as_ref().and_then(|m| m.0.clone()),
        active: user_active && member.is_none_or(|m| m.1),
    })
}

/// Whether `user` is known to be deactivated (in the transaction's firm or everywhere).
pub async fn deactivated(conn: &mut AsyncPgConnection, user: Uuid) -> Result<bool, ApiError> {
    let person: Option<bool> = directory_users::table
        .find(user)
        .select(directory_users::is_active)
        .first(conn)
        .await
        .optional()?;
    let member: Option<bool> = directory_members::table
        .filter(directory_members::user_id.eq(user))
        .select(directory_members::is_active)
        .first(conn)
        .await
        .optional()?;
    Ok(person == Some(false) || member == Some(false))
}
