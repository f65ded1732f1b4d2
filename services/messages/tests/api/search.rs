//! Full-text search: ranked hits with highlighted snippets, a cursor, only
//! what the caller may see (an ethical wall hides a matter's messages
//! entirely; a paralegal finds only assigned matters), validation.

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::*;

fn bodies(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_word_sent_is_found_ranked_with_a_snippet() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let channel = env
        .channels
        .add(firm.0, "MATTER", Some(Uuid::now_v7()), "INTERNAL", &[], &[]);
    for body in [
        "The deposition of Dr. Watson is set for Monday in the county courthouse.",
        "Deposition transcript: the depositions ran long; order the deposition copies.",
        "Lunch with the client on Tuesday.",
        "Bring <b>exhibits</b> to the deposition & the hearing.",
    ] {
        assert_eq!(env.send(&ada, channel, body).await.0, 201);
    }
    let page = send_ok(
        env.req(Method::GET, "/api/v1/messages/search?q=deposition", &ada),
        200,
    )
    .await;
    let found = bodies(&page);
    assert_eq!(found.len(), 3, "{page}");
    assert!(
        found[0].starts_with("Deposition transcript"),
        "the densest match ranks first: {found:?}"
    );
    let ranks: Vec<f64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rank"].as_f64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    assert!(
        page["data"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>Deposition</mark>")
    );
    let escaped = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["body"].as_str().unwrap().contains("exhibits"))
        .unwrap();
    let snippet = escaped["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("&lt;b&gt;") && !snippet.contains("<b>"),
        "{snippet}"
    );
    assert_eq!(page["pagination"]["total"], Value::Null);

    // Stemming and web-search syntax: phrases, exclusions.
    let page = send_ok(
        env.req(
            Method::GET,
            "/api/v1/messages/search?q=%22county%20courthouse%22",
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(bodies(&page).len(), 1);
    let page = send_ok(
        env.req(
            Method::GET,
            "/api/v1/messages/search?q=deposition%20-transcript",
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(bodies(&page).len(), 2);

    // One hit per page, in rank order, to the end.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/messages/search?q=deposition&limit=1".to_owned(),
            Some(c) => format!("/api/v1/messages/search?q=deposition&limit=1&cursor={c}"),
        };
        let page = send_ok(env.req(Method::GET, &path, &ada), 200).await;
        seen.extend(bodies(&page));
        match page["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, found);

    for query in [
        "",
        "?q=",
        &format!("?q={}", "x".repeat(201)),
        "?q=a&limit=500",
    ] {
        let (status, body) = send(env.req(
            Method::GET,
            &format!("/api/v1/messages/search{query}"),
            &ada,
        ))
        .await;
        assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{query}");
    }
    let none = send_ok(
        env.req(Method::GET, "/api/v1/messages/search?q=the", &ada),
        200,
    )
    .await;
    assert_eq!(none["data"], json!([]), "stop words alone match nothing");
}

#[tokio::test]
async fn a_walled_matter_is_never_found() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let (ada, bob) = (
        env.member(firm, "LAWYER").await,
        env.member(firm, "LAWYER").await,
    );
    let (walled, open) = (Uuid::now_v7(), Uuid::now_v7());
    let walled_channel = env
        .channels
        .add(firm.0, "MATTER", Some(walled), "INTERNAL", &[], &[]);
    let open_channel = env
        .channels
        .add(firm.0, "MATTER", Some(open), "INTERNAL", &[], &[]);
    let (_, hidden) = env
        .send(&bob, walled_channel, "merger negotiation terms")
        .await;
    env.send(&bob, open_channel, "merger filing checklist")
        .await;
    assert_eq!(
        bodies(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=merger", &ada),
                200
            )
            .await
        )
        .len(),
        2
    );

    env.wall(firm, walled, &ada).await;
    let page = send_ok(
        env.req(Method::GET, "/api/v1/messages/search?q=merger", &ada),
        200,
    )
    .await;
    assert_eq!(bodies(&page), ["merger filing checklist"]);
    for path in [
        format!("/api/v1/messages/{}", id_of(&hidden)),
        format!("/api/v1/messages/?channel_id={walled_channel}"),
        format!("/api/v1/messages/?context_type=MATTER&context_id={walled}"),
    ] {
        let (status, _) = send(env.req(Method::GET, &path, &ada)).await;
        assert_eq!(status, 404, "{path}");
    }
    // The wall is Ada's alone.
    assert_eq!(
        bodies(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=merger", &bob),
                200
            )
            .await
        )
        .len(),
        2
    );
}

