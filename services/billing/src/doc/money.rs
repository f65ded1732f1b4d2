//! Invoices, payments, credit notes, the trust ledger and reports.

use lawos_http::OpenApi;

use super::p;
use crate::access::*;
use crate::handlers::credit_notes::CreditNoteList;
use crate::handlers::reports::{AgedReport, WipReport};
use crate::handlers::trust::{AccountList, BalanceList, InvoicePaid, LedgerQuery};
use crate::handlers::trust_reports::{ReconciliationList, ReconciliationQuery};
use crate::input::invoices::{
    AddLineItem, CreateCreditNote, GenerateInvoice, IssueInvoice, Reason, UpdateInvoice,
};
use crate::input::lists::{ClientQuery, InvoiceQuery, ReportQuery};
use crate::input::payments::{Allocate, Deallocate, RecordPayment, Refund};
use crate::input::trust::{CreateAccount, Movement, PayInvoice, Reconcile};
use crate::model::{
    CreditNote, InvoiceView, PaymentView, Reconciliation, TrustAccount, TrustEntry,
};

const BY_ID: [(u16, &str); 2] = [
    (403, "Visible but not allowed (invoices:update)"),
    (404, "No such invoice in reach"),
];
const NOT_DRAFT: (u16, &str) = (409, "INVALID_STATUS_TRANSITION: not a draft");

pub fn invoices(api: OpenApi) -> OpenApi {
    api.op("get", &p("/invoices/"), "Invoices of the matters the caller reaches, newest first, with amounts and the status derived from payments and credit notes", Some(INV_READ), &[(200, "A page of invoices (without line items)"), (403, "No invoices:read")])
        .query::<InvoiceQuery>()
        .returns_page::<InvoiceView>()
        .op("post", &p("/invoices/generate"), "Generate a DRAFT from the matter's approved, uninvoiced, billable entries and expenses in the period", Some(INV_CREATE), &[(201, "The draft with its line items"), (403, "No invoices:create"), (422, "Invalid fields (matterId unknown or without client, nothing to bill, several currencies)"), (503, "Matters unavailable")])
        .body::<GenerateInvoice>()
        .returns::<InvoiceView>(201)
        .op("get", &p("/invoices/{id}"), "An invoice with its line items and derived amounts", Some(INV_READ), &[(200, "The invoice"), (403, "No invoices:read"), (404, "No such invoice in reach")])
        .returns::<InvoiceView>(200)
        .op("patch", &p("/invoices/{id}"), "A draft's notes", Some(INV_UPDATE), &[(200, "Changed"), BY_ID[0], BY_ID[1], NOT_DRAFT, (422, "Invalid fields")])
        .body::<UpdateInvoice>()
        .if_match()
        .returns::<InvoiceView>(200)
        .op("delete", &p("/invoices/{id}"), "Discard a draft (what it held is free to bill again)", Some(INV_UPDATE), &[(204, "Discarded"), BY_ID[0], BY_ID[1], NOT_DRAFT])
        .op("post", &p("/invoices/{id}/line-items"), "Add an ADJUSTMENT line to a draft (negative: a discount)", Some(INV_UPDATE), &[(201, "The draft"), BY_ID[0], BY_ID[1], NOT_DRAFT])
        .body::<AddLineItem>()
        .returns::<InvoiceView>(201)
        .op("delete", &p("/invoices/{id}/line-items/{lineId}"), "Remove a line from a draft (a time or expense line frees what it billed)", Some(INV_UPDATE), &[(200, "The draft"), BY_ID[0], (404, "No such invoice or line"), NOT_DRAFT])
        .returns::<InvoiceView>(200)
        .op("post", &p("/invoices/{id}/issue"), "Issue: a gap-free number per firm and year, the due date; the billed entries become INVOICED", Some(INV_UPDATE), &[(200, "Issued"), BY_ID[0], BY_ID[1], (409, "Not a draft, or totals below zero")])
        .body::<IssueInvoice>()
        .returns::<InvoiceView>(200)
        .op("post", &p("/invoices/{id}/void"), "Void an issued invoice with a reason; its entries return to APPROVED", Some(INV_UPDATE), &[(200, "Voided"), BY_ID[0], BY_ID[1], (409, "Not issued, or it has payments or credit notes")])
        .body::<Reason>()
        .returns::<InvoiceView>(200)
        .op("get", &p("/invoices/{id}/pdf"), "A presigned link to the issued invoice's PDF (rendered on issue, kept with its SHA-256)", Some(INV_READ), &[(200, "The link"), (403, "No invoices:read"), (404, "No such invoice in reach"), (409, "A draft has no PDF"), (503, "Object store, matters or contacts unavailable")])
        .returns::<crate::handlers::pdf::PdfLink>(200)
        .op("get", &p("/invoices/{id}/credit-notes"), "The invoice's credit notes", Some(INV_READ), &[(200, "The credit notes"), (403, "No invoices:read"), (404, "No such invoice in reach")])
        .returns::<CreditNoteList>(200)
        .op("post", &p("/invoices/{id}/credit-notes"), "Issue a credit note (at most the balance; numbered gap-free)", Some(INV_UPDATE), &[(201, "Issued"), BY_ID[0], BY_ID[1], (409, "The invoice is not issued"), (422, "Invalid fields (amount over the balance)")])
        .body::<CreateCreditNote>()
        .returns::<CreditNote>(201)
}

