//! The OpenAPI document of every billing route: statuses each handler decides,
//! query and body types it extracts, and what it answers.

mod money;

use lawos_http::OpenApi;

use crate::access::*;
use crate::handlers::codes::CodeList;
use crate::handlers::timers::Stopped;
use crate::input::expenses::{CreateExpense, UpdateExpense};
use crate::input::lists::{EntryQuery, PageQuery, RateQuery};
use crate::input::rates::{CreateActivityCode, CreateRate};
use crate::input::time::{CreateTimeEntry, Reject, StartTimer, StopTimer, UpdateTimeEntry};
use crate::model::{ActivityCode, Expense, Rate, TimeEntry, Timer};

const B: &str = "/api/v1/billing";

pub(crate) fn p(path: &str) -> String {
    format!("{B}{path}")
}

const NEW_ROW: [(u16, &str); 5] = [
    (201, "Created"),
    (400, "CASE_ALREADY_CLOSED: the matter is closed"),
    (
        403,
        "No such scope, or the matter is visible but not allowed",
    ),
    (
        422,
        "Invalid fields (matterId unknown or out of reach, activityCode unknown, no billing rate in force)",
    ),
    (503, "Matters unavailable"),
];

fn time(api: OpenApi) -> OpenApi {
    let moved = [
        (200, "Moved"),
        (400, "TIME_ENTRY_ALREADY_INVOICED"),
        (403, "Not allowed"),
        (404, "No such entry in reach"),
        (409, "INVALID_STATUS_TRANSITION"),
    ];
    api.op("get", &p("/time-entries/"), "Time entries the caller may see (their own, and those of the matters their reach covers), newest work date first", Some(TE_READ), &[(200, "A page of entries"), (403, "No time-entries:read")])
        .query::<EntryQuery>()
        .returns_page::<TimeEntry>()
        .op("post", &p("/time-entries/"), "Record one's own time (DRAFT); the billing rate in force is frozen onto the entry", Some(TE_CREATE), &NEW_ROW)
        .body::<CreateTimeEntry>()
        .returns::<TimeEntry>(201)
        .op("get", &p("/time-entries/{id}"), "A time entry", Some(TE_READ), &[(200, "The entry"), (403, "No time-entries:read"), (404, "No such entry in reach")])
        .returns::<TimeEntry>(200)
        .op("patch", &p("/time-entries/{id}"), "Edit a DRAFT or REJECTED entry (a rejected one returns to DRAFT); the frozen rate stays", Some(TE_UPDATE), &[(200, "Changed"), (400, "TIME_ENTRY_ALREADY_INVOICED"), (403, "Not allowed"), (404, "No such entry in reach"), (409, "Submitted or approved: not editable"), (422, "Invalid fields")])
        .body::<UpdateTimeEntry>()
        .if_match()
        .returns::<TimeEntry>(200)
        .op("delete", &p("/time-entries/{id}"), "Soft-delete a DRAFT or REJECTED entry", Some(TE_UPDATE), &[(204, "Deleted"), (400, "TIME_ENTRY_ALREADY_INVOICED"), (403, "Not allowed"), (404, "No such entry in reach"), (409, "Not deletable in its status")])
        .op("post", &p("/time-entries/{id}/submit"), "Submit for approval (DRAFT → SUBMITTED)", Some(TE_SUBMIT), &moved)
        .returns::<TimeEntry>(200)
        .op("post", &p("/time-entries/{id}/approve"), "Approve (SUBMITTED → APPROVED): the matter's lead attorney, a FIRM_ADMIN or time-entries:approve", Some(TE_READ), &[moved[0], moved[1], (403, "Not an approver"), moved[3], moved[4], (503, "Matters unavailable")])
        .returns::<TimeEntry>(200)
        .op("post", &p("/time-entries/{id}/reject"), "Reject with a reason (SUBMITTED → REJECTED)", Some(TE_READ), &[moved[0], moved[1], (403, "Not an approver"), moved[3], moved[4], (503, "Matters unavailable")])
        .body::<Reject>()
        .returns::<TimeEntry>(200)
        .op("get", &p("/timers/"), "The caller's timers, newest first", Some(TE_READ), &[(200, "A page of timers"), (403, "No time-entries:read, or not a user")])
        .query::<PageQuery>()
        .returns_page::<Timer>()
        .op("post", &p("/timers/start"), "Start a timer (at most one runs per user)", Some(TE_CREATE), &[NEW_ROW[0], NEW_ROW[1], NEW_ROW[2], (409, "Another timer is running"), NEW_ROW[3], NEW_ROW[4]])
        .body::<StartTimer>()
        .returns::<Timer>(201)
        .op("get", &p("/timers/{id}"), "One of the caller's timers", Some(TE_READ), &[(200, "The timer"), (403, "No time-entries:read"), (404, "No such timer of yours")])
        .returns::<Timer>(200)
        .op("post", &p("/timers/{id}/pause"), "Pause a running timer", Some(TE_CREATE), &[(200, "Paused"), (403, "No time-entries:create"), (404, "No such timer of yours"), (409, "Not running")])
        .returns::<Timer>(200)
        .op("post", &p("/timers/{id}/resume"), "Resume a paused timer", Some(TE_CREATE), &[(200, "Running"), (403, "No time-entries:create"), (404, "No such timer of yours"), (409, "Not paused, or another timer is running")])
        .returns::<Timer>(200)
        .op("post", &p("/timers/{id}/stop"), "Stop a timer: its time (rounded up to the minute) becomes a DRAFT entry", Some(TE_CREATE), &[(200, "Stopped, with the entry"), (403, "No time-entries:create"), (404, "No such timer of yours"), (409, "Already stopped"), (422, "No billing rate in force")])
        .body::<StopTimer>()
        .returns::<Stopped>(200)
}

