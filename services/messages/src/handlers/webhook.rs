//! `POST /webhooks/telephony/` (public): Telnyx's signed deliveries. The
//! Ed25519 signature over `"{telnyx-timestamp}|{body}"` and the timestamp's
//! tolerance are checked before anything is read (missing: 401
//! `AUTH_TOKEN_MISSING`, bad or stale: 401 `AUTH_TOKEN_INVALID`; nothing is
//! stored); without `LAWOS_TELNYX_PUBLIC_KEY` it answers 503
//! (`details.reason = TELNYX_NOT_CONFIGURED`). A taken-in delivery answers 200
//! with what became of it ([`crate::sms::inbound`]).

use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::{ApiError, ErrorCode};
use lawos_telnyx::{SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, WebhookEvent};
use serde_json::json;

use crate::sms::{SmsState, inbound};

pub fn not_configured() -> ApiError {
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "The Telnyx webhook is not configured (set LAWOS_TELNYX_PUBLIC_KEY)",
    )
    .with_details(json!({ "reason": "TELNYX_NOT_CONFIGURED" }))
}

fn refused(e: SignatureError) -> ApiError {
    let code = match e {
        SignatureError::Missing => ErrorCode::AuthTokenMissing,
        _ => ErrorCode::AuthTokenInvalid,
    };
    ApiError::new(code, format!("The delivery is refused: {e}")).with_details(json!({
        "headers": [SIGNATURE_HEADER, TIMESTAMP_HEADER],
        "reason": format!("{e:?}").to_uppercase(),
    }))
}

#[tracing::instrument(skip_all)]
pub async fn receive(
    sms: web::Data<SmsState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let key = sms.config.public_key.as_ref().ok_or_else(not_configured)?;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    lawos_telnyx::verify(
        header(SIGNATURE_HEADER),
        header(TIMESTAMP_HEADER),
        &body,
        key,
        sms.config.tolerance,
    )
    .map_err(refused)?;
    let event = WebhookEvent::parse(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            "The body is not a Telnyx webhook event",
        )
        .with_details(json!({ "reason": e.to_string() }))
    })?;
    let taken = inbound::take(&sms, &event).await?;
    tracing::info!(event_id = %event.id, event_type = %event.event_type, status = taken.status, "Telnyx delivery");
    Ok(HttpResponse::Ok().json(taken))
}
