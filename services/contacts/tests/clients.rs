//! Clients: the Backstage model, PII sealed at rest and governed by field
//! policies, client contacts, roles, firms and service callers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    BASE, ada, app, create_client, create_contact, fields, grant_client, individual, member, send,
    send_ok, service_token,
};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_lawyer_creates_reads_and_changes_a_client_with_its_pii() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let created = create_client(&app, &lawyer, &individual()).await;
    assert_eq!(created["type"], "INDIVIDUAL");
    assert_eq!(created["phone"], "+15550109999");
    assert_eq!(created["ssn"], "123-45-6789");
    assert_eq!(created["dateOfBirth"], "1906-12-09");
    let id = created["id"].as_str().unwrap();
    let path = format!("{BASE}/clients/{id}");
    let res = app
        .as_user(Method::GET, &path, &lawyer)
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let got: serde_json::Value = res.json().await.unwrap();
    assert_eq!(got["ssn"], "123-45-6789");
    assert_eq!(got["address"]["city"], "Arlington");

    let (status, _) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", "\"old\"")
            .json(&json!({ "status": "INACTIVE" })),
    )
    .await;
    assert_eq!(status, 412);
    let patched = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", &etag)
            .json(&json!({ "status": "inactive", "ssn": "987654321" })),
        200,
    )
    .await;
    assert_eq!(
        (patched["status"].as_str(), patched["ssn"].as_str()),
        (Some("INACTIVE"), Some("987-65-4321"))
    );
    assert_eq!(
        patched["dateOfBirth"], "1906-12-09",
        "PATCH keeps the PII it does not name"
    );
    let cleared = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .json(&json!({ "dateOfBirth": null })),
        200,
    )
    .await;
    assert_eq!(cleared["dateOfBirth"], serde_json::Value::Null);

    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/"), &lawyer),
        200,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 1);
    assert_eq!(list["data"][0]["ssn"], "987-65-4321");

    let (status, _) = send(app.as_user(Method::DELETE, &path, &lawyer)).await;
    assert_eq!(status, 204);
    let (status, _) = send(app.as_user(Method::GET, &path, &lawyer)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn pii_is_not_stored_in_clear() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let id: uuid::Uuid = create_client(&app, &lawyer, &individual()).await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    diesel::table! {
        contacts.client_pii (firm_id, client_id, field) {
            firm_id -> Uuid,
            client_id -> Uuid,
            field -> Text,
            ciphertext -> Bytea,
            key_id -> Text,
        }
    }
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let rows: Vec<(String, Vec<u8>, String)> = client_pii::table
        .filter(client_pii::client_id.eq(id))
        .select((
            client_pii::field,
            client_pii::ciphertext,
            client_pii::key_id,
        ))
        .order(client_pii::field)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["dateOfBirth", "ssn"]
    );
    for (field, ciphertext, key_id) in &rows {
        assert_eq!(key_id, "k1");
        let text = String::from_utf8_lossy(ciphertext);
        for clear in ["123-45-6789", "123456789", "6789", "1906-12-09", "1906"] {
            assert!(!text.contains(clear), "{field} holds {clear} in clear");
        }
        assert!(ciphertext.len() >= 12 + 16 + 9, "nonce, ciphertext and tag");
    }
    // Nor does any other column or the outbox.
    let dump: Vec<String> = diesel::sql_query(
        "select (select coalesce(string_agg(c::text, ''), '') from contacts.clients c) \
         || (select coalesce(string_agg(payload::text, ''), '') from contacts.outbox) as text",
    )
    .load::<Dump>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|d| d.text)
    .collect();
    assert!(!dump[0].contains("123-45-6789") && !dump[0].contains("1906-12-09"));
}

#[derive(diesel::QueryableByName)]
struct Dump {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

#[tokio::test]
async fn a_paralegal_never_receives_the_ssn_and_may_not_write_it() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let id = create_client(&app, &lawyer, &individual()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{BASE}/clients/{id}");
    // Assigned reach: without a grant the client is out of reach (404) and unlisted.
    let (status, _) = send(app.as_user(Method::GET, &path, &paralegal)).await;
    assert_eq!(status, 404);
    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/"), &paralegal),
        200,
    )
    .await;
    assert_eq!(list["data"], json!([]));

