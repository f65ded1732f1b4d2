//! Matter numbers are gap-free and unique per firm and year under concurrent creation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use reqwest::Method;

#[tokio::test]
async fn fifty_concurrent_creates_get_fifty_distinct_gap_free_numbers() {
    let app = app().await;
    let firm = FirmId::new();
    let other_firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let other = assign(&app, other_firm, "LAWYER").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let request = app
            .as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&matter_body(&format!("Concurrent {i}")));
        tasks.spawn(async move { send(request).await });
    }
    let mut numbers = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, 201, "{body}");
        numbers.push(body["matterNumber"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let year = chrono::Utc::now().format("%Y").to_string();
    let expected: Vec<String> = (1..=50).map(|n| format!("{year}-{n:05}")).collect();
    assert_eq!(numbers, expected);
    // Another firm counts on its own.
    let first = create(&app, &other, matter_body("Elsewhere")).await;
    assert_eq!(first["matterNumber"], format!("{year}-00001"));
}
