//! Who sees which channel: another firm nothing (404 on every by-id route,
//! empty lists), a matter's channel whom the matter is visible to, a contact's
//! whoever reads contacts, an internal one firm-wide readers and its
//! participants; a forbidden action on a visible channel is 403.

use std::time::Duration;

use lawos_core::FirmId;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn another_firm_sees_nothing_and_roles_are_refused_what_their_scopes_lack() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let paralegal = user(&app, firm, "PARALEGAL").await;
    let staff = user(&app, firm, "STAFF").await;
    let id = matter(&app, &lawyer, "Walled garden").await;
    join(&app, &lawyer, id, &paralegal, "PARALEGAL").await;
    let (channel, _) = default_channel(&app, &lawyer, id, Duration::from_secs(5))
        .await
        .unwrap();
    let channel_id = id_of(&channel);
    let path = format!("/api/v1/channels/{channel_id}");

    // Another firm's lawyer: 404 on every by-id route, nothing in lists.
    let other = user(&app, FirmId::new(), "LAWYER").await;
    let participant = channel_id; // any id: the channel is not found first
    for (method, route) in [
        (Method::GET, path.clone()),
        (Method::PATCH, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::PUT, format!("{path}/archive")),
        (Method::PUT, format!("{path}/restore")),
        (Method::GET, format!("{path}/events")),
        (Method::GET, format!("{path}/participants")),
        (Method::POST, format!("{path}/participants")),
        (Method::DELETE, format!("{path}/participants/{participant}")),
        (Method::GET, format!("{path}/messages")),
        (Method::POST, format!("{path}/messages")),
    ] {
        assert_eq!(
            status(&app, method.clone(), &route, &other).await,
            404,
            "{method} {route}"
        );
    }
    let theirs = list(&app, &other, "").await;
    assert_eq!(theirs["data"], json!([]));
    assert_eq!(theirs["pagination"]["total"], 0);
    let by_context = list(&app, &other, &format!("?context_id={id}")).await;
    assert_eq!(by_context["data"], json!([]));

    // STAFF not on the matter: 404, and the list leaves the channel out.
    assert_eq!(status(&app, Method::GET, &path, &staff).await, 404);
    assert_eq!(list(&app, &staff, "").await["pagination"]["total"], 0);
    // The PARALEGAL on the matter reads it (once rbac's projection says so).
    let reads = soon(lawos_testkit::broker::PROPAGATE, || async {
        status(&app, Method::GET, &path, &paralegal).await == 200
    })
    .await;
    assert!(reads, "the paralegal on the matter never read its channel");
    assert_eq!(
        list(&app, &paralegal, "").await["data"][0]["id"],
        json!(channel_id)
    );
    // ... but may not archive, rename or delete it (no channels:update): 403.
    for (method, route) in [
        (Method::PUT, format!("{path}/archive")),
        (Method::PATCH, path.clone()),
        (Method::DELETE, path.clone()),
    ] {
        let (got, body) = send(
            app.as_user(method.clone(), &route, &paralegal)
                .json(&json!({ "title": "Mine now" })),
        )
        .await;
        assert_eq!(got, 403, "{method} {route}: {body}");
        assert_eq!(code(&body), "PERMISSION_DENIED");
        assert_eq!(
            body["error"]["details"]["requiredScopes"],
            json!(["channels:update"])
        );
    }
    // STAFF holds no channels:create at all; FIRM_ADMIN neither.
    for role in ["STAFF", "FIRM_ADMIN"] {
        let who = user(&app, firm, role).await;
        let (got, body) = send(
            app.as_user(Method::POST, "/api/v1/channels/", &who)
                .json(&json!({ "contextType": "INTERNAL", "title": "Not allowed" })),
        )
        .await;
        assert_eq!(got, 403, "{role}: {body}");
    }
    // The lawyer archives it.
    let archived = send_ok(
        app.as_user(Method::PUT, &format!("{path}/archive"), &lawyer),
        200,
    )
    .await;
    assert!(archived["archivedAt"].is_string());
}

