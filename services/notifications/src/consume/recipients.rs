//! From a plan to notifications: the audience resolved, the actor and the
//! excluded left out, access decided for each recipient, preferences applied,
//! rows written once, and the recipients' sessions told.
//!
//! A batch of events from the consumer is written in one transaction per firm
//! (one inbox statement for all its events, the preferences of all its
//! recipients read at once, one insert of its ungrouped rows, one unread count
//! per recipient), and its pushes go to Redis in one pipeline; a batch that
//! fails is applied again event by event ([`apply`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use lawos_authz::{Decision, MATTER, Resource};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_events::EventEnvelope;
use uuid::Uuid;

use super::compose::{Audience, Draft, Plan, plan_for};
use crate::access::Visibility;
use crate::delivery::plan::{Prefs, route};
use crate::live::LiveMessage;
use crate::model::{Notification, NotificationView, UserSettings};
use crate::state::NotifyState;
use crate::storage::preferences::Choice;
use crate::storage::{deliveries, notifications, preferences};

/// A recipient who may see the notification, with what decides their view.
struct Recipient {
    user: Uuid,
    visibility: Visibility,
}

/// What was written for one recipient, to be pushed after the commit.
struct Written {
    user: Uuid,
    view: NotificationView,
    created: bool,
    unread: i64,
    queued: bool,
}

async fn audience(
    state: &NotifyState,
    firm: Uuid,
    audience: &Audience,
) -> anyhow::Result<Vec<Uuid>> {
    Ok(match audience {
        Audience::Users(users) => users.clone(),
        Audience::MatterMembers(matter) => state.directory.matter_members(firm, *matter).await?,
        Audience::ScopeHolders(scope) => state.directory.scope_holders(firm, scope).await?,
    })
}

fn resource(draft: &Draft) -> Resource {
    let own = Resource::new(draft.resource_type, draft.resource_id);
    match draft.matter_id {
        Some(m) if draft.resource_type != MATTER => own.under(MATTER, m),
        _ => own,
    }
}

/// The recipients who may see `draft` now (decided for each of them).
async fn allowed(
    state: &NotifyState,
    firm: Uuid,
    users: BTreeSet<Uuid>,
    draft: &Draft,
) -> Result<Vec<Recipient>, ApiError> {
    let target = resource(draft);
    let mut out = Vec::new();
    for user in users {
        let caps = state.authz.capabilities(firm, user).await?;
        let decision = match draft.kind.scope {
            Some(scope) => caps.decide(scope, &target),
            // About the user themself: only a wall withholds it.
            None if caps.walled(&target) => Decision::Hidden,
            None => Decision::Allowed,
        };
        if decision == Decision::Allowed {
            out.push(Recipient {
                user,
                visibility: Visibility::of(&caps),
            });
        } else {
            tracing::debug!(%user, kind = draft.kind.code, ?decision, "not notified: cannot see the resource");
        }
    }
    Ok(out)
}

fn row(
    event: &EventEnvelope,
    firm: Uuid,
    user: Uuid,
    draft: &Draft,
    ttl: chrono::Duration,
    now: DateTime<Utc>,
) -> Notification {
    Notification {
        id: Uuid::now_v7(),
        firm_id: firm,
        user_id: user,
        kind: draft.kind.code.to_owned(),
        title: draft.title.clone(),
        body: draft.body.clone(),
        resource_type: draft.resource_type.to_owned(),
        resource_id: draft.resource_id,
        matter_id: draft.matter_id,
        actor_user_id: event.actor.user_id,
        event_id: event.id,
        group_key: draft.group_key.clone(),
        count: 1,
        data: draft.data.clone(),
        channels: Vec::new(),
        created_at: now,
        updated_at: now,
        read_at: None,
        expires_at: now + ttl,
    }
}

/// "N new messages" for a burst of N.
pub fn burst_title(count: i32) -> String {
    if count <= 1 {
        "New message".to_owned()
    } else {
        format!("{count} new messages")
    }
}

fn duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(90))
}

/// An event ready to be written: its draft and who may see it.
struct Prepared {
    event: EventEnvelope,
    firm: Uuid,
    draft: Draft,
    recipients: Vec<Recipient>,
}

