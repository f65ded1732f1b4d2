//! The issued invoice's PDF: fetched through its presigned URL, its SHA-256 as
//! answered, its text (extracted here) naming the invoice number and the total
//! the JSON answers.

use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use sha2::{Digest, Sha256};

use crate::common::*;

#[tokio::test]
async fn the_issued_invoice_pdf_shows_its_number_and_total() {
    let app = app().await;
    let f = firm(&app).await;
    for (minutes, date) in [(7, "2026-03-02"), (95, "2026-03-03"), (60, "2026-03-04")] {
        approved(&app, &f.lawyer, &f.lawyer, f.matter, minutes, date).await;
    }
    let draft = id_of(&generate(&app, &f.staff, f.matter, "2026-03-01", "2026-03-31").await);
    let (status, _) = send(app.as_user(
        Method::GET,
        &path(&format!("/invoices/{draft}/pdf")),
        &f.staff,
    ))
    .await;
    assert_eq!(status, 409, "a draft has no PDF");
    let issued = issue(&app, &f.staff, draft).await;
    let number = issued["invoiceNumber"].as_str().unwrap().to_owned();
    let total = issued["totalMinor"].as_i64().unwrap();
    assert_eq!(
        total,
        2_917 + 39_583 + 25_000,
        "7, 95 and 60 minutes at 250.00/h"
    );

    // A LAWYER (invoices:read) fetches it too.
    let link = send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/invoices/{draft}/pdf")),
            &f.lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(link["fileName"], format!("{number}.pdf"));
    let res = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(link["sizeBytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(
        link["sha256"].as_str().unwrap(),
        lawos_storage::hex_digest(&Sha256::digest(&bytes).into())
    );

    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    assert!(text.contains(&format!("Invoice {number}")), "{text}");
    assert!(
        text.contains("USD 675.00"),
        "the JSON total (67,500 minor units) in the PDF: {text}"
    );
    assert!(text.contains("Acme Holdings"), "{text}");
    // The same PDF on every fetch.
    let again = send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/invoices/{draft}/pdf")),
            &f.staff,
        ),
        200,
    )
    .await;
    assert_eq!(again["sha256"], link["sha256"]);
}
