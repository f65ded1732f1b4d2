//! Invoice numbers are gap-free per firm and year under concurrent issues.

use futures_util::future::join_all;
use lawos_testkit::api::{id_of, send};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn twenty_concurrent_issues_number_one_to_twenty() {
    let app = app().await;
    let f = firm(&app).await;
    let mut drafts = Vec::new();
    for day in 1..=20 {
        let date = format!("2026-02-{day:02}");
        approved(&app, &f.lawyer, &f.lawyer, f.matter, 6, &date).await;
        drafts.push(id_of(
            &generate(&app, &f.staff, f.matter, &date, &date).await,
        ));
    }
    let answers = join_all(drafts.iter().map(|id| {
        send(
            app.as_user(
                Method::POST,
                &path(&format!("/invoices/{id}/issue")),
                &f.staff,
            )
            .json(&json!({})),
        )
    }))
    .await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["invoiceNumber"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let year = chrono::Utc::now().date_naive().format("%Y").to_string();
    let expected: Vec<String> = (1..=20).map(|n| format!("INV-{year}-{n:05}")).collect();
    assert_eq!(numbers, expected);
    // Issuing again is refused and takes no number.
    let (again, _) = send(app.as_user(
        Method::POST,
        &path(&format!("/invoices/{}/issue", drafts[0])),
        &f.staff,
    ))
    .await;
    assert_eq!(again, 409);
    approved(&app, &f.lawyer, &f.lawyer, f.matter, 6, "2026-02-21").await;
    let next = id_of(&generate(&app, &f.staff, f.matter, "2026-02-21", "2026-02-21").await);
    assert_eq!(
        issue(&app, &f.staff, next).await["invoiceNumber"],
        format!("INV-{year}-00021")
    );
}
