//! Appointments: the clash check (409 naming the other appointment, back-to-back
//! fine, a weekly series clashing on its third occurrence and not on an
//! exception date), RSVP by each attendee and never for another (403), the
//! list window expanding occurrences, cancellation, notes and consents.

use chrono::{DateTime, Duration, Timelike, Utc};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Next Monday 09:00 UTC, at least a week ahead.
fn monday() -> DateTime<Utc> {
    let mut d = Utc::now() + Duration::days(7);
    while d.format("%u").to_string() != "1" {
        d += Duration::days(1);
    }
    d.with_hour(9)
        .unwrap()
        .with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap()
}

async fn schedule(app: &TestApp, user: &TestUser, body: Value) -> (u16, Value) {
    send(
        app.as_user(Method::POST, "/api/v1/tasks/appointments/", user)
            .json(&body),
    )
    .await
}

fn meeting(title: &str, start: DateTime<Utc>, minutes: i64) -> Value {
    json!({ "title": title, "type": "MEETING", "startsAt": start, "endsAt": start + Duration::minutes(minutes) })
}

#[tokio::test]
async fn overlapping_appointments_of_the_same_lawyer_clash_and_back_to_back_ones_do_not() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let start = monday();
    let (status, first) = schedule(&app, &lawyer, meeting("Client call", start, 60)).await;
    assert_eq!(status, 201, "{first}");
    let (status, body) = schedule(
        &app,
        &lawyer,
        meeting("Overlap", start + Duration::minutes(30), 60),
    )
    .await;
    assert_eq!((status, code(&body)), (409, "RESOURCE_CONFLICT"), "{body}");
    let clashes = &body["error"]["details"]["clashes"];
    assert_eq!(clashes[0]["appointmentId"], first["id"]);
    assert_eq!(clashes[0]["title"], "Client call");
    assert_eq!(clashes[0]["userIds"], json!([lawyer.user_id]));
    // Back to back: [09:00, 10:00) and [10:00, 11:00).
    let (status, body) = schedule(
        &app,
        &lawyer,
        meeting("Next", start + Duration::hours(1), 60),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // Another lawyer is free then; conflicts may be allowed on purpose.
    let other = assign(&app, firm, "LAWYER").await;
    assert_eq!(
        schedule(&app, &other, meeting("Theirs", start, 60)).await.0,
        201
    );
    let mut forced = meeting("Forced", start, 30);
    forced["allowConflicts"] = json!(true);
    assert_eq!(schedule(&app, &lawyer, forced).await.0, 201);
    // Inviting the busy lawyer clashes too; moving the first one away frees the slot.
    let mut invite = meeting("Invite", start + Duration::minutes(15), 15);
    invite["attendees"] = json!([{ "userId": lawyer.user_id }]);
    assert_eq!(schedule(&app, &other, invite.clone()).await.0, 409);
    let path = format!("/api/v1/tasks/appointments/{}", id_of(&first));
    let moved = send_ok(app.as_user(Method::PATCH, &path, &lawyer).json(&json!({
        "startsAt": start + Duration::days(1), "endsAt": start + Duration::days(1) + Duration::hours(1)
    })), 200).await;
    assert_eq!(moved["startsAt"], json!(start + Duration::days(1)));
    invite["title"] = json!("Invite again");
    invite["startsAt"] = json!(start + Duration::hours(2));
    invite["endsAt"] = json!(start + Duration::hours(2) + Duration::minutes(15));
    assert_eq!(schedule(&app, &other, invite).await.0, 201);
    // Validation names every field.
    let (status, body) = schedule(&app, &lawyer, json!({
        "title": "", "type": "PARTY", "startsAt": start, "endsAt": start - Duration::hours(1),
        "timeZone": "Nowhere", "recurrence": "FREQ=HOURLY", "attendees": [{}], "videoUrl": "ftp://x"
    })).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "title",
            "videoUrl",
            "type",
            "timeZone",
            "endsAt",
            "recurrence",
            "attendees[0]"
        ]
    );
}

