//! The auth service's routes (trailing slashes optional on API routes) and their
//! OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::{
    credentials, discovery, export, firm_users, me, members, support_locks, support_sessions,
    token, users,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/.well-known/openid-configuration",
        web::get().to(discovery::openid_configuration),
    )
    .route("/.well-known/jwks.json", web::get().to(discovery::jwks))
    .route("/oauth/token", web::post().to(token::token))
    .route("/oauth/revoke", web::post().to(token::revoke))
    .service(
        web::resource(["/api/v1/auth/me", "/api/v1/auth/me/"])
            .route(web::get().to(me::get))
            .route(web::patch().to(me::update)),
    )
    .service(
        web::resource(["/api/v1/auth/me/export", "/api/v1/auth/me/export/"])
            .route(web::get().to(export::export)),
    )
    .service(
        web::resource(["/api/v1/auth/members", "/api/v1/auth/members/"])
            .route(web::get().to(members::list)),
    )
    .service(
        web::resource([
            "/api/v1/auth/members/{user_id}",
            "/api/v1/auth/members/{user_id}/",
        ])
        .route(web::get().to(members::get)),
    )
    .service(
        web::resource(["/api/v1/auth/users/search", "/api/v1/auth/users/search/"])
            .route(web::get().to(users::search)),
    )
    .service(
        web::resource([
            "/api/v1/auth/users/{user_id}",
            "/api/v1/auth/users/{user_id}/",
        ])
        .route(web::get().to(users::get))
        .route(web::patch().to(users::update))
        .route(web::delete().to(users::delete)),
    )
    .service(
        web::resource([
            "/api/v1/auth/users/{user_id}/credentials",
            "/api/v1/auth/users/{user_id}/credentials/",
        ])
        .route(web::get().to(credentials::list))
        .route(web::post().to(credentials::add)),
    )
    .service(
        web::resource([
            "/api/v1/auth/users/{user_id}/credentials/{credential_id}",
            "/api/v1/auth/users/{user_id}/credentials/{credential_id}/",
        ])
        .route(web::delete().to(credentials::remove)),
    )
    .service(
        web::resource([
            "/api/v1/auth/firms/{firm_id}/users",
            "/api/v1/auth/firms/{firm_id}/users/",
        ])
        .route(web::get().to(firm_users::list))
        .route(web::post().to(firm_users::provision)),
    )
    .service(
        web::resource(paths("sessions"))
            .route(web::get().to(support_sessions::list))
            .route(web::post().to(support_sessions::start)),
    )
    .service(
        web::resource(paths("sessions/{session_id}"))
            .route(web::get().to(support_sessions::get))
            .route(web::delete().to(support_sessions::revoke)),
    )
    .service(
        web::resource(paths("locks"))
            .route(web::get().to(support_locks::list))
            .route(web::post().to(support_locks::acquire)),
    )
    .service(
        web::resource(paths("locks/{lock_id}")).route(web::delete().to(support_locks::release)),
    );
}

/// A support-access path, with and without the trailing slash.
fn paths(rest: &str) -> [String; 2] {
    let path = format!("/api/v1/auth/support-access/{rest}");
    [path.clone(), format!("{path}/")]
}

