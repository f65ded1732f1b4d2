//! The trust (IOLTA) ledger: accounts, deposits, disbursements and transfers
//! paying an issued invoice (a TRUST payment allocated to it, in the same
//! transaction), each an append-only row. A client's balance per account and
//! matter never goes negative: the kept balance's row lock queues concurrent
//! movements and its CHECK refuses an overdraft (409 `TRUST_FUNDS_INSUFFICIENT`).
//! Trust operations use `invoices:update` (reads `invoices:read`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::payment_flow::{apply, event, received};
use super::{created, today};
use crate::access::{self, INV_READ, INV_UPDATE};
use crate::events;
use crate::input::lists::{TimePosition, cursor, limit};
use crate::input::trust::{CreateAccount, Movement, PayInvoice, ValidMovement};
use crate::model::{Payment, TrustAccount, TrustBalance, TrustEntry};
use crate::state::BillingState;
use crate::storage::{invoices, payments, trust};

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountList {
    pub data: Vec<TrustAccount>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BalanceList {
    pub data: Vec<TrustBalance>,
}

/// A transfer to an invoice: the ledger row and the payment it became.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePaid {
    pub entry: TrustEntry,
    pub payment: Payment,
}

/// `GET /trust/ledger` and `/trust/balances` parameters.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    pub client_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

async fn account_for(conn: &mut AsyncPgConnection, id: Uuid) -> Result<TrustAccount, ApiError> {
    trust::account(conn, id).await?.ok_or_else(|| {
        FieldErrors::single(
            "accountId",
            ErrorCode::ResourceNotFound,
            "no such trust account",
        )
        .into()
    })
}

#[tracing::instrument(skip_all)]
pub async fn create_account(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    body.validate()?;
    let b = body.into_inner();
    let row = TrustAccount {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        name: b.name.unwrap_or_default().trim().to_owned(),
        bank_name: b
            .bank_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        account_last4: b.account_last4,
        currency: b.currency.unwrap_or_default(),
        created_by: caller.me,
        created_at: Utc::now(),
        archived_at: None,
    };
    let a = with_tenant(&state.db, &tenant.ctx(), |conn| {
        trust::insert_account(conn, row).scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/trust/accounts/{}", a.id),
        None,
        &a,
    ))
}

#[tracing::instrument(skip_all)]
pub async fn list_accounts(
    state: web::Data<BillingState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        trust::accounts(conn).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountList { data }))
}

/// Checks a movement's client at contacts and its matter at matters (the
/// client's, in the caller's reach).
async fn checked(
    state: &BillingState,
    tenant: &Tenant,
    caller: &access::Caller,
    v: &ValidMovement,
) -> Result<(), ApiError> {
    state
        .remote
        .client(tenant.firm_id, v.client_id, "clientId")
        .await?;
    if let Some(m) = v.matter_id {
        caller
            .require_invoice(INV_UPDATE, Uuid::nil(), m)
            .map_err(|_| {
                ApiError::from(FieldErrors::single(
                    "matterId",
                    ErrorCode::ResourceNotFound,
                    "no such matter in your reach",
                ))
            })?;
        let info = state.remote.matter(tenant.firm_id, m, "matterId").await?;
        if info.client_id != Some(v.client_id) {
            return Err(FieldErrors::single(
                "matterId",
                ErrorCode::InvalidFieldFormat,
                "the matter is not this client's",
            )
            .into());
        }
    }
    Ok(())
}

async fn movement(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: Movement,
    out: bool,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let v = body.validate(out, today())?;
    checked(&state, &tenant, &caller, &v).await?;
    let (firm, by) = (tenant.firm_id.0, caller.me);
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let account = account_for(conn, v.account_id).await?;
            let entry = trust::append(
                conn,
                TrustEntry {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    account_id: account.id,
                    client_id: v.client_id,
                    matter_id: v.matter_id,
                    kind: if out { "DISBURSEMENT" } else { "DEPOSIT" }.into(),
                    amount_minor: if out { -v.amount_minor } else { v.amount_minor },
                    currency: account.currency,
                    entry_date: v.entry_date,
                    description: v.description,
                    reference: v.reference,
                    payee: v.payee,
                    invoice_id: None,
                    payment_id: None,
                    recorded_by: by,
                    created_at: Utc::now(),
                },
            )
            .await?;
            let (kind, data) = trust_event(&entry, out);
            events::enqueue(
                conn,
                firm,
                kind,
                EntityRef::new("trust_ledger_entry", entry.id),
                entry.matter_id,
                data,
            )
            .await?;
            Ok(entry)
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/trust/ledger/{}", entry.id),
        None,
        &entry,
    ))
}

fn trust_event(e: &TrustEntry, out: bool) -> (&'static str, serde_json::Value) {
    let data = json!({
        "trustEntryId": e.id, "accountId": e.account_id, "clientId": e.client_id, "matterId": e.matter_id,
        "kind": e.kind, "amountMinor": e.amount_minor.abs(), "currency": e.currency,
        "invoiceId": e.invoice_id, "paymentId": e.payment_id, "payee": e.payee,
    });
    (
        if out {
            events::TRUST_DISBURSED
        } else {
            events::TRUST_DEPOSITED
        },
        data,
    )
}

