//! Business events, enqueued to `matters.outbox` in the changing transaction
//! (actor, act-as and trace context from its settings). Entity events
//! (`matter.created|updated|deleted`, …) come from the tables' triggers.
//!
//! - `matter.stage_changed`, data `{from, to}`;
//! - `matter.member_added` / `matter.member_removed`, data
//!   `{matterId, userId, role, startsAt, endsAt}` (rbac's membership projection).

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::NAME;
use crate::model::Member;
use crate::stage::Stage;

pub const STAGE_CHANGED: &str = "matter.stage_changed";
pub const MEMBER_ADDED: &str = "matter.member_added";
pub const MEMBER_REMOVED: &str = "matter.member_removed";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

async fn enqueue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_type: &str,
    matter: Uuid,
    data: Value,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.user_id', true), '') as user_id, \
                nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(event_type, EntityRef::new("matter", matter))
        .firm(firm)
        .user(tx.user_id.and_then(|u| u.parse().ok()))
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

pub async fn stage_changed(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    matter: Uuid,
    from: Stage,
    to: Stage,
) -> Result<(), ApiError> {
    let data = json!({ "from": from.as_str(), "to": to.as_str() });
    enqueue(conn, firm, STAGE_CHANGED, matter, data).await
}

fn member_data(m: &Member) -> Value {
    json!({
        "matterId": m.matter_id,
        "userId": m.user_id,
        "role": m.role,
        "startsAt": m.starts_at,
        "endsAt": m.ends_at,
    })
}

pub async fn member_added(conn: &mut AsyncPgConnection, m: &Member) -> Result<(), ApiError> {
    enqueue(conn, m.firm_id, MEMBER_ADDED, m.matter_id, member_data(m)).await
}

pub async fn member_removed(conn: &mut AsyncPgConnection, m: &Member) -> Result<(), ApiError> {
    enqueue(conn, m.firm_id, MEMBER_REMOVED, m.matter_id, member_data(m)).await
}
