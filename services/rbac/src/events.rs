//! `permission.changed`: written to `rbac.outbox` in the transaction of every
//! change that alters someone's access, so every service's authorization cache
//! drops the named users' entries (ARCHITECTURE §4, §5).
//!
//! Envelope `data`: `{ "firmId", "userIds": [...], "reason" }`; `reason` names the
//! change (`access_grant.created`, `role_assignment.revoked`, `field_policy.updated`,
//! `matter.member_added`, …). `entity` is the changed row (grant, assignment,
//! role, field policy) or the matter for membership changes.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::json;
use uuid::Uuid;

use crate::NAME;

pub const PERMISSION_CHANGED: &str = "permission.changed";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

/// Enqueues `permission.changed` for `user_ids` of `firm`, on the open tenant
/// transaction (actor, act-as and trace context come from its settings).
pub async fn permission_changed(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    actor: Option<Uuid>,
    entity: EntityRef,
    user_ids: &[Uuid],
    reason: &str,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let mut users = user_ids.to_vec();
    users.sort();
    users.dedup();
    let envelope = EventEnvelope::builder(PERMISSION_CHANGED, entity)
        .firm(firm)
        .user(actor)
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(json!({ "firmId": firm, "userIds": users, "reason": reason }))
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(%firm, users = users.len(), reason, "permission.changed");
    Ok(())
}