#[tokio::test]
async fn a_weekly_series_clashes_on_its_third_occurrence_and_not_on_an_exception_date() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let start = monday();
    let third = start + Duration::weeks(2);
    let (status, hearing) = schedule(&app, &lawyer, json!({
        "title": "Hearing", "type": "HEARING", "startsAt": third + Duration::minutes(30), "endsAt": third + Duration::hours(2)
    })).await;
    assert_eq!(status, 201, "{hearing}");
    let mut weekly = meeting("Team meeting", start, 60);
    weekly["recurrence"] = json!("FREQ=WEEKLY;COUNT=6");
    let (status, body) = schedule(&app, &lawyer, weekly.clone()).await;
    assert_eq!(status, 409, "{body}");
    let clash = &body["error"]["details"]["clashes"][0];
    assert_eq!(clash["appointmentId"], hearing["id"]);
    assert_eq!(clash["startsAt"], json!(third + Duration::minutes(30)));
    // Scheduled anyway, then the third occurrence is cancelled: a new clash
    // check of the series' other weeks finds nothing.
    weekly["allowConflicts"] = json!(true);
    let (status, series) = schedule(&app, &lawyer, weekly).await;
    assert_eq!(status, 201, "{series}");
    let sid = id_of(&series);
    assert_eq!(
        series["seriesEndsAt"],
        json!(start + Duration::weeks(5) + Duration::hours(1))
    );
    let exc = format!("/api/v1/tasks/appointments/{sid}/exceptions");
    let (status, body) =
        send(app.as_user(Method::POST, &exc, &lawyer).json(
            &json!({ "occurrenceStartsAt": third + Duration::minutes(5), "cancelled": true }),
        ))
        .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["occurrenceStartsAt".to_owned()])
    );
    send_ok(
        app.as_user(Method::POST, &exc, &lawyer)
            .json(&json!({ "occurrenceStartsAt": third, "cancelled": true })),
        201,
    )
    .await;
    // With the exception, a meeting in the third week's slot does not clash with the series.
    // ([third, third + 30 min) ends where the hearing begins: back to back.)
    let (status, body) = schedule(&app, &lawyer, meeting("In the freed slot", third, 30)).await;
    assert_eq!(status, 201, "{body}");
    // The fourth week is still taken by the series.
    let fourth = start + Duration::weeks(3);
    let (status, body) = schedule(&app, &lawyer, meeting("Week four", fourth, 30)).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["error"]["details"]["clashes"][0]["appointmentId"],
        json!(sid)
    );
    // Moving one occurrence clash-checks its new time.
    let second = start + Duration::weeks(1);
    let (status, body) = send(app.as_user(Method::POST, &exc, &lawyer).json(&json!({
        "occurrenceStartsAt": second, "startsAt": third + Duration::minutes(45), "endsAt": third + Duration::minutes(75)
    }))).await;
    assert_eq!(status, 409, "it would sit on the hearing: {body}");
    assert_eq!(
        body["error"]["details"]["clashes"][0]["appointmentId"],
        hearing["id"]
    );
    // The window lists the occurrences without the cancelled one.
    let q = format!(
        "/api/v1/tasks/appointments/?from={}&to={}&limit=100",
        enc(start - Duration::hours(1)),
        enc(start + Duration::weeks(7))
    );
    let listed = send_ok(app.as_user(Method::GET, &q, &lawyer), 200).await;
    let of_series: Vec<&Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["appointment"]["id"] == json!(sid))
        .collect();
    assert_eq!(of_series.len(), 5, "{listed}");
    assert!(
        of_series
            .iter()
            .all(|o| o["occurrenceStartsAt"] != json!(third))
    );
    let (status, body) = send(app.as_user(
        Method::GET,
        &format!(
            "/api/v1/tasks/appointments/?from={}&to={}",
            enc(start),
            enc(start - Duration::hours(1))
        ),
        &lawyer,
    ))
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["to".to_owned()]));
}

