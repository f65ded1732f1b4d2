//! `POST /api/v1/leads/`: the firm from a form key or the host, a contact at
//! contacts (linked by e-mail) and a matter in stage LEAD the firm's lawyers
//! see; validation, rate limits, double submits, isolation, the lead-form
//! administration's scope, and contacts being down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod intake;

use common::{assign, code, fields, send, send_ok};
use intake::{config, firm_with_domain, lead, lead_form, lead_matters, parties, rows, spawn};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;

fn ada() -> serde_json::Value {
    json!({
        "firstName": "Ada", "lastName": "Lovelace", "email": "Ada@Example.com",
        "phone": "+1 555 010 2030", "message": "I was hurt at work.",
        "source": "website", "utmSource": "google", "utmCampaign": "spring"
    })
}

#[tokio::test]
async fn a_lead_by_form_key_becomes_a_contact_and_a_lead_matter() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let form = lead_form(&app, &lawyer, "Contact us").await;
    let key = form["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("lf_"));
    assert!(form.get("keyHash").is_none());

    let taken = send_ok(lead(&app).header("x-lead-form-key", &key).json(&ada()), 201).await;
    assert_eq!(taken["status"], "RECEIVED");
    assert_eq!(taken["duplicate"], false);

    let matters = lead_matters(&app, &lawyer).await;
    assert_eq!(matters.len(), 1, "{matters:?}");
    let matter = &matters[0];
    assert_eq!(matter["stage"], "LEAD");
    assert_eq!(matter["title"], "Lead: Ada Lovelace");
    assert_eq!(matter["practiceArea"], "Personal Injury");
    assert_eq!(matter["description"], "I was hurt at work.");
    assert_eq!(matter["createdBy"], serde_json::Value::Null);
    let party = parties(&app, &lawyer, matter).await;
    assert_eq!(party.len(), 1, "{party:?}");
    assert_eq!(party[0]["role"], "CLIENT");
    let contact_id = party[0]["contactId"].as_str().unwrap().to_owned();
    let contact = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/contacts/{contact_id}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(contact["emails"][0]["address"], "ada@example.com");
    // The intake details are the matter's first note.
    let id = matter["id"].as_str().unwrap();
    let notes = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/matters/{id}/notes"), &lawyer),
        200,
    )
    .await;
    let note = notes["data"][0]["body"].as_str().unwrap();
    assert!(
        note.contains("Contact us") && note.contains("utmSource: google"),
        "{note}"
    );

    // The same lead again (a double submit): the first answer, nothing new.
    let again = send_ok(
        lead(&app)
            .json(&json!({ "formKey": key, "name": "Ada Lovelace", "email": "ada@example.com" })),
        200,
    )
    .await;
    assert_eq!(again["id"], taken["id"]);
    assert_eq!(again["duplicate"], true);
    assert_eq!(lead_matters(&app, &lawyer).await.len(), 1);

    // The same address through another form: a second matter, the same contact.
    let other = lead_form(&app, &lawyer, "Newsletter").await;
    send_ok(
        lead(&app)
            .header("x-lead-form-key", other["key"].as_str().unwrap())
            .json(
                &json!({ "name": "A. Lovelace", "email": "ADA@example.com", "message": "Again" }),
            ),
        201,
    )
    .await;
    let matters = lead_matters(&app, &lawyer).await;
    assert_eq!(matters.len(), 2);
    for m in &matters {
        let p = parties(&app, &lawyer, m).await;
        assert_eq!(p[0]["contactId"], json!(contact_id));
    }
    assert_eq!(rows(&app, "leads").await, 2);
}

#[tokio::test]
async fn the_firm_comes_from_the_host_and_unknown_ones_are_404() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let firm = firm_with_domain(&app, "smithlaw", "intake.smithlaw.test").await;
    let lawyer = assign(&app, firm, "LAWYER").await;
    send_ok(
        lead(&app)
            .header("host", "intake.smithlaw.test")
            .json(&json!({ "name": "Grace Hopper", "phone": "+1 555 010 9999" })),
        201,
    )
    .await;
    let matters = lead_matters(&app, &lawyer).await;
    assert_eq!(matters.len(), 1);
    assert_eq!(matters[0]["title"], "Lead: Grace Hopper");

    let (status, body) = send(
        lead(&app)
            .header("host", "nobody.test")
            .json(&json!({ "name": "X", "email": "x@example.com" })),
    )
    .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{body}");
    let (status, body) = send(
        lead(&app)
            .header("x-lead-form-key", "lf_not-a-key")
            .json(&json!({ "name": "X", "email": "x@example.com" })),
    )
    .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{body}");

    // A disabled form's key stops at once.
    let form = lead_form(&app, &lawyer, "Old").await;
    let id = form["id"].as_str().unwrap();
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/matters/lead-forms/{id}"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, _) = send(
        lead(&app)
            .header("x-lead-form-key", form["key"].as_str().unwrap())
            .json(&json!({ "name": "X", "email": "x@example.com" })),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(rows(&app, "matters").await, 1);
}