pub fn openapi() -> serde_json::Value {
    OpenApi::new("LawOS auth")
        .op(
            "get",
            "/.well-known/openid-configuration",
            "The token issuer's metadata",
            None,
            &[(200, "Issuer metadata")],
        )
        .op(
            "get",
            "/.well-known/jwks.json",
            "The issuer's public signing keys (ES256)",
            None,
            &[(200, "JWK set")],
        )
        .op(
            "post",
            "/oauth/token",
            "Issue tokens (form-encoded; grants password, client_credentials, refresh_token, and \
             urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693) for support access: \
             subject_token = a system administrator's access token (support-access:create), \
             subject_token_type = urn:ietf:params:oauth:token-type:access_token (optional), \
             requested_subject = the target user id, firm_id, reason (10..500 characters), \
             duration_minutes (1..480, default 60); answers an act-as access token with act.sub \
             = the administrator, sid = the support session, issued_token_type, no refresh token). \
             Errors use the OAuth 2.0 shape {error, error_description}, not the envelope",
            None,
            &[
                (200, "Access token (and refresh token for user grants)"),
                (
                    400,
                    "invalid_request, invalid_grant, invalid_scope, unsupported_grant_type",
                ),
                (401, "invalid_client"),
            ],
        )
        .op(
            "post",
            "/oauth/revoke",
            "Revoke a refresh token and its whole session (RFC 7009)",
            None,
            &[(200, "Revoked, or unknown"), (400, "invalid_request")],
        )
        .op(
            "get",
            "/api/v1/auth/me",
            "The caller's identity and firm profile",
            None,
            &[(200, "The profile"), (401, "No or bad token")],
        )
        .op(
            "patch",
            "/api/v1/auth/me",
            "Update the caller's own profile fields (fullName, title, phone, preferences)",
            None,
            &[
                (200, "Updated"),
                (401, "No or bad token"),
                (403, "A read-only field (email, role, …) was sent"),
                (412, "Stale If-Match"),
                (422, "Invalid fields"),
            ],
        )
        .op(
            "get",
            "/api/v1/auth/me/export",
            "Everything the auth service holds about the caller (user, profiles, sessions, credentials), as JSON",
            None,
            &[(200, "The export"), (401, "No or bad token"), (404, "Unknown user")],
        )
        .op(
            "get",
            "/api/v1/auth/members",
            "Active members of the caller's firm (cursor list; q filters name/e-mail, role filters the role)",
            None,
            &[
                (200, "A page of members"),
                (401, "No or bad token"),
                (403, "No firm in the token, or a portal user (CLIENT, PARTNER_ATTORNEY)"),
                (422, "Invalid q, role, cursor or limit"),
            ],
        )
        .op(
            "get",
            "/api/v1/auth/members/{userId}",
            "One active member of the caller's firm",
            None,
            &[(200, "The member"), (403, "Portal user"), (404, "Not a member of the caller's firm")],
        )
        .op(
            "get",
            "/api/v1/auth/users/search",
            "Search users by name, e-mail or identity-provider subject (users:read)",
            None,
            &[(200, "A page of users"), (403, "Not a platform administrator"), (422, "q missing or too short")],
        )
        .op(
            "get",
            "/api/v1/auth/users/{userId}",
            "A user and their firm profiles (users:read, or the FIRM_ADMIN of one of their firms)",
            None,
            &[(200, "The user"), (403, "Not an administrator"), (404, "Unknown, or not in the admin's firm")],
        )
        .op(
            "patch",
            "/api/v1/auth/users/{userId}",
            "Change fullName, email (platform admins), and title, phone, isLawyer of a firm profile (firmId)",
            None,
            &[
                (200, "Updated"),
                (403, "Not an administrator, or a read-only field"),
                (404, "Unknown, or not in the admin's firm"),
                (409, "E-mail taken"),
                (412, "Stale If-Match"),
                (422, "Invalid fields"),
            ],
        )
        .op(
            "delete",
            "/api/v1/auth/users/{userId}",
            "Deactivate (platform: everywhere; FIRM_ADMIN: in their firm) and revoke sessions; \
             ?erase=true (users:delete) anonymises personal data, keeping ids",
            None,
            &[(204, "Done"), (403, "Not allowed"), (404, "Unknown, or not in the admin's firm")],
        )
        .op(
            "get",
            "/api/v1/auth/firms/{firmId}/users",
            "The firm's users and their profile in it (users:read or the firm's FIRM_ADMIN; q, role filters)",
            None,
            &[(200, "A page of users"), (403, "Not an administrator"), (404, "Another firm")],
        )
        .op(
            "post",
            "/api/v1/auth/firms/{firmId}/users",
            "Provision a user: local identity (password), profile, lawyer credentials, rbac role \
             assignment; all or nothing (users:create or the firm's FIRM_ADMIN)",
            None,
            &[
                (201, "Provisioned; user.provisioned emitted"),
                (403, "Not an administrator"),
                (404, "Another firm"),
                (409, "E-mail taken"),
                (422, "Invalid fields (each named)"),
                (503, "rbac failed; nothing was kept"),
            ],
        )
        .op(
            "get",
            "/api/v1/auth/users/{userId}/credentials",
            "The user's lawyer credentials (users:read, or the FIRM_ADMIN of one of their firms: that firm's)",
            None,
            &[(200, "The credentials"), (403, "Not an administrator"), (404, "Out of reach")],
        )
        .op(
            "post",
            "/api/v1/auth/users/{userId}/credentials",
            "Add a lawyer credential (type, jurisdiction, licenseNumber, issuedDate, expiresAt; \
             ?firmId= for platform administrators when the user has several firms)",
            None,
            &[
                (201, "Added"),
                (403, "Not an administrator"),
                (404, "Out of reach"),
                (409, "Same credential already held"),
                (422, "Invalid fields"),
            ],
        )
        .op(
            "delete",
            "/api/v1/auth/users/{userId}/credentials/{credId}",
            "Remove a lawyer credential",
            None,
            &[(204, "Removed"), (403, "Not an administrator"), (404, "Out of reach")],
        )
        .op(
            "post",
            "/api/v1/auth/support-access/sessions",
            "Start a support session acting as a firm's user (support-access:create; body \
             targetUserId, firmId, reason 10..500 characters, durationMinutes 1..480, default 60); \
             answers the session and its act-as access token",
            None,
            &[
                (201, "Started: session, accessToken, expiresIn"),
                (403, "Not a system administrator, or already acting as someone"),
                (422, "Invalid fields (each named; an unknown user names targetUserId)"),
            ],
        )
        .op(
            "get",
            "/api/v1/auth/support-access/sessions",
            "Support sessions, newest first (support-access:read; a FIRM_ADMIN sees their firm's)",
            None,
            &[(200, "The sessions with status ACTIVE, EXPIRED or REVOKED"), (403, "Not allowed")],
        )
        .op(
            "get",
            "/api/v1/auth/support-access/sessions/{sessionId}",
            "One support session (support-access:read, or the target firm's FIRM_ADMIN)",
            None,
            &[(200, "The session"), (403, "Not allowed"), (404, "Unknown, or another firm's")],
        )
        .op(
            "delete",
            "/api/v1/auth/support-access/sessions/{sessionId}",
            "Revoke a support session (support-access:revoke): its tokens are refused by every \
             service at once; support_session.revoked is emitted",
            None,
            &[(200, "Revoked (or already was)"), (403, "Not allowed"), (404, "Unknown session")],
        )
        .op(
            "post",
            "/api/v1/auth/support-access/locks",
            "Take the exclusive admin lock of a resource (support-access:create; body \
             resourceType, resourceId, ttlSeconds 1..3600, default 300)",
            None,
            &[
                (201, "Held until released or expired"),
                (403, "Not a system administrator"),
                (409, "RESOURCE_CONFLICT: held by someone (details.lockId)"),
                (422, "Invalid fields"),
                (503, "Redis unavailable"),
            ],
        )
        .op(
            "get",
            "/api/v1/auth/support-access/locks",
            "The admin locks held now (support-access:create)",
            None,
            &[(200, "The locks"), (403, "Not a system administrator")],
        )
        .op(
            "delete",
            "/api/v1/auth/support-access/locks/{lockId}",
            "Release an admin lock (its owner only)",
            None,
            &[(204, "Released"), (403, "Not the owner"), (404, "Unknown or expired")],
        )
        .into_value()
}
