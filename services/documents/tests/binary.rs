//! The `lawos-documents` binary migrates an empty database and serves on its
//! own, with its hard dependencies only: the database and the object store
//! (`/readyz` checks the bucket).

#[tokio::test]
async fn the_binary_migrates_and_serves_alone() {
    let mut env = lawos_testkit::binary::s3_env();
    env.push((
        "LAWOS_DOCUMENTS_BUCKET",
        "lawos-documents-binary-test".to_owned(),
    ));
    env.push(("LAWOS_DOCUMENTS_ENSURE_BUCKET", "true".to_owned()));
    lawos_testkit::binary::migrates_and_serves_with(
        env!("CARGO_BIN_EXE_lawos-documents"),
        "documents",
        &env,
    )
    .await;
}
