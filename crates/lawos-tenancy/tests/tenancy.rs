//! `Tenant` and `HostFirm` against a real tenants service (started in-process by
//! the test kit, with a fresh database), through a small actix app wrapped in
//! `Authenticate` whose resolver is a `TenantsResolver` pointing at that service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use lawos_auth::{Authenticate, TokenValidator};
use lawos_core::FirmId;
use lawos_tenancy::extract::X_FIRM_ID;
use lawos_tenancy::{FirmResolver, HostFirm, Tenant, TenantsResolver};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(60);

async fn tenant_firm(tenant: Tenant) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "firmId": tenant.firm_id }))
}

async fn host_firm(firm: HostFirm) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "firmId": firm.0 }))
}

/// A running tenants service and the resolver the test app uses to reach it.
struct Harness {
    tenants: TestApp,
    resolver: Arc<dyn FirmResolver>,
}

impl Harness {
    async fn start(ttl: Duration) -> Self {
        let tenants = TestApp::spawn(&[lawos_svc_tenants::SPEC]).await;
        let resolver: Arc<dyn FirmResolver> =
            Arc::new(TenantsResolver::new(tenants.base_url.clone(), ttl));
        Self { tenants, resolver }
    }

    fn validator(&self) -> TokenValidator {
        self.tenants.issuer.validator()
    }

    fn token(&self, user: &TestUser) -> String {
        self.tenants.token(user)
    }

    async fn create_firm(&self, slug: &str, logto_org_id: Option<&str>) -> FirmId {
        let mut body = json!({
            "name": format!("Firm {slug}"),
            "slug": slug,
            "contactEmail": format!("admin@{slug}.example"),
            "billingPlan": "enterprise",
            "createLogtoOrg": false,
        });
        if let Some(org) = logto_org_id {
            body["logtoOrgId"] = json!(org);
        }
        let res = self
            .tenants
            .as_user(Method::POST, "/api/v1/tenants/", &TestUser::system_admin())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "create {slug}");
        let firm: Value = res.json().await.unwrap();
        firm["id"].as_str().unwrap().parse().unwrap()
    }

    async fn add_domain(&self, firm: FirmId, domain: &str, verified: bool) {
        let res = self
            .tenants
            .as_user(
                Method::POST,
                &format!("/api/v1/tenants/{firm}/domains"),
                &TestUser::system_admin(),
            )
            .json(&json!({ "domain": domain, "verified": verified }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "add domain {domain}");
    }

    /// Sends `req` through a test app (`Authenticate` + the resolver as app data).
    async fn call(&self, req: TestRequest) -> (u16, Value) {
        call(self.validator(), self.resolver.clone(), req).await
    }
}

async fn call(
    validator: TokenValidator,
    resolver: Arc<dyn FirmResolver>,
    req: TestRequest,
) -> (u16, Value) {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(resolver))
            .wrap(Authenticate::new(validator))
            .route("/tenant", web::get().to(tenant_firm))
            .route("/public", web::get().to(host_firm)),
    )
    .await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let body = test::read_body(res).await;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {body:?}"));
    (status, json)
}

fn get(path: &str) -> TestRequest {
    TestRequest::get().uri(path)
}

fn bearer(token: &str) -> (header::HeaderName, String) {
    (header::AUTHORIZATION, format!("Bearer {token}"))
}

/// A success naming `firm`.
#[track_caller]
fn assert_firm((status, body): &(u16, Value), firm: FirmId) {
    assert_eq!(*status, 200, "{body}");
    assert_eq!(body["firmId"], json!(firm), "{body}");
}

/// The error envelope with `status` and `code`.
#[track_caller]
fn assert_error((got, body): &(u16, Value), status: u16, code: &str) {
    assert_eq!(*got, status, "{body}");
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(error["timestamp"].as_str().is_some(), "{body}");
    assert!(error["requestId"].as_str().is_some(), "{body}");
    assert!(error["details"].is_object(), "{body}");
}

