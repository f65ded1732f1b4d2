//! The matters service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::meta::Challenge;
use crate::handlers::{
    edit, events, leads, lookup, matters, members, meta, mycase, notes, parties, stage, timeline,
};
use crate::input::{
    AddBudget, AddMember, AddParty, ChangeStage, CreateLeadForm, CreateMatter, CreateMetaPage,
    LeadBody, NoteBody, PartyLookup, ReplaceMatter, UpdateMatter,
};
use crate::list::ListQuery;
use crate::mycase::input::{PutConnection, RunsQuery};
use crate::mycase::model::{ConnectionView, RunView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    intake_routes(cfg);
    cfg.service(
        web::scope("/api/v1/matters")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(matters::list))
                    .route(web::post().to(matters::create)),
            )
            .service(
                web::resource(["/party-lookup", "/party-lookup/"])
                    .route(web::post().to(lookup::party_lookup)),
            )
            .service(
                web::resource(["/lead-forms", "/lead-forms/"])
                    .route(web::get().to(leads::list_forms))
                    .route(web::post().to(leads::create_form)),
            )
            .service(
                web::resource(["/lead-forms/{id}", "/lead-forms/{id}/"])
                    .route(web::delete().to(leads::disable_form)),
            )
            .service(
                web::resource(["/meta-pages", "/meta-pages/"])
                    .route(web::get().to(meta::list_pages))
                    .route(web::post().to(meta::create_page)),
            )
            .service(
                web::resource(["/meta-pages/{id}", "/meta-pages/{id}/"])
                    .route(web::delete().to(meta::disable_page)),
            )
            .service(
                web::resource(["/integrations/mycase", "/integrations/mycase/"])
                    .route(web::get().to(mycase::get_connection))
                    .route(web::put().to(mycase::put_connection))
                    .route(web::delete().to(mycase::delete_connection)),
            )
            .service(
                web::resource(["/integrations/mycase/sync", "/integrations/mycase/sync/"])
                    .route(web::post().to(mycase::sync_now)),
            )
            .service(
                web::resource(["/integrations/mycase/runs", "/integrations/mycase/runs/"])
                    .route(web::get().to(mycase::list_runs)),
            )
            .service(
                web::resource([
                    "/integrations/mycase/runs/{id}",
                    "/integrations/mycase/runs/{id}/",
                ])
                .route(web::get().to(mycase::get_run)),
            )
            .service(
                web::resource(["/{id}", "/{id}/"])
                    .route(web::get().to(matters::get))
                    .route(web::patch().to(edit::update))
                    .route(web::put().to(edit::replace))
                    .route(web::delete().to(edit::delete)),
            )
            .service(
                web::resource(["/{id}/stage", "/{id}/stage/"]).route(web::put().to(stage::change)),
            )
            .service(
                web::resource(["/{id}/archive", "/{id}/archive/"])
                    .route(web::put().to(stage::archive)),
            )
            .service(
                web::resource(["/{id}/restore", "/{id}/restore/"])
                    .route(web::put().to(stage::restore)),
            )
            .service(
                web::resource(["/{id}/events", "/{id}/events/"]).route(web::get().to(events::list)),
            )
            .service(
                web::resource(["/{id}/members", "/{id}/members/"])
                    .route(web::get().to(members::list))
                    .route(web::post().to(members::add)),
            )
            .service(
                web::resource(["/{id}/members/{user_id}", "/{id}/members/{user_id}/"])
                    .route(web::delete().to(members::remove)),
            )
            .service(
                web::resource(["/{id}/contacts", "/{id}/contacts/"])
                    .route(web::get().to(parties::list_parties))
                    .route(web::post().to(parties::add_party)),
            )
            .service(
                web::resource(["/{id}/contacts/{party_id}", "/{id}/contacts/{party_id}/"])
                    .route(web::delete().to(parties::remove_party)),
            )
            .service(
                web::resource(["/{id}/budgets", "/{id}/budgets/"])
                    .route(web::get().to(parties::list_budgets))
                    .route(web::post().to(parties::add_budget)),
            )
            .service(
                web::resource(["/{id}/budgets/{budget_id}", "/{id}/budgets/{budget_id}/"])
                    .route(web::delete().to(parties::remove_budget)),
            )
            .service(
                web::resource(["/{id}/timeline", "/{id}/timeline/"])
                    .route(web::get().to(timeline::list)),
            )
            .service(
                web::resource(["/{id}/notes", "/{id}/notes/"])
                    .route(web::get().to(notes::list))
                    .route(web::post().to(notes::create)),
            )
            .service(
                web::resource(["/{id}/notes/{note_id}", "/{id}/notes/{note_id}/"])
                    .route(web::get().to(notes::get))
                    .route(web::patch().to(notes::update))
                    .route(web::delete().to(notes::delete)),
            ),
    );
}

