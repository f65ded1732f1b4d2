//! The duplicate check: `contact.created` (from this service's own trigger,
//! through the event bus) compares the new contact with the firm's others and
//! records candidate pairs with a score and the reasons (`SAME_EMAIL`,
//! `SAME_PHONE`, `SIMILAR_NAME`). Applied exactly once per event (inbox and
//! effect in one transaction); an event whose contact is gone by then records
//! nothing.
//!
//! Score: each reason has a weight (same e-mail 0.9, same phone 0.8, similar
//! name its trigram similarity), combined as `1 − Π(1 − weight)`.

use chrono::Utc;
use lawos_core::{ApiError, ErrorCode, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, EventEnvelope, apply_once};
use serde_json::json;
use uuid::Uuid;

use crate::NAME;
use crate::model::DuplicateCandidate;
use crate::storage::duplicates::{self, LookAlike, SIMILAR_NAME};

pub const CONTACT_CREATED: &str = "contact.created";
/// Routing keys bound to `contacts.events`.
pub const BINDINGS: [&str; 1] = [CONTACT_CREATED];

/// The queue `contacts.events`: new contacts (the duplicate check).
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: NAME,
    bindings: &BINDINGS,
};
/// The inbox consumer name.
pub const CONSUMER: &str = "contacts.duplicates";

/// The candidate pair of `contact` and a look-alike, if it scores at all.
pub fn pair(firm: Uuid, contact: Uuid, look: &LookAlike) -> Option<DuplicateCandidate> {
    let mut reasons = Vec::new();
    let mut weights = Vec::new();
    if look.same_email {
        reasons.push("SAME_EMAIL");
        weights.push(0.9);
    }
    if look.same_phone {
        reasons.push("SAME_PHONE");
        weights.push(0.8);
    }
    if look.name_score >= SIMILAR_NAME {
        reasons.push("SIMILAR_NAME");
        weights.push(look.name_score.min(1.0));
    }
    if reasons.is_empty() {
        return None;
    }
    let score = 1.0 - weights.iter().map(|w| 1.0 - w).product::<f64>();
    let (low, high) = if contact < look.other_id {
        (contact, look.other_id)
    } else {
        (look.other_id, contact)
    };
    let now = Utc::now();
    Some(DuplicateCandidate {
        id: Uuid::now_v7(),
        firm_id: firm,
        contact_id: low,
        other_contact_id: high,
        score: (score * 1000.0).round() / 1000.0,
        reasons: json!(reasons),
        status: "OPEN".to_owned(),
        created_at: now,
        updated_at: now,
    })
}

/// Runs the check for one `contact.created`; `Ok(false)` when applied before.
#[tracing::instrument(skip_all, fields(event_id = %event.id))]
pub async fn apply(db: &DbPool, event: EventEnvelope) -> Result<bool, ApiError> {
    let firm = event.firm_id.ok_or_else(|| {
        ApiError::new(ErrorCode::ValidationError, "contact.created without firmId")
    })?;
    let contact = event.entity.id;
    let ctx = TenantCtx {
        traceparent: event.traceparent.clone(),
        ..TenantCtx::firm(FirmId(firm), event.actor.user_id.map(UserId))
    };
    let event_id = event.id;
    with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, event_id, |conn| {
                async move {
                    let found = duplicates::look_alikes(conn, contact).await?;
                    for candidate in found.iter().filter_map(|l| pair(firm, contact, l)) {
                        duplicates::upsert(conn, candidate).await?;
                    }
                    tracing::info!(%contact, candidates = found.len(), "duplicate check");
                    Ok::<_, ApiError>(())
                }
                .scope_boxed()
            })
            .await?;
            Ok(applied.is_some())
        }
        .scope_boxed()
    })
    .await
}

/// The consumer of `contacts.events`.
pub fn consumer(amqp_url: String, db: DbPool) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(&amqp_url), move |event: EventEnvelope| {
        let db = db.clone();
        async move {
            apply(&db, event)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reasons_combine_into_one_score() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let look = LookAlike {
            other_id: a,
            same_email: true,
            same_phone: true,
            name_score: 0.2,
        };
        let p = pair(Uuid::nil(), b, &look).unwrap();
        assert_eq!((p.contact_id, p.other_contact_id), (a, b), "lower id first");
        assert_eq!(p.reasons, json!(["SAME_EMAIL", "SAME_PHONE"]));
        assert!((p.score - 0.98).abs() < 1e-9);
        let none = LookAlike {
            other_id: a,
            same_email: false,
            same_phone: false,
            name_score: 0.3,
        };
        assert!(pair(Uuid::nil(), b, &none).is_none());
    }
}
