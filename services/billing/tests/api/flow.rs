//! The whole flow: timer → entry → submit → approve (the matter's lead
//! attorney) → invoice generated → issued → a payment split over two invoices
//! (PAID and PARTIALLY_PAID); an invoiced entry refuses edits; void returns
//! the entries.

use lawos_testkit::api::{code, fields, id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn timer_to_paid_invoice_and_void() {
    let app = app().await;
    let f = firm(&app).await;
    let (lawyer, staff) = (&f.lawyer, &f.staff);

    // A timer: start, a second start is refused, pause, resume, stop → a DRAFT entry.
    let timer = send_ok(
        app.as_user(Method::POST, &path("/timers/start"), lawyer)
            .json(&json!({ "matterId": f.matter, "activityCode": "DRAFTING", "description": "Complaint" })),
        201,
    )
    .await;
    let t = id_of(&timer);
    let (again, body) = send(
        app.as_user(Method::POST, &path("/timers/start"), lawyer)
            .json(&json!({ "matterId": f.matter, "activityCode": "DRAFTING", "description": "Other" })),
    )
    .await;
    assert_eq!(again, 409, "{body}");
    send_ok(
        app.as_user(Method::POST, &path(&format!("/timers/{t}/pause")), lawyer),
        200,
    )
    .await;
    send_ok(
        app.as_user(Method::POST, &path(&format!("/timers/{t}/resume")), lawyer),
        200,
    )
    .await;
    let stopped = send_ok(
        app.as_user(Method::POST, &path(&format!("/timers/{t}/stop")), lawyer)
            .json(&json!({})),
        200,
    )
    .await;
    assert_eq!(stopped["timer"]["state"], "STOPPED");
    let from_timer = stopped["timeEntry"].clone();
    assert_eq!(from_timer["status"], "DRAFT");
    assert_eq!(
        from_timer["durationMinutes"], 1,
        "a few seconds round up to one minute"
    );
    assert_eq!(from_timer["billingRate"], 25_000);
    assert_eq!(
        from_timer["totalAmount"], 417,
        "1 min at 250.00/h = 4.1666… → 4.17"
    );
    let timer_entry = id_of(&from_timer);

    // Validation names every bad field; nothing is written.
    let (bad, body) = send(
        app.as_user(Method::POST, &path("/time-entries/"), lawyer)
            .json(&json!({
                "activityCode": "lowercase", "durationMinutes": 0, "description": " "
            })),
    )
    .await;
    assert_eq!(bad, 422);
    assert_eq!(
        fields(&body),
        ["matterId", "activityCode", "description", "durationMinutes"]
    );

    // A manual entry; submit; the lead attorney approves both.
    let manual = entry(&app, lawyer, f.matter, 7, "2026-03-02").await;
    assert_eq!(
        manual["totalAmount"], 2_917,
        "7 min at 250.00/h = 29.1666… → 29.17"
    );
    let m = id_of(&manual);
    for id in [m, timer_entry] {
        let s = send_ok(
            app.as_user(
                Method::POST,
                &path(&format!("/time-entries/{id}/submit")),
                lawyer,
            ),
            200,
        )
        .await;
        assert_eq!(s["status"], "SUBMITTED");
        let a = send_ok(
            app.as_user(
                Method::POST,
                &path(&format!("/time-entries/{id}/approve")),
                lawyer,
            ),
            200,
        )
        .await;
        assert_eq!(a["status"], "APPROVED");
        assert_eq!(a["approvedBy"], json!(lawyer.user_id));
    }
    let submitted = event(&app, m, "time_entry.submitted").await;
    assert_eq!(
        submitted["context"],
        json!({ "type": "matter", "id": f.matter })
    );
    assert_eq!(
        event(&app, m, "time_entry.approved").await["data"]["timeEntryId"],
        json!(m)
    );

    // Generate (STAFF) a draft of both; line items copy what they bill.
    let today = chrono::Utc::now().date_naive().to_string();
    let draft = generate(&app, staff, f.matter, "2026-01-01", &today).await;
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(draft["lineItems"].as_array().unwrap().len(), 2);
    assert_eq!(draft["totalMinor"], 2_917 + 417);
    let first = id_of(&draft);
    // Nothing left to bill: a second generation is refused.
    let (none, body) = send(
        app.as_user(Method::POST, &path("/invoices/generate"), staff)
            .json(&json!({
                "matterId": f.matter, "periodStart": "2026-01-01", "periodEnd": today
            })),
    )
    .await;
    assert_eq!((none, fields(&body)), (422, vec!["periodStart".to_owned()]));

    let issued = issue(&app, staff, first).await;
    assert_eq!(issued["status"], "ISSUED");
    let number = issued["invoiceNumber"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with("INV-") && number.ends_with("-00001"),
        "{number}"
    );
    let entry_now = send_ok(
        app.as_user(Method::GET, &path(&format!("/time-entries/{m}")), lawyer),
        200,
    )
    .await;
    assert_eq!(entry_now["status"], "INVOICED");
    assert_eq!(entry_now["invoiceId"], json!(first));
    let (edit, body) = send(
        app.as_user(Method::PATCH, &path(&format!("/time-entries/{m}")), lawyer)
            .json(&json!({ "durationMinutes": 60 })),
    )
    .await;
    assert_eq!((edit, code(&body)), (400, "TIME_ENTRY_ALREADY_INVOICED"));
    let issued_event = event(&app, first, "invoice.issued").await;
    assert_eq!(issued_event["data"]["invoiceNumber"], json!(number));
    assert_eq!(issued_event["context"]["id"], json!(f.matter));

    // A second invoice: one hour.
    approved(&app, lawyer, lawyer, f.matter, 60, "2026-03-03").await;
    let second = id_of(&generate(&app, staff, f.matter, "2026-03-03", "2026-03-03").await);
    let second_issued = issue(&app, staff, second).await;
    assert!(
        second_issued["invoiceNumber"]
            .as_str()
            .unwrap()
            .ends_with("-00002")
    );

    // One payment over both: the first in full, 100.00 of the second.
    let (over, body) = send(app.as_user(Method::POST, &path("/payments/"), staff).json(&json!({
        "clientId": f.client, "method": "CHECK", "amountMinor": 100_000, "currency": "USD", "receivedOn": "2026-03-10",
        "allocations": [{ "invoiceId": first, "amountMinor": 3_335 }]
    })))
    .await;
    assert_eq!(
        (over, fields(&body)),
        (422, vec!["allocations[0].amountMinor".to_owned()]),
        "over the balance"
    );
    let paid = send_ok(
        app.as_user(Method::POST, &path("/payments/"), staff).json(&json!({
            "clientId": f.client, "method": "CHECK", "amountMinor": 13_334, "currency": "USD",
            "receivedOn": "2026-03-10", "reference": "CHK 1001",
            "allocations": [{ "invoiceId": first, "amountMinor": 3_334 }, { "invoiceId": second, "amountMinor": 10_000 }]
        })),
        201,
    )
    .await;
    assert_eq!(paid["unappliedMinor"], 0);
    assert_eq!(
        paid["events"].as_array().unwrap().len(),
        3,
        "RECORDED and two ALLOCATED"
    );
    let one = send_ok(
        app.as_user(Method::GET, &path(&format!("/invoices/{first}")), staff),
        200,
    )
    .await;
    assert_eq!(
        (one["status"].as_str(), one["balanceMinor"].as_i64()),
        (Some("PAID"), Some(0))
    );
    let two = send_ok(
        app.as_user(Method::GET, &path(&format!("/invoices/{second}")), staff),
        200,
    )
    .await;
    assert_eq!(
        (two["status"].as_str(), two["balanceMinor"].as_i64()),
        (Some("PARTIALLY_PAID"), Some(15_000))
    );
    let received = event(&app, id_of(&paid), "payment.received").await;
    assert_eq!(received["data"]["amountMinor"], 13_334);
    assert_eq!(received["data"]["matterIds"], json!([f.matter]));
    assert_eq!(
        received["context"]["id"],
        json!(f.matter),
        "one matter: filed under it"
    );
    let listed = send_ok(
        app.as_user(
            Method::GET,
            &path("/invoices/?status=PARTIALLY_PAID"),
            staff,
        ),
        200,
    )
    .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    // A paid invoice is not voided; a third one is, and its entry is free again.
    let (refused, _) = send(
        app.as_user(
            Method::POST,
            &path(&format!("/invoices/{first}/void")),
            staff,
        )
        .json(&json!({ "reason": "x" })),
    )
    .await;
    assert_eq!(refused, 409);
    let e3 = approved(&app, lawyer, lawyer, f.matter, 30, "2026-03-04").await;
    let third = id_of(&generate(&app, staff, f.matter, "2026-03-04", "2026-03-04").await);
    issue(&app, staff, third).await;
    let voided = send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/invoices/{third}/void")),
            staff,
        )
        .json(&json!({ "reason": "Billed the wrong client" })),
        200,
    )
    .await;
    assert_eq!(voided["status"], "VOID");
    let back = send_ok(
        app.as_user(Method::GET, &path(&format!("/time-entries/{e3}")), lawyer),
        200,
    )
    .await;
    assert_eq!(
        (back["status"].as_str(), back["invoiceId"].is_null()),
        (Some("APPROVED"), true)
    );
    let again = generate(&app, staff, f.matter, "2026-03-04", "2026-03-04").await;
    assert_eq!(again["lineItems"][0]["timeEntryId"], json!(e3));

    // Reports: the re-billed draft is not WIP any more; the second invoice is receivable.
    let aged = send_ok(
        app.as_user(Method::GET, &path("/reports/aged-receivables"), staff),
        200,
    )
    .await;
    assert_eq!(aged["totals"][0]["totalMinor"], 15_000);
    assert_eq!(aged["data"][0]["days0To30Minor"], 15_000);
}
