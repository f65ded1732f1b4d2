//! `logto_organization.created` from auth writes the organization back onto the
//! firm: once, never over another organization, never onto two firms.
#![allow(clippy::unwrap_used)]

mod common;

use common::{app, create_firm, firm_body};
use lawos_events::{EntityRef, EventEnvelope};
use lawos_svc_tenants::logto_link::{ORG_LINKED, Outcome, apply};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn linked(firm: Uuid, org: &str) -> EventEnvelope {
    EventEnvelope::builder(
        ORG_LINKED,
        EntityRef::new("logto_organization", Uuid::now_v7()),
    )
    .firm(firm)
    .data(json!({ "id": Uuid::now_v7(), "firm_id": firm, "logto_org_id": org, "name": "Org" }))
    .build()
}

async fn resolve(app: &lawos_testkit::TestApp, org: &str) -> (u16, Value) {
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/tenants/resolve?logto_org_id={org}"),
            &TestUser::system_admin(),
        )
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_linked_organization_is_written_back_once_and_never_over_another() {
    let app = app().await;
    let db = &app.envs[0].db;
    let plain = create_firm(&app, "plain-firm").await;
    let plain_id: Uuid = plain["id"].as_str().unwrap().parse().unwrap();
    let mut named = firm_body("named-firm");
    named["logtoOrgId"] = json!("org-named");
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &TestUser::system_admin())
        .json(&named)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let named: Value = res.json().await.unwrap();
    let named_id: Uuid = named["id"].as_str().unwrap().parse().unwrap();

    // Not resolvable before the link; resolvable after, once.
    assert_eq!(resolve(&app, "org-plain").await.0, 404);
    let event = linked(plain_id, "org-plain");
    assert!(matches!(
        apply(db, event.clone()).await.unwrap(),
        Outcome::Linked(_)
    ));
    let (status, found) = resolve(&app, "org-plain").await;
    assert_eq!(
        (status, found["firmId"].as_str()),
        (200, plain["id"].as_str())
    );
    assert!(
        matches!(apply(db, event).await.unwrap(), Outcome::Unchanged),
        "redelivery"
    );

    // The firm already names an organization: the same one is nothing to do,
    // another one is left alone.
    let same = apply(db, linked(named_id, "org-named")).await.unwrap();
    assert!(matches!(same, Outcome::Unchanged));
    let other = apply(db, linked(named_id, "org-elsewhere")).await.unwrap();
    assert!(matches!(other, Outcome::Conflict));
    assert_eq!(resolve(&app, "org-elsewhere").await.0, 404);

    // An organization another firm holds is not given to a second firm.
    let third = create_firm(&app, "third-firm").await;
    let third_id: Uuid = third["id"].as_str().unwrap().parse().unwrap();
    let taken = apply(db, linked(third_id, "org-plain")).await.unwrap();
    assert!(matches!(taken, Outcome::Conflict));
    let (_, found) = resolve(&app, "org-plain").await;
    assert_eq!(found["firmId"].as_str(), plain["id"].as_str());

    // An unknown firm changes nothing; a malformed event is refused.
    let ghost = apply(db, linked(Uuid::now_v7(), "org-ghost"))
        .await
        .unwrap();
    assert!(matches!(ghost, Outcome::Unchanged));
    let bad = EventEnvelope::builder(
        ORG_LINKED,
        EntityRef::new("logto_organization", Uuid::now_v7()),
    )
    .data(json!({ "firm_id": "not-a-uuid" }))
    .build();
    assert!(apply(db, bad).await.is_err());
}
