//! Messages in channels: write, thread, read, edit (sender only, history
//! kept, If-Match), delete (sender or firm administrator), the polymorphic
//! list, validation, refusals, channels' own say, and a second firm.

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn a_message_is_written_read_edited_and_deleted() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let (ada, bob) = (
        env.member(firm, "LAWYER").await,
        env.member(firm, "LAWYER").await,
    );
    let matter = Uuid::now_v7();
    let channel = env.channels.add(
        firm.0,
        "MATTER",
        Some(matter),
        "INTERNAL",
        &[ada.user_id.0, bob.user_id.0],
        &[],
    );

    let (status, m) = env
        .send(&ada, channel, "  Draft the **motion** by Friday.  ")
        .await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["body"], "Draft the **motion** by Friday.");
    assert_eq!(m["direction"], "INTERNAL");
    assert_eq!(m["contextType"], "MATTER");
    assert_eq!(m["contextId"], matter.to_string());
    assert_eq!(m["deliveryStatus"], "DELIVERED");
    assert_eq!(m["senderUserId"], ada.user_id.to_string());
    let id = id_of(&m);

    let sent = env.outbox("message.sent").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["context"],
        json!({ "type": "matter", "id": matter })
    );
    assert_eq!(sent[0]["entity"], json!({ "type": "message", "id": id }));
    let data = &sent[0]["data"];
    assert_eq!(data["channelId"], channel.to_string());
    assert_eq!(data["kind"], "INTERNAL");
    assert_eq!(
        data["participantUserIds"],
        json!([ada.user_id, bob.user_id])
    );
    assert!(data.get("body").is_none(), "{data}");

    let thread = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/messages/?channel_id={channel}"),
            &bob,
        ),
        200,
    )
    .await;
    assert_eq!(thread["data"][0]["id"], id.to_string());
    assert_eq!(thread["pagination"]["total"], 1);

    let res = env
        .req(Method::GET, &format!("/api/v1/messages/{id}"), &bob)
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let read: serde_json::Value = res.json().await.unwrap();
    assert_eq!(read["edits"], json!([]));

    // Only the sender edits; a stale If-Match is refused.
    let edit = |user, tag: &str| {
        env.req(Method::PATCH, &format!("/api/v1/messages/{id}"), user)
            .header("if-match", tag)
            .json(&json!({ "body": "Draft the motion by Thursday." }))
    };
    let (status, body) = send(edit(&bob, &etag)).await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let (status, body) = send(edit(&ada, "\"stale\"")).await;
    assert_eq!((status, code(&body)), (412, "PRECONDITION_FAILED"));
    let edited = send_ok(edit(&ada, &etag), 200).await;
    assert_eq!(edited["body"], "Draft the motion by Thursday.");
    assert!(edited["editedAt"].is_string());
    assert_eq!(
        edited["edits"][0]["previousBody"],
        "Draft the **motion** by Friday."
    );
    assert_eq!(env.outbox("message.updated").await.len(), 1);

    // The sender or a firm administrator deletes; then it is gone.
    let path = format!("/api/v1/messages/{id}");
    let (status, _) = send(env.req(Method::DELETE, &path, &bob)).await;
    assert_eq!(status, 403);
    let admin = env.member(firm, "FIRM_ADMIN").await;
    let (status, _) = send(env.req(Method::DELETE, &path, &admin)).await;
    assert_eq!(status, 204);
    let (status, body) = send(env.req(Method::GET, &path, &ada)).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let deleted = env.outbox("message.deleted").await;
    assert_eq!(
        deleted[0]["data"],
        json!({ "messageId": id, "channelId": channel })
    );
    assert!(lawos_testkit::api::outbox_drains(&env.app, "messages").await);
}