/// The event's plan, audience and access (no writes); `None` when nobody is
/// to be notified.
async fn prepare(state: &NotifyState, event: &EventEnvelope) -> Result<Option<Prepared>, ApiError> {
    let Some(Plan {
        draft,
        audience: who,
        exclude,
    }) = plan_for(event).map_err(|e| ApiError::internal(format!("{e:#}")))?
    else {
        return Ok(None);
    };
    let Some(firm) = event.firm_id else {
        tracing::warn!(event_id = %event.id, "event without a firm: nobody to notify");
        return Ok(None);
    };
    let mut users: BTreeSet<Uuid> = audience(state, firm, &who)
        .await
        .map_err(ApiError::unavailable)?
        .into_iter()
        .collect();
    for gone in exclude.iter().chain(event.actor.user_id.as_ref()) {
        users.remove(gone);
    }
    let recipients = allowed(state, firm, users, &draft).await?;
    if recipients.is_empty() {
        return Ok(None);
    }
    Ok(Some(Prepared {
        event: event.clone(),
        firm,
        draft,
        recipients,
    }))
}

/// What writing needs of the service's settings.
#[derive(Clone, Copy)]
struct Windows {
    ttl: chrono::Duration,
    group: chrono::Duration,
}

impl Windows {
    fn of(state: &NotifyState) -> Self {
        Self {
            ttl: duration(state.config.ttl),
            group: duration(state.config.group_window),
        }
    }
}

/// Writes the notifications and deliveries of `events` (all of one firm, each
/// not applied before) in the caller's transaction.
async fn write(
    conn: &mut diesel_async::AsyncPgConnection,
    firm: Uuid,
    events: Vec<Prepared>,
    w: Windows,
) -> Result<Vec<Written>, ApiError> {
    let now = Utc::now();
    let users: Vec<Uuid> = events
        .iter()
        .flat_map(|p| p.recipients.iter().map(|r| r.user))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let firm_choices = preferences::firm_choices(conn).await?;
    let firm_tz = preferences::firm_settings(conn).await?.time_zone;
    let choices: HashMap<Uuid, Vec<Choice>> = preferences::users_choices(conn, &users).await?;
    let settings: HashMap<Uuid, UserSettings> =
        preferences::users_settings(conn, firm, &users).await?;
    // Each recipient's notification with its route, in event order.
    let mut planned = Vec::new();
    let mut visibility: HashMap<Uuid, Visibility> = HashMap::new();
    for p in &events {
        for r in &p.recipients {
            let prefs = Prefs {
                user: choices.get(&r.user).cloned().unwrap_or_default(),
                firm: firm_choices.clone(),
                settings: settings
                    .get(&r.user)
                    .cloned()
                    .unwrap_or_else(|| UserSettings::defaults(firm, r.user)),
                firm_time_zone: firm_tz.clone(),
            };
            let plan = route(p.draft.kind, &prefs, now, w.group);
            if plan.is_empty() {
                continue;
            }
            let mut new = row(&p.event, firm, r.user, &p.draft, w.ttl, now);
            new.channels = plan.channels();
            if !plan.in_app {
                new.read_at = Some(now);
            }
            visibility
                .entry(r.user)
                .or_insert_with(|| r.visibility.clone());
            planned.push((new, plan));
        }
    }
    // Ungrouped rows in one statement; bursts one by one (each gathers under its lock).
    let (single, grouped): (Vec<_>, Vec<_>) = planned
        .into_iter()
        .partition(|(n, _)| n.group_key.is_none());
    let mut stored: Vec<(Notification, bool, crate::delivery::plan::Route)> = Vec::new();
    if !single.is_empty() {
        let rows: Vec<Notification> = single.iter().map(|(n, _)| n.clone()).collect();
        let mut inserted: HashMap<Uuid, Notification> = notifications::insert_many(conn, &rows)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        for (n, plan) in single {
            if let Some(row) = inserted.remove(&n.id) {
                stored.push((row, true, plan));
            }
        }
    }
    for (new, plan) in grouped {
        let (n, created) = notifications::insert_or_gather(conn, new, w.group, burst_title).await?;
        stored.push((n, created, plan));
    }
    let mut due = Vec::new();
    for (n, created, plan) in &stored {
        if *created {
            for (channel, at) in [("EMAIL", plan.email), ("SMS", plan.sms)] {
                if let Some(at) = at {
                    due.push((n.user_id, n.id, channel, at));
                }
            }
        }
    }
    let queued = deliveries::queue_many(conn, firm, &due, now).await? > 0;
    // One count per recipient, after all of their rows.
    let mut unread: HashMap<Uuid, i64> = HashMap::new();
    for (user, vis) in &visibility {
        unread.insert(
            *user,
            notifications::unread_count(conn, firm, *user, vis, now).await?,
        );
    }
    Ok(stored
        .into_iter()
        .map(|(n, created, _)| Written {
            user: n.user_id,
            unread: unread.get(&n.user_id).copied().unwrap_or_default(),
            view: n.into(),
            created,
            queued,
        })
        .collect())
}