#[tracing::instrument(skip_all)]
pub async fn deposit(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<Movement>,
) -> Result<HttpResponse, ApiError> {
    movement(state, tenant, body.into_inner(), false).await
}

#[tracing::instrument(skip_all)]
pub async fn disburse(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<Movement>,
) -> Result<HttpResponse, ApiError> {
    movement(state, tenant, body.into_inner(), true).await
}

/// Trust money of the invoice's client paid to an issued invoice: a TRUST
/// payment allocated to it and the ledger row, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn pay_invoice(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<PayInvoice>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let (account_id, invoice_id, amount) = body.validate()?;
    let (date, client_funds) = (
        body.entry_date.unwrap_or_else(today),
        body.from_client_funds.unwrap_or(false),
    );
    let firm = tenant.firm_id.0;
    let paid = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let account = account_for(conn, account_id).await?;
            let invoice = invoices::lock(conn, invoice_id).await?.ok_or_else(|| {
                ApiError::from(FieldErrors::single(
                    "invoiceId",
                    ErrorCode::ResourceNotFound,
                    "no such invoice",
                ))
            })?;
            if invoice.currency != account.currency {
                return Err(FieldErrors::single(
                    "accountId",
                    ErrorCode::InvalidFieldFormat,
                    "the account holds another currency",
                )
                .into());
            }
            let payment = payments::insert(
                conn,
                Payment {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    client_id: invoice.client_id,
                    kind: "PAYMENT".into(),
                    original_payment_id: None,
                    method: "TRUST".into(),
                    amount_minor: amount,
                    currency: invoice.currency.clone(),
                    received_on: date,
                    reference: Some(format!("trust account {}", account.name)),
                    notes: None,
                    recorded_by: caller.me,
                    created_at: Utc::now(),
                },
            )
            .await?;
            payments::insert_event(
                conn,
                event(
                    firm,
                    payment.id,
                    "RECORDED",
                    None,
                    amount,
                    caller.me,
                    json!({ "method": "TRUST" }),
                ),
            )
            .await?;
            let matters = apply(conn, &caller, &payment, &[(invoice_id, amount)])
                .await
                .map_err(rename_allocation)?;
            let entry = trust::append(
                conn,
                TrustEntry {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    account_id,
                    client_id: invoice.client_id,
                    matter_id: if client_funds {
                        None
                    } else {
                        Some(invoice.matter_id)
                    },
                    kind: "INVOICE_PAYMENT".into(),
                    amount_minor: -amount,
                    currency: account.currency,
                    entry_date: date,
                    description: format!(
                        "Payment of invoice {}",
                        invoice.invoice_number.clone().unwrap_or_default()
                    ),
                    reference: invoice.invoice_number.clone(),
                    payee: None,
                    invoice_id: Some(invoice_id),
                    payment_id: Some(payment.id),
                    recorded_by: caller.me,
                    created_at: Utc::now(),
                },
            )
            .await?;
            received(conn, &payment, &matters, &[invoice_id]).await?;
            let (kind, data) = trust_event(&entry, true);
            events::enqueue(
                conn,
                firm,
                kind,
                EntityRef::new("trust_ledger_entry", entry.id),
                Some(invoice.matter_id),
                data,
            )
            .await?;
            Ok(InvoicePaid { entry, payment })
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/payments/{}", paid.payment.id),
        None,
        &paid,
    ))
}

/// The allocation's field names become this body's (`invoiceId`, `amountMinor`).
fn rename_allocation(mut e: ApiError) -> ApiError {
    if let Some(details) = e.details.as_mut()
        && let Some(fields) = details["fields"].as_array_mut()
    {
        for f in fields {
            let name = f["field"].as_str().unwrap_or_default();
            let renamed = if name.ends_with("amountMinor") {
                "amountMinor"
            } else {
                "invoiceId"
            };
            f["field"] = json!(renamed);
        }
    }
    e
}

#[tracing::instrument(skip_all)]
pub async fn ledger(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let mut errors = FieldErrors::new();
    let limit = limit(&mut errors, query.limit);
    errors.into_result()?;
    let after: Option<TimePosition> = cursor(&cursors, query.cursor.as_deref())?;
    let (client, account) = (query.client_id, query.account_id);
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        trust::entries(conn, client, account, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |e: &TrustEntry| {
        cursors.encode(&TimePosition {
            at: e.created_at,
            id: e.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn balances(
    state: web::Data<BillingState>,
    tenant: Tenant,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let client = query.client_id;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let accounts = trust::accounts(conn).await?;
            let rows = trust::kept(conn, client).await?;
            Ok(rows
                .into_iter()
                .map(|b| TrustBalance {
                    account_id: b.account_id,
                    client_id: b.client_id,
                    matter_id: Some(b.matter_key).filter(|m| !m.is_nil()),
                    balance_minor: b.balance_minor,
                    currency: accounts
                        .iter()
                        .find(|a| a.id == b.account_id)
                        .map(|a| a.currency.clone())
                        .unwrap_or_default(),
                })
                .collect::<Vec<_>>())
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(BalanceList { data }))
}
