//! Tasks: create with validation, matter checked at matters, assignees checked
//! (members who reach the matter), edits with If-Match, the lifecycle with its
//! events, checklists, subtasks one level deep, filters and /mine.

use chrono::{Duration, Utc};
use lawos_core::FirmId;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_task_is_created_validated_edited_and_moved_along_its_lifecycle() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer, "Smith v. Jones").await;
    // Every bad field at once.
    let (status, body) = send(app.as_user(Method::POST, "/api/v1/tasks/", &lawyer).json(&json!({
        "title": " ", "priority": "SOON", "dueAt": "2026-03-10T10:00:00Z", "dueDate": "2026-03-10",
        "dueTimeZone": "Mars/Base"
    })))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        ["title", "priority", "dueTimeZone", "dueDate"]
    );
    // A matter unknown to matters is named.
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/tasks/", &lawyer)
            .json(&json!({ "title": "File", "matterId": uuid::Uuid::now_v7() })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["matterId"]);
    let t = task(
        &app,
        &lawyer,
        json!({
            "title": "File the motion", "matterId": m, "priority": "HIGH", "dueDate": "2026-03-10"
        }),
    )
    .await;
    let id = id_of(&t);
    assert_eq!(t["status"], "OPEN");
    assert_eq!(t["dueDate"], "2026-03-10");
    assert_eq!(t["dueTimeZone"], "UTC");
    assert_eq!(t["dueAt"], "2026-03-11T00:00:00Z");
    assert_eq!(t["overdue"], json!(true));
    let path = format!("/api/v1/tasks/{id}");
    let res = app
        .as_user(Method::GET, &path, &lawyer)
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    // A stale If-Match is 412; the current one changes it.
    let (status, _) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", "\"stale\"")
            .json(&json!({ "title": "x" })),
    )
    .await;
    assert_eq!(status, 412);
    let due = (Utc::now() + Duration::days(3)).to_rfc3339();
    let changed = send_ok(app.as_user(Method::PATCH, &path, &lawyer).header("if-match", &etag)
        .json(&json!({ "title": "File the amended motion", "dueAt": due, "dueTimeZone": "Europe/Berlin" })), 200).await;
    assert_eq!(changed["title"], "File the amended motion");
    assert_eq!(changed["dueDate"], json!(null));
    assert_eq!(changed["dueTimeZone"], "Europe/Berlin");
    assert_eq!(changed["overdue"], json!(false));
    // Lifecycle: OPEN → IN_PROGRESS → DONE → reopen → OPEN; DONE → CANCELLED is 409.
    let moved = send_ok(
        app.as_user(Method::PUT, &format!("{path}/status"), &lawyer)
            .json(&json!({ "status": "in_progress" })),
        200,
    )
    .await;
    assert_eq!(moved["status"], "IN_PROGRESS");
    let done = send_ok(
        app.as_user(Method::PUT, &format!("{path}/complete"), &lawyer),
        200,
    )
    .await;
    assert_eq!(done["status"], "DONE");
    assert_eq!(done["completedBy"], json!(lawyer.user_id));
    let (status, body) = send(
        app.as_user(Method::PUT, &format!("{path}/status"), &lawyer)
            .json(&json!({ "status": "CANCELLED" })),
    )
    .await;
    assert_eq!((status, code(&body)), (409, "INVALID_STAGE_TRANSITION"));
    let (status, _) = send(app.as_user(Method::PUT, &format!("{path}/complete"), &lawyer)).await;
    assert_eq!(status, 409);
    let reopened = send_ok(
        app.as_user(Method::PUT, &format!("{path}/reopen"), &lawyer),
        200,
    )
    .await;
    assert_eq!(
        (
            reopened["status"].as_str(),
            reopened["completedAt"].is_null()
        ),
        (Some("OPEN"), true)
    );
    let (status, _) = send(app.as_user(Method::PUT, &format!("{path}/reopen"), &lawyer)).await;
    assert_eq!(status, 409, "an open task is not reopened");
    // Archive hides it from the list; restore brings it back; delete is soft.
    send_ok(
        app.as_user(Method::PUT, &format!("{path}/archive"), &lawyer),
        200,
    )
    .await;
    let live = send_ok(app.as_user(Method::GET, "/api/v1/tasks/", &lawyer), 200).await;
    assert!(ids(&live).is_empty());
    let archived = send_ok(
        app.as_user(Method::GET, "/api/v1/tasks/?archived=true", &lawyer),
        200,
    )
    .await;
    assert_eq!(ids(&archived), [id.to_string()]);
    send_ok(
        app.as_user(Method::PUT, &format!("{path}/restore"), &lawyer),
        200,
    )
    .await;
    let (status, _) = send(app.as_user(Method::DELETE, &path, &lawyer)).await;
    assert_eq!(status, 204);
    assert_eq!(send(app.as_user(Method::GET, &path, &lawyer)).await.0, 404);
    // Business events were written with the change, filed under the matter.
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    let rows = outbox(&mut conn, id).await;
    for kind in [
        "task.created",
        "task.updated",
        "task.completed",
        "task.reopened",
        "task.deleted",
    ] {
        assert!(
            rows.iter().any(|(t, _)| t == kind),
            "{kind} missing from {rows:?}"
        );
    }
    let completed = &rows.iter().find(|(t, _)| t == "task.completed").unwrap().1;
    assert_eq!(completed["context"], json!({ "type": "matter", "id": m }));
    assert_eq!(completed["data"]["matterId"], json!(m));
    assert!(lawos_testkit::api::outbox_drains(&app, "tasks").await);
}

