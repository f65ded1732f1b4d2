//! Events from tenants reach the log, an entity's history, and stay within the firm.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions

mod common;

use common::*;
use lawos_testkit::TestApp;
use lawos_testkit::broker::eventually;
use serde_json::Value;

async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&[lawos_svc_events::SPEC, lawos_svc_tenants::SPEC]).await;
    wait_for_consumer_queue(&app).await;
    app
}

#[tokio::test]
async fn firm_changes_appear_in_the_log_and_the_entity_history() {
    let app = app().await;
    let firm = create_firm(&app, "audit-one").await;
    rename_firm(&app, firm, "Audit One, Renamed").await;
    let reader = auditor(firm);
    let history = format!("/api/v1/events/entities/firm/{firm}");
    assert!(
        eventually(WAIT, || async {
            get_json(&app, &history, &reader).await["data"]
                .as_array()
                .is_some_and(|d| d.len() == 2)
        })
        .await,
        "firm.created and firm.updated recorded: {}",
        get_json(&app, &history, &reader).await
    );
    let page = get_json(&app, &history, &reader).await;
    let data = page["data"].as_array().unwrap();
    // Newest first.
    assert_eq!(data[0]["type"], "firm.updated");
    assert_eq!(data[1]["type"], "firm.created");
    assert!(data[0]["seq"].as_i64() > data[1]["seq"].as_i64());
    assert_eq!(data[0]["firmId"], firm.to_string());
    assert_eq!(data[0]["entity"]["type"], "firm");
    assert_eq!(data[0]["envelope"]["data"]["name"], "Audit One, Renamed");
    assert_eq!(
        data[0]["prevHash"], data[1]["hash"],
        "linked in arrival order"
    );
    assert_eq!(page["pagination"]["hasMore"], false);

    // One event, filters, and the chain.
    let id = data[0]["id"].as_str().unwrap().to_owned();
    let one = get_json(&app, &format!("/api/v1/events/{id}"), &reader).await;
    assert_eq!(one, data[0]);
    let filtered = get_json(&app, "/api/v1/events/?event_type=firm.created", &reader).await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    let limited = get_json(&app, "/api/v1/events/?limit=1", &reader).await;
    assert_eq!(limited["pagination"]["hasMore"], true);
    let cursor = limited["pagination"]["nextCursor"].as_str().unwrap();
    let next = get_json(
        &app,
        &format!("/api/v1/events/?limit=1&cursor={cursor}"),
        &reader,
    )
    .await;
    assert_eq!(next["data"][0]["type"], "firm.created");
    let bad = get(
        &app,
        "/api/v1/events/?entity_id=nope&since=yesterday",
        &reader,
    )
    .await;
    assert_eq!(bad.status(), 422);
    let verify = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        verify,
        serde_json::json!({"valid": true, "checked": 2, "firstBrokenAt": null})
    );

    // A service principal acting for the firm reads the entity's history.
    let svc = service_token(&app, "lawos-tenants");
    let res = app
        .http
        .get(app.url(&history))
        .bearer_auth(&svc)
        .header("X-Firm-Id", firm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let res = app
        .http
        .get(app.url(&history))
        .bearer_auth(&svc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a service must name the firm");
    let res = app
        .http
        .get(app.url("/api/v1/events/"))
        .bearer_auth(&svc)
        .header("X-Firm-Id", firm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "services read entity histories only");

    // Another firm sees none of it.
    let other = create_firm(&app, "audit-two").await;
    let stranger = auditor(other);
    assert_eq!(
        get(&app, &format!("/api/v1/events/{id}"), &stranger)
            .await
            .status(),
        404
    );
    let theirs = get_json(&app, &history, &stranger).await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    let listed = all_pages(&app, "/api/v1/events/", &stranger).await;
    assert!(listed.iter().all(|e| e["firmId"] == other.to_string()));
    let res = app
        .as_user(reqwest::Method::GET, "/api/v1/events/", &stranger)
        .header("X-Firm-Id", firm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "X-Firm-Id of another firm is refused");

    // A member without the audit scope is refused.
    let member = lawos_testkit::TestUser::member(firm, "LAWYER");
    for path in ["/api/v1/events/", history.as_str(), "/api/v1/events/verify"] {
        let res = get(&app, path, &member).await;
        assert_eq!(res.status(), 403, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
    }
    let read_only = lawos_testkit::TestUser::member(firm, "LAWYER").with_scopes(&["audit:read"]);
    assert_eq!(
        get(&app, "/api/v1/events/verify", &read_only)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_broker_connection_lost_mid_stream_loses_and_duplicates_nothing() {
    let app = app().await;
    let firm = create_firm(&app, "audit-stream").await;
    let vhost = app.vhost.as_ref().unwrap();
    const CHANGES: usize = 40;
    let mut closed = 0;
    for i in 0..CHANGES {
        rename_firm(&app, firm, &format!("Stream {i}")).await;
        if i == CHANGES / 3 || i == 2 * CHANGES / 3 {
            closed += vhost.close_connections("lawos-").await;
        }
    }
    assert!(closed > 0, "connections were force-closed");
    let reader = auditor(firm);
    let history = format!("/api/v1/events/entities/firm/{firm}");
    let expected = CHANGES + 1;
    assert!(
        eventually(std::time::Duration::from_secs(60), || async {
            all_pages(&app, &history, &reader).await.len() >= expected
        })
        .await,
        "every change recorded: {} of {expected}; outbox unpublished {}",
        all_pages(&app, &history, &reader).await.len(),
        count(
            &app,
            "select count(*) as n from tenants.outbox where published_at is null and $1 <> ''",
            "x"
        )
        .await
    );
    // Let any redelivery arrive, then count exactly.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let events = all_pages(&app, &history, &reader).await;
    assert_eq!(events.len(), expected);
    let firm_s = firm.to_string();
    let stored = count(
        &app,
        "select count(*) as n from events.event_log where firm_id = $1::uuid",
        &firm_s,
    )
    .await;
    let distinct = count(
        &app,
        "select count(distinct id) as n from events.event_log where firm_id = $1::uuid",
        &firm_s,
    )
    .await;
    let produced = count(
        &app,
        "select count(*) as n from tenants.outbox where firm_id = $1::uuid",
        &firm_s,
    )
    .await;
    assert_eq!((stored, distinct), (produced, produced));
    let missing = count(
        &app,
        "select count(*) as n from tenants.outbox o where o.firm_id = $1::uuid \
         and not exists (select 1 from events.event_log e where e.id = o.id)",
        &firm_s,
    )
    .await;
    assert_eq!(missing, 0);
    let verify = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(verify["valid"], true);
    assert_eq!(verify["checked"], expected as i64);
}

#[tokio::test]
async fn tenants_answers_a_firms_audit_trail_from_the_events_service() {
    let app = app().await;
    let firm = create_firm(&app, "trail").await;
    rename_firm(&app, firm, "Trail, Renamed").await;
    // The firm's own administrator (no audit scope) reads it through tenants,
    // which checks access and asks the events service with its service token.
    let admin = lawos_testkit::TestUser::member(firm, "FIRM_ADMIN");
    let path = format!("/api/v1/tenants/{firm}/events");
    assert!(
        eventually(WAIT, || async {
            get_json(&app, &path, &admin).await["data"]
                .as_array()
                .is_some_and(|d| d.len() == 2)
        })
        .await,
        "firm.created and firm.updated in the tenants trail: {}",
        get_json(&app, &path, &admin).await
    );
    let page = get_json(&app, &path, &admin).await;
    assert_eq!(page["data"][0]["type"], "firm.updated");
    assert_eq!(page["data"][1]["type"], "firm.created");
    // Another firm's administrator: 404, whatever the events service holds.
    let other = lawos_testkit::TestUser::member(lawos_core::FirmId::new(), "FIRM_ADMIN");
    assert_eq!(get(&app, &path, &other).await.status(), 404);
}

#[tokio::test]
async fn the_system_administrator_verifies_the_chain_of_the_firm_it_names() {
    let app = app().await;
    let firm = create_firm(&app, "audit-operator").await;
    rename_firm(&app, firm, "Audit Operator, Renamed").await;
    let history = format!("/api/v1/events/entities/firm/{firm}");
    assert!(
        eventually(WAIT, || async {
            get_json(&app, &history, &auditor(firm)).await["data"]
                .as_array()
                .is_some_and(|d| d.len() == 2)
        })
        .await
    );
    // The scopes the auth service puts in a system administrator's token
    // (`lawos_svc_auth::roles::SYSTEM_ADMIN_SCOPES` includes the audit scopes).
    let operator =
        lawos_testkit::TestUser::system_admin().with_scopes(&["audit:read", "audit:verify"]);
    let verify = |user: lawos_testkit::TestUser, firm_header: Option<String>| {
        let app = &app;
        async move {
            let mut req = app.as_user(reqwest::Method::GET, "/api/v1/events/verify", &user);
            if let Some(f) = firm_header {
                req = req.header("X-Firm-Id", f);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = verify(operator.clone(), Some(firm.to_string())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"valid": true, "checked": 2, "firstBrokenAt": null})
    );
    // Without naming a firm there is no chain to verify.
    let (status, body) = verify(operator, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "FIRM_ACCESS_DENIED");
    // An administrator token without the audit scope is still refused.
    let (status, body) = verify(
        lawos_testkit::TestUser::system_admin(),
        Some(firm.to_string()),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
}

#[tokio::test]
async fn an_event_of_phase_one_published_before_the_events_service_started_reaches_it() {
    use lawos_svc_events::SPEC as EVENTS;
    use lawos_svc_tenants::SPEC as TENANTS;
    // Only tenants (phase 1) runs; the events service (phase 3) has never
    // started, but the topology step declared its queue.
    let app = TestApp::spawn_with_events_of(&[EVENTS, TENANTS], &[TENANTS]).await;
    lawos_http::runtime::declare_queues(&[TENANTS, EVENTS], &app.config)
        .await
        .unwrap();
    let firm = create_firm(&app, "topology-early").await;
    assert!(
        lawos_testkit::api::outbox_drains(&app, "tenants").await,
        "tenants published firm.created"
    );
    // The broker kept it for the events service's queue.
    let amqp = lapin::Connection::connect(
        &app.vhost.as_ref().unwrap().amqp_url(),
        lapin::ConnectionProperties::default(),
    )
    .await
    .unwrap();
    let ch = amqp.create_channel().await.unwrap();
    let queued = ch
        .queue_declare(
            "events.events".into(),
            lapin::options::QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            lapin::types::FieldTable::default(),
        )
        .await
        .unwrap()
        .message_count();
    assert_eq!(queued, 1, "firm.created waits in events.events");

    // Phase 3 starts: its consumer finds the event and records it.
    let events = app.replica(&[EVENTS]).await;
    let history = events.url(&format!("/api/v1/events/entities/firm/{firm}"));
    let token = app.token(&auditor(firm));
    let read = || async {
        app.http
            .get(&history)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert!(
        eventually(WAIT, || async {
            read().await["data"]
                .as_array()
                .is_some_and(|d| d.iter().any(|e| e["type"] == "firm.created"))
        })
        .await,
        "firm.created recorded once the events service runs: {}",
        read().await
    );
}
