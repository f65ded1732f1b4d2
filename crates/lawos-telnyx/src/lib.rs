//! Telnyx messaging for every service that sends or receives SMS (messages,
//! notifications): one client, one webhook check, one reading of Telnyx's
//! payloads.
//!
//! - [`TelnyxClient::send_sms`]: `POST {base}/v2/messages` with the bearer API
//!   key; a failure says whether trying again may help
//!   ([`TelnyxError::is_retryable`]: timeouts, connection failures, 5xx, 429)
//!   or not (every other answer: a bad number, an unknown profile, a refused key).
//! - [`verify`]: a webhook delivery's Ed25519 signature
//!   (`telnyx-signature-ed25519`, base64) over `"{telnyx-timestamp}|{raw body}"`
//!   with the account's public key, and the timestamp within a tolerance (replays).
//! - [`WebhookEvent`]: the envelope `{"data": {id, event_type, occurred_at,
//!   payload}}` of `message.received`, `message.sent` and `message.finalized`,
//!   and [`Recipient::delivery`]: a recipient's Telnyx status as a delivery state.
//! - [`sms::segments`]: how many SMS parts a text takes (GSM-7 or UCS-2).

mod client;
mod event;
pub mod sms;
mod webhook;

pub use client::{SentMessage, TelnyxClient, TelnyxError};
pub use event::{Address, Delivery, ProviderError, Recipient, WebhookEvent, WebhookMessage};
pub use webhook::{
    PublicKey, SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, sign, verify, verify_at,
};

/// Telnyx's API base when none is configured.
pub const DEFAULT_API_URL: &str = "https://api.telnyx.com";