#[tokio::test]
async fn assignees_must_be_members_who_reach_the_matter() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let colleague = assign(&app, firm, "LAWYER").await;
    let paralegal = assign(&app, firm, "PARALEGAL").await;
    let stranger = TestUser::member(firm, "LAWYER"); // no role in rbac: not a member
    let m = matter(&app, &lawyer, "Assignments").await;
    let t = task(&app, &lawyer, json!({ "title": "Draft", "matterId": m })).await;
    let path = format!("/api/v1/tasks/{}/assign", id_of(&t));
    let (status, body) = send(app.as_user(Method::PUT, &path, &lawyer).json(&json!({
        "assigneeUserIds": [colleague.user_id, stranger.user_id, paralegal.user_id]
    })))
    .await;
    assert_eq!(status, 422, "{body}");
    let named = fields(&body);
    assert_eq!(named.len(), 2, "{body}");
    let text = body.to_string();
    assert!(
        text.contains("not a member") && text.contains("cannot reach"),
        "{body}"
    );
    // Nothing was assigned by the refused request.
    let got = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/{}", id_of(&t)),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(got["assigneeUserIds"], json!([]));
    // A paralegal on the matter may be assigned; removing works by omission.
    join(&app, &lawyer, m, &paralegal).await;
    let both = send_ok(
        app.as_user(Method::PUT, &path, &lawyer)
            .json(&json!({ "assigneeUserIds": [colleague.user_id, paralegal.user_id] })),
        200,
    )
    .await;
    assert_eq!(both["assigneeUserIds"].as_array().unwrap().len(), 2);
    let one = send_ok(
        app.as_user(Method::PUT, &path, &lawyer)
            .json(&json!({ "assigneeUserIds": [paralegal.user_id] })),
        200,
    )
    .await;
    assert_eq!(one["assigneeUserIds"], json!([paralegal.user_id]));
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    let rows = outbox(&mut conn, id_of(&t)).await;
    let created: Vec<_> = rows
        .iter()
        .filter(|(k, _)| k == "assignment.created")
        .collect();
    let removed: Vec<_> = rows
        .iter()
        .filter(|(k, _)| k == "assignment.removed")
        .collect();
    assert_eq!((created.len(), removed.len()), (2, 1));
    assert_eq!(
        removed[0].1["data"]["assigneeUserId"],
        json!(colleague.user_id)
    );
    assert_eq!(removed[0].1["data"]["assignedBy"], json!(lawyer.user_id));
    // A paralegal (tasks:update, assigned reach) completes it; the assignee sees it in /mine.
    let mine = send_ok(
        app.as_user(Method::GET, "/api/v1/tasks/mine", &paralegal),
        200,
    )
    .await;
    assert_eq!(ids(&mine), [id_of(&t).to_string()]);
}

