//! Signing-key rotation: a new key is published at once and signs only after
//! the publish-ahead; old keys stay in the JWKS until their last token expires.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

async fn jwks_kids(app: &lawos_testkit::TestApp) -> Vec<String> {
    let jwks: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

async fn access_token(app: &lawos_testkit::TestApp) -> String {
    admin_login(app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn accepted(base: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/tenants/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn after_rotation_old_tokens_stay_valid_and_new_tokens_use_the_new_kid() {
    let app = app().await;
    // The publish-ahead is shortened to 2 s here, so the other service's JWKS
    // refetch interval is shortened with it (production: ≥ 45 s vs 30 s).
    let other = trusting_server(&app, Duration::from_millis(500)).await;
    let old_token = access_token(&app).await;
    let k1 = kid(&old_token);
    assert_eq!(accepted(&other, &old_token).await, 200);

    let config = auth_config();
    let key = lawos_svc_auth::cli::rotate_keys(&app.envs[0].db, &config, Duration::from_secs(2))
        .await
        .unwrap();
    let k2 = key.kid.clone();
    assert_ne!(k1, k2);
    let kids = jwks_kids(&app).await;
    assert_eq!(
        kids,
        [k2.clone(), k1.clone()],
        "both published, newest first"
    );

    // Within the publish-ahead the old key still signs: checked when the
    // whole request fell before the new key's not_before (a slow machine may
    // take longer than the publish-ahead to answer a password login).
    let asked = chrono::Utc::now();
    let during = access_token(&app).await;
    if chrono::Utc::now() < key.not_before {
        assert_eq!(
            kid(&during),
            k1,
            "the old key signs during the publish-ahead"
        );
    } else if asked > key.not_before {
        assert_eq!(kid(&during), k2);
    }

    // After it, the new key signs (polled: no fixed sleep).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let new_token = loop {
        let token = access_token(&app).await;
        if kid(&token) == k2 || std::time::Instant::now() > deadline {
            break token;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        kid(&new_token),
        k2,
        "the new key signs after the publish-ahead"
    );
    assert_eq!(accepted(&other, &new_token).await, 200);
    assert_eq!(
        accepted(&other, &old_token).await,
        200,
        "old tokens stay valid"
    );
    assert_eq!(jwks_kids(&app).await, [k2.clone(), k1.clone()]);

    // The old key is kept exactly until its last possible token has expired.
    let retire = texts(
        &app,
        &format!(
            "select extract(epoch from (k1.retire_after - k2.not_before))::bigint::text as v \
             from auth.signing_keys k1, auth.signing_keys k2 \
             where k1.kid = '{k1}' and k2.kid = '{k2}'"
        ),
    )
    .await;
    assert_eq!(retire, [(900 + 120).to_string()], "access TTL + margin");
    let open = texts(&app, &format!("select coalesce(retire_after::text, 'none') as v from auth.signing_keys where kid = '{k2}'")).await;
    assert_eq!(open, ["none"], "the newest key has no retirement yet");

    // Once that time has passed the old key leaves the JWKS.
    sql(&app, &format!("update auth.signing_keys set retire_after = now() - interval '1 second' where kid = '{k1}'")).await;
    assert_eq!(jwks_kids(&app).await, [k2]);
}

#[tokio::test]
async fn signing_keys_are_encrypted_at_rest_under_the_master_key() {
    let app = app().await;
    let token = access_token(&app).await;
    let rows = texts(
        &app,
        "select encode(private_key, 'escape') || '|' || master_key_id as v from auth.signing_keys",
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].contains("PRIVATE KEY"),
        "no plaintext PKCS#8 at rest"
    );
    assert!(rows[0].ends_with(auth_config().master_key.id()));
    // The key opens with the master key, and is the one that signed.
    let state = lawos_svc_auth::state::AuthState::new(
        app.envs[0].db.clone(),
        auth_config(),
        app.config.jwt_issuer.clone(),
        app.config.jwt_audience.clone(),
    );
    assert_eq!(state.active_signer().await.unwrap().kid(), kid(&token));
    // Under another master key it does not open: the service answers 500, no detail.
    let wrong = lawos_svc_auth::crypto::MasterKey::new([9; 32]);
    let mut config = auth_config();
    config.master_key = wrong;
    let state = lawos_svc_auth::state::AuthState::new(
        app.envs[0].db.clone(),
        config,
        app.config.jwt_issuer.clone(),
        app.config.jwt_audience.clone(),
    );
    assert!(state.active_signer().await.is_err());
}
