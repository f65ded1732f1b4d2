//! `/readyz` names the object store beside the database: without the store the
//! service is not ready (503), with it it is.

use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_storage::StorageConfig;
use lawos_testkit::TestApp;
use serde_json::{Value, json};

use crate::common::{self, BUCKET};

fn unreachable_store() -> StorageConfig {
    StorageConfig {
        // Nothing listens on the discard port.
        endpoint: Some("http://127.0.0.1:9".to_owned()),
        ..common::store_config()
    }
}

fn mount_without_store(env: &ServiceEnv) -> Mount {
    lawos_svc_documents::mount_with(env, &unreachable_store(), common::config())
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn the_store_is_a_hard_dependency_of_readiness() {
    let store = format!("s3:{BUCKET}");

    let app = common::app().await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"][&store], "ok", "{body}");
    assert_eq!(body["checks"]["postgres:documents"], "ok", "{body}");

    let without = TestApp::spawn(&[ServiceSpec {
        mount: mount_without_store,
        ..lawos_svc_documents::SPEC
    }])
    .await;
    let (status, body) = readyz(&without).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"][&store], json!("unavailable"), "{body}");
    assert_eq!(body["checks"]["postgres:documents"], "ok", "{body}");
}
