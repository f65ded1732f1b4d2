//! The standard pattern: create (validated, context checked at its owner),
//! get with ETag, PATCH with If-Match, archive / restore, soft delete, lists
//! and their filters, participants, the audit trail.

use std::time::Duration;

use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn create_validate_edit_archive_restore_delete() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let colleague = user(&app, firm, "PARALEGAL").await;

    // Every bad field is named at once.
    let (got, body) = send(
        app.as_user(Method::POST, "/api/v1/channels/", &lawyer)
            .json(&json!({
                "contextType": "PROJECT", "kind": "FAX", "title": "",
                "participants": [{ "type": "USER" }]
            })),
    )
    .await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(
        fields(&body),
        ["contextType", "kind", "title", "participants[0].userId"]
    );
    let (got, body) = send(
        app.as_user(Method::POST, "/api/v1/channels/", &lawyer)
            .json(&json!({ "contextType": "MATTER", "title": "x", "surprise": 1 })),
    )
    .await;
    assert_eq!((got, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    // The context must exist at its owner.
    for context in ["MATTER", "CONTACT"] {
        let (got, body) = send(app.as_user(Method::POST, "/api/v1/channels/", &lawyer).json(
            &json!({ "contextType": context, "contextId": Uuid::now_v7(), "title": "Ghost" }),
        ))
        .await;
        assert_eq!(got, 422, "{context}: {body}");
        assert_eq!(fields(&body), ["contextId"]);
    }
    let (got, body) = send(
        app.as_user(Method::POST, "/api/v1/channels/", &lawyer)
            .json(&json!({
                "contextType": "INTERNAL", "title": "Team",
                "participants": [{ "type": "CONTACT", "contactId": Uuid::now_v7() }]
            })),
    )
    .await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(fields(&body), ["participants[0].contactId"]);
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 0);

    // Created: the creator and the listed colleague take part.
    let res = app
        .as_user(Method::POST, "/api/v1/channels/", &lawyer)
        .json(&json!({
            "contextType": "internal", "title": " Litigation team ",
            "participants": [{ "type": "USER", "userId": colleague.user_id }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let channel: serde_json::Value = res.json().await.unwrap();
    let id = id_of(&channel);
    assert_eq!(location, format!("/api/v1/channels/{id}"));
    assert_eq!(channel["title"], "Litigation team");
    assert_eq!(channel["contextType"], "INTERNAL");
    assert!(channel["contextId"].is_null());
    assert_eq!(channel["kind"], "INTERNAL");
    assert_eq!(channel["isDefault"], false);
    assert_eq!(channel["firmId"], json!(firm));
    let people: Vec<_> = channel["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["type"].clone(), p["userId"].clone()))
        .collect();
    assert_eq!(
        people,
        [
            (json!("USER"), json!(lawyer.user_id)),
            (json!("USER"), json!(colleague.user_id))
        ]
    );
    let path = format!("/api/v1/channels/{id}");
    let res = app
        .as_user(Method::GET, &path, &lawyer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);

    // PATCH: a stale If-Match is 412, a blank title 422, the right one renames.
    let (got, body) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", "\"stale\"")
            .json(&json!({ "title": "Renamed" })),
    )
    .await;
    assert_eq!((got, code(&body)), (412, "PRECONDITION_FAILED"));
    let (got, body) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .json(&json!({ "title": "   " })),
    )
    .await;
    assert_eq!((got, fields(&body)), (422, vec!["title".to_owned()]));
    let renamed = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", &etag)
            .json(&json!({ "title": "Renamed" })),
        200,
    )
    .await;
    assert_eq!(renamed["title"], "Renamed");
    let (got, _) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", &etag)
            .json(&json!({ "title": "Again" })),
    )
    .await;
    assert_eq!(got, 412, "the old ETag is stale after the rename");

    // Archive (idempotent) moves it out of the default list into archived=true.
    let archived = send_ok(
        app.as_user(Method::PUT, &format!("{path}/archive"), &lawyer),
        200,
    )
    .await;
    let at = archived["archivedAt"].clone();
    assert!(at.is_string());
    let again = send_ok(
        app.as_user(Method::PUT, &format!("{path}/archive/"), &lawyer),
        200,
    )
    .await;
    assert_eq!(again["archivedAt"], at);
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 0);
    let shelf = list(&app, &lawyer, "?archived=true").await;
    assert_eq!(shelf["data"][0]["id"], json!(id));
    let restored = send_ok(
        app.as_user(Method::PUT, &format!("{path}/restore"), &lawyer),
        200,
    )
    .await;
    assert!(restored["archivedAt"].is_null());
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 1);

    // Soft delete: gone from every route and list.
    assert_eq!(status(&app, Method::DELETE, &path, &lawyer).await, 204);
    assert_eq!(status(&app, Method::GET, &path, &lawyer).await, 404);
    assert_eq!(status(&app, Method::DELETE, &path, &lawyer).await, 404);
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 0);
    assert_eq!(
        list(&app, &lawyer, "?archived=true").await["pagination"]["total"],
        0
    );
}

