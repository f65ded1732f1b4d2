//! Small files straight to the service: multipart, streamed to S3, hashed,
//! size-limited; a general document is the firm's.

use lawos_core::FirmId;
use lawos_testkit::api::{code, fields, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

const BOUNDARY: &str = "lawos-test-boundary-7d1f";

/// A `multipart/form-data` body of `(name, file name, content type, bytes)` parts.
struct Form(Vec<u8>);

impl Form {
    fn new() -> Self {
        Self(Vec::new())
    }

    fn part(
        mut self,
        name: &str,
        file_name: Option<&str>,
        content_type: &str,
        bytes: &[u8],
    ) -> Self {
        let file = file_name
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        self.0.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.0.extend_from_slice(bytes);
        self.0.extend_from_slice(b"\r\n");
        self
    }

    fn body(mut self) -> Vec<u8> {
        self.0
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.0
    }
}

trait Multipart {
    fn multipart(self, form: Form) -> Self;
}

impl Multipart for reqwest::RequestBuilder {
    fn multipart(self, form: Form) -> Self {
        self.header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form.body())
    }
}

fn form(metadata: serde_json::Value, name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .part(
            "metadata",
            None,
            "application/json",
            metadata.to_string().as_bytes(),
        )
        .part("file", Some(name), "text/plain", &bytes)
}

#[tokio::test]
async fn a_small_file_is_stored_at_once_and_limits_hold() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let bytes = b"Firm holiday schedule".to_vec();
    let doc = send_ok(
        app.as_user(Method::POST, "/api/v1/documents/upload", &lawyer)
            .multipart(form(
                json!({ "resourceType": "GENERAL", "category": "OTHER" }),
                "holidays.txt",
                bytes.clone(),
            )),
        201,
    )
    .await;
    assert_eq!(doc["status"], "AVAILABLE");
    assert_eq!(doc["resourceType"], "GENERAL");
    assert_eq!(doc["fileName"], "holidays.txt");
    assert_eq!(doc["sha256"], sha_hex(&bytes));
    assert_eq!(doc["currentVersion"]["uploadMethod"], "DIRECT");
    let id = doc["id"].as_str().unwrap();
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/content"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // A general document is the firm's: a paralegal (assigned reach) sees it too.
    let paralegal = user(&app, firm, "PARALEGAL").await;
    assert_eq!(listed(&app, &paralegal, "").await, vec![id.to_owned()]);

    // Over the limit (32 KiB here): 413, nothing kept.
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/upload", &lawyer)
            .multipart(form(
                json!({ "resourceType": "GENERAL" }),
                "big.txt",
                vec![b'x'; 40 * 1024],
            )),
    )
    .await;
    assert_eq!((s, code(&body)), (413, "PAYLOAD_TOO_LARGE"), "{body}");
    // Bad metadata is named; the file must follow the metadata.
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/upload", &lawyer)
            .multipart(form(
                json!({ "resourceType": "MATTER", "category": "MEMO" }),
                "a.txt",
                b"a".to_vec(),
            )),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    let mut named = fields(&body);
    named.sort();
    assert_eq!(named, ["category", "resourceId"]);
    let only_file = Form::new().part("file", Some("a.txt"), "text/plain", b"a");
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/upload", &lawyer)
            .multipart(only_file),
    )
    .await;
    assert_eq!((s, fields(&body)), (422, vec!["metadata".to_owned()]));
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/upload", &lawyer)
            .multipart(form(
                json!({ "resourceType": "GENERAL" }),
                "empty.txt",
                Vec::new(),
            )),
    )
    .await;
    assert_eq!((s, fields(&body)), (422, vec!["file".to_owned()]));
    assert_eq!(
        listed(&app, &lawyer, "").await,
        vec![id.to_owned()],
        "nothing half-written"
    );
    // A role without documents:create.
    let admin = user(&app, firm, "FIRM_ADMIN").await;
    let (s, _) = send(
        app.as_user(Method::POST, "/api/v1/documents/upload", &admin)
            .multipart(form(
                json!({ "resourceType": "GENERAL" }),
                "a.txt",
                b"a".to_vec(),
            )),
    )
    .await;
    assert_eq!(s, 403);
}
