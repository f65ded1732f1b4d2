//! No UPDATE or DELETE reaches the payment, allocation, payment-event,
//! credit-note, trust-ledger and reconciliation tables, nor a direct write the
//! kept trust balances: tried as the service's own runtime role, the database
//! refuses.

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_testkit::api::{id_of, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn the_runtime_role_cannot_change_financial_rows() {
    let app = app().await;
    let f = firm(&app).await;
    approved(&app, &f.lawyer, &f.lawyer, f.matter, 60, "2026-03-02").await;
    let invoice = id_of(&generate(&app, &f.staff, f.matter, "2026-03-01", "2026-03-31").await);
    issue(&app, &f.staff, invoice).await;
    send_ok(app.as_user(Method::POST, &path("/payments/"), &f.staff).json(&json!({
        "clientId": f.client, "method": "ACH", "amountMinor": 1_000, "currency": "USD", "receivedOn": "2026-03-05",
        "allocations": [{ "invoiceId": invoice, "amountMinor": 1_000 }]
    })), 201).await;
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/invoices/{invoice}/credit-notes")),
            &f.staff,
        )
        .json(&json!({ "amountMinor": 500, "reason": "Courtesy discount" })),
        201,
    )
    .await;
    let account = id_of(
        &send_ok(
            app.as_user(Method::POST, &path("/trust/accounts"), &f.staff)
                .json(&json!({ "name": "IOLTA", "currency": "USD" })),
            201,
        )
        .await,
    );
    send_ok(app.as_user(Method::POST, &path("/trust/deposits"), &f.staff).json(&json!({
        "accountId": account, "clientId": f.client, "amountMinor": 10_000, "description": "Retainer"
    })), 201).await;
    send_ok(app.as_user(Method::POST, &path("/trust/reconciliations"), &f.staff).json(&json!({
        "accountId": account, "periodStart": "2026-01-01", "periodEnd": "2099-12-31", "bankBalanceMinor": 10_000
    })), 201).await;

    let mut conn = AsyncPgConnection::establish(&app.db.runtime_url("billing"))
        .await
        .unwrap();
    let statements = [
        "update billing.payments set amount_minor = 1",
        "delete from billing.payments",
        "update billing.payment_allocations set amount_minor = 1",
        "delete from billing.payment_allocations",
        "update billing.payment_events set amount_minor = 1",
        "delete from billing.payment_events",
        "update billing.credit_notes set amount_minor = 1",
        "delete from billing.credit_notes",
        "update billing.trust_ledger_entries set amount_minor = 1",
        "delete from billing.trust_ledger_entries",
        "update billing.trust_reconciliations set balanced = true",
        "delete from billing.trust_reconciliations",
        "update billing.trust_balances set balance_minor = 1000000",
        "delete from billing.trust_balances",
        "insert into billing.trust_balances (firm_id, account_id, client_id, matter_key, balance_minor) \
         select firm_id, account_id, client_id, gen_random_uuid(), 5 from billing.trust_balances",
        "truncate billing.payments cascade",
        "truncate billing.trust_ledger_entries cascade",
    ];
    for sql in statements {
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async |c| {
                diesel::sql_query("select set_config('app.firm_id', $1, true)")
                    .bind::<Text, _>(f.id.to_string())
                    .execute(c)
                    .await?;
                diesel::sql_query(sql).execute(c).await
            })
            .await;
        let err = result.expect_err(sql).to_string();
        assert!(
            err.contains("append-only")
                || err.contains("kept by the trust ledger")
                || err.contains("permission denied"),
            "{sql}: {err}"
        );
    }
    // The rows are all still there.
    let one = send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/invoices/{invoice}")),
            &f.staff,
        ),
        200,
    )
    .await;
    assert_eq!(
        (one["paidMinor"].as_i64(), one["creditedMinor"].as_i64()),
        (Some(1_000), Some(500))
    );
}
