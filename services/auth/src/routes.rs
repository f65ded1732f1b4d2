//! The auth service's routes (trailing slashes optional on API routes) and their
//! OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::credentials::AddQuery;
use crate::handlers::users::DeleteQuery;
use crate::handlers::{
    credentials, discovery, export, firm_users, me, members, support_locks, support_sessions,
    token, users,
};
use crate::input::MePatch;
use crate::input::credential::CredentialInput;
use crate::input::logto::{AddMember, ListQuery, ReplaceRoles};
use crate::input::provision::ProvisionUser;
use crate::input::queries::{MemberQuery, SearchQuery};
use crate::input::sso::LoginQuery;
use crate::input::support::{AcquireLock, StartSession};
use crate::input::user_patch::UserPatch;
use crate::oauth;

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
    logto_routes(cfg);
    sso_routes(cfg);
}

/// A support-access path, with and without the trailing slash.
fn paths(rest: &str) -> [String; 2] {
    let path = format!("/api/v1/auth/support-access/{rest}");
    [path.clone(), format!("{path}/")]
}

pub fn openapi() -> serde_json::Value {
    sso_openapi(logto_openapi(OpenApi::new("LawOS auth")))
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
        .request("application/x-www-form-urlencoded", oauth::token_form())
        .content(400, "application/json", oauth::error_schema())
        .content(401, "application/json", oauth::error_schema())
        .op(
            "post",
            "/oauth/revoke",
            "Revoke a refresh token and its whole session (RFC 7009)",
            None,
            &[(200, "Revoked, or unknown"), (400, "invalid_request")],
        )
        .request("application/x-www-form-urlencoded", oauth::revoke_form())
        .content(400, "application/json", oauth::error_schema())
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
        .request("application/json", MePatch::schema())
        .if_match()
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
            "Active members of the caller's firm, or for a service of the firm named in X-Firm-Id (cursor list; q filters name/e-mail, role filters the role)",
            None,
            &[
                (200, "A page of members"),
                (401, "No or bad token"),
                (403, "No firm in the token, or a portal user (CLIENT, PARTNER_ATTORNEY)"),
                (422, "Invalid q, role, cursor or limit"),
            ],
        )
        .query::<MemberQuery>()
        .op(
            "get",
            "/api/v1/auth/members/{userId}",
            "One active member of the caller's firm (a service: of the firm named in X-Firm-Id)",
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
        .query::<SearchQuery>()
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
        .request("application/json", UserPatch::schema())
        .if_match()
        .op(
            "delete",
            "/api/v1/auth/users/{userId}",
            "Deactivate (platform: everywhere; FIRM_ADMIN: in their firm) and revoke sessions; \
             ?erase=true (users:delete) anonymises personal data, keeping ids",
            None,
            &[(204, "Done"), (403, "Not allowed"), (404, "Unknown, or not in the admin's firm")],
        )
        .query::<DeleteQuery>()
        .response(409, "SELF_DEACTIVATION: one's own account; LAST_SYSTEM_ADMIN: the last active system administrator")
        .op(
            "get",
            "/api/v1/auth/firms/{firmId}/users",
            "The firm's users and their profile in it (users:read or the firm's FIRM_ADMIN; q, role filters)",
            None,
            &[(200, "A page of users"), (403, "Not an administrator"), (404, "Another firm")],
        )
        .query::<MemberQuery>()
        .op(
            "post",
            "/api/v1/auth/firms/{firmId}/users",
            "Provision a user: identity (local with password, or, when the firm has a linked \
             Logto organization, a Logto user added to it, or an invitation with invite: true), \
             profile, lawyer credentials, rbac role assignment; all or nothing, Logto steps \
             undone if a later step fails (users:create or the firm's FIRM_ADMIN)",
            None,
            &[
                (201, "Provisioned; user.provisioned emitted"),
                (403, "Not an administrator"),
                (404, "Another firm"),
                (409, "E-mail taken"),
                (422, "Invalid fields (each named; logtoOrgId not the firm's organization)"),
                (502, "LOGTO_SYNC_FAILED: Logto failed; nothing was kept"),
                (503, "rbac failed; nothing was kept"),
            ],
        )
        .body::<ProvisionUser>()
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
        .query::<AddQuery>()
        .body::<CredentialInput>()
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
        .body::<StartSession>()
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
        .body::<AcquireLock>()
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

/// The Logto bridge's routes (Backstage §2.2.3), with and without the trailing slash.
fn logto_routes(cfg: &mut web::ServiceConfig) {
    use crate::handlers::logto;
    let both = |path: &str| {
        [
            format!("/api/v1/auth/{path}"),
            format!("/api/v1/auth/{path}/"),
        ]
    };
    cfg.service(web::resource(both("logto/orgs")).route(web::get().to(logto::orgs)))
        .service(web::resource(both("logto/roles")).route(web::get().to(logto::roles)))
        .service(
            web::resource(both("firms/{firm_id}/logto/sync")).route(web::post().to(logto::sync)),
        )
        .service(
            web::resource(both("firms/{firm_id}/logto/members"))
                .route(web::get().to(logto::list_members))
                .route(web::post().to(logto::add_member)),
        )
        .service(
            web::resource(both("firms/{firm_id}/logto/members/{member_id}"))
                .route(web::get().to(logto::get_member))
                .route(web::delete().to(logto::remove_member)),
        )
        .service(
            web::resource(both("firms/{firm_id}/logto/members/{member_id}/roles"))
                .route(web::put().to(logto::replace_roles)),
        );
}

fn logto_openapi(api: OpenApi) -> OpenApi {
    const NOT_CONFIGURED: (u16, &str) = (503, "The Logto bridge is not configured");
    const LOGTO_FAILED: (u16, &str) = (
        502,
        "LOGTO_SYNC_FAILED: Logto failed; a FAILED sync-log row was written, nothing else changed",
    );
    api.op(
        "get",
        "/api/v1/auth/logto/orgs",
        "Logto organizations linked to firms (users:read: every one; FIRM_ADMIN: their firm's)",
        None,
        &[
            (200, "A page of organizations"),
            (403, "Not an administrator"),
        ],
    )
    .query::<ListQuery>()
    .op(
        "get",
        "/api/v1/auth/logto/roles",
        "Logto's organization roles, read from the Management API (users:read or FIRM_ADMIN)",
        None,
        &[
            (200, "{data: [{id, name, description}]}"),
            (403, "Not an administrator"),
            LOGTO_FAILED,
            NOT_CONFIGURED,
        ],
    )
    .op(
        "post",
        "/api/v1/auth/firms/{firmId}/logto/sync",
        "Pull the firm's organization and members (with their org roles) from Logto into the \
         cache and the user mirror (users:update or the firm's FIRM_ADMIN)",
        None,
        &[
            (200, "What changed: members, added, updated, removed"),
            (403, "Not an administrator"),
            (404, "Another firm"),
            (409, "No Logto organization linked to the firm"),
            LOGTO_FAILED,
            NOT_CONFIGURED,
        ],
    )
    .op(
        "get",
        "/api/v1/auth/firms/{firmId}/logto/members",
        "The firm's cached organization members and open invitations (cursor list)",
        None,
        &[
            (200, "A page of members"),
            (403, "Not an administrator"),
            (404, "Another firm"),
        ],
    )
    .query::<ListQuery>()
    .op(
        "post",
        "/api/v1/auth/firms/{firmId}/logto/members",
        "Add a Logto user to the firm's organization (email or logtoUserId, roleIds), or invite \
         the e-mail when Logto has no such user (or invite: true) (users:create or FIRM_ADMIN)",
        None,
        &[
            (201, "The member: ACTIVE (added) or INVITED"),
            (403, "Not an administrator"),
            (404, "Another firm"),
            (
                409,
                "Already a member or invited; or no organization linked",
            ),
            (
                422,
                "Invalid fields (each named; unknown roleIds[i] or logtoUserId)",
            ),
            LOGTO_FAILED,
            NOT_CONFIGURED,
        ],
    )
    .body::<AddMember>()
    .op(
        "get",
        "/api/v1/auth/firms/{firmId}/logto/members/{memberId}",
        "One cached member",
        None,
        &[
            (200, "The member"),
            (403, "Not an administrator"),
            (404, "Unknown, or another firm"),
        ],
    )
    .op(
        "delete",
        "/api/v1/auth/firms/{firmId}/logto/members/{memberId}",
        "Remove the member from the Logto organization (or withdraw the invitation)",
        None,
        &[
            (204, "Removed"),
            (403, "Not an administrator"),
            (404, "Unknown, or another firm"),
            LOGTO_FAILED,
            NOT_CONFIGURED,
        ],
    )
    .op(
        "put",
        "/api/v1/auth/firms/{firmId}/logto/members/{memberId}/roles",
        "Replace the member's organization roles (roleIds, may be empty)",
        None,
        &[
            (200, "The member with the new roles"),
            (403, "Not an administrator"),
            (404, "Unknown, or another firm"),
            (409, "An invitation not accepted yet"),
            (422, "Invalid or unknown roleIds"),
            LOGTO_FAILED,
            NOT_CONFIGURED,
        ],
    )
    .body::<ReplaceRoles>()
}

/// SSO through external OpenID Connect providers (`crate::sso`).
fn sso_routes(cfg: &mut web::ServiceConfig) {
    use crate::handlers::sso;
    let both = |step: &str| {
        let path = format!("/api/v1/auth/sso/{{provider}}/{step}");
        [path.clone(), format!("{path}/")]
    };
    cfg.service(web::resource(both("login")).route(web::get().to(sso::login)))
        .service(web::resource(both("callback")).route(web::get().to(sso::callback)));
}

fn sso_openapi(api: OpenApi) -> OpenApi {
    api.op(
        "get",
        "/api/v1/auth/sso/{provider}/login",
        "Start a login at an external OpenID Connect provider: 302 to its authorization \
         endpoint (code flow, PKCE S256, state and nonce valid 10 minutes, once); ?firm_id= \
         picks the firm for users of several firms",
        None,
        &[
            (302, "Redirect to the provider"),
            (404, "Unknown provider"),
            (422, "firm_id is not a uuid"),
            (502, "SSO_PROVIDER_UNAVAILABLE"),
            (503, "Redis unavailable"),
        ],
    )
    .query::<LoginQuery>()
    .op(
        "get",
        "/api/v1/auth/sso/{provider}/callback",
        "Finish a login: redeems the code, verifies the ID token, links or syncs the user \
         (provisioned users only; linked on first login by verified e-mail) and answers the \
         platform's tokens as JSON {accessToken, refreshToken, tokenType, expiresIn, scope, user, \
         firmId, provider}. POST /oauth/token with the token-exchange grant and subject_token_type \
         urn:ietf:params:oauth:token-type:id_token (or jwt) swaps a configured provider's ID token \
         for platform tokens the same way",
        None,
        &[
            (200, "Platform tokens"),
            (
                400,
                "SSO_STATE_INVALID (unknown, expired or reused state), SSO_PROVIDER_ERROR \
                 (error=access_denied, …), SSO_CODE_REJECTED, SSO_ID_TOKEN_INVALID (signature, \
                 issuer, audience, nonce, expiry), SSO_FIRM_REQUIRED",
            ),
            (403, "SSO_USER_NOT_PROVISIONED"),
            (404, "Unknown provider"),
            (502, "SSO_PROVIDER_UNAVAILABLE"),
        ],
    )
}
