//! `POST /api/v1/contacts/intake`: find or create a person by e-mail or phone,
//! for lead intake (the matters service). Service principals only.
//!
//! Atomic per firm and channel: the transaction first takes an advisory lock on
//! each of the lead's keys (lower-cased address, E.164 number), in order, so two
//! leads with the same address never both create a contact. A live contact
//! (not deleted, not archived) holding the address, else the number, is
//! answered (200, `created: false`); otherwise a person is created from the
//! names and channels given (201, `created: true`).

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::channels::{e164, email_key};
use crate::input::contact::ContactDraft;
use crate::model::{Contact, NewContact};
use crate::schema::contacts;
use crate::state::ContactsState;
use crate::storage::contacts as stored;

/// The lead's person: at least an e-mail or a phone.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntakeBody {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

/// The keys a lead is matched by.
struct Keys {
    email: Option<String>,
    phone: Option<String>,
}

impl IntakeBody {
    fn keys(&self, calling_code: &str) -> Result<Keys, ApiError> {
        let email = self
            .email
            .as_deref()
            .map(email_key)
            .filter(|e| !e.is_empty());
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(raw) => Some(e164(raw, calling_code).ok_or_else(|| {
                ApiError::from(FieldErrors::single(
                    "phone",
                    ErrorCode::InvalidFieldFormat,
                    "must be a phone number",
                ))
            })?),
        };
        if email.is_none() && phone.is_none() {
            return Err(FieldErrors::single(
                "email",
                ErrorCode::RequiredFieldMissing,
                "an e-mail address or a phone number is required",
            )
            .into());
        }
        Ok(Keys { email, phone })
    }

    fn draft(self, keys: &Keys) -> ContactDraft {
        ContactDraft {
            kind: Some("PERSON".to_owned()),
            given_name: self.given_name,
            family_name: self.family_name,
            display_name: self.display_name,
            emails: keys.email.iter().map(|e| json!({ "address": e })).collect(),
            phones: keys.phone.iter().map(|p| json!({ "number": p })).collect(),
            notes: self.notes,
            ..ContactDraft::default()
        }
    }
}

async fn lock_key(conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
    diesel::sql_query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("contacts.intake:{key}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// The oldest live contact holding `key` in `column` (`email_keys` or `phone_keys`).
async fn holder(
    conn: &mut AsyncPgConnection,
    by_email: bool,
    key: &str,
) -> Result<Option<Contact>, ApiError> {
    let wanted = json!([key]);
    let base = contacts::table
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::archived_at.is_null())
        .into_boxed();
    let column = if by_email { "email_keys" } else { "phone_keys" };
    let query = base.filter(
        diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("{column} @> "))
            .bind::<diesel::sql_types::Jsonb, _>(wanted),
    );
    Ok(query
        .order((contacts::created_at.asc(), contacts::id.asc()))
        .select(Contact::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[tracing::instrument(skip_all)]
pub async fn find_or_create(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    body: web::Json<IntakeBody>,
) -> Result<HttpResponse, ApiError> {
    if !tenant.principal.is_service() {
        return Err(ApiError::permission_denied(
            "Contact intake is for services (lead intake)",
        ));
    }
    let body = body.into_inner();
    let keys = body.keys(&state.config.calling_code)?;
    let valid = body.draft(&keys).validate(&state.config.calling_code)?;
    let (contact, created) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut locks: Vec<String> = keys
                .email
                .iter()
                .map(|e| format!("email:{e}"))
                .chain(keys.phone.iter().map(|p| format!("phone:{p}")))
                .collect();
            locks.sort();
            for key in &locks {
                lock_key(conn, key).await?;
            }
            if let Some(email) = &keys.email
                && let Some(found) = holder(conn, true, email).await?
            {
                return Ok((found, false));
            }
            if let Some(phone) = &keys.phone
                && let Some(found) = holder(conn, false, phone).await?
            {
                return Ok((found, false));
            }
            let new = NewContact {
                id: Uuid::now_v7(),
                created_by: None,
                fields: super::contact_update::fields(valid, None),
            };
            Ok::<_, ApiError>((stored::insert(conn, new).await?, true))
        }
        .scope_boxed()
    })
    .await?;
    let mut body: Value = serde_json::to_value(&contact).map_err(ApiError::internal)?;
    body["created"] = json!(created);
    let status = if created {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(body))
}
