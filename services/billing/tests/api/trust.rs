//! The trust ledger: a client's balance never goes negative under
//! concurrency; a transfer pays an issued invoice; the three-way reconciliation.

use futures_util::future::join_all;
use lawos_testkit::api::{code, id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn fifty_concurrent_disbursements_against_ten_covered_exactly_ten_succeed() {
    let app = app().await;
    let f = firm(&app).await;
    let staff = &f.staff;
    let account = id_of(&send_ok(app.as_user(Method::POST, &path("/trust/accounts"), staff).json(&json!({
        "name": "IOLTA Client Trust", "bankName": "First Bank", "accountLast4": "1234", "currency": "USD"
    })), 201).await);
    let deposit = send_ok(app.as_user(Method::POST, &path("/trust/deposits"), staff).json(&json!({
        "accountId": account, "clientId": f.client, "matterId": f.matter, "amountMinor": 100_000,
        "description": "Retainer", "reference": "WIRE 77", "entryDate": "2026-03-01"
    })), 201).await;
    assert_eq!(
        event(&app, id_of(&deposit), "trust.deposited").await["context"]["id"],
        json!(f.matter)
    );

    let answers = join_all((0..50).map(|i| {
        send(app.as_user(Method::POST, &path("/trust/disbursements"), staff).json(&json!({
            "accountId": account, "clientId": f.client, "matterId": f.matter, "amountMinor": 10_000,
            "payee": "County Court", "description": format!("Filing fee {i}"), "entryDate": "2026-03-02"
        })))
    }))
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<_> = answers.iter().filter(|(s, _)| *s != 201).collect();
    assert_eq!(ok, 10, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|(s, b)| *s == 409 && code(b) == "TRUST_FUNDS_INSUFFICIENT"),
        "{refused:?}"
    );
    let balances = send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/trust/balances?client_id={}", f.client)),
            staff,
        ),
        200,
    )
    .await;
    assert_eq!(balances["data"][0]["balanceMinor"], 0);
    let ledger = send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/trust/ledger?client_id={}&limit=100", f.client)),
            staff,
        ),
        200,
    )
    .await;
    assert_eq!(ledger["data"].as_array().unwrap().len(), 11);

    // Money held without a matter is not spent on the matter's behalf.
    let (s, b) = send(app.as_user(Method::POST, &path("/trust/disbursements"), staff).json(&json!({
        "accountId": account, "clientId": f.client, "amountMinor": 1, "payee": "x", "description": "x"
    })))
    .await;
    assert_eq!((s, code(&b)), (409, "TRUST_FUNDS_INSUFFICIENT"));
}

#[tokio::test]
async fn trust_pays_an_invoice_and_the_three_way_reconciliation_balances() {
    let app = app().await;
    let f = firm(&app).await;
    let staff = &f.staff;
    let account = id_of(
        &send_ok(
            app.as_user(Method::POST, &path("/trust/accounts"), staff)
                .json(&json!({ "name": "IOLTA", "currency": "USD" })),
            201,
        )
        .await,
    );
    send_ok(app.as_user(Method::POST, &path("/trust/deposits"), staff).json(&json!({
        "accountId": account, "clientId": f.client, "matterId": f.matter, "amountMinor": 50_000,
        "description": "Retainer", "entryDate": "2026-03-01"
    })), 201).await;
    approved(&app, &f.lawyer, &f.lawyer, f.matter, 60, "2026-03-02").await;
    let invoice = id_of(&generate(&app, staff, f.matter, "2026-03-01", "2026-03-31").await);
    // Not issued yet: trust does not pay a draft.
    let (s, _) = send(
        app.as_user(Method::POST, &path("/trust/invoice-payments"), staff)
            .json(&json!({
                "accountId": account, "invoiceId": invoice, "amountMinor": 25_000
            })),
    )
    .await;
    assert_eq!(s, 422);
    issue(&app, staff, invoice).await;
    let paid = send_ok(app.as_user(Method::POST, &path("/trust/invoice-payments"), staff).json(&json!({
        "accountId": account, "invoiceId": invoice, "amountMinor": 25_000, "entryDate": "2026-03-10"
    })), 201).await;
    assert_eq!(paid["payment"]["method"], "TRUST");
    assert_eq!(paid["entry"]["amountMinor"], -25_000);
    let inv = send_ok(
        app.as_user(Method::GET, &path(&format!("/invoices/{invoice}")), staff),
        200,
    )
    .await;
    assert_eq!(inv["status"], "PAID");

    // Bank 250.00 + 50.00 in transit − 50.00 outstanding = ledger = client ledgers = kept balances.
    let rec = send_ok(app.as_user(Method::POST, &path("/trust/reconciliations"), staff).json(&json!({
        "accountId": account, "periodStart": "2026-03-01", "periodEnd": "2099-12-31",
        "bankBalanceMinor": 25_000, "depositsInTransitMinor": 5_000, "outstandingChecksMinor": 5_000
    })), 201).await;
    assert_eq!(rec["openingLedgerMinor"], 0);
    assert_eq!(rec["periodDepositsMinor"], 50_000);
    assert_eq!(rec["periodWithdrawalsMinor"], 25_000);
    assert_eq!(rec["ledgerBalanceMinor"], 25_000);
    assert_eq!(rec["clientLedgersMinor"], 25_000);
    assert_eq!(rec["keptBalancesMinor"], 25_000);
    assert_eq!(rec["balanced"], true);
    assert_eq!(rec["clientBalances"][0]["clientId"], json!(f.client));
    let off = send_ok(app.as_user(Method::POST, &path("/trust/reconciliations"), staff).json(&json!({
        "accountId": account, "periodStart": "2026-03-01", "periodEnd": "2026-03-05", "bankBalanceMinor": 49_000
    })), 201).await;
    assert_eq!(
        (
            off["ledgerBalanceMinor"].as_i64(),
            off["balanced"].as_bool()
        ),
        (Some(50_000), Some(false))
    );
    assert!(
        off["keptBalancesMinor"].is_null(),
        "a past period compares the ledgers only"
    );
}
