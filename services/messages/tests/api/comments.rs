//! Comments: a thread with a reply, an @mention of a firm member producing
//! `comment.mentioned`, edits keeping the old body (author only, If-Match),
//! deletes (author or firm administrator), access from the parent (matters
//! and lawos-authz, contacts, and stand-ins for documents, tasks and
//! billing), and another firm's 404.

use lawos_core::FirmId;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

fn on(kind: &str, id: Uuid) -> String {
    format!("/api/v1/messages/comments/{kind}/{id}")
}

async fn comment(env: &Env, user: &TestUser, target: &str, body: Value) -> (u16, Value) {
    send(env.req(Method::POST, target, user).json(&body)).await
}

#[tokio::test]
async fn a_thread_with_a_reply_and_a_mention() {
    let env = spawn(With {
        matters: true,
        auth: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let (ada, bob) = (
        env.member(firm, "LAWYER").await,
        env.member(firm, "PARALEGAL").await,
    );
    env.directory(firm, &ada, "Ada Lovelace").await;
    env.directory(firm, &bob, "Bob Marley").await;
    let matter = env.matter(&ada, "Estate of Smith").await;
    let target = on("CASE", matter);

    let text = format!(
        "@[Bob Marley]({}) please check the will's second codicil.",
        bob.user_id
    );
    let (status, root) = comment(&env, &ada, &target, json!({ "body": text })).await;
    assert_eq!(status, 201, "{root}");
    assert_eq!(root["resourceType"], "MATTER");
    assert_eq!(root["matterId"], matter.to_string());
    assert_eq!(root["mentions"], json!([bob.user_id]));
    let mentioned = env.outbox("comment.mentioned").await;
    assert_eq!(mentioned.len(), 1);
    assert_eq!(
        mentioned[0]["context"],
        json!({ "type": "matter", "id": matter })
    );
    assert_eq!(
        mentioned[0]["data"],
        json!({
            "commentId": root["id"], "resourceType": "MATTER", "resourceId": matter,
            "mentionedUserId": bob.user_id, "authorUserId": ada.user_id, "matterId": matter,
        })
    );

    // Bob is not on the matter: he sees neither it nor its comments until he joins.
    let (status, _) = send(env.req(Method::GET, &target, &bob)).await;
    assert_eq!(status, 404);
    send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/matters/{matter}/members"),
            &ada,
        )
        .json(&json!({ "userId": bob.user_id, "role": "PARALEGAL" })),
        201,
    )
    .await;
    let joined = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        send(env.req(Method::GET, &target, &bob)).await.0 == 200
    })
    .await;
    assert!(joined, "the membership never reached messages");
    let (status, reply) = comment(
        &env,
        &bob,
        &target,
        json!({ "body": "Done — it is valid.", "parentId": root["id"] }),
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    let (status, body) = comment(
        &env,
        &ada,
        &target,
        json!({ "body": "nested", "parentId": reply["id"] }),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["parentId".to_owned()]));
    let (status, body) = comment(
        &env,
        &ada,
        &target,
        json!({ "body": format!("@[Nobody]({})", Uuid::now_v7()) }),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["body".to_owned()]));
    let (status, body) = comment(&env, &ada, &target, json!({ "body": " " })).await;
    assert_eq!((status, fields(&body)), (422, vec!["body".to_owned()]));

    let page = send_ok(env.req(Method::GET, &target, &ada), 200).await;
    assert_eq!(page["pagination"]["total"], 1);
    let thread = &page["data"][0];
    assert_eq!(thread["id"], root["id"]);
    assert_eq!(thread["replies"][0]["body"], "Done — it is valid.");
    assert_eq!(thread["replies"][0]["parentId"], root["id"]);
    assert_eq!(env.outbox("comment.created").await.len(), 2);
}

