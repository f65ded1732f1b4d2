//! The object operations against the running S3-compatible store
//! (`scripts/infra.sh --with-s3`, or LAWOS_S3_* pointing at one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use lawos_storage::{
    ObjectStore, PART_SIZE, StaticCredentials, StorageConfig, content_disposition, hex_digest,
};
use sha2::{Digest, Sha256};

async fn store() -> ObjectStore {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let config = StorageConfig {
        endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        region: env("LAWOS_S3_REGION", "us-east-1"),
        bucket: format!("lawos-storage-test-{}", uuid::Uuid::now_v7().simple()),
        path_style: true,
        credentials: Some(StaticCredentials {
            access_key: env("LAWOS_S3_ACCESS_KEY", "lawos"),
            secret_key: env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        }),
    };
    let store = ObjectStore::connect(&config).await;
    if let Err(e) = store.ensure_bucket().await {
        panic!("S3 must be reachable (scripts/infra.sh --with-s3): {e}");
    }
    store
        .ensure_bucket()
        .await
        .expect("ensure_bucket is idempotent");
    store
}

async fn read_all(store: &ObjectStore, key: &str) -> Vec<u8> {
    let mut body = store.get(key).await.unwrap().expect("object exists");
    let mut out = Vec::new();
    while let Some(chunk) = body.stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(out.len() as u64, body.size);
    out
}

#[tokio::test]
async fn put_head_get_copy_delete() {
    let store = store().await;
    let bytes = Bytes::from_static(b"the quick brown fox");
    let stored = store
        .put("a/b/c", bytes.clone(), "text/plain")
        .await
        .unwrap();
    assert_eq!(stored.size, 19);
    assert_eq!(stored.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
    let head = store.head("a/b/c").await.unwrap().unwrap();
    assert_eq!(head.size, 19);
    assert_eq!(head.content_type.as_deref(), Some("text/plain"));
    assert_eq!(read_all(&store, "a/b/c").await, bytes.to_vec());
    let digest = store.digest("a/b/c").await.unwrap().unwrap();
    assert_eq!(digest, stored);

    store.copy("a/b/c", "a/b/d").await.unwrap();
    assert_eq!(read_all(&store, "a/b/d").await, bytes.to_vec());

    store.delete("a/b/c").await.unwrap();
    assert!(store.head("a/b/c").await.unwrap().is_none());
    assert!(store.get("a/b/c").await.unwrap().is_none());
    assert!(store.digest("a/b/c").await.unwrap().is_none());
    store.delete("a/b/c").await.expect("deleting twice is fine");
}

#[tokio::test]
async fn streams_are_hashed_and_large_ones_go_multipart() {
    let store = store().await;
    // Small: one request.
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..4).map(|_| Ok(Bytes::from_static(b"abc"))).collect();
    let small = store
        .put_stream(
            "small",
            "text/plain",
            futures_util::stream::iter(chunks),
            1024,
        )
        .await
        .unwrap();
    assert_eq!(small.size, 12);
    assert_eq!(
        hex_digest(&small.sha256),
        hex::encode(Sha256::digest(b"abcabcabcabc"))
    );

    // Larger than a part: a multipart upload of two parts.
    let total = PART_SIZE + 1024 * 1024;
    let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let big = store
        .put_stream(
            "big",
            "application/octet-stream",
            futures_util::stream::iter(chunks),
            total as u64,
        )
        .await
        .unwrap();
    assert_eq!(big.size, total as u64);
    assert_eq!(big.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
    assert_eq!(store.digest("big").await.unwrap().unwrap(), big);

    // Over the limit: refused, nothing kept.
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..2).map(|_| Ok(Bytes::from(vec![0u8; 600]))).collect();
    let err = store
        .put_stream(
            "over",
            "text/plain",
            futures_util::stream::iter(chunks),
            1000,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, lawos_storage::StorageError::TooLarge { limit: 1000 }),
        "{err}"
    );
    assert!(store.head("over").await.unwrap().is_none());
}

#[tokio::test]
async fn presigned_put_binds_length_and_type_and_get_names_the_file() {
    let store = store().await;
    let body = b"%PDF-1.4 pretend".to_vec();
    let digest: [u8; 32] = Sha256::digest(&body).into();
    let http = reqwest::Client::new();
    let put = store
        .presign_put(
            "firm/doc/v1",
            Duration::from_secs(300),
            body.len() as u64,
            "application/pdf",
            None,
        )
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    let headers = |p: &lawos_storage::Presigned| {
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in &p.headers {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    };
    // Another length than the signed one is refused.
    let res = http
        .put(&put.url)
        .headers(headers(&put))
        .header("content-length", (body.len() + 3).to_string())
        .body([body.clone(), b"xyz".to_vec()].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    // Another type than the signed one is refused.
    let res = http
        .put(&put.url)
        .header("content-type", "text/html")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(store.head("firm/doc/v1").await.unwrap().is_none());
    // As signed: stored.
    let res = http
        .put(&put.url)
        .headers(headers(&put))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(
        store.digest("firm/doc/v1").await.unwrap().unwrap().sha256,
        digest
    );

    // The signature covers the key: the same query on another key is refused.
    store
        .put("firm/other/v1", Bytes::from_static(b"secret"), "text/plain")
        .await
        .unwrap();
    let get = store
        .presign_get(
            "firm/doc/v1",
            Duration::from_secs(60),
            Some(&content_disposition(false, "Brief \"final\".pdf")),
            Some("application/pdf"),
        )
        .await
        .unwrap();
    let res = http.get(&get.url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''Brief%20%22final%22.pdf"),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), body);
    let forged = get.url.replace("firm/doc/v1", "firm/other/v1");
    let res = http.get(&forged).send().await.unwrap();
    assert_eq!(res.status(), 403);

    // With the SHA-256 declared, the signed checksum header travels with the URL.
    let put = store
        .presign_put(
            "firm/doc/v2",
            Duration::from_secs(300),
            body.len() as u64,
            "application/pdf",
            Some(&digest),
        )
        .await
        .unwrap();
    assert!(
        put.headers
            .iter()
            .any(|(k, _)| k == "x-amz-checksum-sha256"),
        "{:?}",
        put.headers
    );
    let res = http
        .put(&put.url)
        .headers(headers(&put))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}