/// Stops the tenants service and waits until it no longer answers.
async fn stop(tenants: TestApp) {
    let health = format!("{}/livez", tenants.base_url);
    drop(tenants);
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match http.get(&health).send().await {
            Ok(res) if res.status().is_success() => {}
            _ => return,
        }
        assert!(
            Instant::now() < deadline,
            "the tenants service did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn firm_comes_from_the_token_firm_claim() {
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("claimed", None).await;
    let member = h.token(&TestUser::member(firm, "ATTORNEY"));
    assert_firm(
        &h.call(get("/tenant").insert_header(bearer(&member))).await,
        firm,
    );
    // The claim wins over the host the request is addressed to.
    let other = h.create_firm("other-host", None).await;
    h.add_domain(other, "other-host.test", true).await;
    let req = get("/tenant")
        .insert_header(bearer(&member))
        .insert_header((header::HOST, "other-host.test"));
    assert_firm(&h.call(req).await, firm);
}

#[tokio::test]
async fn x_firm_id_is_honoured_for_admins_and_own_firm_only() {
    let h = Harness::start(TTL).await;
    let mine = h.create_firm("mine", None).await;
    let theirs = h.create_firm("theirs", None).await;
    let admin = h.token(&TestUser::system_admin());
    let member = h.token(&TestUser::member(mine, "FIRM_ADMIN"));

    let req = get("/tenant")
        .insert_header(bearer(&admin))
        .insert_header((X_FIRM_ID, theirs.to_string()));
    assert_firm(&h.call(req).await, theirs);

    let req = get("/tenant")
        .insert_header(bearer(&member))
        .insert_header((X_FIRM_ID, theirs.to_string()));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");

    let req = get("/tenant")
        .insert_header(bearer(&member))
        .insert_header((X_FIRM_ID, mine.to_string()));
    assert_firm(&h.call(req).await, mine);

    for bad in ["not-a-uuid", "", "12345"] {
        let req = get("/tenant")
            .insert_header(bearer(&admin))
            .insert_header((X_FIRM_ID, bad));
        assert_error(&h.call(req).await, 400, "INVALID_FIELD_FORMAT");
    }
    // Malformed is refused before access is considered, for members too.
    let req = get("/tenant")
        .insert_header(bearer(&member))
        .insert_header((X_FIRM_ID, "nope"));
    assert_error(&h.call(req).await, 400, "INVALID_FIELD_FORMAT");
}

#[tokio::test]
async fn no_token_is_401_auth_token_missing() {
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("anon", None).await;
    h.add_domain(firm, "anon.test", true).await;
    assert_error(&h.call(get("/tenant")).await, 401, "AUTH_TOKEN_MISSING");
    // Neither a host nor X-Firm-Id stands in for a caller.
    let req = get("/tenant")
        .insert_header((header::HOST, "anon.test"))
        .insert_header((X_FIRM_ID, firm.to_string()));
    assert_error(&h.call(req).await, 401, "AUTH_TOKEN_MISSING");
    // A token from an issuer the app does not trust is refused at once.
    let stranger = lawos_testkit::TestIssuer::new().token(&TestUser::member(firm, "ATTORNEY"));
    let (status, body) = h
        .call(get("/tenant").insert_header(bearer(&stranger)))
        .await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn system_admin_without_firm_claim_acts_for_the_verified_host() {
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("smithlaw", None).await;
    h.add_domain(firm, "smithlaw.test", true).await;
    h.add_domain(firm, "unverified.smithlaw.test", false).await;
    let admin = h.token(&TestUser::system_admin());

    for host in ["smithlaw.test", "SmithLaw.TEST", "smithlaw.test:8443"] {
        let req = get("/tenant")
            .insert_header(bearer(&admin))
            .insert_header((header::HOST, host));
        assert_firm(&h.call(req).await, firm);
    }
    for host in [
        "unverified.smithlaw.test",
        "unknown.test",
        "localhost",
        "127.0.0.1:8080",
    ] {
        let req = get("/tenant")
            .insert_header(bearer(&admin))
            .insert_header((header::HOST, host));
        assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");
    }
    // No host at all (the test request's default is localhost).
    let req = get("/tenant").insert_header(bearer(&admin));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");
    // Only system administrators get a firm from the host.
    let outsider = TestUser {
        firm_id: None,
        ..TestUser::member(firm, "ATTORNEY")
    };
    let req = get("/tenant")
        .insert_header(bearer(&h.token(&outsider)))
        .insert_header((header::HOST, "smithlaw.test"));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");
}

#[tokio::test]
async fn logto_organization_resolves_to_its_firm() {
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("org-firm", Some("org_abc")).await;
    let mixed = h.create_firm("org-mixed", Some("Org_MiXeD42")).await;
    let user = TestUser {
        firm_id: None,
        ..TestUser::member(firm, "ATTORNEY")
    };
    let sign = |org: &str| {
        let mut claims = h.tenants.issuer.claims(&user);
        claims.organization_id = Some(org.to_owned());
        h.tenants.issuer.signer.sign(&claims).unwrap()
    };

    let req = get("/tenant").insert_header(bearer(&sign("org_abc")));
    assert_firm(&h.call(req).await, firm);
    // Organization ids are case-sensitive: they are not folded like hosts.
    let req = get("/tenant").insert_header(bearer(&sign("Org_MiXeD42")));
    assert_firm(&h.call(req).await, mixed);
    let req = get("/tenant").insert_header(bearer(&sign("org_mixed42")));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");

    let req = get("/tenant").insert_header(bearer(&sign("org_unknown")));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");
}

#[tokio::test]
async fn host_firm_resolves_verified_domains_for_public_handlers() {
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("intake", None).await;
    h.add_domain(firm, "intake.test", true).await;
    h.add_domain(firm, "pending.intake.test", false).await;

    for host in ["intake.test", "INTAKE.test:443"] {
        let req = get("/public").insert_header((header::HOST, host));
        assert_firm(&h.call(req).await, firm);
    }
    for host in ["unknown.test", "pending.intake.test", "localhost:8080"] {
        let req = get("/public").insert_header((header::HOST, host));
        assert_error(&h.call(req).await, 404, "RESOURCE_NOT_FOUND");
    }
    assert_error(&h.call(get("/public")).await, 404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn resolutions_are_cached_for_the_ttl() {
    let ttl = Duration::from_secs(4);
    let h = Harness::start(ttl).await;
    let firm = h.create_firm("cached", None).await;
    h.add_domain(firm, "cached.test", true).await;
    let admin = h.token(&TestUser::system_admin());
    let public = || get("/public").insert_header((header::HOST, "cached.test"));
    let as_admin = || {
        get("/tenant")
            .insert_header(bearer(&admin))
            .insert_header((header::HOST, "cached.test"))
    };
    let unknown = || get("/public").insert_header((header::HOST, "nobody.test"));

    let fetched = Instant::now();
    assert_firm(&h.call(public()).await, firm);
    assert_error(&h.call(unknown()).await, 404, "RESOURCE_NOT_FOUND");

    let (validator, resolver) = (h.validator(), h.resolver.clone());
    stop(h.tenants).await;
    assert!(
        fetched.elapsed() < ttl,
        "stopping took longer than the TTL ({:?})",
        fetched.elapsed()
    );
    // Same lookup, both extractors, positive and negative: answered from the cache.
    assert_firm(
        &call(validator.clone(), resolver.clone(), public()).await,
        firm,
    );
    assert_firm(
        &call(validator.clone(), resolver.clone(), as_admin()).await,
        firm,
    );
    assert_error(
        &call(validator.clone(), resolver.clone(), unknown()).await,
        404,
        "RESOURCE_NOT_FOUND",
    );
    // A lookup never made is not in the cache.
    let other = get("/public").insert_header((header::HOST, "uncached.test"));
    assert_error(
        &call(validator.clone(), resolver.clone(), other).await,
        503,
        "SERVICE_UNAVAILABLE",
    );

    // Once the TTL has passed, the entry is stale and the service is asked again.
    tokio::time::sleep(ttl.saturating_sub(fetched.elapsed()) + Duration::from_millis(200)).await;
    assert_error(
        &call(validator, resolver, public()).await,
        503,
        "SERVICE_UNAVAILABLE",
    );
}

#[tokio::test]
async fn a_zero_ttl_does_not_cache() {
    let h = Harness::start(Duration::ZERO).await;
    let firm = h.create_firm("uncached", None).await;
    h.add_domain(firm, "uncached.test", true).await;
    let admin = h.token(&TestUser::system_admin());
    let public = || get("/public").insert_header((header::HOST, "uncached.test"));
    let as_admin = || {
        get("/tenant")
            .insert_header(bearer(&admin))
            .insert_header((header::HOST, "uncached.test"))
    };
    assert_firm(&h.call(public()).await, firm);
    assert_firm(&h.call(as_admin()).await, firm);

    let (validator, resolver) = (h.validator(), h.resolver.clone());
    stop(h.tenants).await;
    assert_error(
        &call(validator.clone(), resolver.clone(), public()).await,
        503,
        "SERVICE_UNAVAILABLE",
    );
    assert_error(
        &call(validator, resolver, as_admin()).await,
        503,
        "SERVICE_UNAVAILABLE",
    );
}

#[tokio::test]
async fn a_service_names_the_firm_it_acts_for_and_a_service_without_one_is_refused() {
    use lawos_auth::ServiceTokenSource;
    let h = Harness::start(TTL).await;
    let firm = h.create_firm("served", None).await;
    let local = h.tenants.issuer.local();
    let service = lawos_auth::SignedServiceTokens::new(
        local.signer,
        &local.issuer,
        &local.audience,
        "matters",
        &[],
    );
    let token = service.token().await.unwrap();
    let req = get("/tenant")
        .insert_header(bearer(&token))
        .insert_header((X_FIRM_ID, firm.to_string()));
    assert_firm(&h.call(req).await, firm);
    // Without naming a firm a service token speaks for none.
    let req = get("/tenant").insert_header(bearer(&token));
    assert_error(&h.call(req).await, 403, "FIRM_ACCESS_DENIED");
}
