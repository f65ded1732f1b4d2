//! `POST /api/v1/matters/party-lookup`: for the contacts service's conflict
//! check, the matters where given contacts are parties (with their role) and
//! where given clients are the client. Service principals only (a user gets
//! 403): a conflict must be seen whatever the asking user's reach, so the
//! answer carries no more than a matter's id, number, stage and the role.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde_json::json;

use crate::input::PartyLookup;
use crate::state::MattersState;
use crate::storage::parties;

#[tracing::instrument(skip_all)]
pub async fn party_lookup(
    state: web::Data<MattersState>,
    tenant: Tenant,
    body: web::Json<PartyLookup>,
) -> Result<HttpResponse, ApiError> {
    if !tenant.principal.is_service() {
        return Err(ApiError::permission_denied(
            "The party lookup is for services (the conflict check)",
        ));
    }
    let (contacts, clients) = body.into_inner().validate()?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { parties::matters_of(conn, &contacts, &clients).await }.scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": rows })))
}