fn live_messages(firm: Uuid, written: &[Written]) -> Vec<LiveMessage> {
    written
        .iter()
        .filter(|w| w.view.read_at.is_none())
        .map(|w| {
            let kind = if w.created {
                "notification.created"
            } else {
                "notification.updated"
            };
            LiveMessage::notification(kind, &w.view, w.unread, firm, w.user)
        })
        .collect()
}

/// Applies one notification event (once) and tells the recipients' sessions.
#[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type))]
pub async fn apply(state: &NotifyState, event: &EventEnvelope) -> Result<(), ApiError> {
    let Some(prepared) = prepare(state, event).await? else {
        return Ok(());
    };
    let (firm, id, w) = (prepared.firm, prepared.event.id, Windows::of(state));
    let ctx = TenantCtx::firm(FirmId(firm), None);
    let written = with_tenant(&state.db, &ctx, |conn| {
        async move {
            super::once(conn, super::CONSUMER, id, |conn| {
                async move { write(conn, firm, vec![prepared], w).await }.scope_boxed()
            })
            .await
        }
        .scope_boxed()
    })
    .await?;
    let Some(written) = written else {
        return Ok(());
    };
    if written.iter().any(|w| w.queued) {
        state.wake.notify_one();
    }
    state.live.publish_all(&live_messages(firm, &written)).await;
    tracing::info!(recipients = written.len(), "notified");
    Ok(())
}

/// The firm's events of a batch, each written once: their inbox rows in one
/// statement, the ones applied before left out, the rest written together.
async fn apply_firm(
    state: &NotifyState,
    firm: Uuid,
    events: Vec<Prepared>,
) -> Result<Vec<Written>, ApiError> {
    let w = Windows::of(state);
    let ctx = TenantCtx::firm(FirmId(firm), None);
    with_tenant(&state.db, &ctx, |conn| {
        async move {
            let ids: Vec<Uuid> = events.iter().map(|p| p.event.id).collect();
            let fresh: HashSet<Uuid> = super::once_each(conn, super::CONSUMER, &ids).await?;
            let todo: Vec<Prepared> = events
                .into_iter()
                .filter(|p| fresh.contains(&p.event.id))
                .collect();
            if todo.is_empty() {
                return Ok(Vec::new());
            }
            write(conn, firm, todo, w).await
        }
        .scope_boxed()
    })
    .await
}

/// Applies a batch of notification events: each prepared (audience, access)
/// concurrently, then one transaction per firm, then every push in one
/// pipeline. An error leaves nothing written (the consumer then applies the
/// events one by one).
#[tracing::instrument(skip_all, fields(size = events.len()))]
pub async fn apply_batch(state: &NotifyState, events: &[EventEnvelope]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    let unique: Vec<&EventEnvelope> = events.iter().filter(|e| seen.insert(e.id)).collect();
    let prepared =
        futures_util::future::join_all(unique.into_iter().map(|e| prepare(state, e))).await;
    let mut by_firm: HashMap<Uuid, Vec<Prepared>> = HashMap::new();
    for p in prepared {
        if let Some(p) = p? {
            by_firm.entry(p.firm).or_default().push(p);
        }
    }
    let written = futures_util::future::join_all(
        by_firm
            .into_iter()
            .map(|(firm, events)| async move { (firm, apply_firm(state, firm, events).await) }),
    )
    .await;
    let mut messages = Vec::new();
    let (mut queued, mut notified, mut failed) = (false, 0, None);
    for (firm, result) in written {
        match result {
            Ok(written) => {
                queued |= written.iter().any(|w| w.queued);
                notified += written.len();
                messages.extend(live_messages(firm, &written));
            }
            Err(e) => failed = Some(e),
        }
    }
    if queued {
        state.wake.notify_one();
    }
    // What was committed is told even if another firm's part failed.
    state.live.publish_all(&messages).await;
    tracing::debug!(recipients = notified, "batch notified");
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
