//! `POST /api/v1/channels/sms` (service principals, with `X-Firm-Id`): the
//! messages service's inbound SMS finds its channel. With a contact, the
//! contact's SMS channel (context CONTACT, kind SMS, the contact taking part
//! with the number it wrote from); without, the firm's SMS intake channel
//! (context INTERNAL, kind SMS). Found: 200; created: 201. Concurrent callers
//! get one channel: the insert runs `ON CONFLICT DO NOTHING` on the unique
//! index of default channels and the loser reads the winner's row.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::respond;
use crate::input::SmsChannel;
use crate::model::{Context, Loaded, NewChannel, Party, SMS_INTAKE_TITLE};
use crate::state::ChannelsState;
use crate::storage::{channels, participants};

#[tracing::instrument(skip_all)]
pub async fn find_or_create(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    body: web::Json<SmsChannel>,
) -> Result<HttpResponse, ApiError> {
    if !tenant.principal.is_service() {
        return Err(ApiError::permission_denied(
            "Only a platform service finds SMS channels",
        ));
    }
    let (contact, phone) = body.into_inner().validate()?;
    let context = contact.map_or(Context::Internal, Context::Contact);
    if let Some(found) = found(&state, &tenant, context, &phone).await? {
        return Ok(respond(StatusCode::OK, &found));
    }
    let (title, parties) = match contact {
        Some(id) => (
            contact_title(&state, tenant.firm_id, id, &phone).await?,
            vec![Party::Contact {
                id,
                phone: Some(phone.clone()),
            }],
        ),
        None => (SMS_INTAKE_TITLE.to_owned(), Vec::new()),
    };
    let new = NewChannel::new(tenant.firm_id.0, context, "SMS", &title, None);
    let created = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { channels::insert_default(conn, new, &parties).await }.scope_boxed()
    })
    .await?;
    match created {
        Some(channel) => Ok(respond(StatusCode::CREATED, &channel)),
        None => {
            let winner = found(&state, &tenant, context, &phone)
                .await?
                .ok_or_else(|| ApiError::internal("the SMS channel vanished after a conflict"))?;
            Ok(respond(StatusCode::OK, &winner))
        }
    }
}

/// The live SMS channel of `context`, its contact's number brought up to date.
async fn found(
    state: &ChannelsState,
    tenant: &Tenant,
    context: Context,
    phone: &str,
) -> Result<Option<Loaded>, ApiError> {
    let firm = tenant.firm_id.0;
    let phone = phone.to_owned();
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let Some(channel) = channels::find_default(conn, context, "SMS").await? else {
                return Ok(None);
            };
            let Context::Contact(contact) = context else {
                return Ok(Some(channel));
            };
            let id = channel.row.id;
            participants::ensure_contact_phone(conn, firm, id, contact, &phone).await?;
            channels::find(conn, id).await
        }
        .scope_boxed()
    })
    .await
}

/// "SMS · <the contact's name>", the contact checked at contacts (422 naming
/// `contactId` when there is no such contact).
async fn contact_title(
    state: &ChannelsState,
    firm: FirmId,
    contact: Uuid,
    phone: &str,
) -> Result<String, ApiError> {
    let found = state.contacts.require(firm, contact, "contactId").await?;
    let name = found["displayName"]
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(phone);
    Ok(format!("SMS · {name}").chars().take(200).collect())
}
