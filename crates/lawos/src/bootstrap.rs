//! Development bootstrap for `lawos dev`. Users log in with the auth service in
//! this same process (its issuer is `http://127.0.0.1:<port>`); the services sign
//! their service tokens with a key generated at start, which every service trusts
//! as a second issuer. Once the server answers, the bootstrap administrator is
//! logged in with the password grant and the token is written to `.lawos/dev-token`.

use lawos_auth::Es256Signer;
use lawos_http::config::PlatformConfig;
use lawos_http::runtime::LocalIssuer;
use std::time::Duration;

/// The issuer name of the development service-token key.
const DEV_SERVICES_ISSUER: &str = "urn:lawos:dev-services";

/// The in-process issuer of service tokens.
pub fn service_issuer(config: &PlatformConfig) -> Result<LocalIssuer, String> {
    Ok(LocalIssuer {
        signer: Es256Signer::generate()
            .map_err(|e| format!("cannot generate the development key: {e}"))?,
        issuer: DEV_SERVICES_ISSUER.to_owned(),
        audience: config.jwt_audience.clone(),
    })
}

/// Points the auth issuer at this process unless configured otherwise.
pub fn use_this_process_as_issuer(config: &mut PlatformConfig, port: u16) {
    if std::env::var("LAWOS_JWT_ISSUER").is_err() {
        config.jwt_issuer = format!("http://127.0.0.1:{port}");
        config.jwks_url = format!("{}/.well-known/jwks.json", config.jwt_issuer);
        config.token_url = format!("{}/oauth/token", config.jwt_issuer);
    }
}

fn admin_credentials() -> (String, String, bool) {
    let email = std::env::var("LAWOS_ADMIN_EMAIL").ok();
    let password = std::env::var("LAWOS_ADMIN_PASSWORD").ok();
    let defaults = email.is_none() || password.is_none();
    (
        email.unwrap_or_else(|| lawos_svc_auth::config::DEFAULT_ADMIN_EMAIL.to_owned()),
        password.unwrap_or_else(|| lawos_svc_auth::config::DEFAULT_ADMIN_PASSWORD.to_owned()),
        defaults,
    )
}

/// Waits for the server, logs the administrator in and says how to do it by hand.
pub async fn log_in_admin(port: u16) {
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (email, password, defaults) = admin_credentials();
    let answer = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", email.as_str()),
            ("password", password.as_str()),
        ])
        .send()
        .await;
    let token = match answer {
        Ok(res) if res.status().is_success() => res
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["access_token"].as_str().map(str::to_owned)),
        Ok(res) => {
            tracing::warn!(status = %res.status(), "the bootstrap administrator could not log in");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the bootstrap login failed");
            None
        }
    };
    let saved = token.as_ref().and_then(|t| {
        std::fs::create_dir_all(".lawos").ok()?;
        std::fs::write(".lawos/dev-token", t).ok()
    });
    let note = if defaults {
        " (the defaults: set LAWOS_ADMIN_EMAIL / LAWOS_ADMIN_PASSWORD to choose)"
    } else {
        ""
    };
    let mut message = format!(
        "\nLawOS is serving every service on {base}\n\
         API reference: {base}/docs   OpenAPI: {base}/openapi.json\n\
         Administrator: {email} / {password}{note}\n\
         Log in:  curl -s -d grant_type=password -d username={email} -d password={password} {base}/oauth/token\n"
    );
    if saved.is_some() {
        message.push_str(&format!(
            "An access token for 15 minutes is in .lawos/dev-token:\n  \
             curl -H \"Authorization: Bearer $(cat .lawos/dev-token)\" {base}/api/v1/tenants/\n"
        ));
    }
    eprintln!("{message}");
}
