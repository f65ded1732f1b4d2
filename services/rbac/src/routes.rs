//! The rbac service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::assignments::ListQuery;
use crate::handlers::grants::SearchQuery;
use crate::handlers::holders::HoldersQuery;
use crate::handlers::{
    assignments, capabilities, catalogue, field_policies, grants, holders, roles,
};
use crate::input::{
    CreateAssignment, CreateFieldPolicy, CreateGrant, CreateRole, UpdateFieldPolicy, UpdateRole,
};

fn paths(p: &str) -> [String; 2] {
    [p.to_owned(), format!("{p}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/rbac")
            .service(web::resource(paths("/permissions")).route(web::get().to(catalogue::permissions)))
            .service(
                web::resource(paths("/builtin-roles")).route(web::get().to(catalogue::builtin_roles)),
            )
            .service(
                web::resource(paths("/access-control/resource-types"))
                    .route(web::get().to(catalogue::resource_types)),
            )
            .service(
                web::resource(paths("/access-control/resource-types/{resource_type}/subresources"))
                    .route(web::get().to(catalogue::subresources)),
            )
            .service(
                web::resource(paths("/roles"))
                    .route(web::get().to(roles::list))
                    .route(web::post().to(roles::create)),
            )
            .service(
                web::resource(paths("/roles/{role_id}"))
                    .route(web::get().to(roles::get))
                    .route(web::patch().to(roles::update))
                    .route(web::delete().to(roles::delete)),
            )
            .service(
                web::resource(paths("/assignments"))
                    .route(web::get().to(assignments::list))
                    .route(web::post().to(assignments::create)),
            )
            .service(
                web::resource(paths("/assignments/{assignment_id}"))
                    .route(web::get().to(assignments::get))
                    .route(web::delete().to(assignments::revoke)),
            )
            .service(web::resource(paths("/access-grants/search")).route(web::get().to(grants::search)))
            .service(
                web::resource(paths("/resources/{resource_type}/{resource_id}/grants"))
                    .route(web::get().to(grants::list))
                    .route(web::post().to(grants::create)),
            )
            .service(
                web::resource(paths("/resources/{resource_type}/{resource_id}/grants/{grant_id}"))
                    .route(web::delete().to(grants::revoke)),
            )
            .service(
                web::resource(paths(
                    "/resources/{resource_type}/{resource_id}/{sub_type}/{sub_id}/grants",
                ))
                .route(web::get().to(grants::list))
                .route(web::post().to(grants::create)),
            )
            .service(
                web::resource(paths(
                    "/resources/{resource_type}/{resource_id}/{sub_type}/{sub_id}/grants/{grant_id}",
                ))
                .route(web::delete().to(grants::revoke)),
            )
            .service(
                web::resource(paths("/field-policies/defaults"))
                    .route(web::get().to(catalogue::default_field_policies)),
            )
            .service(
                web::resource(paths("/field-policies"))
                    .route(web::get().to(field_policies::list))
                    .route(web::post().to(field_policies::create)),
            )
            .service(
                web::resource(paths("/field-policies/{policy_id}"))
                    .route(web::get().to(field_policies::get))
                    .route(web::patch().to(field_policies::update))
                    .route(web::delete().to(field_policies::delete)),
            )
            .service(
                web::resource(paths("/firms/{firm_id}/users/{user_id}/capabilities"))
                    .route(web::get().to(capabilities::capabilities)),
            )
            .service(
                web::resource(paths("/firms/{firm_id}/users/{user_id}/field-policies"))
                    .route(web::get().to(capabilities::field_policies)),
            )
            .service(
                web::resource(paths("/firms/{firm_id}/scope-holders"))
                    .route(web::get().to(holders::scope_holders)),
            ),
    );
}

const READ: Option<&str> = Some("access-grants:read (or FIRM_ADMIN)");
const CREATE: Option<&str> = Some("access-grants:create (or FIRM_ADMIN)");
const REVOKE: Option<&str> = Some("access-grants:revoke (or FIRM_ADMIN)");

/// What a grant route answers for a resource path it does not know.
const BAD_RESOURCE: &str =
    "Unknown resource type, or a sub-resource type not of it (VALIDATION_ERROR)";

