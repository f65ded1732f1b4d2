//! Invoice PDFs: rendered once an invoice is issued and kept in the object
//! store with their SHA-256 (a failed render or upload is retried on the first
//! `GET …/pdf`), served through a presigned URL.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::invoices::reach;
use crate::access::{self, INV_READ};
use crate::model::InvoiceView;
use crate::model::invoice::InvoicePdf;
use crate::pdf::{Parties, render};
use crate::schema::invoice_pdfs;
use crate::state::BillingState;
use crate::storage::invoices as stored;

/// How long a PDF link stays valid.
pub const LINK_TTL: Duration = Duration::from_secs(900);

/// A presigned link to an invoice's PDF.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PdfLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub file_name: String,
    /// Lower-case hex SHA-256 of the PDF's bytes.
    pub sha256: String,
    pub size_bytes: i64,
}

/// Renders and stores the PDF of an issued (or voided) invoice, unless it is kept already.
pub async fn publish(
    state: &BillingState,
    tenant: &Tenant,
    view: &InvoiceView,
) -> Result<InvoicePdf, ApiError> {
    let id = view.id;
    let existing = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            Ok(invoice_pdfs::table
                .find(id)
                .select(InvoicePdf::as_select())
                .first(conn)
                .await
                .optional()?)
        }
        .scope_boxed()
    })
    .await?;
    if let Some(pdf) = existing {
        return Ok(pdf);
    }
    let matter = state
        .remote
        .matter(tenant.firm_id, view.matter_id, "matterId")
        .await?;
    let client = state
        .remote
        .client(tenant.firm_id, view.client_id, "clientId")
        .await?;
    let parties = Parties {
        firm_name: None,
        client_name: client["fullName"].as_str().unwrap_or_default().to_owned(),
        matter_number: matter.matter_number,
        matter_title: matter.title,
    };
    let bytes = render(view, &parties)?;
    let key = format!("invoices/{}/{}/{}.pdf", view.firm_id, id, Uuid::now_v7());
    let put = state
        .pdfs
        .put(&key, Bytes::from(bytes), "application/pdf")
        .await
        .map_err(ApiError::unavailable)?;
    let row = InvoicePdf {
        invoice_id: id,
        firm_id: view.firm_id,
        object_key: key,
        sha256: lawos_storage::hex_digest(&put.sha256),
        size_bytes: i64::try_from(put.size).unwrap_or(i64::MAX),
        created_at: Utc::now(),
    };
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            // Two first readers may race: the row written first stays.
            diesel::insert_into(invoice_pdfs::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            Ok(invoice_pdfs::table
                .find(id)
                .select(InvoicePdf::as_select())
                .first(conn)
                .await?)
        }
        .scope_boxed()
    })
    .await
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let invoice = reach(conn, &caller, INV_READ, id, false).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    let Some(number) = view.invoice_number.clone() else {
        return Err(ApiError::new(
            ErrorCode::InvalidStatusTransition,
            "A draft has no PDF; issue it first",
        ));
    };
    let pdf = publish(&state, &tenant, &view).await?;
    let file_name = format!("{number}.pdf");
    let disposition = lawos_storage::content_disposition(true, &file_name);
    let link = state
        .pdfs
        .presign_get(
            &pdf.object_key,
            LINK_TTL,
            Some(&disposition),
            Some("application/pdf"),
        )
        .await
        .map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().json(PdfLink {
        url: link.url,
        expires_at: link.expires_at,
        file_name,
        sha256: pdf.sha256,
        size_bytes: pdf.size_bytes,
    }))
}