#[tokio::test]
async fn assigned_reach_finds_assigned_matters_only() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let paralegal = env.member(firm, "PARALEGAL").await;
    let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
    for (matter, body) in [(mine, "probate inventory"), (theirs, "probate dispute")] {
        let channel = env
            .channels
            .add(firm.0, "MATTER", Some(matter), "INTERNAL", &[], &[]);
        env.send(&ada, channel, body).await;
    }
    let internal = env
        .channels
        .add(firm.0, "INTERNAL", None, "INTERNAL", &[], &[]);
    env.send(&ada, internal, "probate seminar for all staff")
        .await;
    let contact = env
        .channels
        .add(firm.0, "CONTACT", Some(Uuid::now_v7()), "PORTAL", &[], &[]);
    env.send(&ada, contact, "probate documents received").await;

    assert_eq!(
        bodies(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=probate", &ada),
                200
            )
            .await
        )
        .len(),
        4
    );
    assert_eq!(
        bodies(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=probate", &paralegal),
                200
            )
            .await
        )
        .len(),
        1,
        "contact messages: clients:read"
    );
    let seen = env.authz().stats().invalidations;
    send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/rbac/resources/MATTER/{mine}/grants"),
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
    let found = bodies(
        &send_ok(
            env.req(Method::GET, "/api/v1/messages/search?q=probate", &paralegal),
            200,
        )
        .await,
    );
    assert_eq!(found.len(), 2);
    assert!(
        found.contains(&"probate inventory".to_owned())
            && !found.contains(&"probate dispute".to_owned())
    );
    assert!(
        !found.contains(&"probate seminar for all staff".to_owned()),
        "internal channels: firm-wide reach"
    );
    let client = env.member(firm, "CLIENT").await;
    let (status, _) =
        send(env.req(Method::GET, "/api/v1/messages/search?q=probate", &client)).await;
    assert_eq!(status, 403);
}

/// The lexemes `message_terms` holds for message `id`, read as the owner.
async fn terms_of(env: &Env, id: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Term {
        #[diesel(sql_type = diesel::sql_types::Text)]
        term: String,
    }
    let rows: Vec<Term> = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "select term from messages.message_terms where message_id = $1::uuid order by term",
        )
        .bind::<diesel::sql_types::Text, _>(id),
        &mut env.owner().await,
    )
    .await
    .unwrap();
    rows.into_iter().map(|t| t.term).collect()
}

async fn found(env: &Env, user: &lawos_testkit::TestUser, q: &str) -> Vec<String> {
    let mut found = bodies(
        &send_ok(
            env.req(
                Method::GET,
                &format!(
                    "/api/v1/messages/search?q={}",
                    url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                ),
                user,
            ),
            200,
        )
        .await,
    );
    found.sort();
    found
}

