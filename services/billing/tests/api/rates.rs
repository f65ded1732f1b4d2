//! Rates: the most specific rate in force is frozen onto each entry when it is
//! created; a later rate changes nothing already recorded.

use lawos_testkit::api::{assign, code, send};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn the_rate_in_force_is_frozen_onto_each_entry() {
    let app = app().await;
    let f = firm(&app).await;
    let before = entry(&app, &f.lawyer, f.matter, 60, "2026-03-02").await;
    assert_eq!(
        (
            before["billingRate"].as_i64(),
            before["totalAmount"].as_i64()
        ),
        (Some(25_000), Some(25_000))
    );

    // A new rate from today on: the old entry keeps 250.00/h, new ones take 300.00/h.
    let today = chrono::Utc::now().date_naive().to_string();
    send(app.as_user(Method::POST, &path("/rates/"), &f.admin).json(&json!({
        "userId": f.lawyer.user_id, "rateMinor": 30_000, "currency": "USD", "effectiveFrom": today
    })))
    .await;
    let id = before["id"].as_str().unwrap();
    let again = lawos_testkit::api::send_ok(
        app.as_user(
            Method::GET,
            &path(&format!("/time-entries/{id}")),
            &f.lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(again["billingRate"], 25_000);
    assert_eq!(again["totalAmount"], 25_000);
    let after = entry(&app, &f.lawyer, f.matter, 30, &today).await;
    assert_eq!(
        (after["billingRate"].as_i64(), after["totalAmount"].as_i64()),
        (Some(30_000), Some(15_000))
    );
    // An entry dated before the new rate still takes the rate in force on its date.
    let dated = entry(&app, &f.lawyer, f.matter, 30, "2026-01-05").await;
    assert_eq!(dated["billingRate"], 25_000);

    // Overrides: per matter, then per activity on that matter, win over the user's rate.
    for (activity, rate) in [(None, 40_000), (Some("COURT_APPEARANCE"), 50_000)] {
        let mut body = json!({ "userId": f.lawyer.user_id, "matterId": f.matter, "rateMinor": rate, "currency": "USD", "effectiveFrom": "2020-01-01" });
        if let Some(a) = activity {
            body["activityCode"] = json!(a);
        }
        lawos_testkit::api::send_ok(
            app.as_user(Method::POST, &path("/rates/"), &f.admin)
                .json(&body),
            201,
        )
        .await;
    }
    let research = entry(&app, &f.lawyer, f.matter, 60, &today).await;
    assert_eq!(research["billingRate"], 40_000);
    let court = lawos_testkit::api::send_ok(
        app.as_user(Method::POST, &path("/time-entries/"), &f.lawyer).json(&json!({
            "matterId": f.matter, "activityCode": "COURT_APPEARANCE", "description": "Hearing", "durationMinutes": 90
        })),
        201,
    )
    .await;
    assert_eq!(
        (court["billingRate"].as_i64(), court["totalAmount"].as_i64()),
        (Some(50_000), Some(75_000))
    );

    // Without any rate, a billable entry is refused naming billingRate; rates are firm administration.
    let newcomer = assign(&app, f.id, "LAWYER").await;
    let (status, body) = send(app.as_user(Method::POST, &path("/time-entries/"), &newcomer).json(&json!({
        "matterId": f.matter, "activityCode": "RESEARCH", "description": "x", "durationMinutes": 10
    })))
    .await;
    assert_eq!(
        (status, lawos_testkit::api::fields(&body)),
        (422, vec!["billingRate".to_owned()])
    );
    let (denied, body) = send(app.as_user(Method::POST, &path("/rates/"), &f.lawyer).json(
        &json!({
            "userId": f.lawyer.user_id, "rateMinor": 1, "currency": "USD"
        }),
    ))
    .await;
    assert_eq!((denied, code(&body)), (403, "PERMISSION_DENIED"));
}
