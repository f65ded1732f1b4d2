//! Another firm sees nothing: 404 on every task and appointment route, empty
//! lists, nothing in its feed; a STAFF user not on the matter cannot see the
//! matter's tasks (and may not create tasks at all: 403).

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

fn routes(
    task: uuid::Uuid,
    appointment: uuid::Uuid,
    item: uuid::Uuid,
) -> Vec<(Method, String, Value)> {
    let t = format!("/api/v1/tasks/{task}");
    let a = format!("/api/v1/tasks/appointments/{appointment}");
    vec![
        (Method::GET, t.clone(), Value::Null),
        (Method::PATCH, t.clone(), json!({ "title": "theirs" })),
        (Method::PUT, t.clone(), json!({ "title": "theirs" })),
        (Method::DELETE, t.clone(), Value::Null),
        (
            Method::PUT,
            format!("{t}/assign"),
            json!({ "assigneeUserIds": [] }),
        ),
        (Method::PUT, format!("{t}/complete"), Value::Null),
        (Method::PUT, format!("{t}/reopen"), Value::Null),
        (
            Method::PUT,
            format!("{t}/status"),
            json!({ "status": "IN_PROGRESS" }),
        ),
        (Method::PUT, format!("{t}/archive"), Value::Null),
        (Method::PUT, format!("{t}/restore"), Value::Null),
        (Method::GET, format!("{t}/events"), Value::Null),
        (Method::GET, format!("{t}/subtasks"), Value::Null),
        (Method::GET, format!("{t}/checklist"), Value::Null),
        (
            Method::POST,
            format!("{t}/checklist"),
            json!({ "title": "x" }),
        ),
        (
            Method::PATCH,
            format!("{t}/checklist/{item}"),
            json!({ "done": true }),
        ),
        (Method::DELETE, format!("{t}/checklist/{item}"), Value::Null),
        (Method::GET, a.clone(), Value::Null),
        (Method::GET, format!("{a}.ics"), Value::Null),
        (Method::PATCH, a.clone(), json!({ "title": "theirs" })),
        (Method::DELETE, a.clone(), Value::Null),
        (
            Method::POST,
            format!("{a}/responses"),
            json!({ "response": "ACCEPTED" }),
        ),
        (Method::GET, format!("{a}/exceptions"), Value::Null),
        (
            Method::POST,
            format!("{a}/exceptions"),
            json!({ "occurrenceStartsAt": "2030-01-07T09:00:00Z", "cancelled": true }),
        ),
        (Method::GET, format!("{a}/notes"), Value::Null),
        (Method::POST, format!("{a}/notes"), json!({ "body": "x" })),
        (Method::GET, format!("{a}/consents"), Value::Null),
        (
            Method::POST,
            format!("{a}/consents"),
            json!({ "consentType": "RECORDING", "granted": true, "method": "VERBAL" }),
        ),
        (Method::GET, format!("{a}/events"), Value::Null),
    ]
}

#[tokio::test]
async fn another_firm_gets_404_on_every_route_and_sees_nothing_in_lists_or_feeds() {
    let app = app().await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let stranger = assign(&app, other, "LAWYER").await;
    let m = matter(&app, &lawyer, "Ours").await;
    let t = task(
        &app,
        &lawyer,
        json!({ "title": "Ours", "matterId": m, "assigneeUserIds": [lawyer.user_id] }),
    )
    .await;
    let item = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/tasks/{}/checklist", id_of(&t)),
            &lawyer,
        )
        .json(&json!({ "title": "step" })),
        201,
    )
    .await;
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let a = send_ok(app.as_user(Method::POST, "/api/v1/tasks/appointments/", &lawyer).json(&json!({
        "title": "Ours", "type": "MEETING", "startsAt": start, "endsAt": start + chrono::Duration::hours(1),
        "recurrence": "FREQ=WEEKLY;COUNT=4", "matterId": m
    })), 201).await;
    for (method, path, body) in routes(id_of(&t), id_of(&a), id_of(&item)) {
        let mut request = app.as_user(method.clone(), &path, &stranger);
        if !body.is_null() {
            request = request.json(&body);
        }
        let (status, body) = send(request).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(code(&body), "RESOURCE_NOT_FOUND", "{method} {path}");
    }
    for path in [
        "/api/v1/tasks/",
        "/api/v1/tasks/mine",
        "/api/v1/tasks/appointments/",
        &format!("/api/v1/tasks/?matter_id={m}"),
        &format!("/api/v1/tasks/appointments/?matter_id={m}"),
    ] {
        let list = send_ok(app.as_user(Method::GET, path, &stranger), 200).await;
        assert_eq!(list["data"], json!([]), "{path}");
    }
    // The stranger's own feed has nothing of ours.
    let token = send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/tasks/appointments/feed-tokens",
            &stranger,
        )
        .json(&json!({})),
        201,
    )
    .await;
    let res = app
        .http
        .get(app.url(token["feedPath"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("BEGIN:VEVENT") && !text.contains(&id_of(&a).to_string()),
        "{text}"
    );
    // Our own lists do show them.
    let ours = send_ok(app.as_user(Method::GET, "/api/v1/tasks/", &lawyer), 200).await;
    assert_eq!(ids(&ours), [id_of(&t).to_string()]);
}

#[tokio::test]
async fn staff_not_on_the_matter_cannot_see_its_tasks() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let staff = assign(&app, firm, "STAFF").await;
    let on_it = assign(&app, firm, "STAFF").await;
    let m = matter(&app, &lawyer, "Privileged").await;
    let t = task(
        &app,
        &lawyer,
        json!({ "title": "Privileged work", "matterId": m }),
    )
    .await;
    let firm_level = task(&app, &lawyer, json!({ "title": "Firm chores" })).await;
    join(&app, &lawyer, m, &on_it).await;
    let path = format!("/api/v1/tasks/{}", id_of(&t));
    assert_eq!(send(app.as_user(Method::GET, &path, &staff)).await.0, 404);
    for q in ["", &format!("?matter_id={m}")] {
        let list = send_ok(
            app.as_user(Method::GET, &format!("/api/v1/tasks/{q}"), &staff),
            200,
        )
        .await;
        assert_eq!(list["data"], json!([]), "{q}");
    }
    // A staff member on the matter reads its tasks (not the others' firm-level ones) but may not change them.
    assert_eq!(send(app.as_user(Method::GET, &path, &on_it)).await.0, 200);
    let list = send_ok(app.as_user(Method::GET, "/api/v1/tasks/", &on_it), 200).await;
    assert_eq!(ids(&list), [id_of(&t).to_string()]);
    let (status, body) = send(app.as_user(Method::PUT, &format!("{path}/complete"), &on_it)).await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    assert_eq!(
        send(app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/{}", id_of(&firm_level)),
            &on_it
        ))
        .await
        .0,
        404
    );
    // STAFF holds no tasks:create.
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/tasks/", &staff)
            .json(&json!({ "title": "Mine" })),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
}
