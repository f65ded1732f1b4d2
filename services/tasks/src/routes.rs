//! The tasks service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_core::ApiError;
use lawos_http::OpenApi;
use serde_json::json;

use crate::handlers::feeds::{CreatedFeedToken, FeedQuery, NewFeedToken};
use crate::handlers::{
    appointment_edit, appointments, checklist, events, exceptions, feeds, records, responses,
    task_edit, task_flow, tasks,
};
use crate::input::appointment::{
    AppointmentListQuery, CreateAppointment, ExceptionBody, ResponseBody, UpdateAppointment,
};
use crate::input::list::{PageQuery, TaskListQuery};
use crate::input::records::{ConsentBody, NoteBody};
use crate::input::task::{
    AssignBody, ChecklistBody, CreateTask, ReplaceTask, StatusBody, UpdateTask,
};
use crate::model::{
    AppointmentView, Attendee, ChecklistItem, Consent, Exception, FeedToken, Note, OccurrenceView,
    TaskView,
};

fn paths(p: &str) -> [String; 2] {
    [p.to_owned(), format!("{p}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/tasks")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(tasks::list))
                    .route(web::post().to(tasks::create)),
            )
            .service(web::resource(paths("/mine")).route(web::get().to(tasks::mine)))
            .configure(appointment_routes)
            .service(
                web::resource(paths("/{id}"))
                    .route(web::get().to(tasks::get))
                    .route(web::patch().to(task_edit::update))
                    .route(web::put().to(task_edit::replace))
                    .route(web::delete().to(task_edit::delete)),
            )
            .service(web::resource(paths("/{id}/assign")).route(web::put().to(task_flow::assign)))
            .service(
                web::resource(paths("/{id}/complete")).route(web::put().to(task_flow::complete)),
            )
            .service(web::resource(paths("/{id}/reopen")).route(web::put().to(task_flow::reopen)))
            .service(web::resource(paths("/{id}/status")).route(web::put().to(task_flow::status)))
            .service(web::resource(paths("/{id}/archive")).route(web::put().to(task_edit::archive)))
            .service(web::resource(paths("/{id}/restore")).route(web::put().to(task_edit::restore)))
            .service(web::resource(paths("/{id}/events")).route(web::get().to(events::task)))
            .service(
                web::resource(paths("/{id}/subtasks")).route(web::get().to(checklist::subtasks)),
            )
            .service(
                web::resource(paths("/{id}/checklist"))
                    .route(web::get().to(checklist::list))
                    .route(web::post().to(checklist::add)),
            )
            .service(
                web::resource(paths("/{id}/checklist/{item_id}"))
                    .route(web::patch().to(checklist::update))
                    .route(web::delete().to(checklist::remove)),
            ),
    );
}

fn appointment_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(paths("/appointments"))
            .route(web::get().to(appointments::list))
            .route(web::post().to(appointments::create)),
    )
    .service(web::resource(paths("/appointments/feed.ics")).route(web::get().to(feeds::feed)))
    .service(
        web::resource(paths("/appointments/feed-tokens"))
            .route(web::get().to(feeds::list_tokens))
            .route(web::post().to(feeds::create_token))
            .route(web::delete().to(feeds::revoke_all)),
    )
    .service(
        web::resource(paths("/appointments/feed-tokens/{id}"))
            .route(web::delete().to(feeds::revoke_one)),
    )
    .service(web::resource(paths("/appointments/{id}.ics")).route(web::get().to(feeds::one)))
    .service(
        web::resource(paths("/appointments/{id}"))
            .route(web::get().to(appointments::get))
            .route(web::patch().to(appointment_edit::update))
            .route(web::delete().to(appointment_edit::cancel)),
    )
    .service(
        web::resource(paths("/appointments/{id}/responses"))
            .route(web::post().to(responses::respond)),
    )
    .service(
        web::resource(paths("/appointments/{id}/exceptions"))
            .route(web::get().to(exceptions::list))
            .route(web::post().to(exceptions::add)),
    )
    .service(
        web::resource(paths("/appointments/{id}/notes"))
            .route(web::get().to(records::notes))
            .route(web::post().to(records::add_note)),
    )
    .service(
        web::resource(paths("/appointments/{id}/consents"))
            .route(web::get().to(records::consents))
            .route(web::post().to(records::add_consent)),
    )
    .service(
        web::resource(paths("/appointments/{id}/events")).route(web::get().to(events::appointment)),
    );
}

const T: &str = "/api/v1/tasks";
const A: &str = "/api/v1/tasks/appointments";

fn ics() -> serde_json::Value {
    json!({ "type": "string", "description": "RFC 5545 iCalendar (VCALENDAR with VTIMEZONE and VEVENTs)" })
}

fn counted() -> serde_json::Value {
    json!({ "type": "object", "required": ["revoked"], "properties": { "revoked": { "type": "integer" } } })
}

