//! Materialised occurrences (`appointment_occurrences`: one row per occurrence
//! up to the appointment's horizon, at its real time) and the two queries they
//! exist for: the clash check (one GiST overlap query on `(firm_id, during)`)
//! and list windows.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::Visibility;
use crate::model::{Appointment, Exception};
use crate::recurrence;

/// One occurrence's real time: `(occurrence start, start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// The occurrences of `a` starting in `[from, until)` with `exceptions` applied
/// (cancelled ones left out, moved ones at their new time).
pub fn spans(
    a: &Appointment,
    exceptions: &[Exception],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<Span> {
    let tz: Tz = a.time_zone.parse().unwrap_or(Tz::UTC);
    recurrence::starts_between(a.recurrence.as_deref(), a.starts_at, tz, from, until)
        .into_iter()
        .filter_map(
            |start| match exceptions.iter().find(|e| e.occurrence_starts_at == start) {
                Some(e) if e.cancelled => None,
                Some(e) => Some((
                    start,
                    e.starts_at.unwrap_or(start),
                    e.ends_at.unwrap_or(start + a.duration()),
                )),
                None => Some((start, start, start + a.duration())),
            },
        )
        .collect()
}

/// Replaces every occurrence of `a` by `spans`.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    a: &Appointment,
    spans: &[Span],
) -> Result<(), ApiError> {
    diesel::sql_query("delete from appointment_occurrences where appointment_id = $1")
        .bind::<SqlUuid, _>(a.id)
        .execute(conn)
        .await?;
    add(conn, a, spans).await
}

/// Adds `spans` (already present occurrences are kept).
pub async fn add(
    conn: &mut AsyncPgConnection,
    a: &Appointment,
    spans: &[Span],
) -> Result<(), ApiError> {
    if spans.is_empty() {
        return Ok(());
    }
    let (ids, starts, ends): (Vec<_>, Vec<_>, Vec<_>) = spans.iter().copied().fold(
        (Vec::new(), Vec::new(), Vec::new()),
        |(mut i, mut s, mut e), (o, start, end)| {
            i.push(o);
            s.push(start);
            e.push(end);
            (i, s, e)
        },
    );
    diesel::sql_query(
        "insert into appointment_occurrences (firm_id, appointment_id, occurrence_starts_at, during) \
         select $1, $2, o, tstzrange(s, e, '[)') from unnest($3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) as x(o, s, e) \
         on conflict do nothing",
    )
    .bind::<SqlUuid, _>(a.firm_id)
    .bind::<SqlUuid, _>(a.id)
    .bind::<Array<Timestamptz>, _>(ids)
    .bind::<Array<Timestamptz>, _>(starts)
    .bind::<Array<Timestamptz>, _>(ends)
    .execute(conn)
    .await?;
    Ok(())
}

/// An appointment whose attendees are busy at one of the proposed times.
#[derive(Debug, Clone, QueryableByName, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Clash {
    #[diesel(sql_type = SqlUuid)]
    pub appointment_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    /// The first clashing occurrence.
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    /// The proposed attendees who are busy then.
    #[diesel(sql_type = Array<SqlUuid>)]
    pub user_ids: Vec<Uuid>,
}

/// The scheduled appointments (other than `this`) with an occurrence
/// overlapping one of `spans` (half-open: back-to-back is no clash) that one of
/// `users` attends and has not declined. Each span probes the GiST index
/// (lateral), and the attendees are joined on `(firm_id, appointment_id)`, their
/// index: without the firm the planner scanned every attendee (13 ms at 100,000
/// appointments, 0.8 ms with it).
pub async fn clashes(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    this: Option<Uuid>,
    users: &[Uuid],
    spans: &[Span],
) -> Result<Vec<Clash>, ApiError> {
    if users.is_empty() || spans.is_empty() {
        return Ok(Vec::new());
    }
    let starts: Vec<_> = spans.iter().map(|s| s.1).collect();
    let ends: Vec<_> = spans.iter().map(|s| s.2).collect();
    Ok(diesel::sql_query(
        "select o.appointment_id, min(a.title) as title, min(lower(o.during)) as starts_at, \
                min(upper(o.during)) as ends_at, array_agg(distinct t.user_id) as user_ids \
         from unnest($2::timestamptz[], $3::timestamptz[]) as p(s, e) \
         cross join lateral (select i.firm_id, i.appointment_id, i.during from appointment_occurrences i \
              where i.firm_id = $1 and i.during && tstzrange(p.s, p.e, '[)')) o \
         join appointments a on a.id = o.appointment_id and a.status = 'SCHEDULED' \
         join appointment_attendees t on t.firm_id = o.firm_id and t.appointment_id = o.appointment_id \
              and t.removed_at is null \
              and t.response <> 'DECLINED' and t.user_id = any($4) \
         where o.appointment_id is distinct from $5 \
         group by o.appointment_id order by min(lower(o.during)), o.appointment_id limit 50",
    )
    .bind::<SqlUuid, _>(firm)
    .bind::<Array<Timestamptz>, _>(starts)
    .bind::<Array<Timestamptz>, _>(ends)
    .bind::<Array<SqlUuid>, _>(users.to_vec())
    .bind::<Nullable<SqlUuid>, _>(this)
    .load(conn)
    .await?)
}