pub fn payments(api: OpenApi) -> OpenApi {
    let by_id = [(403, "No invoices:update"), (404, "No such payment")];
    api.op(
        "get",
        &p("/payments/"),
        "Payments, refunds and reversals, newest first",
        Some(INV_READ),
        &[(200, "A page of payments"), (403, "No invoices:read")],
    )
    .query::<ClientQuery>()
    .returns_page::<crate::model::Payment>()
    .op(
        "post",
        &p("/payments/"),
        "Record a payment from a client, optionally allocated across issued invoices",
        Some(INV_UPDATE),
        &[
            (201, "Recorded"),
            (403, "No invoices:update"),
            (409, "Reversed payment"),
            (
                422,
                "Invalid fields (clientId unknown, allocations over a balance or the amount)",
            ),
            (503, "Contacts unavailable"),
        ],
    )
    .body::<RecordPayment>()
    .returns::<PaymentView>(201)
    .op(
        "get",
        &p("/payments/{id}"),
        "A payment with what it left unapplied, its allocations and history",
        Some(INV_READ),
        &[
            (200, "The payment"),
            (403, "No invoices:read"),
            (404, "No such payment"),
        ],
    )
    .returns::<PaymentView>(200)
    .op(
        "post",
        &p("/payments/{id}/allocations"),
        "Allocate what the payment left unapplied across issued invoices",
        Some(INV_UPDATE),
        &[
            (200, "Allocated"),
            by_id[0],
            by_id[1],
            (409, "A refund, reversal or reversed payment"),
            (422, "Invalid allocations"),
        ],
    )
    .body::<Allocate>()
    .returns::<PaymentView>(200)
    .op(
        "post",
        &p("/payments/{id}/deallocations"),
        "Take money back off an invoice (a DEALLOCATION row)",
        Some(INV_UPDATE),
        &[
            (200, "Deallocated"),
            by_id[0],
            by_id[1],
            (422, "More than the payment has on the invoice"),
        ],
    )
    .body::<Deallocate>()
    .returns::<PaymentView>(200)
    .op(
        "post",
        &p("/payments/{id}/refunds"),
        "Refund unapplied money (a REFUND row)",
        Some(INV_UPDATE),
        &[
            (201, "The refund"),
            by_id[0],
            by_id[1],
            (422, "More than unapplied"),
        ],
    )
    .body::<Refund>()
    .returns::<PaymentView>(201)
    .op(
        "post",
        &p("/payments/{id}/reverse"),
        "Reverse a payment: its allocations taken back, a REVERSAL row",
        Some(INV_UPDATE),
        &[
            (200, "Reversed"),
            by_id[0],
            by_id[1],
            (409, "Already reversed or refunded"),
        ],
    )
    .body::<Reason>()
    .returns::<PaymentView>(200)
}

