//! Preferences: a user's overrides and settings, the firm's defaults and sender.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::UserSettings;
use crate::schema::{firm_defaults, firm_settings, preferences, user_settings};

/// One `type × channel → enabled` choice.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Choice {
    pub kind: String,
    pub channel: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable)]
#[diesel(table_name = firm_settings, check_for_backend(diesel::pg::Pg))]
pub struct FirmSettings {
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub time_zone: Option<String>,
}

pub async fn user_choices(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> Result<Vec<Choice>, ApiError> {
    Ok(preferences::table
        .filter(preferences::user_id.eq(user))
        .select((
            preferences::kind,
            preferences::channel,
            preferences::enabled,
        ))
        .order((preferences::kind, preferences::channel))
        .load(conn)
        .await?)
}

/// The overrides of each of `users` (those with none are left out).
pub async fn users_choices(
    conn: &mut AsyncPgConnection,
    users: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Choice>>, ApiError> {
    let rows: Vec<(Uuid, String, String, bool)> = preferences::table
        .filter(preferences::user_id.eq_any(users))
        .select((
            preferences::user_id,
            preferences::kind,
            preferences::channel,
            preferences::enabled,
        ))
        .load(conn)
        .await?;
    let mut out: std::collections::HashMap<Uuid, Vec<Choice>> = std::collections::HashMap::new();
    for (user, kind, channel, enabled) in rows {
        out.entry(user).or_default().push(Choice {
            kind,
            channel,
            enabled,
        });
    }
    Ok(out)
}

pub async fn firm_choices(conn: &mut AsyncPgConnection) -> Result<Vec<Choice>, ApiError> {
    Ok(firm_defaults::table
        .select((
            firm_defaults::kind,
            firm_defaults::channel,
            firm_defaults::enabled,
        ))
        .order((firm_defaults::kind, firm_defaults::channel))
        .load(conn)
        .await?)
}

/// Replaces `user`'s overrides with `choices`.
pub async fn replace_user_choices(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    choices: &[Choice],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::delete(preferences::table.filter(preferences::user_id.eq(user)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = choices
        .iter()
        .map(|c| {
            (
                preferences::firm_id.eq(firm),
                preferences::user_id.eq(user),
                preferences::kind.eq(&c.kind),
                preferences::channel.eq(&c.channel),
                preferences::enabled.eq(c.enabled),
                preferences::updated_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(preferences::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Replaces the firm's defaults with `choices`.
pub async fn replace_firm_choices(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    choices: &[Choice],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::delete(firm_defaults::table).execute(conn).await?;
    let rows: Vec<_> = choices
        .iter()
        .map(|c| {
            (
                firm_defaults::firm_id.eq(firm),
                firm_defaults::kind.eq(&c.kind),
                firm_defaults::channel.eq(&c.channel),
                firm_defaults::enabled.eq(c.enabled),
                firm_defaults::updated_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(firm_defaults::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn settings(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
) -> Result<Option<UserSettings>, ApiError> {
    Ok(user_settings::table
        .filter(user_settings::firm_id.eq(firm))
        .filter(user_settings::user_id.eq(user))
        .select(UserSettings::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The settings of each of `users` who has saved some.
pub async fn users_settings(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    users: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, UserSettings>, ApiError> {
    let rows: Vec<UserSettings> = user_settings::table
        .filter(user_settings::firm_id.eq(firm))
        .filter(user_settings::user_id.eq_any(users))
        .select(UserSettings::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|s| (s.user_id, s)).collect())
}

pub async fn save_settings(conn: &mut AsyncPgConnection, s: &UserSettings) -> Result<(), ApiError> {
    diesel::insert_into(user_settings::table)
        .values(s)
        .on_conflict((user_settings::firm_id, user_settings::user_id))
        .do_update()
        .set(s)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn firm_settings(conn: &mut AsyncPgConnection) -> Result<FirmSettings, ApiError> {
    Ok(firm_settings::table
        .select(FirmSettings::as_select())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_default())
}

pub async fn save_firm_settings(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    s: &FirmSettings,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let values = (
        firm_settings::firm_id.eq(firm),
        firm_settings::from_address.eq(&s.from_address),
        firm_settings::from_name.eq(&s.from_name),
        firm_settings::time_zone.eq(&s.time_zone),
        firm_settings::updated_at.eq(now),
    );
    diesel::insert_into(firm_settings::table)
        .values(values)
        .on_conflict(firm_settings::firm_id)
        .do_update()
        .set((
            firm_settings::from_address.eq(&s.from_address),
            firm_settings::from_name.eq(&s.from_name),
            firm_settings::time_zone.eq(&s.time_zone),
            firm_settings::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Users of every firm with a daily digest (platform read), with their settings.
pub async fn digest_users(conn: &mut AsyncPgConnection) -> Result<Vec<UserSettings>, ApiError> {
    Ok(user_settings::table
        .filter(user_settings::email_digest.eq("DAILY"))
        .select(UserSettings::as_select())
        .load(conn)
        .await?)
}
