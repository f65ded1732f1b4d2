//! iCalendar: the per-user feed and one appointment's `.ics` parse with an
//! independent parser (the `ical` crate), carry UID, DTSTAMP, the RRULE, EXDATE,
//! the moved occurrence (RECURRENCE-ID), each attendee's PARTSTAT, the
//! VTIMEZONE of the zone used and STATUS:CANCELLED; a revoked token is 404.

use chrono::{Duration, Timelike, Utc};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

fn parse(text: &str) -> IcalCalendar {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser
        .next()
        .expect("one VCALENDAR")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(parser.next().is_none(), "exactly one VCALENDAR");
    cal
}

fn prop<'a>(ev: &'a IcalEvent, name: &str) -> Vec<&'a ical::property::Property> {
    ev.properties.iter().filter(|p| p.name == name).collect()
}

fn value(ev: &IcalEvent, name: &str) -> Option<String> {
    prop(ev, name).first().and_then(|p| p.value.clone())
}

fn param(p: &ical::property::Property, name: &str) -> Option<String> {
    p.params
        .as_ref()?
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.first().cloned())
}

#[tokio::test]
async fn the_feed_parses_and_carries_the_rrule_partstat_and_cancellations() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let colleague = assign(&app, firm, "LAWYER").await;
    let start = (Utc::now() + Duration::days(3))
        .with_hour(14)
        .unwrap()
        .with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let series = send_ok(app.as_user(Method::POST, "/api/v1/tasks/appointments/", &lawyer).json(&json!({
        "title": "Weekly review", "type": "MEETING", "startsAt": start, "endsAt": start + Duration::hours(1),
        "timeZone": "America/New_York", "recurrence": "FREQ=WEEKLY;COUNT=4", "location": "Room 2",
        "attendees": [{ "userId": colleague.user_id }, { "email": "counsel@partner.example", "name": "Counsel" }]
    })), 201).await;
    let sid = id_of(&series);
    let base = format!("/api/v1/tasks/appointments/{sid}");
    send_ok(
        app.as_user(Method::POST, &format!("{base}/responses"), &colleague)
            .json(&json!({ "response": "ACCEPTED" })),
        200,
    )
    .await;
    let (second, third) = (start + Duration::weeks(1), start + Duration::weeks(2));
    send_ok(
        app.as_user(Method::POST, &format!("{base}/exceptions"), &lawyer)
            .json(&json!({ "occurrenceStartsAt": second, "cancelled": true })),
        201,
    )
    .await;
    send_ok(app.as_user(Method::POST, &format!("{base}/exceptions"), &lawyer).json(&json!({
        "occurrenceStartsAt": third, "startsAt": third + Duration::hours(3), "endsAt": third + Duration::hours(4)
    })), 201).await;
    let single_start = start + Duration::days(1);
    let single = send_ok(app.as_user(Method::POST, "/api/v1/tasks/appointments/", &lawyer).json(&json!({
        "title": "Call off", "type": "CALL", "startsAt": single_start, "endsAt": single_start + Duration::minutes(30),
        "attendees": [{ "userId": colleague.user_id }]
    })), 201).await;
    send_ok(
        app.as_user(
            Method::DELETE,
            &format!("/api/v1/tasks/appointments/{}", id_of(&single)),
            &lawyer,
        ),
        204,
    )
    .await;

    // The colleague subscribes.
    let token = send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/tasks/appointments/feed-tokens",
            &colleague,
        )
        .json(&json!({ "label": "Phone" })),
        201,
    )
    .await;
    let secret = token["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("lft_") && secret.len() > 60);
    let feed = app.url(token["feedPath"].as_str().unwrap());
    let res = app.http.get(&feed).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    let cal = parse(&text);
    assert_eq!(cal.timezones.len(), 1, "{text}");
    let uid = format!("{sid}@lawos");
    let of_series: Vec<&IcalEvent> = cal
        .events
        .iter()
        .filter(|e| value(e, "UID").as_deref() == Some(uid.as_str()))
        .collect();
    assert_eq!(
        of_series.len(),
        2,
        "the series and its moved occurrence: {text}"
    );
    let master = of_series
        .iter()
        .find(|e| prop(e, "RECURRENCE-ID").is_empty())
        .unwrap();
    assert_eq!(
        value(master, "RRULE").as_deref(),
        Some("FREQ=WEEKLY;COUNT=4")
    );
    assert!(value(master, "DTSTAMP").is_some());
    let dtstart = prop(master, "DTSTART")[0];
    assert_eq!(param(dtstart, "TZID").as_deref(), Some("America/New_York"));
    let local = start
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y%m%dT%H%M%S")
        .to_string();
    assert_eq!(dtstart.value.as_deref(), Some(local.as_str()));
    let exdate = prop(master, "EXDATE");
    let second_local = second
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y%m%dT%H%M%S")
        .to_string();
    assert_eq!(exdate.len(), 1);
    assert_eq!(exdate[0].value.as_deref(), Some(second_local.as_str()));
    let attendees = prop(master, "ATTENDEE");
    let mine = attendees
        .iter()
        .find(|a| a.value.as_deref() == Some(format!("urn:uuid:{}", colleague.user_id).as_str()))
        .unwrap();
    assert_eq!(param(mine, "PARTSTAT").as_deref(), Some("ACCEPTED"));
    let counsel = attendees
        .iter()
        .find(|a| a.value.as_deref() == Some("mailto:counsel@partner.example"))
        .unwrap();
    assert_eq!(param(counsel, "PARTSTAT").as_deref(), Some("NEEDS-ACTION"));
    assert_eq!(value(master, "STATUS").as_deref(), Some("CONFIRMED"));
    let cancelled = cal
        .events
        .iter()
        .find(|e| value(e, "UID") == Some(format!("{}@lawos", id_of(&single))))
        .unwrap();
    assert_eq!(value(cancelled, "STATUS").as_deref(), Some("CANCELLED"));

    // One appointment's .ics, with the bearer token.
    let res = app
        .as_user(Method::GET, &format!("{base}.ics"), &lawyer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let one = parse(&res.text().await.unwrap());
    assert_eq!(one.events.len(), 2);

    // Revoked: 404; malformed: 404.
    send_ok(
        app.as_user(
            Method::DELETE,
            &format!("/api/v1/tasks/appointments/feed-tokens/{}", id_of(&token)),
            &colleague,
        ),
        204,
    )
    .await;
    assert_eq!(app.http.get(&feed).send().await.unwrap().status(), 404);
    let junk = app.url("/api/v1/tasks/appointments/feed.ics?token=lft_nothing");
    assert_eq!(app.http.get(&junk).send().await.unwrap().status(), 404);
    let list = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/tasks/appointments/feed-tokens",
            &colleague,
        ),
        200,
    )
    .await;
    assert_eq!(list["data"], json!([]));
    // Revoking all at once.
    let again = send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/tasks/appointments/feed-tokens",
            &colleague,
        )
        .json(&json!({})),
        201,
    )
    .await;
    let revoked = send_ok(
        app.as_user(
            Method::DELETE,
            "/api/v1/tasks/appointments/feed-tokens",
            &colleague,
        ),
        200,
    )
    .await;
    assert_eq!(revoked["revoked"], 1);
    assert_eq!(
        app.http
            .get(app.url(again["feedPath"].as_str().unwrap()))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Only the hash is stored.
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query("select count(*) as n from tasks.feed_tokens where encode(token_hash, 'escape') like '%' || $1 || '%'")
        .bind::<diesel::sql_types::Text, _>(&secret[4..20])
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(n.n, 0);
}

#[tokio::test]
async fn a_bad_feed_token_body_is_refused_and_creates_nothing() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let path = "/api/v1/tasks/appointments/feed-tokens";
    let (status, body) = send(
        app.as_user(Method::POST, path, &lawyer)
            .json(&json!({ "label": "x".repeat(101) })),
    )
    .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    assert_eq!(fields(&body), ["label"]);
    let (status, body) = send(
        app.as_user(Method::POST, path, &lawyer)
            .json(&json!({ "label": 5 })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = send(
        app.as_user(Method::POST, path, &lawyer)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "MALFORMED_JSON"), "{body}");
    let (status, body) = send(app.as_user(Method::POST, path, &lawyer)).await;
    assert!(
        matches!(status, 400 | 415),
        "a missing body: {status} {body}"
    );
    let list = send_ok(app.as_user(Method::GET, path, &lawyer), 200).await;
    assert_eq!(list["data"], json!([]), "nothing was created");
}