/// Three channels of `lawyer`'s firm: a matter's, a contact's SMS one, an internal one.
async fn three(app: &TestApp, lawyer: &lawos_testkit::TestUser) -> (Uuid, Uuid, Uuid) {
    let m = matter(app, lawyer, "Listed").await;
    let person = contact(app, lawyer, "Grace", "Hopper").await;
    let matter_ch = id_of(&matter_channel(app, lawyer, m, "Matter talk").await);
    let sms = send_ok(
        app.as_user(Method::POST, "/api/v1/channels/", lawyer).json(&json!({
            "contextType": "CONTACT", "contextId": person, "kind": "SMS", "title": "Grace",
            "participants": [{ "type": "CONTACT", "contactId": person, "phone": "+15551230002" }]
        })),
        201,
    )
    .await;
    let internal = id_of(&internal_channel(app, lawyer, "Room").await);
    (matter_ch, id_of(&sms), internal)
}

#[tokio::test]
async fn lists_filter_and_page_and_participants_come_and_go() {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
        lawos_svc_channels::SPEC,
    ])
    .await;
    ready(&app).await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let (matter_ch, sms, internal) = three(&app, &lawyer).await;
    // The matter's default channel arrives too: four in all.
    let four = soon(lawos_testkit::broker::PROPAGATE, || async {
        list(&app, &lawyer, "").await["pagination"]["total"] == 4
    })
    .await;
    assert!(four);
    let ids = |page: &serde_json::Value| -> Vec<serde_json::Value> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect()
    };
    assert_eq!(ids(&list(&app, &lawyer, "?kind=sms").await), [json!(sms)]);
    assert_eq!(
        ids(&list(&app, &lawyer, "?context_type=INTERNAL").await),
        [json!(internal)]
    );
    let m = list(&app, &lawyer, "?context_type=MATTER").await;
    assert_eq!(m["pagination"]["total"], 2);
    assert!(ids(&m).contains(&json!(matter_ch)));
    assert_eq!(
        list(&app, &lawyer, "?participant=me").await["pagination"]["total"],
        3
    );
    let (got, body) = send(app.as_user(
        Method::GET,
        "/api/v1/channels/?context_type=GALAXY&kind=FAX&participant=you&limit=0",
        &lawyer,
    ))
    .await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(
        fields(&body),
        ["context_type", "kind", "participant", "limit"]
    );
    // Pages of one, latest activity first, each channel once.
    let mut seen = Vec::new();
    let mut times = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit=1&cursor={c}"),
            None => "?limit=1".to_owned(),
        };
        let page = list(&app, &lawyer, &q).await;
        seen.extend(ids(&page));
        times.push(
            page["data"][0]["lastActivityAt"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        );
        match page["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen.sort_by_key(|v| v.to_string());
    seen.dedup();
    assert_eq!(seen.len(), 4, "each channel once");
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "latest activity first: {times:?}"
    );
    let (got, body) =
        send(app.as_user(Method::GET, "/api/v1/channels/?cursor=forged", &lawyer)).await;
    assert_eq!((got, code(&body)), (400, "INVALID_FIELD_FORMAT"));

    // Participants of the SMS channel: a contact needs its phone there.
    let people = format!("/api/v1/channels/{sms}/participants");
    let other = contact(&app, &lawyer, "Alan", "Turing").await;
    let (got, body) = send(
        app.as_user(Method::POST, &people, &lawyer)
            .json(&json!({ "type": "CONTACT", "contactId": other })),
    )
    .await;
    assert_eq!((got, fields(&body)), (422, vec!["phone".to_owned()]));
    let (got, body) =
        send(app.as_user(Method::POST, &people, &lawyer).json(
            &json!({ "type": "CONTACT", "contactId": Uuid::now_v7(), "phone": "+15551230003" }),
        ))
        .await;
    assert_eq!((got, fields(&body)), (422, vec!["contactId".to_owned()]));
    let added = send_ok(
        app.as_user(Method::POST, &people, &lawyer)
            .json(&json!({ "type": "CONTACT", "contactId": other, "phone": "+15551230003" })),
        201,
    )
    .await;
    assert_eq!(added["phone"], "+15551230003");
    let (got, body) = send(
        app.as_user(Method::POST, &people, &lawyer)
            .json(&json!({ "type": "CONTACT", "contactId": other, "phone": "+15551230004" })),
    )
    .await;
    assert_eq!((got, code(&body)), (409, "RESOURCE_ALREADY_EXISTS"));
    let page = send_ok(
        app.as_user(Method::GET, &format!("{people}?limit=1"), &lawyer),
        200,
    )
    .await;
    assert_eq!(
        page["pagination"]["total"], 3,
        "the creator, Grace and Alan"
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let one = format!("{people}/{}", id_of(&added));
    assert_eq!(status(&app, Method::DELETE, &one, &lawyer).await, 204);
    assert_eq!(status(&app, Method::DELETE, &one, &lawyer).await, 404);

    // The audit trail, from the events service.
    let trail = format!("/api/v1/channels/{sms}/events");
    let complete = soon(Duration::from_secs(10), || async {
        let page = send_ok(app.as_user(Method::GET, &trail, &lawyer), 200).await;
        page["data"]
            .as_array()
            .is_some_and(|d| d.iter().any(|e| e["type"] == "channel.created"))
    })
    .await;
    assert!(complete, "the channel's audit trail stayed empty");
    let (got, _) = send(app.as_user(Method::GET, &format!("{trail}?limit=500"), &lawyer)).await;
    assert_eq!(got, 422);
}