#[tokio::test]
async fn and_or_phrases_and_negations_match_as_web_search_does() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let channel = env
        .channels
        .add(firm.0, "MATTER", Some(Uuid::now_v7()), "INTERNAL", &[], &[]);
    let all = [
        "escrow closing moved to Friday",
        "escrow agent called about the wire",
        "closing binder for the Friday signing",
        "wire instructions verified by phone",
    ];
    for body in all {
        assert_eq!(env.send(&ada, channel, body).await.0, 201);
    }
    let (binder, agent, escrow, wire) = (
        "closing binder for the Friday signing",
        "escrow agent called about the wire",
        "escrow closing moved to Friday",
        "wire instructions verified by phone",
    );
    let cases: [(&str, &[&str]); 10] = [
        // AND of two words: both, anywhere, stemmed.
        ("escrow friday", &[escrow]),
        ("closings Friday", &[binder, escrow]),
        // OR: either.
        ("escrow or wire", &[agent, escrow, wire]),
        // A phrase: the words next to each other, in order.
        ("\"escrow closing\"", &[escrow]),
        ("\"closing escrow\"", &[]),
        // A negation beside a word.
        ("escrow -wire", &[escrow]),
        // Queries the terms cannot answer: only a negation, an OR with one.
        ("-escrow", &[binder, wire]),
        ("phone or -friday", &[agent, wire]),
        // Stop words only, and a word no one wrote.
        ("the of", &[]),
        ("mortgage", &[]),
    ];
    for (q, want) in cases {
        let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        assert_eq!(found(&env, &ada, q).await, want, "{q}");
    }
}

#[tokio::test]
async fn an_edit_is_found_by_its_new_words_and_a_deleted_message_not_at_all() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let channel = env
        .channels
        .add(firm.0, "MATTER", Some(Uuid::now_v7()), "INTERNAL", &[], &[]);
    let (status, sent) = env
        .send(&ada, channel, "the subpoena for the bank records")
        .await;
    assert_eq!(status, 201);
    let id = id_of(&sent).to_string();
    assert_eq!(terms_of(&env, &id).await, ["bank", "record", "subpoena"]);

    let res = env
        .req(Method::GET, &format!("/api/v1/messages/{id}"), &ada)
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    send_ok(
        env.req(Method::PATCH, &format!("/api/v1/messages/{id}"), &ada)
            .header("if-match", etag)
            .json(&json!({ "body": "the affidavit for the bank" })),
        200,
    )
    .await;
    assert_eq!(terms_of(&env, &id).await, ["affidavit", "bank"]);
    assert_eq!(
        found(&env, &ada, "affidavit").await,
        ["the affidavit for the bank"]
    );
    assert_eq!(
        found(&env, &ada, "bank").await,
        ["the affidavit for the bank"]
    );
    assert!(found(&env, &ada, "subpoena").await.is_empty());
    assert!(found(&env, &ada, "records").await.is_empty());

    let (status, _) = send(env.req(Method::DELETE, &format!("/api/v1/messages/{id}"), &ada)).await;
    assert_eq!(status, 204);
    assert!(terms_of(&env, &id).await.is_empty());
    assert!(found(&env, &ada, "affidavit").await.is_empty());
    assert!(found(&env, &ada, "bank").await.is_empty());
    // Nor through the path that reads every message.
    assert!(found(&env, &ada, "-subpoena").await.is_empty());
}

#[tokio::test]
async fn another_firm_s_identical_word_is_not_found() {
    let env = spawn(With::default()).await;
    let (a, b) = (FirmId::new(), FirmId::new());
    let ada = env.member(a, "LAWYER").await;
    let eve = env.member(b, "LAWYER").await;
    for (firm, user, body) in [
        (a, &ada, "interpleader filed for firm A"),
        (b, &eve, "interpleader answered for firm B"),
    ] {
        let channel =
            env.channels
                .add(firm.0, "MATTER", Some(Uuid::now_v7()), "INTERNAL", &[], &[]);
        assert_eq!(env.send(user, channel, body).await.0, 201);
    }
    assert_eq!(
        found(&env, &ada, "interpleader").await,
        ["interpleader filed for firm A"]
    );
    assert_eq!(
        found(&env, &eve, "interpleader").await,
        ["interpleader answered for firm B"]
    );
    assert!(found(&env, &eve, "interpleader filed").await.is_empty());
    assert!(found(&env, &eve, "-answered").await.is_empty());
    // Each firm's terms are its own rows.
    assert_eq!(env.count("message_terms", a.0).await, 3);
    assert_eq!(env.count("message_terms", b.0).await, 4);
}
