//! The billing service's routes (trailing slashes optional) and their OpenAPI
//! description (built in [`crate::doc`] from the very types the handlers use).

use actix_web::web;

use crate::handlers::{
    codes, credit_notes, entries, entry_flow, expenses, invoice_edit, invoice_flow, invoices,
    payment_flow, payments, pdf, rates, reports, timers, trust, trust_reports,
};

fn at(path: &str) -> [String; 2] {
    [path.to_owned(), format!("{path}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/billing")
            .service(
                web::resource(["/time-entries", "/time-entries/"])
                    .route(web::get().to(entries::list))
                    .route(web::post().to(entries::create)),
            )
            .service(
                web::resource(at("/time-entries/{id}"))
                    .route(web::get().to(entries::get))
                    .route(web::patch().to(entries::update))
                    .route(web::delete().to(entries::delete)),
            )
            .service(
                web::resource(at("/time-entries/{id}/submit"))
                    .route(web::post().to(entry_flow::submit)),
            )
            .service(
                web::resource(at("/time-entries/{id}/approve"))
                    .route(web::post().to(entry_flow::approve)),
            )
            .service(
                web::resource(at("/time-entries/{id}/reject"))
                    .route(web::post().to(entry_flow::reject)),
            )
            .service(web::resource(["/timers", "/timers/"]).route(web::get().to(timers::list)))
            .service(web::resource(at("/timers/start")).route(web::post().to(timers::start)))
            .service(web::resource(at("/timers/{id}")).route(web::get().to(timers::get)))
            .service(web::resource(at("/timers/{id}/pause")).route(web::post().to(timers::pause)))
            .service(web::resource(at("/timers/{id}/resume")).route(web::post().to(timers::resume)))
            .service(web::resource(at("/timers/{id}/stop")).route(web::post().to(timers::stop)))
            .service(
                web::resource(["/expenses", "/expenses/"])
                    .route(web::get().to(expenses::list))
                    .route(web::post().to(expenses::create)),
            )
            .service(
                web::resource(at("/expenses/{id}"))
                    .route(web::get().to(expenses::get))
                    .route(web::patch().to(expenses::update))
                    .route(web::delete().to(expenses::delete)),
            )
            .service(
                web::resource(at("/expenses/{id}/submit")).route(web::post().to(expenses::submit)),
            )
            .service(
                web::resource(at("/expenses/{id}/approve"))
                    .route(web::post().to(expenses::approve)),
            )
            .service(
                web::resource(at("/expenses/{id}/reject")).route(web::post().to(expenses::reject)),
            )
            .service(
                web::resource(["/rates", "/rates/"])
                    .route(web::get().to(rates::list))
                    .route(web::post().to(rates::create)),
            )
            .service(
                web::resource(["/activity-codes", "/activity-codes/"])
                    .route(web::get().to(codes::list))
                    .route(web::post().to(codes::create)),
            )
            .service(
                web::resource(["/invoices", "/invoices/"]).route(web::get().to(invoices::list)),
            )
            .service(
                web::resource(at("/invoices/generate")).route(web::post().to(invoices::generate)),
            )
            .service(
                web::resource(at("/invoices/{id}"))
                    .route(web::get().to(invoices::get))
                    .route(web::patch().to(invoice_edit::update))
                    .route(web::delete().to(invoice_edit::discard)),
            )
            .service(
                web::resource(at("/invoices/{id}/issue"))
                    .route(web::post().to(invoice_flow::issue)),
            )
            .service(
                web::resource(at("/invoices/{id}/void")).route(web::post().to(invoice_flow::void)),
            )
            .service(web::resource(at("/invoices/{id}/pdf")).route(web::get().to(pdf::get)))
            .service(
                web::resource(at("/invoices/{id}/line-items"))
                    .route(web::post().to(invoice_edit::add_line)),
            )
            .service(
                web::resource(at("/invoices/{id}/line-items/{lineId}"))
                    .route(web::delete().to(invoice_edit::remove_line)),
            )
            .service(
                web::resource(at("/invoices/{id}/credit-notes"))
                    .route(web::get().to(credit_notes::list))
                    .route(web::post().to(credit_notes::create)),
            )
            .service(
                web::resource(["/payments", "/payments/"])
                    .route(web::get().to(payments::list))
                    .route(web::post().to(payment_flow::record)),
            )
            .service(web::resource(at("/payments/{id}")).route(web::get().to(payments::get)))
            .service(
                web::resource(at("/payments/{id}/allocations"))
                    .route(web::post().to(payment_flow::allocate)),
            )
            .service(
                web::resource(at("/payments/{id}/deallocations"))
                    .route(web::post().to(payments::deallocate)),
            )
            .service(
                web::resource(at("/payments/{id}/refunds")).route(web::post().to(payments::refund)),
            )
            .service(
                web::resource(at("/payments/{id}/reverse"))
                    .route(web::post().to(payments::reverse)),
            )
            .service(
                web::resource(at("/trust/accounts"))
                    .route(web::get().to(trust::list_accounts))
                    .route(web::post().to(trust::create_account)),
            )
            .service(web::resource(at("/trust/deposits")).route(web::post().to(trust::deposit)))
            .service(
                web::resource(at("/trust/disbursements")).route(web::post().to(trust::disburse)),
            )
            .service(
                web::resource(at("/trust/invoice-payments"))
                    .route(web::post().to(trust::pay_invoice)),
            )
            .service(web::resource(at("/trust/ledger")).route(web::get().to(trust::ledger)))
            .service(web::resource(at("/trust/balances")).route(web::get().to(trust::balances)))
            .service(
                web::resource(at("/trust/reconciliations"))
                    .route(web::get().to(trust_reports::list))
                    .route(web::post().to(trust_reports::create)),
            )
            .service(
                web::resource(at("/trust/reconciliations/{id}"))
                    .route(web::get().to(trust_reports::get)),
            )
            .service(web::resource(at("/reports/wip")).route(web::get().to(reports::wip)))
            .service(
                web::resource(at("/reports/aged-receivables")).route(web::get().to(reports::aged)),
            ),
    );
}

pub fn openapi() -> serde_json::Value {
    crate::doc::document()
}