#[tokio::test]
async fn bad_input_is_named_field_by_field() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let (status, body) = send(
        env.req(Method::POST, "/api/v1/messages/", &ada)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["channelId", "body"]);
    let (status, body) = send(
        env.req(Method::POST, "/api/v1/messages/", &ada)
            .json(&json!({
                "channelId": Uuid::now_v7(), "body": "x".repeat(10_001),
                "attachments": (0..11).map(|_| Uuid::now_v7()).collect::<Vec<_>>()
            })),
    )
    .await;
    assert_eq!(fields(&body), ["body", "attachments"], "{status} {body}");
    let (status, body) = env.send(&ada, Uuid::now_v7(), "hello").await;
    assert_eq!((status, fields(&body)), (422, vec!["channelId".to_owned()]));
    let (status, body) = send(
        env.req(Method::POST, "/api/v1/messages/", &ada)
            .json(&json!({ "channel": 1 })),
    )
    .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"));
    for (query, named) in [
        ("", vec!["channel_id"]),
        ("?context_type=TASK", vec!["context_type", "context_id"]),
        (
            "?context_id=0190a000-0000-7000-8000-000000000000",
            vec!["context_type"],
        ),
        (
            "?channel_id=0190a000-0000-7000-8000-000000000000&limit=0",
            vec!["limit"],
        ),
    ] {
        let (status, body) =
            send(env.req(Method::GET, &format!("/api/v1/messages/{query}"), &ada)).await;
        assert_eq!(
            (status, fields(&body)),
            (422, named.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            "{query}"
        );
    }
    // Nothing was written.
    assert_eq!(env.count("messages", firm.0).await, 0);
}

