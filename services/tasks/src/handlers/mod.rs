//! One file per flow: tasks (create, read, lists), edits, their lifecycle and
//! assignment, checklists; appointments, responses, exceptions, records, feeds.

pub mod appointment_edit;
pub mod appointments;
pub mod checklist;
pub mod events;
pub mod exceptions;
pub mod feeds;
pub mod records;
pub mod responses;
pub mod task_edit;
pub mod task_flow;
pub mod tasks;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::{ApiError, ErrorCode};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{Item, TASK};
use crate::model::Task;
use crate::storage::{assignments, tasks as stored};

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the current ETag.
pub(crate) fn check_fresh(expected: Option<&str>, current: &str) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The resource was changed since you read it",
        )
        .with_details(serde_json::json!({ "etag": current }))),
        _ => Ok(()),
    }
}

/// One resource with its ETag.
pub(crate) fn respond<T: Serialize>(status: StatusCode, etag: &str, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, etag.to_owned()))
        .json(body)
}

/// A task as an access decision sees it, for `me`.
pub(crate) fn task_item(task: &Task, me: Option<Uuid>, assignees: &[Uuid]) -> Item {
    let involved = me.is_some_and(|me| task.created_by == Some(me) || assignees.contains(&me));
    Item {
        kind: TASK,
        id: task.id,
        matter: task.matter_id,
        involved,
    }
}

pub(crate) fn task_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Task", id)
}

/// The task (404 when deleted or not in this firm), optionally locked, and its assignees.
pub(crate) async fn load_task(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> Result<(Task, Vec<Uuid>), ApiError> {
    let task = if lock {
        stored::lock(conn, id).await?
    } else {
        stored::find(conn, id).await?
    }
    .ok_or_else(|| task_not_found(id))?;
    let people = assignments::assignees(conn, id).await?;
    Ok((task, people))
}

/// The task's answer: its view and ETag.
pub(crate) fn respond_task(status: StatusCode, task: &Task, assignees: Vec<Uuid>) -> HttpResponse {
    respond(status, &task.etag(), &task.view(assignees, Utc::now()))
}