#[tokio::test]
async fn an_edit_keeps_the_old_body_and_only_the_author_edits() {
    let env = spawn(With {
        matters: true,
        auth: true,
        ..With::default()
    })
    .await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let (ada, bob) = (
        env.member(firm, "LAWYER").await,
        env.member(firm, "LAWYER").await,
    );
    env.directory(firm, &bob, "Bob").await;
    let matter = env.matter(&ada, "Acme v. Roadrunner").await;
    let (_, c) = comment(
        &env,
        &ada,
        &on("MATTER", matter),
        json!({ "body": "First draft" }),
    )
    .await;
    let one = format!("/api/v1/messages/comments/{}", c["id"].as_str().unwrap());

    let (status, body) = send(
        env.req(Method::PATCH, &one, &bob)
            .json(&json!({ "body": "hijacked" })),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let (status, _) = send(
        env.req(Method::PATCH, &one, &ada)
            .header("if-match", "\"old\"")
            .json(&json!({ "body": "x" })),
    )
    .await;
    assert_eq!(status, 412);
    let text = format!("Second draft, cc @[Bob]({})", bob.user_id);
    let edited = send_ok(
        env.req(Method::PATCH, &one, &ada)
            .json(&json!({ "body": text })),
        200,
    )
    .await;
    assert_eq!(edited["body"], text);
    assert!(edited["editedAt"].is_string());
    assert_eq!(edited["edits"][0]["previousBody"], "First draft");
    assert_eq!(edited["mentions"], json!([bob.user_id]));
    assert_eq!(
        env.outbox("comment.mentioned").await.len(),
        1,
        "a new mention on edit is announced"
    );
    send_ok(
        env.req(Method::PATCH, &one, &ada)
            .json(&json!({ "body": text })),
        200,
    )
    .await;
    assert_eq!(
        env.outbox("comment.mentioned").await.len(),
        1,
        "an old mention is not announced again"
    );

    // Another firm: 404 on the matter's comments and on the comment.
    let eve = env.member(other, "LAWYER").await;
    for (m, p) in [
        (Method::GET, on("MATTER", matter)),
        (Method::POST, on("MATTER", matter)),
        (Method::PATCH, one.clone()),
        (Method::DELETE, one.clone()),
    ] {
        let (status, body) = send(env.req(m.clone(), &p, &eve).json(&json!({ "body": "x" }))).await;
        assert_eq!(
            (status, code(&body)),
            (404, "RESOURCE_NOT_FOUND"),
            "{m} {p}"
        );
    }
    // Deletes: not by another lawyer, by a firm administrator.
    let (status, _) = send(env.req(Method::DELETE, &one, &bob)).await;
    assert_eq!(status, 403);
    let admin = env.member(firm, "FIRM_ADMIN").await;
    let (status, _) = send(env.req(Method::DELETE, &one, &admin)).await;
    assert_eq!(status, 204);
    let page = send_ok(env.req(Method::GET, &on("MATTER", matter), &ada), 200).await;
    assert_eq!(page["data"], json!([]));
    let (status, _) = send(
        env.req(Method::PATCH, &one, &ada)
            .json(&json!({ "body": "y" })),
    )
    .await;
    assert_eq!(status, 404);
    // A matter that does not exist, and an unknown resource type.
    let (status, _) = comment(
        &env,
        &ada,
        &on("MATTER", Uuid::now_v7()),
        json!({ "body": "x" }),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = comment(
        &env,
        &ada,
        &on("INVOICE", Uuid::now_v7()),
        json!({ "body": "x" }),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn client_comments_follow_contacts() {
    let env = spawn(With {
        contacts: true,
        auth: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let paralegal = env.member(firm, "PARALEGAL").await;
    let client = id_of(&send_ok(env.req(Method::POST, "/api/v1/contacts/clients/", &ada).json(&json!({
        "type": "CORPORATION", "fullName": "Acme Corp", "companyName": "Acme Corp",
        "email": "office@acme.example", "phone": "555 010 1234",
        "address": { "street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" }
    })), 201).await);
    let (status, c) = comment(
        &env,
        &ada,
        &on("CLIENT", client),
        json!({ "body": "Renewal due in May." }),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["matterId"], Value::Null);
    assert_eq!(
        env.outbox("comment.created").await[0]["context"],
        json!({ "type": "client", "id": client })
    );
    let (status, _) = send(env.req(Method::GET, &on("CLIENT", client), &paralegal)).await;
    assert_eq!(status, 404, "a paralegal without a grant on the client");
    let (status, _) = send(env.req(Method::GET, &on("CLIENT", Uuid::now_v7()), &ada)).await;
    assert_eq!(status, 404);
    let staff = env.member(firm, "CLIENT").await;
    let (status, _) = comment(&env, &staff, &on("CLIENT", client), json!({ "body": "x" })).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn documents_appointments_and_time_entries_are_asked_of_their_owners() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let (doc, appt, entry, walled) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let matter = Uuid::now_v7();
    for (p, body) in [
        (
            format!("/api/v1/documents/{doc}"),
            json!({ "id": doc, "resourceType": "CASE", "resourceId": matter }),
        ),
        (
            format!("/api/v1/tasks/appointments/{appt}"),
            json!({ "id": appt, "matterId": null }),
        ),
        (
            format!("/api/v1/billing/time-entries/{entry}"),
            json!({ "id": entry, "caseId": walled }),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&env.owners)
            .await;
    }
    let (status, c) = comment(
        &env,
        &ada,
        &on("DOCUMENT", doc),
        json!({ "body": "Exhibit B is missing a page." }),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["matterId"], matter.to_string());
    let (status, c) = comment(
        &env,
        &ada,
        &on("APPOINTMENT", appt),
        json!({ "body": "Bring the originals." }),
    )
    .await;
    assert_eq!((status, c["matterId"].clone()), (201, Value::Null));
    let (status, _) = comment(
        &env,
        &ada,
        &on("TIME_ENTRY", entry),
        json!({ "body": "Billed twice?" }),
    )
    .await;
    assert_eq!(status, 201);
    let page = send_ok(env.req(Method::GET, &on("DOCUMENT", doc), &ada), 200).await;
    assert_eq!(page["data"][0]["body"], "Exhibit B is missing a page.");
    // The caller's own token went to the owner.
    let asked = env.owners.received_requests().await.unwrap();
    for r in &asked {
        let bearer = r.headers.get("authorization").unwrap().to_str().unwrap();
        let claims = bearer
            .strip_prefix("Bearer ")
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap();
        let claims: Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            claims["sub"],
            ada.user_id.to_string(),
            "not the caller's token"
        );
    }

    // A wall on the matter the entry lies under hides it; unknown: 404; owner down: 503.
    env.wall(firm, walled, &ada).await;
    let (status, _) = send(env.req(Method::GET, &on("TIME_ENTRY", entry), &ada)).await;
    assert_eq!(status, 404);
    let (status, _) = send(env.req(Method::GET, &on("DOCUMENT", Uuid::now_v7()), &ada)).await;
    assert_eq!(status, 404);
    let broken = Uuid::now_v7();
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/documents/{broken}")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&env.owners)
        .await;
    let (status, body) = send(env.req(Method::GET, &on("DOCUMENT", broken), &ada)).await;
    assert_eq!((status, code(&body)), (503, "SERVICE_UNAVAILABLE"));
}
