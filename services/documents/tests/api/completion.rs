//! Completing is refused unless the stored object has the declared size and
//! SHA-256; the version never becomes current then.

use bytes::Bytes;
use lawos_core::FirmId;
use lawos_testkit::api::{code, send_ok};
use reqwest::Method;

use crate::common::*;

#[tokio::test]
async fn nothing_uploaded_wrong_size_or_wrong_hash_is_refused_and_never_current() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let bytes = b"the signed settlement agreement".to_vec();
    let started = start(
        &app,
        &lawyer,
        &create_body(m, "settlement.txt", "text/plain", &bytes),
    )
    .await;
    let (doc, version) = ids(&started);
    let key = format!("{firm}/{doc}/{version}");

    // Nothing uploaded.
    let (s, body) = complete(&app, &lawyer, doc, version).await;
    assert_eq!(
        (s, code(&body)),
        (422, "DOCUMENT_UPLOAD_INCOMPLETE"),
        "{body}"
    );
    assert!(body["error"]["details"]["actualSize"].is_null());

    // Other bytes of the same length: the URL carries the signed SHA-256
    // header; a store that checks it (AWS S3) refuses them, one that does not
    // (the development store) keeps them and completion refuses instead.
    let other = b"THE SIGNED SETTLEMENT AGREEMENT".to_vec();
    assert_eq!(other.len(), bytes.len());
    assert!(started["upload"]["headers"]["x-amz-checksum-sha256"].is_string());
    if put(&started["upload"], &other).await == 200 {
        let (s, body) = complete(&app, &lawyer, doc, version).await;
        assert_eq!(
            (s, code(&body)),
            (422, "DOCUMENT_CHECKSUM_MISMATCH"),
            "{body}"
        );
    }
    let longer = [bytes.clone(), b"!".to_vec()].concat();
    assert_ne!(
        put(&started["upload"], &longer).await,
        200,
        "the signed length binds the size"
    );

    // Bytes put at the key behind the URL's back: the service checks them.
    let store = store();
    store
        .put(&key, Bytes::from(bytes[..10].to_vec()), "text/plain")
        .await
        .unwrap();
    let (s, body) = complete(&app, &lawyer, doc, version).await;
    assert_eq!(
        (s, code(&body)),
        (422, "DOCUMENT_UPLOAD_INCOMPLETE"),
        "{body}"
    );
    assert_eq!(body["error"]["details"]["expectedSize"], bytes.len());
    assert_eq!(body["error"]["details"]["actualSize"], 10);
    store
        .put(&key, Bytes::from(other.clone()), "text/plain")
        .await
        .unwrap();
    let (s, body) = complete(&app, &lawyer, doc, version).await;
    assert_eq!(
        (s, code(&body)),
        (422, "DOCUMENT_CHECKSUM_MISMATCH"),
        "{body}"
    );
    assert_eq!(body["error"]["details"]["expectedSha256"], sha_hex(&bytes));
    assert_eq!(body["error"]["details"]["actualSha256"], sha_hex(&other));

    // Never current.
    let got = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/documents/{doc}"), &lawyer),
        200,
    )
    .await;
    assert_eq!(got["status"], "PENDING");
    assert!(got["currentVersion"].is_null() && got["download"].is_null());
    let versions = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{doc}/versions"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(versions["data"][0]["status"], "PENDING");
    assert_eq!(versions["data"][0]["isCurrent"], false);

    // The right bytes (the URL is still valid): completed.
    assert_eq!(put(&started["upload"], &bytes).await, 200);
    let (s, body) = complete(&app, &lawyer, doc, version).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["sha256"], sha_hex(&bytes));
}
