//! The contacts service's routes (trailing slashes optional; fixed paths before
//! `/{id}`) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::client_contacts::LinkBody;
use crate::handlers::intake::IntakeBody;
use crate::handlers::merge::MergeBody;
use crate::handlers::{
    client_contacts, client_update, clients, conflict_check, contact_state, contact_update,
    contacts, duplicates, intake, merge,
};
use crate::input::client::ClientBody;
use crate::input::conflict::ConflictBody;
use crate::input::contact::ContactBody;
use crate::input::query::ContactQuery;

fn both(path: &str) -> [String; 2] {
    [path.to_owned(), format!("{path}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/contacts")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(contacts::list))
                    .route(web::post().to(contacts::create)),
            )
            .service(
                web::resource(both("/conflict-check")).route(web::post().to(conflict_check::check)),
            )
            .service(web::resource(both("/duplicates")).route(web::get().to(duplicates::list)))
            .service(web::resource(both("/intake")).route(web::post().to(intake::find_or_create)))
            .service(
                web::resource(both("/clients"))
                    .route(web::get().to(clients::list))
                    .route(web::post().to(clients::create)),
            )
            .service(
                web::resource(both("/clients/{id}"))
                    .route(web::get().to(clients::get))
                    .route(web::patch().to(client_update::patch))
                    .route(web::delete().to(client_update::delete)),
            )
            .service(
                web::resource(both("/clients/{id}/contacts"))
                    .route(web::get().to(client_contacts::list))
                    .route(web::post().to(client_contacts::add)),
            )
            .service(
                web::resource(both("/clients/{id}/contacts/{contact_id}"))
                    .route(web::delete().to(client_contacts::remove)),
            )
            .service(
                web::resource(both("/{id}"))
                    .route(web::get().to(contacts::get))
                    .route(web::put().to(contact_update::replace))
                    .route(web::patch().to(contact_update::patch))
                    .route(web::delete().to(contact_state::delete)),
            )
            .service(web::resource(both("/{id}/merge")).route(web::post().to(merge::merge)))
            .service(
                web::resource(both("/{id}/archive")).route(web::put().to(contact_state::archive)),
            )
            .service(
                web::resource(both("/{id}/restore")).route(web::put().to(contact_state::restore)),
            )
            .service(
                web::resource(both("/{id}/events")).route(web::get().to(contact_state::events)),
            ),
    );
}

const INVALID: (u16, &str) = (422, "Invalid fields, each named");
const DENIED: (u16, &str) = (403, "Missing scope, or a field the caller may not write");
const MISSING: (u16, &str) = (404, "No such resource in the caller's reach");

pub fn openapi() -> serde_json::Value {
    let base = "/api/v1/contacts";
    OpenApi::new("LawOS contacts")
        .op("get", &format!("{base}/"), "List contacts (cursor; ?search_channels= across e-mail, phone and name by trigram similarity, ?archived=true|false|any, ?kind=)", Some("clients:read"), &[(200, "A page of contacts"), DENIED, INVALID])
        .query::<ContactQuery>()
        .op("post", &format!("{base}/"), "Create a contact (person or organisation)", Some("clients:create"), &[(201, "Created"), DENIED, INVALID])
        .body::<ContactBody>()
        .op("get", &format!("{base}/{{id}}"), "Get a contact", Some("clients:read"), &[(200, "The contact"), MISSING])
        .op("put", &format!("{base}/{{id}}"), "Replace a contact's data (If-Match)", Some("clients:update"), &[(200, "Replaced"), DENIED, MISSING, (412, "Stale If-Match"), INVALID])
        .body::<ContactBody>().if_match()
        .op("patch", &format!("{base}/{{id}}"), "Change some of a contact's fields (If-Match)", Some("clients:update"), &[(200, "Changed"), DENIED, MISSING, (412, "Stale If-Match"), INVALID])
        .body::<ContactBody>().if_match()
        .op("delete", &format!("{base}/{{id}}"), "Soft-delete a contact", Some("clients:delete"), &[(204, "Deleted"), DENIED, MISSING])
        .op("put", &format!("{base}/{{id}}/archive"), "Archive a contact", Some("clients:update"), &[(200, "Archived"), DENIED, MISSING])
        .op("put", &format!("{base}/{{id}}/restore"), "Restore an archived contact", Some("clients:update"), &[(200, "Restored"), DENIED, MISSING])
        .op("get", &format!("{base}/{{id}}/events"), "A contact's audit trail", Some("clients:read"), &[(200, "A page of events"), MISSING])
        .page_params()
        .op("get", &format!("{base}/clients/"), "List the clients in reach (cursor)", Some("clients:read"), &[(200, "A page of clients, ssn/dateOfBirth only where readable"), DENIED])
        .page_params()
        .op("post", &format!("{base}/clients/"), "Create a client (ssn and dateOfBirth encrypted)", Some("clients:create"), &[(201, "Created"), DENIED, INVALID])
        .body::<ClientBody>()
        .op("get", &format!("{base}/clients/{{id}}"), "Get a client (also the matters service's clientId check)", Some("clients:read"), &[(200, "The client"), MISSING])
        .op("patch", &format!("{base}/clients/{{id}}"), "Change a client (If-Match)", Some("clients:update"), &[(200, "Changed"), DENIED, MISSING, (412, "Stale If-Match"), INVALID])
        .body::<ClientBody>().if_match()
        .op("delete", &format!("{base}/clients/{{id}}"), "Soft-delete a client", Some("clients:delete"), &[(204, "Deleted"), DENIED, MISSING])
        .op("get", &format!("{base}/clients/{{id}}/contacts"), "A client's people", Some("clients:read"), &[(200, "The links"), MISSING])
        .op("post", &format!("{base}/clients/{{id}}/contacts"), "Link a contact (PRIMARY, BILLING, OTHER)", Some("clients:update"), &[(201, "Linked"), DENIED, MISSING, (409, "Already linked"), INVALID])
        .body::<LinkBody>()
        .op("delete", &format!("{base}/clients/{{id}}/contacts/{{contactId}}"), "Unlink a contact", Some("clients:update"), &[(204, "Unlinked"), DENIED, MISSING])
        .op("get", &format!("{base}/duplicates"), "Open duplicate candidate pairs with score and reasons (cursor)", Some("clients:read"), &[(200, "A page of pairs"), DENIED])
        .page_params()
        .op("post", &format!("{base}/{{id}}/merge"), "Merge the contact named in the body into this one (links move, the other is soft-deleted)", Some("clients:update + clients:delete"), &[(200, "Merged"), DENIED, MISSING, INVALID])
        .body::<MergeBody>()
        .op("post", &format!("{base}/intake"), "Service-only: find a live contact by e-mail, else phone, or create the person (lead intake; atomic per channel)", None, &[(200, "Found (created: false)"), (201, "Created (created: true)"), (403, "Not a service"), INVALID])
        .body::<IntakeBody>()
        .op("post", &format!("{base}/conflict-check"), "Conflict check: contacts and clients matching names, e-mails, phones or a company, each with the rules that matched", Some("clients:read"), &[(200, "The findings"), DENIED, INVALID])
        .body::<ConflictBody>()
        .into_value()
}
