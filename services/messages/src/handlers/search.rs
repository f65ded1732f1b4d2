//! `GET /api/v1/messages/search?q=`: full-text search over the messages the
//! caller may see (decided in the query: matters through their matter
//! filter, contacts with `clients:read`, internal channels with firm-wide
//! reach), best rank first, each hit with a highlighted snippet. The cursor
//! is (rank, id); no total is counted (a ranked search would pay for it twice).

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, Visibility};
use crate::input::messages::SearchQuery;
use crate::model::SearchHit;
use crate::state::MessagesState;
use crate::storage::search;

#[derive(Serialize, Deserialize)]
struct Ranked {
    rank: f32,
    id: Uuid,
}

#[tracing::instrument(skip_all)]
pub async fn search(
    state: web::Data<MessagesState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    let visibility = Visibility::of(&access)?;
    let q = query.validate()?;
    let page = query.page();
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Ranked>(c))
        .transpose()?
        .map(|r| (r.rank, r.id));
    let hits = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let terms = search::terms(conn, &q).await?;
            let ranked =
                search::ranked(conn, &q, terms.as_ref(), &visibility, after, limit).await?;
            let page = Page::from_rows(ranked, limit, None, |(id, rank): &(Uuid, f32)| {
                cursors.encode(&Ranked {
                    rank: *rank,
                    id: *id,
                })
            })?;
            let ids: Vec<Uuid> = page.data.iter().map(|(id, _)| *id).collect();
            let rows = search::with_snippets(conn, &q, &ids).await?;
            let rank_of: std::collections::HashMap<Uuid, f32> = page.data.iter().copied().collect();
            let data = rows
                .into_iter()
                .map(|(message, snippet)| SearchHit {
                    rank: rank_of.get(&message.id).copied().unwrap_or_default(),
                    message,
                    snippet,
                })
                .collect();
            Ok(Page {
                data,
                pagination: page.pagination,
            })
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(hits))
}