    grant_client(&app, firm, &id, paralegal.user_id, "WRITE").await;
    let got = send_ok(app.as_user(Method::GET, &path, &paralegal), 200).await;
    assert_eq!(got["fullName"], "Grace Hopper");
    assert!(got.get("ssn").is_none(), "{got}");
    assert_eq!(got["dateOfBirth"], "1906-12-09", "only ssn has a policy");
    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/"), &paralegal),
        200,
    )
    .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(list["data"][0].get("ssn").is_none());

    let (status, body) = send(
        app.as_user(Method::PATCH, &path, &paralegal)
            .json(&json!({ "ssn": "111-22-3333", "status": "INACTIVE" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );
    assert_eq!(body["error"]["details"]["fields"], json!(["ssn"]));
    let changed = send_ok(
        app.as_user(Method::PATCH, &path, &paralegal)
            .json(&json!({ "status": "INACTIVE" })),
        200,
    )
    .await;
    assert!(changed.get("ssn").is_none());
    let got = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(
        (got["ssn"].as_str(), got["status"].as_str()),
        (Some("123-45-6789"), Some("INACTIVE"))
    );
    // Creating is not a paralegal's (no clients:create).
    let (status, _) = send(
        app.as_user(Method::POST, &format!("{BASE}/clients/"), &paralegal)
            .json(&individual()),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn client_fields_are_validated_and_named() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let (status, body) = send(app.as_user(Method::POST, &format!("{BASE}/clients/"), &lawyer).json(&json!({
        "type": "INDIVIDUAL", "email": "nope", "phone": "12", "ssn": "12-34", "dateOfBirth": "1990-13-45",
        "contactId": uuid::Uuid::now_v7()
    })))
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        ["fullName", "email", "phone", "ssn", "dateOfBirth"]
    );
    let (status, body) = send(
        app.as_user(Method::POST, &format!("{BASE}/clients/"), &lawyer)
            .json(&json!({
                "type": "CORPORATION", "companyName": "Acme", "contactId": uuid::Uuid::now_v7()
            })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        ["contactId"],
        "a contact that does not exist"
    );
    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/"), &lawyer),
        200,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 0);
}

#[tokio::test]
async fn a_client_has_its_people() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let contact = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = create_client(
        &app,
        &lawyer,
        &json!({ "type": "CORPORATION", "companyName": "Acme", "contactId": contact }),
    )
    .await;
    assert_eq!(client["contactId"], contact.as_str());
    let id = client["id"].as_str().unwrap();
    let path = format!("{BASE}/clients/{id}/contacts");
    let link = send_ok(
        app.as_user(Method::POST, &path, &lawyer)
            .json(&json!({ "contactId": contact, "relationship": "billing" })),
        201,
    )
    .await;
    assert_eq!(link["relationship"], "BILLING");
    let (status, body) = send(
        app.as_user(Method::POST, &path, &lawyer)
            .json(&json!({ "contactId": contact, "relationship": "OTHER" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("RESOURCE_ALREADY_EXISTS"))
    );
    let (status, body) = send(
        app.as_user(Method::POST, &path, &lawyer)
            .json(&json!({ "contactId": "x", "relationship": "FRIEND" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["contactId", "relationship"]);
    let links = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(links["data"][0]["contactId"], contact.as_str());
    // STAFF reaches only assigned clients (a grant here): this one is hidden.
    let staff = member(&app, firm, "STAFF").await;
    let (status, _) = send(app.as_user(Method::GET, &path, &staff)).await;
    assert_eq!(status, 404, "STAFF is not assigned to this client");
    let admin = member(&app, firm, "FIRM_ADMIN").await;
    send_ok(app.as_user(Method::GET, &path, &admin), 200).await;
    let (status, _) = send(app.as_user(Method::DELETE, &format!("{path}/{contact}"), &admin)).await;
    assert_eq!(
        status, 403,
        "FIRM_ADMIN reads clients but may not change them"
    );
    let (status, _) =
        send(app.as_user(Method::DELETE, &format!("{path}/{contact}"), &lawyer)).await;
    assert_eq!(status, 204);
    let links = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(links["data"], json!([]));
}

#[tokio::test]
async fn another_firm_sees_no_client_and_a_service_gets_200_or_404() {
    let app = app().await;
    let (ours, theirs) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, ours, "LAWYER").await;
    let other = member(&app, theirs, "LAWYER").await;
    let contact = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = create_client(&app, &lawyer, &individual()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{BASE}/clients/{id}");
    let link = json!({ "contactId": contact, "relationship": "OTHER" });
    for (method, p, body) in [
        (Method::GET, path.clone(), json!({})),
        (Method::PATCH, path.clone(), json!({ "status": "INACTIVE" })),
        (Method::DELETE, path.clone(), json!({})),
        (Method::GET, format!("{path}/contacts"), json!({})),
        (Method::POST, format!("{path}/contacts"), link),
        (
            Method::DELETE,
            format!("{path}/contacts/{contact}"),
            json!({}),
        ),
    ] {
        let (status, _) = send(app.as_user(method.clone(), &p, &other).json(&body)).await;
        assert_eq!(status, 404, "{method} {p}");
    }
    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/"), &other),
        200,
    )
    .await;
    assert_eq!(list["data"], json!([]));

    // The matters service checks a clientId with its service token and X-Firm-Id.
    let token = service_token(&app);
    let ask = |firm: FirmId, client: &str| {
        app.http
            .get(app.url(&format!("{BASE}/clients/{client}")))
            .bearer_auth(&token)
            .header("x-firm-id", firm.to_string())
    };
    let (status, body) = send(ask(ours, &id)).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], id.as_str());
    assert!(
        body.get("ssn").is_none() && body.get("dateOfBirth").is_none(),
        "no PII for services: {body}"
    );
    assert_eq!(send(ask(theirs, &id)).await.0, 404);
    assert_eq!(
        send(ask(ours, &uuid::Uuid::now_v7().to_string())).await.0,
        404
    );
}
