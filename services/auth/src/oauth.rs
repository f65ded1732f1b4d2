//! OAuth 2.0 wire format (RFC 6749): form-encoded requests and the RFC's error
//! shape. This is the one deliberate exception to the platform's error
//! envelope: clients of `/oauth/token` and `/oauth/revoke` are OAuth libraries,
//! which expect `{"error":"invalid_grant","error_description":…}` with 400
//! (401 for `invalid_client`). Unexpected failures still answer the envelope's 500.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, PRAGMA};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// An RFC 6749 §5.2 error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    pub fn invalid_client() -> Self {
        Self::new("invalid_client", "client authentication failed")
    }

    pub fn invalid_scope() -> Self {
        Self::new(
            "invalid_scope",
            "the requested scope exceeds what may be granted",
        )
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self::new(
            "unsupported_grant_type",
            format!("grant_type {grant:?} is not supported"),
        )
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .insert_header((CACHE_CONTROL, "no-store"))
            .insert_header((PRAGMA, "no-cache"))
            .json(json!({ "error": self.error, "error_description": self.description }))
    }
}

/// The parameters of an `application/x-www-form-urlencoded` body; a parameter
/// sent twice is refused (RFC 6749 §3.2).
pub fn form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        if params
            .insert(key.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(OAuthError::invalid_request(format!(
                "parameter {key} is repeated"
            )));
        }
    }
    // Empty values are the same as absent ones (RFC 6749 §3.1).
    params.retain(|_, v| !v.is_empty());
    Ok(params)
}

/// A required parameter, or `invalid_request` naming it.
pub fn required<'a>(
    params: &'a HashMap<String, String>,
    name: &str,
) -> Result<&'a str, OAuthError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| OAuthError::invalid_request(format!("parameter {name} is required")))
}

/// A successful token response (RFC 6749 §5.1), never cached.
pub fn token_response(
    access_token: &str,
    expires_in: u64,
    refresh_token: Option<&str>,
    scope: &[String],
) -> HttpResponse {
    token_response_with_id(access_token, expires_in, refresh_token, scope, None)
}

/// [`token_response`] with an OpenID Connect `id_token` when there is one.
pub fn token_response_with_id(
    access_token: &str,
    expires_in: u64,
    refresh_token: Option<&str>,
    scope: &[String],
    id_token: Option<&str>,
) -> HttpResponse {
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scope.join(" "),
    });
    if let Some(refresh) = refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(body)
}

/// The `{error, error_description}` body of an RFC 6749 §5.2 error, for the
/// OpenAPI document of the OAuth endpoints.
pub fn error_schema() -> serde_json::Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": { "type": "string" },
            "error_description": { "type": "string" }
        }
    })
}

fn form_schema(required: &str, fields: &[&str]) -> serde_json::Value {
    let properties: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), json!({ "type": "string" })))
        .collect();
    json!({ "type": "object", "required": [required], "properties": properties })
}

/// The form `POST /oauth/token` reads (which fields a grant needs is in the
/// operation's description).
pub fn token_form() -> serde_json::Value {
    form_schema(
        "grant_type",
        &[
            "grant_type",
            "username",
            "password",
            "refresh_token",
            "scope",
            "client_id",
            "client_secret",
            "firm_id",
            "subject_token",
            "subject_token_type",
            "requested_subject",
            "reason",
            "duration_minutes",
        ],
    )
}

/// The form `POST /oauth/revoke` reads (RFC 7009 §2.1).
pub fn revoke_form() -> serde_json::Value {
    form_schema(
        "token",
        &["token", "token_type_hint", "client_id", "client_secret"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn parses_forms_and_refuses_repeats_and_other_types() {
        let h = headers("application/x-www-form-urlencoded; charset=utf-8");
        let p = form(&h, b"grant_type=password&username=a%40b.co&scope=").unwrap();
        assert_eq!(p["username"], "a@b.co");
        assert!(!p.contains_key("scope"));
        assert_eq!(form(&h, b"a=1&a=2").unwrap_err().error, "invalid_request");
        assert!(form(&headers("application/json"), b"{}").is_err());
        assert_eq!(
            required(&p, "password").unwrap_err().description,
            "parameter password is required"
        );
    }

    #[test]
    fn errors_have_the_rfc_shape_and_status() {
        assert_eq!(OAuthError::invalid_client().status_code(), 401);
        assert_eq!(OAuthError::invalid_grant("x").status_code(), 400);
    }
}