#[tokio::test]
async fn an_ethical_wall_hides_a_matters_channel_from_a_lawyer() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let walled = user(&app, firm, "LAWYER").await;
    let id = matter(&app, &lawyer, "Conflicted").await;
    let channel = matter_channel(&app, &lawyer, id, "Strategy").await;
    let path = format!("/api/v1/channels/{}", id_of(&channel));
    assert_eq!(status(&app, Method::GET, &path, &walled).await, 200);
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/MATTER/{id}/grants"),
            &firm_admin(firm),
        )
        .json(&json!({ "userId": walled.user_id, "action": "DENY", "reason": "ethical wall" })),
        201,
    )
    .await;
    let hidden = soon(lawos_testkit::broker::PROPAGATE, || async {
        status(&app, Method::GET, &path, &walled).await == 404
    })
    .await;
    assert!(hidden, "the wall did not hide the channel");
    let seen = list(&app, &walled, &format!("?context_id={id}")).await;
    assert_eq!(seen["data"], json!([]));
    // Creating a channel on the walled matter: as unknown as a missing one.
    let (got, body) = send(
        app.as_user(Method::POST, "/api/v1/channels/", &walled)
            .json(&json!({ "contextType": "MATTER", "contextId": id, "title": "Sneak" })),
    )
    .await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(fields(&body), ["contextId"]);
    // The other lawyer still sees both of the matter's channels (its default one too).
    let both = soon(lawos_testkit::broker::PROPAGATE, || async {
        list(&app, &lawyer, &format!("?context_id={id}")).await["pagination"]["total"] == 2
    })
    .await;
    assert!(both);
}

#[tokio::test]
async fn contact_and_internal_channels_follow_their_own_rules() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let paralegal = user(&app, firm, "PARALEGAL").await;
    let other_paralegal = user(&app, firm, "PARALEGAL").await;
    let client = user(&app, firm, "CLIENT").await;
    let person = contact(&app, &lawyer, "Ada", "Lovelace").await;

    // A contact's channel: whoever reads contacts (PARALEGAL holds clients:read).
    let about = send_ok(
        app.as_user(Method::POST, "/api/v1/channels/", &lawyer).json(&json!({
            "contextType": "CONTACT", "contextId": person, "kind": "SMS", "title": "Ada by SMS",
            "participants": [{ "type": "CONTACT", "contactId": person, "phone": "+15551230001" }]
        })),
        201,
    )
    .await;
    let about_path = format!("/api/v1/channels/{}", id_of(&about));
    assert_eq!(
        status(&app, Method::GET, &about_path, &paralegal).await,
        200
    );
    assert_eq!(status(&app, Method::GET, &about_path, &client).await, 404);
    let (got, _) = send(app.as_user(Method::GET, "/api/v1/channels/", &client)).await;
    assert_eq!(got, 403, "a CLIENT holds no channels:read");

    // An internal channel opened by a paralegal: it takes part, the lawyer
    // reads every internal channel, another paralegal does not.
    let room = internal_channel(&app, &paralegal, "Research room").await;
    assert_eq!(room["participants"][0]["userId"], json!(paralegal.user_id));
    let room_id: Uuid = id_of(&room);
    let room_path = format!("/api/v1/channels/{room_id}");
    assert_eq!(status(&app, Method::GET, &room_path, &lawyer).await, 200);
    assert_eq!(
        status(&app, Method::GET, &room_path, &other_paralegal).await,
        404
    );
    let mine = list(&app, &other_paralegal, "?context_type=INTERNAL").await;
    assert_eq!(mine["data"], json!([]));
    // Added by the lawyer, the other paralegal sees it and finds it in lists.
    send_ok(
        app.as_user(Method::POST, &format!("{room_path}/participants"), &lawyer)
            .json(&json!({ "type": "USER", "userId": other_paralegal.user_id })),
        201,
    )
    .await;
    assert_eq!(
        status(&app, Method::GET, &room_path, &other_paralegal).await,
        200
    );
    let mine = list(&app, &other_paralegal, "?participant=me").await;
    assert_eq!(mine["data"][0]["id"], json!(room_id));
    // Taking part is not changing: a paralegal holds no channels:update.
    assert_eq!(
        status(
            &app,
            Method::PUT,
            &format!("{room_path}/archive"),
            &paralegal
        )
        .await,
        403
    );
    // The lawyer's list holds both; the paralegal's too (contacts and its room).
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 2);
    assert_eq!(list(&app, &paralegal, "").await["pagination"]["total"], 2);
}
