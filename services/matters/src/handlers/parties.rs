//! A matter's parties (`/{id}/contacts`: CLIENT, OPPOSING_PARTY,
//! OPPOSING_COUNSEL, WITNESS, OTHER) and budgets (`/{id}/budgets`): list, add,
//! remove. Reading needs `matters:read`, changing `matters:update`; a closed
//! matter's parties and budgets are read-only.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, Page, Pagination};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::Serialize;
use uuid::Uuid;

use super::matter_for;
use crate::access::{self, MATTERS_READ, MATTERS_UPDATE};
use crate::input::{AddBudget, AddParty};
use crate::model::{Budget, Party};
use crate::state::MattersState;
use crate::storage::parties;

/// The roles whose parties are conflict-checked when added.
const OPPOSING: [&str; 2] = ["OPPOSING_PARTY", "OPPOSING_COUNSEL"];

/// Every row at once: a matter has a handful of parties and budgets.
fn whole<T: Serialize>(rows: Vec<T>) -> HttpResponse {
    let total = i64::try_from(rows.len()).ok();
    HttpResponse::Ok().json(Page {
        data: rows,
        pagination: Pagination {
            next_cursor: None,
            has_more: false,
            total,
        },
    })
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn list_parties(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, false).await?;
            parties::list_parties(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(whole(rows))
}

/// Adds a party. The contact must exist at contacts (422 naming `contactId`
/// when not; 503 when contacts cannot answer). An `OPPOSING_PARTY` or
/// `OPPOSING_COUNSEL` is first run through the contacts conflict check, and
/// its findings come back with the party (`conflicts`).
#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn add_party(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AddParty>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let (contact_id, role, notes) = body.into_inner().validate()?;
    // The matter first (404 / closed before contacts is asked anything).
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { matter_for(conn, id, true).await.map(|_| ()) }.scope_boxed()
    })
    .await?;
    let contact = state.contacts.contact(tenant.firm_id, contact_id).await?;
    let conflicts = if OPPOSING.contains(&role.as_str()) {
        Some(
            state
                .contacts
                .conflict_check(tenant.firm_id, &contact)
                .await?,
        )
    } else {
        None
    };
    let party = Party {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        matter_id: id,
        contact_id,
        role,
        notes,
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: Utc::now(),
        deleted_at: None,
    };
    let party = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            parties::insert_party(conn, party).await
        }
        .scope_boxed()
    })
    .await?;
    let mut body = serde_json::to_value(&party).map_err(ApiError::internal)?;
    if let Some(conflicts) = conflicts {
        body["conflicts"] = conflicts;
    }
    Ok(HttpResponse::Created().json(body))
}

#[tracing::instrument(skip_all)]
pub async fn remove_party(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, party) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let removed = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            parties::remove_party(conn, id, party, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("MatterContact", party));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn list_budgets(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, false).await?;
            parties::list_budgets(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(whole(rows))
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn add_budget(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AddBudget>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let valid = body.into_inner().validate()?;
    let now = Utc::now();
    let budget = Budget {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        matter_id: id,
        amount_minor: valid.amount_minor,
        currency: valid.currency,
        period_start: valid.period_start,
        period_end: valid.period_end,
        notes: valid.notes,
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let budget = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            parties::insert_budget(conn, budget).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(budget))
}

#[tracing::instrument(skip_all)]
pub async fn remove_budget(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, budget) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let removed = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            parties::remove_budget(conn, id, budget, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("MatterBudget", budget));
    }
    Ok(HttpResponse::NoContent().finish())
}
