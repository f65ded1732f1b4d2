//! Who may do what: a PARALEGAL has no billing (403), a LAWYER reads invoices
//! only, another firm sees nothing (404 on every by-id route, empty lists).

use lawos_core::FirmId;
use lawos_testkit::TestUser;
use lawos_testkit::api::{assign, code, id_of, send_ok};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn paralegals_are_refused_and_lawyers_read_invoices_only() {
    let app = app().await;
    let f = firm(&app).await;
    let paralegal = assign(&app, f.id, "PARALEGAL").await;
    let e = approved(&app, &f.lawyer, &f.lawyer, f.matter, 30, "2026-03-02").await;
    let invoice = id_of(&generate(&app, &f.staff, f.matter, "2026-03-01", "2026-03-31").await);
    for (method, p, body) in [
        (Method::GET, path("/time-entries/"), Value::Null),
        (
            Method::POST,
            path("/time-entries/"),
            json!({ "matterId": f.matter, "activityCode": "RESEARCH", "description": "x", "durationMinutes": 5 }),
        ),
        (
            Method::GET,
            path(&format!("/time-entries/{e}")),
            Value::Null,
        ),
        (
            Method::POST,
            path("/timers/start"),
            json!({ "matterId": f.matter, "activityCode": "RESEARCH", "description": "x" }),
        ),
        (Method::GET, path("/expenses/"), Value::Null),
        (Method::GET, path("/invoices/"), Value::Null),
        (
            Method::GET,
            path(&format!("/invoices/{invoice}")),
            Value::Null,
        ),
        (Method::GET, path("/payments/"), Value::Null),
        (Method::GET, path("/trust/balances"), Value::Null),
        (Method::GET, path("/reports/wip"), Value::Null),
    ] {
        let (s, b) = status(&app, method.clone(), &p, &paralegal, body).await;
        assert_eq!(
            (s, code(&b)),
            (403, "PERMISSION_DENIED"),
            "{method} {p}: {b}"
        );
    }

    // A LAWYER reads invoices but neither generates, adjusts, issues nor takes payments.
    send_ok(
        app.as_user(Method::GET, &path("/invoices/"), &f.lawyer),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/invoices/{invoice}")),
            &f.lawyer,
        ),
        200,
    )
    .await;
    for (method, p, body) in [
        (
            Method::POST,
            path("/invoices/generate"),
            json!({ "matterId": f.matter, "periodStart": "2026-01-01", "periodEnd": "2026-12-31" }),
        ),
        (
            Method::PATCH,
            path(&format!("/invoices/{invoice}")),
            json!({ "notes": "x" }),
        ),
        (
            Method::POST,
            path(&format!("/invoices/{invoice}/line-items")),
            json!({ "description": "Discount", "amountMinor": -100 }),
        ),
        (
            Method::POST,
            path(&format!("/invoices/{invoice}/issue")),
            json!({}),
        ),
        (
            Method::POST,
            path(&format!("/invoices/{invoice}/void")),
            json!({ "reason": "x" }),
        ),
        (
            Method::POST,
            path("/payments/"),
            json!({ "clientId": f.client, "method": "CASH", "amountMinor": 1, "currency": "USD", "receivedOn": "2026-03-01" }),
        ),
        (
            Method::POST,
            path("/trust/accounts"),
            json!({ "name": "IOLTA", "currency": "USD" }),
        ),
    ] {
        let (s, b) = status(&app, method.clone(), &p, &f.lawyer, body).await;
        assert_eq!(
            (s, code(&b)),
            (403, "PERMISSION_DENIED"),
            "{method} {p}: {b}"
        );
    }
    // A LAWYER who does not lead the matter does not approve.
    let other = assign(&app, f.id, "LAWYER").await;
    rate(&app, &f.admin, &other, 20_000).await;
    let theirs = id_of(&entry(&app, &other, f.matter, 10, "2026-03-05").await);
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{theirs}/submit")),
            &other,
        ),
        200,
    )
    .await;
    let (s, b) = status(
        &app,
        Method::POST,
        &path(&format!("/time-entries/{theirs}/approve")),
        &other,
        Value::Null,
    )
    .await;
    assert_eq!((s, code(&b)), (403, "PERMISSION_DENIED"));
    // STAFF (time-entries:approve firm-wide) and a FIRM_ADMIN do.
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{theirs}/reject")),
            &f.admin,
        )
        .json(&json!({ "reason": "Describe the work" })),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::PATCH,
            &path(&format!("/time-entries/{theirs}")),
            &other,
        )
        .json(&json!({ "description": "Reviewed the widget contracts" })),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{theirs}/submit")),
            &other,
        ),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{theirs}/approve")),
            &f.staff,
        ),
        200,
    )
    .await;
}

