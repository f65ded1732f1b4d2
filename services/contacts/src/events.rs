//! Business events of the contacts service (entity events come from the
//! tables' triggers).
//!
//! `contact.merged`: data `{ survivorId, mergedId, moved: { clientLinks, clients } }`,
//! entity the survivor. Whoever keeps contact ids (matters' parties) re-points
//! `mergedId` to `survivorId`.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::json;
use uuid::Uuid;

use crate::NAME;
use crate::storage::merge::Moved;

pub const CONTACT_MERGED: &str = "contact.merged";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

/// Enqueues `contact.merged` on the open tenant transaction.
pub async fn contact_merged(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    actor: Option<Uuid>,
    survivor: Uuid,
    merged: Uuid,
    moved: Moved,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(CONTACT_MERGED, EntityRef::new("contact", survivor))
        .firm(firm)
        .user(actor)
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(json!({ "survivorId": survivor, "mergedId": merged, "moved": moved }))
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}
