//! `POST /api/v1/contacts/{id}/merge` with `{ "contactId": <the other> }`: the
//! other contact's e-mails, phones and addresses join this one's, its client
//! links move here, it is soft-deleted and its duplicate pairs close — in one
//! transaction, announced as `contact.merged`.

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{AsyncPgConnection, with_tenant};
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::actor;
use super::contact_update::fields;
use crate::access::{self, DELETE, UPDATE};
use crate::input::contact::ContactDraft;
use crate::model::Contact;
use crate::state::ContactsState;
use crate::storage::{contacts, duplicates, merge};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MergeBody {
    pub contact_id: Option<String>,
}

fn other_id(body: MergeBody, survivor: Uuid) -> Result<Uuid, ApiError> {
    let id = body.contact_id.as_deref().map(|c| c.trim().parse::<Uuid>());
    let bad = |m: &str| FieldErrors::single("contactId", ErrorCode::InvalidFieldFormat, m).into();
    match id {
        None => {
            Err(
                FieldErrors::single("contactId", ErrorCode::RequiredFieldMissing, "is required")
                    .into(),
            )
        }
        Some(Err(_)) => Err(bad("must be a contact id")),
        Some(Ok(id)) if id == survivor => Err(bad("a contact cannot be merged into itself")),
        Some(Ok(id)) => Ok(id),
    }
}

/// `extra`'s entries that `base` lacks (by `key`, or whole when `key` is empty).
fn union(base: &Value, extra: &Value, key: &str) -> Vec<Value> {
    let norm = |v: &Value| {
        if key.is_empty() {
            v.to_string()
        } else {
            v[key].as_str().unwrap_or("").to_lowercase()
        }
    };
    let mut out: Vec<Value> = base.as_array().cloned().unwrap_or_default();
    for item in extra.as_array().into_iter().flatten() {
        if !out.iter().any(|o| norm(o) == norm(item)) {
            out.push(item.clone());
        }
    }
    out
}

/// Both rows locked in id order (two merges of the same pair cannot deadlock).
async fn lock_pair(
    conn: &mut AsyncPgConnection,
    survivor: Uuid,
    other: Uuid,
) -> Result<(Option<Contact>, Option<Contact>), ApiError> {
    if survivor < other {
        let s = contacts::lock(conn, survivor).await?;
        Ok((s, contacts::lock(conn, other).await?))
    } else {
        let o = contacts::lock(conn, other).await?;
        Ok((contacts::lock(conn, survivor).await?, o))
    }
}

#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn merge(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<MergeBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::firm(&state, &tenant, UPDATE).await?;
    access::firm(&state, &tenant, DELETE).await?;
    let other = other_id(body.into_inner(), id)?;
    let (by, firm, code) = (
        actor(&tenant),
        tenant.firm_id.0,
        state.config.calling_code.clone(),
    );
    let (survivor, moved) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (survivor, merged) = lock_pair(conn, id, other).await?;
            let survivor = survivor.ok_or_else(|| access::contact_not_found(id))?;
            let merged = merged.ok_or_else(|| {
                ApiError::from(FieldErrors::single(
                    "contactId",
                    ErrorCode::InvalidFieldFormat,
                    "names no contact of this firm",
                ))
            })?;
            let mut draft = ContactDraft::from_row(&survivor);
            draft.emails = union(&survivor.emails, &merged.emails, "address");
            draft.phones = union(&survivor.phones, &merged.phones, "number");
            draft.addresses = union(&survivor.addresses, &merged.addresses, "");
            let survivor = contacts::update(conn, id, fields(draft.validate(&code)?, by)).await?;
            let moved = merge::relink(conn, other, id).await?;
            contacts::soft_delete(conn, other, by).await?;
            duplicates::close_for(conn, other).await?;
            crate::events::contact_merged(conn, firm, by, id, other, moved).await?;
            Ok((survivor, moved))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, survivor.etag()))
        .json(json!({ "contact": survivor, "mergedId": other, "moved": moved })))
}
