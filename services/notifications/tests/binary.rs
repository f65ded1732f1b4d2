//! The `lawos-notifications` binary migrates an empty database and serves on its own.

#[tokio::test]
async fn the_binary_migrates_and_serves_alone() {
    lawos_testkit::binary::migrates_and_serves(
        env!("CARGO_BIN_EXE_lawos-notifications"),
        "notifications",
    )
    .await;
}