/// A user of another firm holding every billing scope (STAFF) and firm administration.
async fn stranger(app: &lawos_testkit::TestApp) -> TestUser {
    let other = FirmId::new();
    let user = assign(app, other, "STAFF").await;
    send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/rbac/assignments",
            &lawos_testkit::api::firm_admin(other),
        )
        .json(&json!({ "userId": user.user_id, "role": "FIRM_ADMIN" })),
        201,
    )
    .await;
    user
}

#[tokio::test]
async fn another_firm_gets_404_on_every_route_and_empty_lists() {
    let app = app().await;
    let f = firm(&app).await;
    let e = approved(&app, &f.lawyer, &f.lawyer, f.matter, 30, "2026-03-02").await;
    let draft = generate(&app, &f.staff, f.matter, "2026-03-01", "2026-03-31").await;
    let (invoice, line) = (
        id_of(&draft),
        draft["lineItems"][0]["id"].as_str().unwrap().to_owned(),
    );
    approved(&app, &f.lawyer, &f.lawyer, f.matter, 30, "2026-04-02").await;
    let issued = id_of(&generate(&app, &f.staff, f.matter, "2026-04-01", "2026-04-30").await);
    issue(&app, &f.staff, issued).await;
    let payment = id_of(&send_ok(app.as_user(Method::POST, &path("/payments/"), &f.staff).json(&json!({
        "clientId": f.client, "method": "WIRE", "amountMinor": 100, "currency": "USD", "receivedOn": "2026-04-03"
    })), 201).await);
    let expense = id_of(&send_ok(app.as_user(Method::POST, &path("/expenses/"), &f.lawyer).json(&json!({
        "matterId": f.matter, "category": "FILING_FEE", "description": "Court filing", "amountMinor": 40_000, "currency": "USD"
    })), 201).await);
    let timer = id_of(
        &send_ok(
            app.as_user(Method::POST, &path("/timers/start"), &f.lawyer)
                .json(&json!({
                    "matterId": f.matter, "activityCode": "RESEARCH", "description": "x"
                })),
            201,
        )
        .await,
    );
    let account = id_of(
        &send_ok(
            app.as_user(Method::POST, &path("/trust/accounts"), &f.staff)
                .json(&json!({ "name": "IOLTA", "currency": "USD" })),
            201,
        )
        .await,
    );
    let rec = id_of(&send_ok(app.as_user(Method::POST, &path("/trust/reconciliations"), &f.staff).json(&json!({
        "accountId": account, "periodStart": "2026-01-01", "periodEnd": "2026-01-31", "bankBalanceMinor": 0
    })), 201).await);

    let s = stranger(&app).await;
    let by_id: Vec<(Method, String, Value)> = vec![
        (
            Method::GET,
            path(&format!("/time-entries/{e}")),
            Value::Null,
        ),
        (
            Method::PATCH,
            path(&format!("/time-entries/{e}")),
            json!({ "description": "theirs" }),
        ),
        (
            Method::DELETE,
            path(&format!("/time-entries/{e}")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/time-entries/{e}/submit")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/time-entries/{e}/approve")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/time-entries/{e}/reject")),
            json!({ "reason": "x" }),
        ),
        (Method::GET, path(&format!("/timers/{timer}")), Value::Null),
        (
            Method::POST,
            path(&format!("/timers/{timer}/pause")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/timers/{timer}/resume")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/timers/{timer}/stop")),
            json!({}),
        ),
        (
            Method::GET,
            path(&format!("/expenses/{expense}")),
            Value::Null,
        ),
        (
            Method::PATCH,
            path(&format!("/expenses/{expense}")),
            json!({ "description": "theirs" }),
        ),
        (
            Method::DELETE,
            path(&format!("/expenses/{expense}")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/expenses/{expense}/submit")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/expenses/{expense}/approve")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/expenses/{expense}/reject")),
            json!({ "reason": "x" }),
        ),
        (
            Method::GET,
            path(&format!("/invoices/{invoice}")),
            Value::Null,
        ),
        (
            Method::PATCH,
            path(&format!("/invoices/{invoice}")),
            json!({ "notes": "x" }),
        ),
        (
            Method::DELETE,
            path(&format!("/invoices/{invoice}")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/invoices/{invoice}/line-items")),
            json!({ "description": "x", "amountMinor": 1 }),
        ),
        (
            Method::DELETE,
            path(&format!("/invoices/{invoice}/line-items/{line}")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/invoices/{invoice}/issue")),
            json!({}),
        ),
        (
            Method::POST,
            path(&format!("/invoices/{issued}/void")),
            json!({ "reason": "x" }),
        ),
        (
            Method::GET,
            path(&format!("/invoices/{issued}/credit-notes")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/invoices/{issued}/credit-notes")),
            json!({ "amountMinor": 1, "reason": "x" }),
        ),
        (
            Method::GET,
            path(&format!("/payments/{payment}")),
            Value::Null,
        ),
        (
            Method::POST,
            path(&format!("/payments/{payment}/allocations")),
            json!({ "allocations": [{ "invoiceId": issued, "amountMinor": 1 }] }),
        ),
        (
            Method::POST,
            path(&format!("/payments/{payment}/deallocations")),
            json!({ "invoiceId": issued, "amountMinor": 1 }),
        ),
        (
            Method::POST,
            path(&format!("/payments/{payment}/refunds")),
            json!({ "amountMinor": 1 }),
        ),
        (
            Method::POST,
            path(&format!("/payments/{payment}/reverse")),
            json!({ "reason": "x" }),
        ),
        (
            Method::GET,
            path(&format!("/trust/reconciliations/{rec}")),
            Value::Null,
        ),
    ];
    for (method, p, body) in by_id {
        let (st, b) = status(&app, method.clone(), &p, &s, body).await;
        assert_eq!(
            (st, code(&b)),
            (404, "RESOURCE_NOT_FOUND"),
            "{method} {p}: {b}"
        );
    }
    for list in [
        "/time-entries/",
        "/timers/",
        "/expenses/",
        "/invoices/",
        "/payments/",
        "/rates/",
        "/trust/accounts",
        "/trust/ledger",
        "/trust/balances",
        "/trust/reconciliations",
        "/reports/wip",
        "/reports/aged-receivables",
    ] {
        let body = send_ok(app.as_user(Method::GET, &path(list), &s), 200).await;
        assert_eq!(body["data"], json!([]), "{list}: {body}");
    }
    // Body references to another firm's rows are unknown here.
    for (p, body, field) in [
        (
            "/time-entries/",
            json!({ "matterId": f.matter, "activityCode": "RESEARCH", "description": "x", "durationMinutes": 5 }),
            "matterId",
        ),
        (
            "/invoices/generate",
            json!({ "matterId": f.matter, "periodStart": "2026-01-01", "periodEnd": "2026-12-31" }),
            "matterId",
        ),
        (
            "/payments/",
            json!({ "clientId": f.client, "method": "CASH", "amountMinor": 1, "currency": "USD", "receivedOn": "2026-03-01" }),
            "clientId",
        ),
        (
            "/trust/deposits",
            json!({ "accountId": account, "clientId": f.client, "amountMinor": 1, "description": "x" }),
            "clientId",
        ),
    ] {
        let (st, b) = status(&app, Method::POST, &path(p), &s, body).await;
        assert_eq!(
            (st, lawos_testkit::api::fields(&b)),
            (422, vec![field.to_owned()]),
            "{p}: {b}"
        );
    }
}