fn expenses(api: OpenApi) -> OpenApi {
    let moved = [
        (200, "Moved"),
        (400, "Invoiced: immutable (TIME_ENTRY_ALREADY_INVOICED)"),
        (403, "Not allowed"),
        (404, "No such expense in reach"),
        (409, "INVALID_STATUS_TRANSITION"),
    ];
    api.op(
        "get",
        &p("/expenses/"),
        "Expenses the caller may see, newest first",
        Some(TE_READ),
        &[(200, "A page of expenses"), (403, "No time-entries:read")],
    )
    .query::<EntryQuery>()
    .returns_page::<Expense>()
    .op(
        "post",
        &p("/expenses/"),
        "Record one's own expense (DRAFT)",
        Some(TE_CREATE),
        &NEW_ROW,
    )
    .body::<CreateExpense>()
    .returns::<Expense>(201)
    .op(
        "get",
        &p("/expenses/{id}"),
        "An expense",
        Some(TE_READ),
        &[
            (200, "The expense"),
            (403, "No time-entries:read"),
            (404, "No such expense in reach"),
        ],
    )
    .returns::<Expense>(200)
    .op(
        "patch",
        &p("/expenses/{id}"),
        "Edit a DRAFT or REJECTED expense",
        Some(TE_UPDATE),
        &[
            (200, "Changed"),
            moved[1],
            moved[2],
            moved[3],
            (409, "Not editable in its status"),
            (422, "Invalid fields"),
        ],
    )
    .body::<UpdateExpense>()
    .if_match()
    .returns::<Expense>(200)
    .op(
        "delete",
        &p("/expenses/{id}"),
        "Soft-delete a DRAFT or REJECTED expense",
        Some(TE_UPDATE),
        &[
            (204, "Deleted"),
            moved[1],
            moved[2],
            moved[3],
            (409, "Not deletable in its status"),
        ],
    )
    .op(
        "post",
        &p("/expenses/{id}/submit"),
        "Submit for approval",
        Some(TE_SUBMIT),
        &moved,
    )
    .returns::<Expense>(200)
    .op(
        "post",
        &p("/expenses/{id}/approve"),
        "Approve (as for time entries)",
        Some(TE_READ),
        &[
            moved[0],
            moved[1],
            (403, "Not an approver"),
            moved[3],
            moved[4],
            (503, "Matters unavailable"),
        ],
    )
    .returns::<Expense>(200)
    .op(
        "post",
        &p("/expenses/{id}/reject"),
        "Reject with a reason",
        Some(TE_READ),
        &[
            moved[0],
            moved[1],
            (403, "Not an approver"),
            moved[3],
            moved[4],
            (503, "Matters unavailable"),
        ],
    )
    .body::<Reject>()
    .returns::<Expense>(200)
}

fn rates(api: OpenApi) -> OpenApi {
    api.op(
        "get",
        &p("/rates/"),
        "Billing rates (one's own without administration or invoices:read)",
        Some(TE_READ),
        &[(200, "A page of rates"), (403, "No time-entries:read")],
    )
    .query::<RateQuery>()
    .returns_page::<Rate>()
    .op(
        "post",
        &p("/rates/"),
        "Add a rate (per user; optionally per matter and/or activity; effective-dated)",
        Some(USERS_UPDATE),
        &[
            (201, "Created"),
            (403, "Not a firm administrator"),
            (422, "Invalid fields (matterId, activityCode unknown)"),
            (503, "Matters unavailable"),
        ],
    )
    .body::<CreateRate>()
    .returns::<Rate>(201)
    .op(
        "get",
        &p("/activity-codes/"),
        "Activity codes: built-in and the firm's own",
        Some(TE_READ),
        &[(200, "The codes"), (403, "No time-entries:read")],
    )
    .returns::<CodeList>(200)
    .op(
        "post",
        &p("/activity-codes/"),
        "Add a firm activity code",
        Some(USERS_UPDATE),
        &[
            (201, "Created"),
            (403, "Not a firm administrator"),
            (409, "The code exists"),
            (422, "Invalid fields"),
        ],
    )
    .body::<CreateActivityCode>()
    .returns::<ActivityCode>(201)
}

pub fn document() -> serde_json::Value {
    let api = OpenApi::new("LawOS billing");
    let api = rates(expenses(time(api)));
    money::trust(money::payments(money::invoices(api))).into_value()
}