#[tokio::test]
async fn reach_decides_who_reads_and_who_writes() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let paralegal = env.member(firm, "PARALEGAL").await;
    let admin = env.member(firm, "FIRM_ADMIN").await;
    let client = env.member(firm, "CLIENT").await;
    let matter = Uuid::now_v7();
    let channel = env
        .channels
        .add(firm.0, "MATTER", Some(matter), "INTERNAL", &[], &[]);
    let internal = env
        .channels
        .add(firm.0, "INTERNAL", None, "INTERNAL", &[], &[]);
    let (_, m) = env.send(&ada, channel, "privileged strategy").await;
    let id = id_of(&m);
    env.send(&ada, internal, "firm lunch").await;

    // A paralegal off the matter sees nothing of it, nor the firm's internal channel.
    let thread = format!("/api/v1/messages/?channel_id={channel}");
    for path in [
        thread.clone(),
        format!("/api/v1/messages/{id}"),
        format!("/api/v1/messages/?context_type=MATTER&context_id={matter}"),
        format!("/api/v1/messages/?channel_id={internal}"),
    ] {
        let (status, _) = send(env.req(Method::GET, &path, &paralegal)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, body) = env.send(&paralegal, channel, "hi").await;
    assert_eq!((status, fields(&body)), (422, vec!["channelId".to_owned()]));
    // An internal channel they take part in is theirs to read and write, as channels decides.
    let team = env.channels.add(
        firm.0,
        "INTERNAL",
        None,
        "INTERNAL",
        &[paralegal.user_id.0],
        &[],
    );
    assert_eq!(env.send(&paralegal, team, "ready for review").await.0, 201);
    let page = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/messages/?channel_id={team}"),
            &paralegal,
        ),
        200,
    )
    .await;
    assert_eq!(page["data"][0]["body"], "ready for review");

    // A READ grant on the matter lets the paralegal read (and, holding messages:create, write).
    let seen = env.authz().stats().invalidations;
    send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
            &lawos_testkit::api::firm_admin(firm),
        )
        .json(&json!({ "userId": paralegal.user_id, "action": "READ" })),
        201,
    )
    .await;
    assert!(
        lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
            env.authz().stats().invalidations > seen
        })
        .await
    );
    let page = send_ok(env.req(Method::GET, &thread, &paralegal), 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (status, _) = env.send(&paralegal, channel, "on it").await;
    assert_eq!(status, 201);

    // Readers without messages:create are refused (403), roles without messages:read too.
    let (status, body) = env.send(&admin, channel, "admin note").await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let (status, _) = send(env.req(Method::GET, &thread, &client)).await;
    assert_eq!(status, 403);
    let (status, _) = env.send(&client, channel, "hello").await;
    assert_eq!(status, 403);

    // Channels has the last word on its channel: hidden there, hidden here.
    env.channels.hide(ada.user_id.0, channel);
    let (status, _) = send(env.req(Method::GET, &thread, &ada)).await;
    assert_eq!(status, 404);
    let (status, _) = send(env.req(Method::GET, &format!("/api/v1/messages/{id}"), &ada)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_matter_s_messages_come_across_its_channels() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let (matter, other, contact) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let team = env
        .channels
        .add(firm.0, "MATTER", Some(matter), "INTERNAL", &[], &[]);
    let portal = env
        .channels
        .add(firm.0, "MATTER", Some(matter), "PORTAL", &[], &[]);
    let elsewhere = env
        .channels
        .add(firm.0, "MATTER", Some(other), "INTERNAL", &[], &[]);
    let person = env
        .channels
        .add(firm.0, "CONTACT", Some(contact), "PORTAL", &[], &[]);
    for (channel, body) in [
        (team, "first"),
        (portal, "second"),
        (elsewhere, "not this"),
        (person, "to the contact"),
    ] {
        assert_eq!(env.send(&ada, channel, body).await.0, 201);
    }
    let page = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/messages/?context_type=case&context_id={matter}&limit=1"),
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(page["data"][0]["body"], "second");
    assert_eq!(page["data"][0]["direction"], "OUTBOUND");
    assert_eq!(page["pagination"]["total"], 2);
    let cursor = page["pagination"]["nextCursor"].as_str().unwrap();
    let next = send_ok(
        env.req(
            Method::GET,
            &format!(
                "/api/v1/messages/?context_type=MATTER&context_id={matter}&limit=1&cursor={cursor}"
            ),
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(next["data"][0]["body"], "first");
    assert_eq!(next["pagination"]["hasMore"], false);
    let contact_page = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/messages/?context_type=CONTACT&context_id={contact}"),
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(contact_page["data"][0]["body"], "to the contact");

    // Archived channels take no new message; EMAIL is not sent from here.
    env.channels.archive(team);
    let (status, body) = env.send(&ada, team, "late").await;
    assert_eq!((status, code(&body)), (409, "RESOURCE_CONFLICT"));
    let email = env
        .channels
        .add(firm.0, "MATTER", Some(matter), "EMAIL", &[], &[]);
    let (status, body) = env.send(&ada, email, "by mail").await;
    assert_eq!((status, fields(&body)), (422, vec!["channelId".to_owned()]));
}

#[tokio::test]
async fn a_second_firm_sees_nothing() {
    let env = spawn(With::default()).await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let ada = env.member(firm, "LAWYER").await;
    let eve = env.member(other, "LAWYER").await;
    let matter = Uuid::now_v7();
    let channel = env
        .channels
        .add(firm.0, "MATTER", Some(matter), "INTERNAL", &[], &[]);
    let (_, m) = env.send(&ada, channel, "settlement figure").await;
    let id = id_of(&m);
    for (method, path) in [
        (Method::GET, format!("/api/v1/messages/{id}")),
        (Method::PATCH, format!("/api/v1/messages/{id}")),
        (Method::DELETE, format!("/api/v1/messages/{id}")),
        (Method::GET, format!("/api/v1/messages/{id}/events")),
        (
            Method::GET,
            format!("/api/v1/messages/?channel_id={channel}"),
        ),
    ] {
        let (status, body) = send(
            env.req(method.clone(), &path, &eve)
                .json(&json!({ "body": "x" })),
        )
        .await;
        assert_eq!(
            (status, code(&body)),
            (404, "RESOURCE_NOT_FOUND"),
            "{method} {path}"
        );
    }
    let (status, _) = env.send(&eve, channel, "intrusion").await;
    assert_eq!(status, 422);
    let page = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/messages/?context_type=MATTER&context_id={matter}"),
            &eve,
        ),
        200,
    )
    .await;
    assert_eq!(page["data"], json!([]));
    let hits = send_ok(
        env.req(Method::GET, "/api/v1/messages/search?q=settlement", &eve),
        200,
    )
    .await;
    assert_eq!(hits["data"], json!([]));
    // The message is still there for its own firm.
    let hits = send_ok(
        env.req(Method::GET, "/api/v1/messages/search?q=settlement", &ada),
        200,
    )
    .await;
    assert_eq!(hits["data"].as_array().unwrap().len(), 1);
}