pub fn trust(api: OpenApi) -> OpenApi {
    let moved = [
        (201, "Recorded"),
        (403, "No invoices:update"),
        (
            409,
            "TRUST_FUNDS_INSUFFICIENT: the client's trust balance does not cover it",
        ),
        (
            422,
            "Invalid fields (accountId, clientId, matterId unknown or not the client's)",
        ),
        (503, "Contacts or matters unavailable"),
    ];
    api.op("get", &p("/trust/accounts"), "The firm's trust bank accounts", Some(INV_READ), &[(200, "The accounts"), (403, "No invoices:read")])
        .returns::<AccountList>(200)
        .op("post", &p("/trust/accounts"), "Open a trust account", Some(INV_UPDATE), &[(201, "Opened"), (403, "No invoices:update")])
        .body::<CreateAccount>()
        .returns::<TrustAccount>(201)
        .op("post", &p("/trust/deposits"), "Deposit a client's money in trust (for a matter, or the client)", Some(INV_UPDATE), &[moved[0], moved[1], moved[3], moved[4]])
        .body::<Movement>()
        .returns::<TrustEntry>(201)
        .op("post", &p("/trust/disbursements"), "Pay out of a client's trust money to a payee", Some(INV_UPDATE), &moved)
        .body::<Movement>()
        .returns::<TrustEntry>(201)
        .op("post", &p("/trust/invoice-payments"), "Pay an issued invoice from its client's trust money (a TRUST payment allocated to it)", Some(INV_UPDATE), &[moved[0], moved[1], moved[2], (422, "Invalid fields (invoice not issued, amount over its balance, currency)")])
        .body::<PayInvoice>()
        .returns::<InvoicePaid>(201)
        .op("get", &p("/trust/ledger"), "Ledger rows, newest first", Some(INV_READ), &[(200, "A page of ledger rows"), (403, "No invoices:read")])
        .query::<LedgerQuery>()
        .returns_page::<TrustEntry>()
        .op("get", &p("/trust/balances"), "Clients' trust balances per account and matter", Some(INV_READ), &[(200, "The balances"), (403, "No invoices:read")])
        .query::<LedgerQuery>()
        .returns::<BalanceList>(200)
        .op("get", &p("/trust/reconciliations"), "Recorded reconciliations, newest first (at most 100)", Some(INV_READ), &[(200, "The reconciliations"), (403, "No invoices:read")])
        .query::<ReconciliationQuery>()
        .returns::<ReconciliationList>(200)
        .op("post", &p("/trust/reconciliations"), "Three-way reconciliation for a period: adjusted bank balance vs the account's ledger vs the sum of client ledgers", Some(INV_UPDATE), &[(201, "Recorded"), (403, "No invoices:update"), (422, "Invalid fields (accountId unknown)")])
        .body::<Reconcile>()
        .returns::<Reconciliation>(201)
        .op("get", &p("/trust/reconciliations/{id}"), "A recorded reconciliation", Some(INV_READ), &[(200, "The reconciliation"), (403, "No invoices:read"), (404, "No such reconciliation")])
        .returns::<Reconciliation>(200)
        .op("get", &p("/reports/wip"), "Work in progress: approved, uninvoiced billable time and expenses per matter and currency", Some(INV_READ), &[(200, "The report"), (403, "No invoices:read")])
        .query::<ReportQuery>()
        .returns::<WipReport>(200)
        .op("get", &p("/reports/aged-receivables"), "Aged receivables: issued invoices' balances by days since the invoice date (0–30, 31–60, 61–90, 90+) per matter and currency", Some(INV_READ), &[(200, "The report"), (403, "No invoices:read")])
        .query::<ReportQuery>()
        .returns::<AgedReport>(200)
}
