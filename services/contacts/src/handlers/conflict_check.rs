//! `POST /api/v1/contacts/conflict-check`: matching contacts (archived ones
//! included) and the clients in the caller's reach, each with the rules that
//! matched and the matters where it is a party (asked of matters; when matters
//! cannot answer, `matters: null` and `mattersUnavailable: true`).

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;

use crate::access::{self, READ};
use crate::conflicts::Findings;
use crate::input::conflict::ConflictBody;
use crate::state::ContactsState;
use crate::storage::conflicts;

#[tracing::instrument(skip_all)]
pub async fn check(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    body: web::Json<ConflictBody>,
) -> Result<HttpResponse, ApiError> {
    let access = access::firm(&state, &tenant, READ).await?;
    let visible = access::client_filter(&access, READ);
    let terms = body.into_inner().validate(&state.config.calling_code)?;
    let findings = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let contacts = conflicts::contacts(conn, &terms).await?;
            let clients = conflicts::clients(conn, &terms, &visible).await?;
            Ok(Findings::new(contacts, clients))
        }
        .scope_boxed()
    })
    .await?;
    let (contacts, clients) = (findings.contact_ids(), findings.client_ids());
    let matters = if contacts.is_empty() && clients.is_empty() {
        Some(Vec::new())
    } else {
        state
            .matters
            .party_matters(tenant.firm_id, &contacts, &clients)
            .await
    };
    tracing::info!(
        contacts = contacts.len(),
        clients = clients.len(),
        matters = matters.as_ref().map(Vec::len),
        "conflict check"
    );
    Ok(HttpResponse::Ok().json(findings.into_body(matters.as_deref())))
}