pub fn openapi() -> serde_json::Value {
    let list: &[(u16, &str)] = &[
        (200, "A page"),
        (401, "No or bad token"),
        (403, "Not an administrator"),
    ];
    let create: &[(u16, &str)] = &[
        (201, "Created"),
        (403, "Not an administrator"),
        (409, "Already exists"),
        (422, "Invalid fields"),
    ];
    let one: &[(u16, &str)] = &[(200, "Found"), (404, "Not in this firm")];
    let gone: &[(u16, &str)] = &[(204, "Deleted"), (404, "Not in this firm")];
    let revoked: &[(u16, &str)] = &[(200, "Revoked (soft)"), (404, "Not in this firm")];
    let sub = "/api/v1/rbac/resources/{resourceType}/{resourceId}/{subType}/{subId}/grants";
    OpenApi::new("LawOS rbac")
        .op("get", "/api/v1/rbac/permissions", "The scope catalogue (cases:* aliases matters:*)", READ, list)
        .op("get", "/api/v1/rbac/builtin-roles", "Built-in roles with scopes, reach and reasoning", READ, list)
        .op("get", "/api/v1/rbac/access-control/resource-types", "Resource types", READ, list)
        .op(
            "get",
            "/api/v1/rbac/access-control/resource-types/{type}/subresources",
            "Sub-resource types of a resource type",
            READ,
            &[(200, "A page"), (404, "Unknown type")],
        )
        .op("get", "/api/v1/rbac/roles", "The firm's custom roles", READ, list)
        .page_params()
        .op("post", "/api/v1/rbac/roles", "Create a custom role", CREATE, create)
        .body::<CreateRole>()
        .op("get", "/api/v1/rbac/roles/{roleId}", "A custom role", READ, one)
        .op("patch", "/api/v1/rbac/roles/{roleId}", "Change a custom role", CREATE, one)
        .body::<UpdateRole>()
        .op("delete", "/api/v1/rbac/roles/{roleId}", "Delete a custom role", REVOKE, gone)
        .op("get", "/api/v1/rbac/assignments", "Role assignments (?user_id=&role=)", READ, list)
        .query::<ListQuery>()
        .op("post", "/api/v1/rbac/assignments", "Assign a role", CREATE, create)
        .body::<CreateAssignment>()
        .op("get", "/api/v1/rbac/assignments/{assignmentId}", "An assignment", READ, one)
        .op("delete", "/api/v1/rbac/assignments/{assignmentId}", "End an assignment", REVOKE, revoked)
        .op(
            "get",
            "/api/v1/rbac/access-grants/search",
            "Search grants (?user_id=&resource_type=&resource_id=&subresource_type=&subresource_id=&action=&active=)",
            READ,
            list,
        )
        .query::<SearchQuery>()
        .op("get", "/api/v1/rbac/resources/{resourceType}/{resourceId}/grants", "Grants on a resource", READ, list)
        .page_params()
        .response(422, BAD_RESOURCE)
        .op("post", "/api/v1/rbac/resources/{resourceType}/{resourceId}/grants", "Grant access to a resource", CREATE, create)
        .body::<CreateGrant>()
        .op(
            "delete",
            "/api/v1/rbac/resources/{resourceType}/{resourceId}/grants/{grantId}",
            "Revoke a grant",
            REVOKE,
            revoked,
        )
        .response(422, BAD_RESOURCE)
        .op("get", sub, "Grants on a sub-resource", READ, list)
        .page_params()
        .response(422, BAD_RESOURCE)
        .op("post", sub, "Grant access to a sub-resource", CREATE, create)
        .body::<CreateGrant>()
        .op("delete", &format!("{sub}/{{grantId}}"), "Revoke a sub-resource grant", REVOKE, revoked)
        .response(422, BAD_RESOURCE)
        .op("get", "/api/v1/rbac/field-policies/defaults", "Platform default field policies", READ, list)
        .op("get", "/api/v1/rbac/field-policies", "The firm's field policies", READ, list)
        .page_params()
        .op("post", "/api/v1/rbac/field-policies", "Create a field policy", CREATE, create)
        .body::<CreateFieldPolicy>()
        .op("get", "/api/v1/rbac/field-policies/{policyId}", "A field policy", READ, one)
        .op("patch", "/api/v1/rbac/field-policies/{policyId}", "Change read/write (If-Match)", CREATE, one)
        .body::<UpdateFieldPolicy>().if_match()
        .op("delete", "/api/v1/rbac/field-policies/{policyId}", "Delete (the default applies again)", REVOKE, gone)
        .op(
            "get",
            "/api/v1/rbac/firms/{firmId}/users/{userId}/capabilities",
            "Scopes with reach, field policies, matter sets, validUntil",
            Some("the user themself, FIRM_ADMIN, or access-grants:read"),
            &[(200, "Capabilities"), (403, "Another user of one's firm"), (404, "Another firm")],
        )
        .op(
            "get",
            "/api/v1/rbac/firms/{firmId}/users/{userId}/field-policies",
            "Effective field policies",
            Some("the user themself, FIRM_ADMIN, or access-grants:read"),
            &[(200, "Field policies"), (403, "Another user of one's firm"), (404, "Another firm")],
        )
        .op(
            "get",
            "/api/v1/rbac/firms/{firmId}/scope-holders",
            "Service-only: the firm's users whose roles in force hold ?scope= (userIds)",
            Some("a platform service token"),
            &[(200, "The holders"), (403, "Not a service"), (422, "scope missing or not in the catalogue")],
        )
        .query::<HoldersQuery>()
        .into_value()
}