/// The public intake and the Meta webhook (no bearer token).
fn intake_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/api/v1/leads", "/api/v1/leads/"])
            .app_data(lawos_http::extract::json_config(
                crate::input::LEAD_BODY_LIMIT,
            ))
            .route(web::post().to(leads::submit)),
    )
    .service(
        web::resource(["/webhooks/meta", "/webhooks/meta/"])
            .route(web::get().to(meta::verify))
            .route(web::post().to(meta::receive)),
    );
}

const BY_ID: [(u16, &str); 2] = [
    (403, "Visible but not allowed"),
    (404, "No such matter in reach"),
];

pub fn openapi() -> serde_json::Value {
    let edit = [
        (200, "Updated"),
        (400, "CASE_ALREADY_CLOSED"),
        (403, "Not allowed"),
        (404, "No such matter in reach"),
        (412, "Stale If-Match"),
        (
            422,
            "Invalid fields (clientId unknown to contacts included)",
        ),
        (503, "Contacts unavailable"),
    ];
    let stage = [
        (200, "Moved"),
        (
            403,
            "Not allowed (reopen: lawyers and the lead attorney only)",
        ),
        (404, "No such matter in reach"),
        (409, "INVALID_STAGE_TRANSITION"),
        (412, "Stale If-Match"),
    ];
    OpenApi::new("LawOS matters")
        .op("get", "/api/v1/matters/", "List matters (filters stage, client_id, contact_id, member=me, practice_area, q, updated_since; sort; cursor)", Some("matters:read"), &[(200, "A page of matters"), (403, "No matters:read"), (422, "Bad parameters")])
        .query::<ListQuery>()
        .op("post", "/api/v1/matters/", "Create a matter (numbered per firm and year)", Some("matters:create"), &[(201, "Created"), (403, "Not allowed"), (422, "Invalid fields"), (503, "Contacts unavailable")])
        .body::<CreateMatter>()
        .op("post", "/api/v1/matters/party-lookup", "Service-only: the matters where contacts are parties (with the role) or clients the client (conflict check)", None, &[(200, "The matters"), (403, "Not a service"), (422, "Too many ids")])
        .body::<PartyLookup>()
        .op("get", "/api/v1/matters/{id}", "Get a matter", Some("matters:read"), &[(200, "The matter"), (404, "No such matter in reach")])
        .op("patch", "/api/v1/matters/{id}", "Update some of a matter's data", Some("matters:update"), &edit)
        .body::<UpdateMatter>().if_match()
        .op("put", "/api/v1/matters/{id}", "Replace a matter's data", Some("matters:update"), &edit)
        .body::<ReplaceMatter>().if_match()
        .op("delete", "/api/v1/matters/{id}", "Soft-delete a matter", Some("matters:delete"), &[(204, "Deleted"), BY_ID[0], BY_ID[1]])
        .op("put", "/api/v1/matters/{id}/stage", "Move a matter along its stage lifecycle", Some("matters:update"), &stage)
        .body::<ChangeStage>().if_match()
        .op("put", "/api/v1/matters/{id}/archive", "Archive a closed matter", Some("matters:update"), &stage)
        .op("put", "/api/v1/matters/{id}/restore", "Restore an archived matter (to CLOSED)", Some("matters:update"), &stage)
        .op("get", "/api/v1/matters/{id}/events", "A matter's audit trail", Some("matters:read"), &[(200, "A page of events"), (404, "No such matter in reach")])
        .page_params()
        .op("get", "/api/v1/matters/{id}/members", "A matter's team", Some("matters:read"), &[(200, "A page of members"), (404, "No such matter in reach")])
        .page_params()
        .op("post", "/api/v1/matters/{id}/members", "Add a member (LEAD_ATTORNEY, ASSOCIATE, PARALEGAL, STAFF)", Some("matters:update"), &[(201, "Added"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], BY_ID[1], (409, "Already a member"), (422, "Invalid fields")])
        .body::<AddMember>()
        .op("delete", "/api/v1/matters/{id}/members/{userId}", "Remove a member", Some("matters:update"), &[(204, "Removed"), BY_ID[0], (404, "No such matter or member")])
        .op("get", "/api/v1/matters/{id}/contacts", "A matter's parties", Some("matters:read"), &[(200, "The parties"), (404, "No such matter in reach")])
        .op("post", "/api/v1/matters/{id}/contacts", "Add a party (CLIENT, OPPOSING_PARTY, OPPOSING_COUNSEL, WITNESS, OTHER); opposing ones come back with the conflict check's findings (conflicts)", Some("matters:update"), &[(201, "Added"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], BY_ID[1], (409, "Already a party in that role"), (422, "Invalid fields (contactId unknown to contacts included)"), (503, "Contacts unavailable")])
        .body::<AddParty>()
        .op("delete", "/api/v1/matters/{id}/contacts/{partyId}", "Remove a party", Some("matters:update"), &[(204, "Removed"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], (404, "No such matter or party")])
        .op("get", "/api/v1/matters/{id}/budgets", "A matter's budgets", Some("matters:read"), &[(200, "The budgets"), (404, "No such matter in reach")])
        .op("post", "/api/v1/matters/{id}/budgets", "Add a budget (minor units + ISO currency)", Some("matters:update"), &[(201, "Added"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], BY_ID[1], (422, "Invalid fields")])
        .body::<AddBudget>()
        .op("delete", "/api/v1/matters/{id}/budgets/{budgetId}", "Remove a budget", Some("matters:update"), &[(204, "Removed"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], (404, "No such matter or budget")])
        .op(
            "get",
            "/api/v1/matters/{id}/timeline",
            "Audit events and notes merged, newest first (cursor)",
            Some("matters:read"),
            &[(200, "A page of the timeline"), (404, "No such matter in reach"), (503, "Events unavailable")],
        )
        .page_params()
        .op(
            "get",
            "/api/v1/matters/{id}/notes",
            "A matter's notes, newest first",
            Some("matters:read"),
            &[(200, "A page of notes"), (404, "No such matter in reach")],
        )
        .page_params()
        .op(
            "post",
            "/api/v1/matters/{id}/notes",
            "Add a note",
            Some("matters:update"),
            &[(201, "Added"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], BY_ID[1], (422, "Invalid fields")],
        )
        .body::<NoteBody>()
        .op(
            "get",
            "/api/v1/matters/{id}/notes/{noteId}",
            "Get a note",
            Some("matters:read"),
            &[(200, "The note"), (404, "No such matter or note")],
        )
        .op(
            "patch",
            "/api/v1/matters/{id}/notes/{noteId}",
            "Change a note",
            Some("matters:update"),
            &[(200, "Changed"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], (404, "No such matter or note"), (422, "Invalid fields")],
        )
        .body::<NoteBody>()
        .op(
            "delete",
            "/api/v1/matters/{id}/notes/{noteId}",
            "Soft-delete a note",
            Some("matters:update"),
            &[(204, "Deleted"), (400, "CASE_ALREADY_CLOSED"), BY_ID[0], (404, "No such matter or note")],
        )
        .op("post", "/api/v1/leads/", "Public lead intake (no token): the firm from X-Lead-Form-Key / formKey, else the host; a contact (found by e-mail or phone, else created) and a matter in stage LEAD; a double submit within the window answers the first lead (200)", None, &[(201, "Taken in"), (200, "The same lead again"), (404, "No firm for this host, or no such form key"), (413, "Body over 16 KiB"), (422, "Invalid fields, each named"), (429, "Rate limit (per IP, per firm)"), (503, "Contacts unavailable; nothing written")])
        .body::<LeadBody>()
        .op("get", "/webhooks/meta/", "Meta's subscription challenge (hub.mode, hub.verify_token, hub.challenge)", None, &[(200, "hub.challenge as text/plain"), (403, "Wrong mode or token"), (503, "The Meta webhook is not configured (LAWOS_META_VERIFY_TOKEN not set)")])
        .query::<Challenge>()
        .op("post", "/webhooks/meta/", "Meta lead-ads deliveries (X-Hub-Signature-256); each leadgen id recorded once, fetched from the Graph API and taken in, with retries", None, &[(200, "Recorded"), (400, "Not JSON"), (401, "Signature missing or wrong; nothing stored"), (503, "The Meta webhook is not configured (LAWOS_META_APP_SECRET not set)")])
        .op("get", "/api/v1/matters/lead-forms/", "The firm's lead forms", Some("matters:create"), &[(200, "The forms"), (403, "No matters:create")])
        .op("post", "/api/v1/matters/lead-forms/", "Create a lead form; its key is answered once (only its hash is kept)", Some("matters:create"), &[(201, "Created, with key"), (403, "No matters:create"), (422, "Invalid fields")])
        .body::<CreateLeadForm>()
        .op("delete", "/api/v1/matters/lead-forms/{id}", "Disable a lead form (its key stops at once)", Some("matters:create"), &[(204, "Disabled"), (403, "No matters:create"), (404, "No such active form")])
        .op("get", "/api/v1/matters/meta-pages/", "The firm's Meta pages (tokens never shown)", Some("matters:create"), &[(200, "The pages"), (403, "No matters:create")])
        .op("post", "/api/v1/matters/meta-pages/", "Map a Meta page (and optionally one lead form) to the firm, with its page access token (sealed at rest)", Some("matters:create"), &[(201, "Created"), (403, "No matters:create"), (409, "The page (and form) is mapped already"), (422, "Invalid fields")])
        .body::<CreateMetaPage>()
        .op("delete", "/api/v1/matters/meta-pages/{id}", "Disable a Meta page mapping", Some("matters:create"), &[(204, "Disabled"), (403, "No matters:create"), (404, "No such active mapping")])
        .op("get", "/api/v1/matters/integrations/mycase/", "The firm's MyCase connection (FIRM_ADMIN; secrets never answered: hasClientSecret, hasRefreshToken), with the cursor of the last successful run", None, &[(200, "The connection (ETag)"), NOT_ADMIN, (404, "No connection (RESOURCE_NOT_FOUND)")])
        .returns::<ConnectionView>(200)
        .op("put", "/api/v1/matters/integrations/mycase/", "Connect MyCase or change the connection (FIRM_ADMIN): OAuth client credentials or a refresh token, sealed at rest; left out, stored secrets are kept; another baseUrl or clientId pulls everything again", None, &[(200, "Changed"), (201, "Connected"), NOT_ADMIN, (422, "Invalid fields, each named (VALIDATION_ERROR)")])
        .body::<PutConnection>()
        .returns::<ConnectionView>(200)
        .returns::<ConnectionView>(201)
        .if_match()
        .op("delete", "/api/v1/matters/integrations/mycase/", "Disconnect MyCase (FIRM_ADMIN): syncing stops and the secrets are destroyed; the run log stays", None, &[(204, "Disconnected"), NOT_ADMIN, (404, "No connection (RESOURCE_NOT_FOUND)"), (409, "A run is working (RESOURCE_CONFLICT, runId)")])
        .op("post", "/api/v1/matters/integrations/mycase/sync", "Start a sync run now (FIRM_ADMIN); it works in the background (follow Location)", None, &[(202, "Started: the run (RUNNING)"), NOT_ADMIN, (404, "No connection (RESOURCE_NOT_FOUND)"), (409, "A run of the firm is working already (RESOURCE_CONFLICT, runId)")])
        .returns::<RunView>(202)
        .header("Location", "The run: /api/v1/matters/integrations/mycase/runs/{id}")
        .op("get", "/api/v1/matters/integrations/mycase/runs", "The sync log, newest first (FIRM_ADMIN): started, finished, status, counts, conflicts and errors of each run (cursor)", None, &[(200, "A page of runs"), NOT_ADMIN, (422, "Bad parameters (status, limit, cursor)")])
        .query::<RunsQuery>()
        .returns_page::<RunView>()
        .op("get", "/api/v1/matters/integrations/mycase/runs/{id}", "One sync run (FIRM_ADMIN)", None, &[(200, "The run"), NOT_ADMIN, (404, "No such run of the firm (RESOURCE_NOT_FOUND)")])
        .returns::<RunView>(200)
        .path_param("id", serde_json::json!({ "type": "string", "format": "uuid" }))
        .into_value()
}

const NOT_ADMIN: (u16, &str) = (403, "Not the firm's FIRM_ADMIN (PERMISSION_DENIED)");
