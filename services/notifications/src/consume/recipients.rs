//! From a plan to notifications: the audience resolved, the actor and the
//! excluded left out, access decided for each recipient, preferences applied,
//! rows written once, and the recipients' sessions told.

use std::collections::BTreeSet;

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

/// Applies one notification event (once) and tells the recipients' sessions.
#[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type))]
pub async fn apply(state: &NotifyState, event: &EventEnvelope) -> Result<(), ApiError> {
    let Some(Plan {
        draft,
        audience: who,
        exclude,
    }) = plan_for(event).map_err(|e| ApiError::internal(format!("{e:#}")))?
    else {
        return Ok(());
    };
    let Some(firm) = event.firm_id else {
        tracing::warn!("event without a firm: nobody to notify");
        return Ok(());
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
        return Ok(());
    }
    let (ttl, window) = (
        duration(state.config.ttl),
        duration(state.config.group_window),
    );
    let event = event.clone();
    let ctx = TenantCtx::firm(FirmId(firm), None);
    let written = with_tenant(&state.db, &ctx, |conn| {
        async move {
            super::once(conn, super::CONSUMER, event.id, |conn| {
                async move {
                    let now = Utc::now();
                    let firm_choices = preferences::firm_choices(conn).await?;
                    let firm_tz = preferences::firm_settings(conn).await?.time_zone;
                    let mut out = Vec::new();
                    for r in recipients {
                        let prefs = Prefs {
                            user: preferences::user_choices(conn, r.user).await?,
                            firm: firm_choices.clone(),
                            settings: preferences::settings(conn, r.user)
                                .await?
                                .unwrap_or_else(|| UserSettings::defaults(firm, r.user)),
                            firm_time_zone: firm_tz.clone(),
                        };
                        let plan = route(draft.kind, &prefs, now, window);
                        if plan.is_empty() {
                            continue;
                        }
                        let mut new = row(&event, firm, r.user, &draft, ttl, now);
                        new.channels = plan.channels();
                        if !plan.in_app {
                            new.read_at = Some(now);
                        }
                        let (n, created) =
                            notifications::insert_or_gather(conn, new, window, burst_title).await?;
                        let mut queued = false;
                        if created {
                            for (channel, at) in [("EMAIL", plan.email), ("SMS", plan.sms)] {
                                if let Some(at) = at {
                                    queued |= deliveries::queue(
                                        conn, firm, r.user, n.id, channel, at, now,
                                    )
                                    .await?;
                                }
                            }
                        }
                        let unread =
                            notifications::unread_count(conn, r.user, &r.visibility, now).await?;
                        out.push(Written {
                            user: r.user,
                            view: n.into(),
                            created,
                            unread,
                            queued,
                        });
                    }
                    Ok(out)
                }
                .scope_boxed()
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
    for w in written.iter().filter(|w| w.view.read_at.is_none()) {
        let kind = if w.created {
            "notification.created"
        } else {
            "notification.updated"
        };
        state
            .live
            .publish(&LiveMessage::notification(
                kind, &w.view, w.unread, firm, w.user,
            ))
            .await;
    }
    tracing::info!(recipients = written.len(), "notified");
    Ok(())
}
