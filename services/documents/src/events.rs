//! Business events, enqueued to `documents.outbox` in the changing
//! transaction (actor, act-as and trace context from its settings); a matter's
//! documents' events are filed under the matter (`context`), so its timeline
//! shows them. Entity events (`document.*`, `document_version.*`) come from
//! the tables' triggers.
//!
//! - `document.uploaded`: a version became current, data `{documentId,
//!   versionId, versionNumber, resourceType, resourceId, matterId, fileName,
//!   category, privileged, uploadedBy, via (PRESIGNED / DIRECT / RESTORE),
//!   restoredFromVersionId}`;
//! - `document.viewed`: a download, data `{documentId, versionId,
//!   viewerUserId, via (PRESIGNED_URL / STREAM)}`.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::NAME;
use crate::model::{Document, Version};

pub const UPLOADED: &str = "document.uploaded";
pub const VIEWED: &str = "document.viewed";

/// How a download was served.
pub const VIA_URL: &str = "PRESIGNED_URL";
pub const VIA_STREAM: &str = "STREAM";

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
    doc: &Document,
    event_type: &str,
    data: Value,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.user_id', true), '') as user_id, \
                nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(event_type, EntityRef::new("document", doc.id))
        .firm(doc.firm_id)
        .context(doc.matter_id().map(|m| EntityRef::new("matter", m)))
        .user(tx.user_id.and_then(|u| u.parse().ok()))
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

pub async fn uploaded(
    conn: &mut AsyncPgConnection,
    doc: &Document,
    version: &Version,
) -> Result<(), ApiError> {
    let data = json!({
        "documentId": doc.id,
        "versionId": version.id,
        "versionNumber": version.version_number,
        "resourceType": doc.resource_type,
        "resourceId": doc.resource_id,
        "matterId": doc.matter_id(),
        "fileName": version.file_name,
        "category": doc.category,
        "privileged": doc.privileged,
        "uploadedBy": version.uploaded_by,
        "via": version.upload_method,
        "restoredFromVersionId": version.restored_from_version_id,
    });
    enqueue(conn, doc, UPLOADED, data).await
}

pub async fn viewed(
    conn: &mut AsyncPgConnection,
    doc: &Document,
    version: Uuid,
    viewer: Option<Uuid>,
    via: &str,
) -> Result<(), ApiError> {
    let data = json!({
        "documentId": doc.id,
        "versionId": version,
        "viewerUserId": viewer,
        "via": via,
    });
    enqueue(conn, doc, VIEWED, data).await
}
