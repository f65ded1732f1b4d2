//! Matters: create (with a gap-free number), get, list (filtered in SQL by what
//! the caller may see).

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, LOCATION};
use actix_web::{HttpResponse, web};
use chrono::{Datelike, Utc};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::respond;
use crate::access::{self, MATTER, MATTERS_CREATE, MATTERS_READ};
use crate::input::CreateMatter;
use crate::list::{ListQuery, Position};
use crate::model::{Matter, NewMatter};
use crate::state::MattersState;
use crate::storage::{matters, numbers};

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<MattersState>,
    tenant: Tenant,
    body: web::Json<CreateMatter>,
) -> Result<HttpResponse, ApiError> {
    let access = access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    access.check_writes(MATTER, &body.written())?;
    let valid = body.into_inner().validate()?;
    if let Some(Some(client)) = valid.data.client_id {
        state
            .contacts
            .require_client(tenant.firm_id, client)
            .await?;
    }
    let firm = tenant.firm_id.0;
    let by = tenant.principal.user_id.map(|u| u.0);
    let now = Utc::now();
    let matter = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let matter_number = numbers::next_matter_number(conn, firm, now.year()).await?;
            let data = valid.data;
            let new = NewMatter {
                id: Uuid::now_v7(),
                firm_id: firm,
                matter_number,
                title: data.title.unwrap_or_default(),
                description: data.description.flatten(),
                matter_type: data.matter_type.unwrap_or_default(),
                practice_area: data.practice_area.flatten(),
                stage: valid.stage.as_str().to_owned(),
                client_id: data.client_id.flatten(),
                opened_at: valid.opened_at,
                created_by: by,
                updated_by: by,
            };
            matters::insert(conn, new).await
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(matter_id = %matter.id, number = %matter.matter_number, "matter created");
    let mut res = respond(StatusCode::CREATED, &access, &matter)?;
    if let Ok(location) = format!("/api/v1/matters/{}", matter.id).parse() {
        res.headers_mut().insert(LOCATION, location);
    }
    Ok(res)
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn get(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    let matter = lawos_db::read(&state.db, &tenant.ctx(), |conn| {
        Box::pin(async move { matters::find(&mut { conn }, id).await })
    })
    .await?
    .ok_or_else(|| access::not_found(id))?;
    respond(StatusCode::OK, &access, &matter)
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<MattersState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = access::firm(&state.authz, &tenant, MATTERS_READ).await?;
    let visible = access.matter_filter(MATTERS_READ)?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let filter = query.into_inner().validate(&cursors, me)?;
    let (sort, limit) = (filter.sort, filter.limit);
    // The page and its total in one round trip with the transaction's start.
    let (rows, total) = lawos_db::read(&state.db, &tenant.ctx(), |conn| {
        Box::pin(async move {
            let (mut page_conn, mut total_conn) = (conn, conn);
            futures_util::try_join!(
                matters::list(&mut page_conn, &filter, &visible),
                matters::count(&mut total_conn, &filter, &visible),
            )
        })
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |m: &Matter| {
        cursors.encode(&Position::of(sort, m))
    })?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(access.page_json(MATTER, &page)?))
}