fn enc(t: DateTime<Utc>) -> String {
    t.to_rfc3339().replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn each_attendee_answers_for_themselves_only() {
    let app = app().await;
    let firm = FirmId::new();
    let organizer = assign(&app, firm, "LAWYER").await;
    let a = assign(&app, firm, "LAWYER").await;
    let b = assign(&app, firm, "PARALEGAL").await;
    let outsider = assign(&app, firm, "LAWYER").await;
    let m = matter(&app, &organizer, "Consultation").await;
    let mut body = meeting("Consultation", monday(), 45);
    body["matterId"] = json!(m);
    body["type"] = json!("CONSULTATION");
    body["attendees"] = json!([{ "userId": a.user_id }, { "userId": b.user_id }, { "email": "Partner@Other-Firm.example", "name": "P. Partner" }]);
    // The paralegal cannot reach the matter yet: named.
    let (status, refused) = schedule(&app, &organizer, body.clone()).await;
    assert_eq!(
        (status, fields(&refused)),
        (422, vec!["attendees[1].userId".to_owned()]),
        "{refused}"
    );
    join(&app, &organizer, m, &b).await;
    let (status, created) = schedule(&app, &organizer, body).await;
    assert_eq!(status, 201, "{created}");
    let attendees = created["attendees"].as_array().unwrap().clone();
    assert_eq!(attendees.len(), 4);
    assert_eq!(
        (
            attendees[0]["organizer"].as_bool(),
            attendees[0]["response"].as_str()
        ),
        (Some(true), Some("ACCEPTED"))
    );
    let external = attendees.iter().find(|t| t["kind"] == "EXTERNAL").unwrap();
    assert_eq!(external["email"], "partner@other-firm.example");
    let path = format!("/api/v1/tasks/appointments/{}/responses", id_of(&created));
    let answered = send_ok(
        app.as_user(Method::POST, &path, &a)
            .json(&json!({ "response": "ACCEPTED" })),
        200,
    )
    .await;
    assert_eq!(
        (answered["userId"].clone(), answered["response"].as_str()),
        (json!(a.user_id), Some("ACCEPTED"))
    );
    let answered = send_ok(
        app.as_user(Method::POST, &path, &b)
            .json(&json!({ "response": "TENTATIVE" })),
        200,
    )
    .await;
    assert_eq!(answered["response"], "TENTATIVE");
    // Nobody answers for another firm user, not even the organizer.
    let a_id = attendees
        .iter()
        .find(|t| t["userId"] == json!(a.user_id))
        .unwrap()["id"]
        .clone();
    let (status, body) = send(
        app.as_user(Method::POST, &path, &b)
            .json(&json!({ "response": "DECLINED", "attendeeId": a_id })),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let (status, _) = send(
        app.as_user(Method::POST, &path, &organizer)
            .json(&json!({ "response": "DECLINED", "attendeeId": a_id })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(
        app.as_user(Method::POST, &path, &outsider)
            .json(&json!({ "response": "ACCEPTED" })),
    )
    .await;
    assert_eq!(status, 403, "not an attendee");
    let (status, body) = send(
        app.as_user(Method::POST, &path, &a)
            .json(&json!({ "response": "MAYBE" })),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["response".to_owned()]));
    // The organizer records the external attendee's answer.
    let recorded = send_ok(
        app.as_user(Method::POST, &path, &organizer)
            .json(&json!({ "response": "DECLINED", "attendeeId": external["id"] })),
        200,
    )
    .await;
    assert_eq!(recorded["response"], "DECLINED");
    let got = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/tasks/appointments/{}", id_of(&created)),
            &a,
        ),
        200,
    )
    .await;
    let responses: Vec<&str> = got["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["response"].as_str().unwrap())
        .collect();
    assert_eq!(responses, ["ACCEPTED", "ACCEPTED", "TENTATIVE", "DECLINED"]);
    // Notes, consents (append-only), then cancel: kept, CANCELLED, told by event.
    let base = format!("/api/v1/tasks/appointments/{}", id_of(&created));
    send_ok(
        app.as_user(Method::POST, &format!("{base}/notes"), &organizer)
            .json(&json!({ "body": "Bring the contract" })),
        201,
    )
    .await;
    let consent = send_ok(app.as_user(Method::POST, &format!("{base}/consents"), &organizer).json(&json!({
        "attendeeId": external["id"], "consentType": "RECORDING", "granted": true, "method": "VERBAL"
    })), 201).await;
    assert_eq!(consent["recordedBy"], json!(organizer.user_id));
    let (status, body) = send(
        app.as_user(Method::POST, &format!("{base}/consents"), &organizer)
            .json(&json!({ "consentType": "X" })),
    )
    .await;
    assert_eq!(
        (status, fields(&body)),
        (
            422,
            vec![
                "consentType".to_owned(),
                "granted".to_owned(),
                "method".to_owned()
            ]
        )
    );
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    use diesel_async::RunQueryDsl;
    let tampered = diesel::sql_query("update tasks.appointment_consents set granted = false")
        .execute(&mut conn)
        .await;
    assert!(tampered.is_err(), "consents are append-only");
    send_ok(app.as_user(Method::DELETE, &base, &organizer), 204).await;
    let cancelled = send_ok(app.as_user(Method::GET, &base, &organizer), 200).await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(
        send(app.as_user(Method::DELETE, &base, &organizer)).await.0,
        409
    );
    let rows = crate::tasks::outbox(&mut conn, id_of(&created)).await;
    let kinds: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    for kind in [
        "appointment.scheduled",
        "appointment.response_recorded",
        "appointment.cancelled",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let c = &rows
        .iter()
        .find(|(k, _)| k == "appointment.cancelled")
        .unwrap()
        .1;
    assert_eq!(c["context"]["id"], json!(m));
    assert_eq!(c["data"]["attendeeUserIds"].as_array().unwrap().len(), 3);
}