/// One listed occurrence.
#[derive(Debug, Clone, QueryableByName)]
pub struct Listed {
    #[diesel(sql_type = SqlUuid)]
    pub appointment_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub occurrence_starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
}

/// Where a page of a window ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowPosition {
    pub starts_at: DateTime<Utc>,
    pub appointment_id: Uuid,
    pub occurrence_starts_at: DateTime<Utc>,
}

/// A validated window list.
#[derive(Debug, Clone)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub matter_id: Option<Uuid>,
    pub attendee: Option<Uuid>,
    pub appointment_type: Option<String>,
    pub status: Option<String>,
    pub after: Option<WindowPosition>,
    pub limit: i64,
}

/// The occurrences overlapping `[from, to)` of the appointments `v` admits and
/// `w` selects, by start time.
pub async fn window(
    conn: &mut AsyncPgConnection,
    w: &Window,
    v: &Visibility,
) -> Result<Vec<Listed>, ApiError> {
    let (only, ids) = match &v.matters {
        MatterFilter::Only(ids) => (true, ids.clone()),
        MatterFilter::AllExcept(ids) => (false, ids.clone()),
    };
    let (after_start, after_id, after_occ) = match &w.after {
        Some(p) => (
            Some(p.starts_at),
            Some(p.appointment_id),
            Some(p.occurrence_starts_at),
        ),
        None => (None, None, None),
    };
    Ok(diesel::sql_query(
        "select o.appointment_id, o.occurrence_starts_at, lower(o.during) as starts_at, upper(o.during) as ends_at \
         from appointment_occurrences o join appointments a on a.id = o.appointment_id \
         where o.during && tstzrange($1, $2, '[)') \
           and ((a.matter_id is not null and case when $3 then a.matter_id = any($4) else a.matter_id <> all($4) end) \
             or (a.matter_id is null and ($5 or a.organizer_user_id = $6 or exists ( \
                 select 1 from appointment_attendees x where x.appointment_id = a.id and x.user_id = $6 and x.removed_at is null)))) \
           and ($7::uuid is null or a.matter_id = $7) \
           and ($8::uuid is null or exists (select 1 from appointment_attendees y \
                where y.appointment_id = a.id and y.user_id = $8 and y.removed_at is null)) \
           and ($9::text is null or a.appointment_type = $9) \
           and ($10::text is null or a.status = $10) \
           and ($11::timestamptz is null or (lower(o.during), o.appointment_id, o.occurrence_starts_at) > ($11, $12, $13)) \
         order by lower(o.during), o.appointment_id, o.occurrence_starts_at limit $14",
    )
    .bind::<Timestamptz, _>(w.from)
    .bind::<Timestamptz, _>(w.to)
    .bind::<Bool, _>(only)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Bool, _>(v.all_firm_level)
    .bind::<Nullable<SqlUuid>, _>(v.me)
    .bind::<Nullable<SqlUuid>, _>(w.matter_id)
    .bind::<Nullable<SqlUuid>, _>(w.attendee)
    .bind::<Nullable<Text>, _>(w.appointment_type.clone())
    .bind::<Nullable<Text>, _>(w.status.clone())
    .bind::<Nullable<Timestamptz>, _>(after_start)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<Nullable<Timestamptz>, _>(after_occ)
    .bind::<Int8, _>(w.limit + 1)
    .load(conn)
    .await?)
}
