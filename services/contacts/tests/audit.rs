//! `GET /api/v1/contacts/{id}/events`: the contact's audit trail from the events
//! service, after the contacts service's own check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{BASE, ada, authz, create_contact, member, send, send_ok};
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::broker::eventually;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_contact_has_its_audit_trail() {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_contacts::SPEC,
    ])
    .await;
    let up = eventually(Duration::from_secs(10), || async {
        authz(&app).stats().sessions >= 1
    })
    .await;
    assert!(up);
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let auditor = member(&app, firm, "FIRM_ADMIN").await;
    let id = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    send_ok(
        app.as_user(Method::PATCH, &format!("{BASE}/{id}"), &lawyer)
            .json(&json!({ "notes": "Met at the Royal Society" })),
        200,
    )
    .await;
    let path = format!("{BASE}/{id}/events");
    let types = || async {
        let (status, body) = send(app.as_user(Method::GET, &path, &auditor)).await;
        assert_eq!(status, 200, "{body}");
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let both = eventually(Duration::from_secs(10), || async {
        let t = types().await;
        t.contains(&"contact.created".to_owned()) && t.contains(&"contact.updated".to_owned())
    })
    .await;
    assert!(both, "{:?}", types().await);
    let other = member(&app, FirmId::new(), "LAWYER").await;
    assert_eq!(send(app.as_user(Method::GET, &path, &other)).await.0, 404);
}
