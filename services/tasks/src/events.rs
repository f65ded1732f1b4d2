//! Business events, enqueued to `tasks.outbox` in the changing transaction
//! (actor, act-as and trace context from its settings), filed under the matter
//! (`context`) when the task or appointment has one, so the matter's timeline
//! shows them. Entity events (`task.*`, `appointment.*`, …) come from triggers.
//!
//! | type | entity | data |
//! |---|---|---|
//! | `assignment.created` / `assignment.removed` | task | `{taskId, matterId, assigneeUserId, assignedBy}` |
//! | `task.completed` | task | `{taskId, matterId, title, completedBy, createdBy, assigneeUserIds}` |
//! | `task.reopened` | task | `{taskId, matterId, title, reopenedBy, from}` |
//! | `appointment.scheduled` / `.rescheduled` / `.cancelled` | appointment | `{appointmentId, matterId, title, type, startsAt, endsAt, organizerUserId, attendeeUserIds}` |
//! | `appointment.response_recorded` | appointment | `{appointmentId, attendeeId, userId, response}` |
//! | `appointment.reminder_due` | appointment | `{appointmentId, reminderId, occurrenceStartsAt, minutesBefore, attendeeUserIds, title, matterId}` |

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::NAME;
use crate::model::{Appointment, Task};

pub const ASSIGNMENT_CREATED: &str = "assignment.created";
pub const ASSIGNMENT_REMOVED: &str = "assignment.removed";
pub const TASK_COMPLETED: &str = "task.completed";
pub const TASK_REOPENED: &str = "task.reopened";
pub const APPOINTMENT_SCHEDULED: &str = "appointment.scheduled";
pub const APPOINTMENT_RESCHEDULED: &str = "appointment.rescheduled";
pub const APPOINTMENT_CANCELLED: &str = "appointment.cancelled";
pub const RESPONSE_RECORDED: &str = "appointment.response_recorded";
pub const REMINDER_DUE: &str = "appointment.reminder_due";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

/// Enqueues `event_type` about `entity` of `firm`, filed under `matter`.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_type: &str,
    entity: EntityRef,
    matter: Option<Uuid>,
    data: Value,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.user_id', true), '') as user_id, \
                nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(event_type, entity)
        .firm(firm)
        .context(matter.map(|m| EntityRef::new("matter", m)))
        .user(tx.user_id.and_then(|u| u.parse().ok()))
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

async fn about_task(
    conn: &mut AsyncPgConnection,
    task: &Task,
    event_type: &str,
    data: Value,
) -> Result<(), ApiError> {
    let entity = EntityRef::new("task", task.id);
    enqueue(conn, task.firm_id, event_type, entity, task.matter_id, data).await
}

pub async fn assignment(
    conn: &mut AsyncPgConnection,
    task: &Task,
    created: bool,
    assignee: Uuid,
    by: Option<Uuid>,
) -> Result<(), ApiError> {
    let event_type = if created {
        ASSIGNMENT_CREATED
    } else {
        ASSIGNMENT_REMOVED
    };
    let data = json!({
        "taskId": task.id,
        "matterId": task.matter_id,
        "assigneeUserId": assignee,
        "assignedBy": by,
    });
    about_task(conn, task, event_type, data).await
}

pub async fn completed(
    conn: &mut AsyncPgConnection,
    task: &Task,
    assignees: &[Uuid],
) -> Result<(), ApiError> {
    let data = json!({
        "taskId": task.id,
        "matterId": task.matter_id,
        "title": task.title,
        "completedBy": task.completed_by,
        "createdBy": task.created_by,
        "assigneeUserIds": assignees,
    });
    about_task(conn, task, TASK_COMPLETED, data).await
}

pub async fn reopened(
    conn: &mut AsyncPgConnection,
    task: &Task,
    from: &str,
    by: Option<Uuid>,
) -> Result<(), ApiError> {
    let data = json!({
        "taskId": task.id,
        "matterId": task.matter_id,
        "title": task.title,
        "reopenedBy": by,
        "from": from,
    });
    about_task(conn, task, TASK_REOPENED, data).await
}

/// `appointment.scheduled`, `.rescheduled` or `.cancelled`.
pub async fn appointment(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    a: &Appointment,
    attendee_user_ids: &[Uuid],
) -> Result<(), ApiError> {
    let data = json!({
        "appointmentId": a.id,
        "matterId": a.matter_id,
        "title": a.title,
        "type": a.appointment_type,
        "startsAt": a.starts_at,
        "endsAt": a.ends_at,
        "organizerUserId": a.organizer_user_id,
        "attendeeUserIds": attendee_user_ids,
    });
    let entity = EntityRef::new("appointment", a.id);
    enqueue(conn, a.firm_id, event_type, entity, a.matter_id, data).await
}

pub async fn response_recorded(
    conn: &mut AsyncPgConnection,
    a: &Appointment,
    attendee: Uuid,
    user: Option<Uuid>,
    response: &str,
) -> Result<(), ApiError> {
    let data = json!({
        "appointmentId": a.id,
        "attendeeId": attendee,
        "userId": user,
        "response": response,
    });
    let entity = EntityRef::new("appointment", a.id);
    enqueue(
        conn,
        a.firm_id,
        RESPONSE_RECORDED,
        entity,
        a.matter_id,
        data,
    )
    .await
}
