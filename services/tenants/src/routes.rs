//! The tenants service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::{domains, events, firms, resolve};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/tenants")
            .service(
                web::resource(["/resolve", "/resolve/"]).route(web::get().to(resolve::resolve)),
            )
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(firms::list))
                    .route(web::post().to(firms::create)),
            )
            .service(
                web::resource(["/{firm_id}", "/{firm_id}/"])
                    .route(web::get().to(firms::get))
                    .route(web::patch().to(firms::update)),
            )
            .service(
                web::resource(["/{firm_id}/events", "/{firm_id}/events/"])
                    .route(web::get().to(events::list)),
            )
            .service(
                web::resource(["/{firm_id}/domains", "/{firm_id}/domains/"])
                    .route(web::get().to(domains::list))
                    .route(web::post().to(domains::create)),
            )
            .service(
                web::resource([
                    "/{firm_id}/domains/{domain_id}",
                    "/{firm_id}/domains/{domain_id}/",
                ])
                .route(web::delete().to(domains::delete)),
            ),
    );
}

pub fn openapi() -> serde_json::Value {
    use crate::input::{CreateDomain, CreateFirm, UpdateFirm};
    OpenApi::new("LawOS tenants")
        .op(
            "post",
            "/api/v1/tenants/",
            "Create a firm",
            Some("firms:create"),
            &[
                (201, "Created"),
                (403, "Missing scope"),
                (409, "Slug taken"),
                (422, "Invalid fields"),
            ],
        )
        .body::<CreateFirm>()
        .op(
            "get",
            "/api/v1/tenants/",
            "List firms (cursor pagination)",
            Some("firms:read"),
            &[(200, "A page of firms")],
        )
        .page_params()
        .op(
            "get",
            "/api/v1/tenants/{firmId}",
            "Get a firm",
            Some("firms:read"),
            &[(200, "The firm"), (404, "No such firm in reach")],
        )
        .op(
            "patch",
            "/api/v1/tenants/{firmId}",
            "Update a firm's profile, settings and features",
            Some("firms:update"),
            &[
                (200, "Updated"),
                (403, "Not allowed"),
                (404, "No such firm in reach"),
                (422, "Invalid fields"),
            ],
        )
        .body::<UpdateFirm>()
        .if_match()
        .op(
            "get",
            "/api/v1/tenants/{firmId}/events",
            "A firm's audit trail, newest first (from the events service)",
            Some("firms:read"),
            &[
                (200, "A page of events"),
                (404, "No such firm in reach"),
                (503, "Events unavailable"),
            ],
        )
        .page_params()
        .op(
            "get",
            "/api/v1/tenants/{firmId}/domains",
            "List a firm's domains",
            Some("firms:read"),
            &[(200, "A page of domains"), (404, "No such firm in reach")],
        )
        .page_params()
        .op(
            "post",
            "/api/v1/tenants/{firmId}/domains",
            "Add a domain",
            Some("firms:update"),
            &[
                (201, "Created"),
                (404, "No such firm in reach"),
                (409, "Domain taken"),
                (422, "Invalid fields"),
            ],
        )
        .body::<CreateDomain>()
        .op(
            "delete",
            "/api/v1/tenants/{firmId}/domains/{domainId}",
            "Remove a domain",
            Some("firms:update"),
            &[(204, "Removed"), (404, "No such domain")],
        )
        .op(
            "get",
            "/api/v1/tenants/resolve",
            "Resolve exactly one of host, slug or logto_org_id to a firm",
            None,
            &[
                (200, "The firm id and slug"),
                (404, "Unknown"),
                (422, "None or several of host, slug, logto_org_id"),
            ],
        )
        .query::<resolve::ResolveQuery>()
        .into_value()
}