#[tokio::test]
async fn invalid_leads_name_every_field_and_write_nothing() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    let key = lead_form(&app, &lawyer, "Contact us").await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send(
        lead(&app)
            .header("x-lead-form-key", &key)
            .json(&json!({ "message": "help", "practiceArea": "x".repeat(101) })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["name", "email", "phone", "practiceArea"]);
    let (status, body) = send(
        lead(&app)
            .header("x-lead-form-key", &key)
            .json(&json!({ "name": "Ada", "email": "not-an-address", "phone": "12" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["email", "phone"]);
    // Unknown fields and oversized bodies are refused too.
    let (status, _) = send(
        lead(&app)
            .header("x-lead-form-key", &key)
            .json(&json!({ "name": "Ada", "email": "a@example.com", "ssn": "1" })),
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) =
        send(lead(&app).header("x-lead-form-key", &key).json(
            &json!({ "name": "Ada", "email": "a@example.com", "message": "x".repeat(20_000) }),
        ))
        .await;
    assert_eq!((status, code(&body)), (413, "PAYLOAD_TOO_LARGE"), "{body}");
    assert_eq!(rows(&app, "matters").await, 0);
    assert_eq!(rows(&app, "leads").await, 0);
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let mut settings = config("http://127.0.0.1:1");
    settings.rate_per_ip = 3;
    let app = spawn(settings, true).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    let key = lead_form(&app, &lawyer, "Contact us").await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..3 {
        send_ok(
            lead(&app).header("x-lead-form-key", &key).json(
                &json!({ "name": format!("Lead {i}"), "email": format!("l{i}@example.com") }),
            ),
            201,
        )
        .await;
    }
    let res = lead(&app)
        .header("x-lead-form-key", &key)
        .json(&json!({ "name": "Lead 4", "email": "l4@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "RATE_LIMIT_EXCEEDED");
    assert_eq!(rows(&app, "leads").await, 3);
}

#[tokio::test]
async fn another_firm_sees_nothing_of_a_firms_leads() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    let outsider = assign(&app, FirmId::new(), "LAWYER").await;
    let form = lead_form(&app, &lawyer, "Contact us").await;
    send_ok(
        lead(&app)
            .header("x-lead-form-key", form["key"].as_str().unwrap())
            .json(&ada()),
        201,
    )
    .await;
    let matter = lead_matters(&app, &lawyer).await[0].clone();
    let id = matter["id"].as_str().unwrap();

    assert!(lead_matters(&app, &outsider).await.is_empty());
    let (status, _) =
        send(app.as_user(Method::GET, &format!("/api/v1/matters/{id}"), &outsider)).await;
    assert_eq!(status, 404);
    let (status, _) = send(app.as_user(
        Method::GET,
        &format!("/api/v1/matters/{id}/contacts"),
        &outsider,
    ))
    .await;
    assert_eq!(status, 404);
    let forms = send_ok(
        app.as_user(Method::GET, "/api/v1/matters/lead-forms/", &outsider),
        200,
    )
    .await;
    assert_eq!(forms["data"], json!([]));
    let form_id = form["id"].as_str().unwrap();
    let (status, _) = send(app.as_user(
        Method::DELETE,
        &format!("/api/v1/matters/lead-forms/{form_id}"),
        &outsider,
    ))
    .await;
    assert_eq!(status, 404);
    // The owner's list still has it, enabled.
    let mine = send_ok(
        app.as_user(Method::GET, "/api/v1/matters/lead-forms/", &lawyer),
        200,
    )
    .await;
    assert_eq!(mine["data"][0]["disabledAt"], serde_json::Value::Null);
}

#[tokio::test]
async fn lead_forms_are_for_those_who_open_matters() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let paralegal = assign(&app, firm, "PARALEGAL").await;
    let form = lead_form(&app, &lawyer, "Contact us").await;
    let id = form["id"].as_str().unwrap();
    for (method, path) in [
        (Method::GET, "/api/v1/matters/lead-forms/".to_owned()),
        (Method::POST, "/api/v1/matters/lead-forms/".to_owned()),
        (Method::DELETE, format!("/api/v1/matters/lead-forms/{id}")),
        (Method::GET, "/api/v1/matters/meta-pages/".to_owned()),
    ] {
        let (status, body) = send(
            app.as_user(method.clone(), &path, &paralegal)
                .json(&json!({ "name": "Mine" })),
        )
        .await;
        assert_eq!(
            (status, code(&body)),
            (403, "PERMISSION_DENIED"),
            "{method} {path}"
        );
    }
    assert_eq!(rows(&app, "lead_forms").await, 1);
    // Without a token: 401.
    let res = app
        .http
        .get(app.url("/api/v1/matters/lead-forms/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn contacts_down_is_503_and_leaves_no_matter() {
    let app = spawn(config("http://127.0.0.1:1"), false).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    let key = lead_form(&app, &lawyer, "Contact us").await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send(lead(&app).header("x-lead-form-key", &key).json(&ada())).await;
    assert_eq!(
        (status, code(&body)),
        (503, "SERVICE_UNAVAILABLE"),
        "{body}"
    );
    assert_eq!(rows(&app, "matters").await, 0);
    assert_eq!(rows(&app, "matter_contacts").await, 0);
    assert_eq!(rows(&app, "leads").await, 0);
    assert_eq!(rows(&app, "matter_number_sequences").await, 0);
}