pub fn openapi() -> serde_json::Value {
    let _: Option<ApiError> = None;
    let edit = [
        (200, "Changed"),
        (403, "Visible but not allowed"),
        (404, "No such task in reach"),
        (422, "Invalid fields"),
    ];
    let moved = [
        (200, "Moved"),
        (403, "Visible but not allowed"),
        (404, "No such task in reach"),
        (409, "INVALID_STAGE_TRANSITION"),
    ];
    let by_id = [
        (403, "Visible but not allowed"),
        (404, "No such appointment in reach"),
    ];
    let mut doc = OpenApi::new("LawOS tasks")
        .op("get", &format!("{T}/"), "List tasks (filters matter_id, assignee=me|id, status, due_before, due_after, overdue, parent_id, archived; sort; cursor)", Some("tasks:read"), &[(200, "A page of tasks"), (403, "No tasks:read")])
        .query::<TaskListQuery>().returns_page::<TaskView>()
        .op("post", &format!("{T}/"), "Create a task (of a matter, checked at matters, or firm-level); optionally with assignees", Some("tasks:create"), &[(201, "Created"), (403, "Not allowed"), (404, "No such matter in reach"), (422, "Invalid fields (matterId unknown, assignees who are not members or cannot reach the matter)"), (503, "Matters, rbac or tenants unavailable")])
        .body::<CreateTask>().returns::<TaskView>(201)
        .op("get", &format!("{T}/mine"), "The caller's open tasks: overdue first, then by due date, undated last", Some("tasks:read"), &[(200, "A page of tasks"), (403, "No tasks:read, or a service token")])
        .query::<PageQuery>().returns_page::<TaskView>()
        .op("get", &format!("{T}/{{id}}"), "Get a task", Some("tasks:read"), &[(200, "The task"), (404, "No such task in reach")])
        .returns::<TaskView>(200)
        .op("patch", &format!("{T}/{{id}}"), "Change some of a task's data", Some("tasks:update"), &edit)
        .body::<UpdateTask>().if_match().returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}"), "Replace a task's data", Some("tasks:update"), &edit)
        .body::<ReplaceTask>().if_match().returns::<TaskView>(200)
        .op("delete", &format!("{T}/{{id}}"), "Soft-delete a task (and its subtasks)", Some("tasks:delete"), &[(204, "Deleted"), (403, "Not allowed"), (404, "No such task in reach")])
        .op("put", &format!("{T}/{{id}}/assign"), "Set the task's assignees (firm members who reach the matter): assignment.created / assignment.removed", Some("tasks:update"), &edit)
        .body::<AssignBody>().returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}/complete"), "Complete the task (DONE): task.completed", Some("tasks:update"), &moved)
        .returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}/reopen"), "Reopen a DONE or CANCELLED task: task.reopened", Some("tasks:update"), &moved)
        .returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}/status"), "Move the task along OPEN → IN_PROGRESS → DONE | CANCELLED", Some("tasks:update"), &moved)
        .body::<StatusBody>().returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}/archive"), "Archive a task", Some("tasks:update"), &moved)
        .returns::<TaskView>(200)
        .op("put", &format!("{T}/{{id}}/restore"), "Restore an archived task", Some("tasks:update"), &moved)
        .returns::<TaskView>(200)
        .op("get", &format!("{T}/{{id}}/events"), "A task's audit trail", Some("tasks:read"), &[(200, "A page of events"), (404, "No such task in reach"), (503, "Events unavailable")])
        .query::<PageQuery>()
        .op("get", &format!("{T}/{{id}}/subtasks"), "A task's subtasks", Some("tasks:read"), &[(200, "The subtasks"), (404, "No such task in reach")])
        .returns_page::<TaskView>()
        .op("get", &format!("{T}/{{id}}/checklist"), "A task's checklist", Some("tasks:read"), &[(200, "The items"), (404, "No such task in reach")])
        .returns_page::<ChecklistItem>()
        .op("post", &format!("{T}/{{id}}/checklist"), "Add a checklist item", Some("tasks:update"), &[(201, "Added"), (403, "Not allowed"), (404, "No such task in reach"), (422, "Invalid fields")])
        .body::<ChecklistBody>().returns::<ChecklistItem>(201)
        .op("patch", &format!("{T}/{{id}}/checklist/{{itemId}}"), "Change a checklist item (title, done, position)", Some("tasks:update"), &[(200, "Changed"), (403, "Not allowed"), (404, "No such task or item"), (422, "Invalid fields")])
        .body::<ChecklistBody>().returns::<ChecklistItem>(200)
        .op("delete", &format!("{T}/{{id}}/checklist/{{itemId}}"), "Remove a checklist item", Some("tasks:update"), &[(204, "Removed"), (403, "Not allowed"), (404, "No such task or item")]);
    doc = doc
        .op("get", &format!("{A}/"), "Occurrences in a window (from, to; default the caller's, or a matter's), recurring ones expanded", Some("appointments:read"), &[(200, "A page of occurrences"), (403, "No appointments:read")])
        .query::<AppointmentListQuery>().returns_page::<OccurrenceView>()
        .op("post", &format!("{A}/"), "Schedule an appointment (409 naming the clashing appointments of its attendees unless allowConflicts)", Some("appointments:create"), &[(201, "Scheduled"), (403, "Not allowed"), (404, "No such matter in reach"), (409, "Attendees busy then (details.clashes)"), (422, "Invalid fields"), (503, "Matters, contacts, rbac or tenants unavailable")])
        .body::<CreateAppointment>().returns::<AppointmentView>(201)
        .op("get", &format!("{A}/feed.ics"), "The token holder's appointments as an iCalendar feed (no bearer token: the feed token is the credential)", None, &[(200, "The calendar"), (404, "Unknown or revoked token")])
        .query::<FeedQuery>().content(200, "text/calendar", ics()).public()
        .op("get", &format!("{A}/feed-tokens"), "The caller's feed tokens in force (secrets are never shown again)", None, &[(200, "The tokens"), (403, "A service token")])
        .returns_page::<FeedToken>()
        .op("post", &format!("{A}/feed-tokens"), "Create a feed token (its secret is answered once)", Some("appointments:read"), &[(201, "Created"), (403, "No appointments:read, or a service token")])
        .body::<NewFeedToken>().returns::<CreatedFeedToken>(201)
        .op("delete", &format!("{A}/feed-tokens"), "Revoke every feed token of the caller", None, &[(200, "How many were revoked"), (403, "A service token")])
        .content(200, "application/json", counted())
        .op("delete", &format!("{A}/feed-tokens/{{id}}"), "Revoke one feed token", None, &[(204, "Revoked"), (403, "A service token"), (404, "No such token in force")])
        .op("get", &format!("{A}/{{id}}.ics"), "One appointment as iCalendar", Some("appointments:read"), &[(200, "The calendar"), (404, "No such appointment in reach")])
        .content(200, "text/calendar", ics())
        .op("get", &format!("{A}/{{id}}"), "Get an appointment", Some("appointments:read"), &[(200, "The appointment"), (404, "No such appointment in reach")])
        .returns::<AppointmentView>(200)
        .op("patch", &format!("{A}/{{id}}"), "Change an appointment (new times: occurrences, clash check, reminders, appointment.rescheduled)", Some("appointments:update"), &[(200, "Changed"), by_id[0], by_id[1], (409, "Cancelled, or attendees busy then"), (422, "Invalid fields"), (503, "Contacts or rbac unavailable")])
        .body::<UpdateAppointment>().if_match().returns::<AppointmentView>(200)
        .op("delete", &format!("{A}/{{id}}"), "Cancel an appointment (kept as CANCELLED; appointment.cancelled)", Some("appointments:delete"), &[(204, "Cancelled"), by_id[0], by_id[1], (409, "Already cancelled")])
        .op("post", &format!("{A}/{{id}}/responses"), "Answer an invitation (ACCEPTED / DECLINED / TENTATIVE): for oneself, or by the organizer for a contact or external attendee", Some("appointments:read"), &[(200, "Recorded"), (403, "Not your attendance"), (404, "No such appointment or attendee"), (409, "Cancelled"), (422, "Invalid fields")])
        .body::<ResponseBody>().returns::<Attendee>(200)
        .op("get", &format!("{A}/{{id}}/exceptions"), "A series' single-occurrence exceptions", Some("appointments:read"), &[(200, "The exceptions"), (404, "No such appointment in reach")])
        .returns_page::<Exception>()
        .op("post", &format!("{A}/{{id}}/exceptions"), "Cancel or move one occurrence of a series", Some("appointments:update"), &[(201, "Recorded"), by_id[0], by_id[1], (409, "Cancelled, or attendees busy then"), (422, "Invalid fields (not an occurrence)")])
        .body::<ExceptionBody>().returns::<Exception>(201)
        .op("get", &format!("{A}/{{id}}/notes"), "An appointment's notes", Some("appointments:read"), &[(200, "The notes"), (404, "No such appointment in reach")])
        .returns_page::<Note>()
        .op("post", &format!("{A}/{{id}}/notes"), "Add a note", Some("appointments:update"), &[(201, "Added"), by_id[0], by_id[1], (422, "Invalid fields")])
        .body::<NoteBody>().returns::<Note>(201)
        .op("get", &format!("{A}/{{id}}/consents"), "An appointment's consent records (append-only)", Some("appointments:read"), &[(200, "The records"), (404, "No such appointment in reach")])
        .returns_page::<Consent>()
        .op("post", &format!("{A}/{{id}}/consents"), "Record a consent (or its withdrawal)", Some("appointments:update"), &[(201, "Recorded"), by_id[0], by_id[1], (422, "Invalid fields")])
        .body::<ConsentBody>().returns::<Consent>(201)
        .op("get", &format!("{A}/{{id}}/events"), "An appointment's history (audit trail)", Some("appointments:read"), &[(200, "A page of events"), (404, "No such appointment in reach"), (503, "Events unavailable")])
        .query::<PageQuery>();
    doc.into_value()
}