#[tokio::test]
async fn mine_lists_overdue_first_then_by_due_date_and_filters_narrow_lists() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer, "Filters").await;
    let me = json!([lawyer.user_id]);
    let at = |days: i64| (Utc::now() + Duration::days(days)).to_rfc3339();
    let later = task(
        &app,
        &lawyer,
        json!({ "title": "later", "matterId": m, "dueAt": at(5), "assigneeUserIds": me }),
    )
    .await;
    let undated = task(
        &app,
        &lawyer,
        json!({ "title": "undated", "assigneeUserIds": me }),
    )
    .await;
    let overdue = task(
        &app,
        &lawyer,
        json!({ "title": "overdue", "matterId": m, "dueAt": at(-2), "assigneeUserIds": me }),
    )
    .await;
    let soon = task(
        &app,
        &lawyer,
        json!({ "title": "soon", "dueAt": at(1), "assigneeUserIds": me }),
    )
    .await;
    let done = task(
        &app,
        &lawyer,
        json!({ "title": "done", "dueAt": at(-1), "assigneeUserIds": me }),
    )
    .await;
    let _other = task(
        &app,
        &lawyer,
        json!({ "title": "not mine", "matterId": m, "dueAt": at(-3) }),
    )
    .await;
    send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/tasks/{}/complete", id_of(&done)),
            &lawyer,
        ),
        200,
    )
    .await;
    let first = send_ok(
        app.as_user(Method::GET, "/api/v1/tasks/mine?limit=2", &lawyer),
        200,
    )
    .await;
    assert_eq!(
        ids(&first),
        [id_of(&overdue).to_string(), id_of(&soon).to_string()]
    );
    assert_eq!(first["data"][0]["overdue"], json!(true));
    let cursor = first["pagination"]["nextCursor"].as_str().unwrap();
    let rest = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/mine?limit=2&cursor={cursor}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(
        ids(&rest),
        [id_of(&later).to_string(), id_of(&undated).to_string()]
    );
    assert_eq!(rest["pagination"]["hasMore"], json!(false));
    // Filters.
    let list = |q: &str| app.as_user(Method::GET, &format!("/api/v1/tasks/?{q}"), &lawyer);
    let by_matter = send_ok(list(&format!("matter_id={m}&sort=due_at")), 200).await;
    assert_eq!(by_matter["data"].as_array().unwrap().len(), 3);
    let overdue_only = send_ok(list("overdue=true&assignee=me"), 200).await;
    assert_eq!(ids(&overdue_only), [id_of(&overdue).to_string()]);
    let done_only = send_ok(list("status=done"), 200).await;
    assert_eq!(ids(&done_only), [id_of(&done).to_string()]);
    let window = send_ok(
        list(&format!(
            "due_after={}&due_before={}",
            urlencode(&at(0)),
            urlencode(&at(2))
        )),
        200,
    )
    .await;
    assert_eq!(ids(&window), [id_of(&soon).to_string()]);
    let (status, body) = send(list("status=LATE&assignee=someone&sort=title")).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["status", "assignee", "sort"]);
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn checklists_and_subtasks_one_level_deep() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer, "Checklists").await;
    let parent = task(
        &app,
        &lawyer,
        json!({ "title": "Prepare the hearing", "matterId": m }),
    )
    .await;
    let pid = id_of(&parent);
    let child = task(
        &app,
        &lawyer,
        json!({ "title": "Book the expert", "parentId": pid }),
    )
    .await;
    assert_eq!(
        (child["parentId"].clone(), child["matterId"].clone()),
        (json!(pid), json!(m))
    );
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/tasks/", &lawyer)
            .json(&json!({ "title": "Too deep", "parentId": id_of(&child) })),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["parentId".to_owned()]));
    let other = matter(&app, &lawyer, "Other").await;
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/tasks/", &lawyer)
            .json(&json!({ "title": "Elsewhere", "parentId": pid, "matterId": other })),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["matterId".to_owned()]));
    let subs = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/{pid}/subtasks"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(ids(&subs), [id_of(&child).to_string()]);
    let list = format!("/api/v1/tasks/{pid}/checklist");
    let (status, body) = send(
        app.as_user(Method::POST, &list, &lawyer)
            .json(&json!({ "title": "", "position": -1 })),
    )
    .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["title".to_owned(), "position".to_owned()])
    );
    let a = send_ok(
        app.as_user(Method::POST, &list, &lawyer)
            .json(&json!({ "title": "Exhibits" })),
        201,
    )
    .await;
    let b = send_ok(
        app.as_user(Method::POST, &list, &lawyer)
            .json(&json!({ "title": "Witnesses" })),
        201,
    )
    .await;
    assert_eq!(
        (a["position"].as_i64(), b["position"].as_i64()),
        (Some(0), Some(1))
    );
    let ticked = send_ok(
        app.as_user(Method::PATCH, &format!("{list}/{}", id_of(&a)), &lawyer)
            .json(&json!({ "done": true })),
        200,
    )
    .await;
    assert_eq!(
        (ticked["done"].as_bool(), ticked["doneBy"].clone()),
        (Some(true), json!(lawyer.user_id))
    );
    send_ok(
        app.as_user(Method::DELETE, &format!("{list}/{}", id_of(&b)), &lawyer),
        204,
    )
    .await;
    let items = send_ok(app.as_user(Method::GET, &list, &lawyer), 200).await;
    assert_eq!(ids(&items), [id_of(&a).to_string()]);
    // Deleting the parent deletes its subtasks.
    send_ok(
        app.as_user(Method::DELETE, &format!("/api/v1/tasks/{pid}"), &lawyer),
        204,
    )
    .await;
    assert_eq!(
        send(app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/{}", id_of(&child)),
            &lawyer
        ))
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn a_date_is_due_at_the_end_of_that_day_in_the_firms_time_zone() {
    let app = app().await;
    let admin = TestUser::system_admin();
    let firm = send_ok(app.as_user(Method::POST, "/api/v1/tenants/", &admin).json(&json!({
        "name": "Zone LLP", "slug": format!("zone-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
        "contactEmail": "a@zone.example", "billingPlan": "starter", "createLogtoOrg": false,
        "settings": { "timeZone": "America/New_York" }
    })), 201).await;
    let firm = FirmId(id_of(&firm));
    let lawyer = assign(&app, firm, "LAWYER").await;
    let t = task(
        &app,
        &lawyer,
        json!({ "title": "Deadline", "dueDate": "2026-03-10" }),
    )
    .await;
    assert_eq!(
        (t["dueAt"].as_str(), t["dueTimeZone"].as_str()),
        (Some("2026-03-11T04:00:00Z"), Some("America/New_York"))
    );
    let own = task(
        &app,
        &lawyer,
        json!({ "title": "Elsewhere", "dueDate": "2026-03-10", "dueTimeZone": "Asia/Tokyo" }),
    )
    .await;
    assert_eq!(own["dueAt"], "2026-03-10T15:00:00Z");
}

/// The tasks outbox rows about `entity`: `(type, envelope)` in order.
pub async fn outbox(
    conn: &mut diesel_async::AsyncPgConnection,
    entity: uuid::Uuid,
) -> Vec<(String, serde_json::Value)> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        event_type: String,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        payload: serde_json::Value,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "select event_type, payload from tasks.outbox where entity_id = $1 order by seq",
    )
    .bind::<diesel::sql_types::Uuid, _>(entity)
    .load(conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| (r.event_type, r.payload))
        .collect()
}
