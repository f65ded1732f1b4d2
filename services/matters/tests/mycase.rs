//! The MyCase case sync against a wiremock MyCase (token endpoint, `/staff`,
//! `/clients` and `/cases` paged by `Link` headers), with the real contacts
//! (clients are written through its API), auth (staff matched by e-mail to
//! the firm's directory) and rbac services beside matters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use common::{assign, code, fields, firm_admin, send, send_ok};
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown};
use lawos_svc_matters::leads::{LeadsConfig, LeadsState};
use lawos_svc_matters::mycase::{MyCaseConfig, MyCaseState, worker};
use lawos_testkit::broker::eventually;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{
    body_partial_json, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/api/v1/matters/integrations/mycase/";
const SECRET: &str = "cs-super-secret-value";

/// Each test's MyCase settings, by its Redis prefix (unique per test).
static CONFIGS: LazyLock<Mutex<HashMap<String, MyCaseConfig>>> = LazyLock::new(Mutex::default);

fn config_of(env: &ServiceEnv) -> MyCaseConfig {
    CONFIGS
        .lock()
        .unwrap()
        .get(&env.config.redis_prefix)
        .cloned()
        .expect("MyCase settings for this test")
}

fn state_of(env: &ServiceEnv) -> Arc<MyCaseState> {
    MyCaseState::shared(env, config_of(env))
}

fn mount(env: &ServiceEnv) -> Mount {
    let leads = LeadsState::shared(env, LeadsConfig::for_tests("http://127.0.0.1:1"));
    lawos_svc_matters::mount_with_all(env, leads, state_of(env))
}

/// The matters service with the test's MyCase settings.
const MATTERS: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_matters::SPEC
};

struct Kit {
    app: TestApp,
    mycase: MockServer,
}

/// rbac, auth, contacts and matters; MyCase at a wiremock.
async fn kit() -> Kit {
    let mycase = MockServer::start().await;
    let prefix = format!("test:{}", Uuid::now_v7().simple());
    let (api, token) = (
        format!("{}/v1", mycase.uri()),
        format!("{}/tokens", mycase.uri()),
    );
    let app = TestApp::spawn_with(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_auth::SPEC,
            lawos_svc_contacts::SPEC,
            MATTERS,
        ],
        move |c| {
            // Auth is served by the same app.
            let config = MyCaseConfig::for_tests(&api, &token, &c.tenants_url);
            CONFIGS.lock().unwrap().insert(prefix.clone(), config);
            c.redis_prefix = prefix;
        },
    )
    .await;
    Kit { app, mycase }
}

fn matters_env(app: &TestApp) -> &ServiceEnv {
    app.envs.iter().find(|e| e.name == "matters").unwrap()
}

async fn owner(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `select count(*) from <table> where firm_id = firm` as the database owner.
async fn count(app: &TestApp, table: &str, firm: FirmId) -> i64 {
    let c: Count = diesel::sql_query(format!(
        "select count(*) as n from {table} where firm_id = $1"
    ))
    .bind::<SqlUuid, _>(firm.0)
    .get_result(&mut owner(app).await)
    .await
    .unwrap();
    c.n
}

#[derive(diesel::QueryableByName)]
struct Ref {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    entity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    external_number: Option<String>,
}

/// The LawOS entity and kept number of MyCase record `id` of `kind`.
async fn external_ref(app: &TestApp, firm: FirmId, kind: &str, id: &str) -> Ref {
    diesel::sql_query(
        "select entity_id, external_number from matters.external_refs \
         where firm_id = $1 and kind = $2 and external_id = $3",
    )
    .bind::<SqlUuid, _>(firm.0)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(id)
    .get_result(&mut owner(app).await)
    .await
    .unwrap()
}

/// `user`'s e-mail and an active profile in `firm` at auth's directory.
async fn directory(app: &TestApp, firm: FirmId, user: &TestUser, email: &str) {
    let id = user.user_id.0;
    owner(app)
        .await
        .batch_execute(&format!(
            "insert into auth.users (id, issuer, subject, email, full_name, is_active, created_at, updated_at) \
             values ('{id}', 'https://auth.lawos.test', '{id}', '{email}', 'Alex Attorney', true, now(), now()); \
             insert into auth.firm_user_profiles (firm_id, user_id, role, is_lawyer, preferences, is_active, created_at, updated_at) \
             values ('{}', '{id}', 'LAWYER', true, '{{}}', true, now(), now());",
            firm.0
        ))
        .await
        .unwrap();
}

fn connection_body(kit: &Kit) -> Value {
    json!({
        "baseUrl": format!("{}/v1", kit.mycase.uri()),
        "tokenUrl": format!("{}/tokens", kit.mycase.uri()),
        "grantType": "CLIENT_CREDENTIALS",
        "clientId": "lawos-client",
        "clientSecret": SECRET,
        "intervalMinutes": 15,
    })
}

async fn connect(kit: &Kit, admin: &TestUser) -> Value {
    send_ok(
        kit.app
            .as_user(Method::PUT, BASE, admin)
            .json(&connection_body(kit)),
        201,
    )
    .await
}

fn case(id: u64, name: &str, client: u64, stage: &str, updated: &str) -> Value {
    json!({
        "id": id, "name": name, "case_number": format!("2024-{id}"),
        "description": format!("{name}, as MyCase has it"), "status": "open",
        "practice_area": {"id": 3, "name": "Personal Injury"}, "case_stage": stage,
        "opened_date": "2024-05-01", "clients": [{"id": client}],
        "staff": [{"id": 5, "lead_lawyer": true}, {"id": 6, "lead_lawyer": false}],
        "updated_at": updated,
    })
}

fn client(id: u64, first: &str, last: &str, updated: &str) -> Value {
    json!({
        "id": id, "first_name": first, "last_name": last,
        "email": format!("{}@clients.example", first.to_lowercase()),
        "cell_phone_number": "+1 555 010 2030",
        "address": {"address1": "1 Main St", "city": "Springfield", "zip_code": "12345"},
        "updated_at": updated,
    })
}

fn next(kit: &Kit, resource: &str, token: &str) -> String {
    format!(
        "<{}/v1/{resource}?page_size=2&page_token={token}>; rel=\"next\"",
        kit.mycase.uri()
    )
}

/// MyCase serving `cases` and `clients` two to a page, and its staff.
async fn serve(kit: &Kit, cases: &[Value], clients: &[Value]) {
    kit.mycase.reset().await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .and(body_partial_json(json!({
            "grant_type": "client_credentials", "client_id": "lawos-client", "client_secret": SECRET
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "token_type": "bearer", "expires_in": 7200}),
        ))
        .mount(&kit.mycase)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/staff"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 5, "first_name": "Alex", "last_name": "Attorney", "email": "ALEX@firm.example", "type": "Attorney", "updated_at": "2026-01-01T09:00:00Z"},
            {"id": 6, "first_name": "Nobody", "last_name": "Here", "email": "nobody@elsewhere.example", "type": "Paralegal", "updated_at": "2026-01-01T09:00:00Z"}
        ])))
        .mount(&kit.mycase)
        .await;
    for (resource, items) in [("cases", cases), ("clients", clients)] {
        let pages: Vec<&[Value]> = items.chunks(2).collect();
        for (i, page) in pages.iter().enumerate() {
            let mut res = ResponseTemplate::new(200).set_body_json(json!(page));
            if i + 1 < pages.len() {
                res = res.insert_header("link", next(kit, resource, &format!("p{}", i + 1)));
            }
            let mock = Mock::given(method("GET"))
                .and(path(format!("/v1/{resource}")))
                .and(header("authorization", "Bearer at-1"));
            let mock = if i == 0 {
                mock.and(query_param_is_missing("page_token"))
            } else {
                mock.and(query_param("page_token", format!("p{i}")))
            };
            mock.respond_with(res).mount(&kit.mycase).await;
        }
    }
}

fn two_pages() -> (Vec<Value>, Vec<Value>) {
    let t = "2026-03-01T10:00:00Z";
    (
        vec![
            case(41, "Smith v. Jones", 9, "Intake", t),
            case(42, "Estate of Brown", 10, "Discovery", t),
            case(
                43,
                "Garcia v. City",
                11,
                "Discovery",
                "2026-03-02T10:00:00Z",
            ),
        ],
        vec![
            client(9, "Ada", "Lovelace", t),
            client(10, "Grace", "Hopper", t),
            client(11, "Maria", "Garcia", "2026-03-02T08:00:00Z"),
        ],
    )
}

/// Starts a run as `admin` (202) and waits for its end; the finished run.
async fn sync(kit: &Kit, admin: &TestUser) -> Value {
    let started = send_ok(
        kit.app.as_user(Method::POST, &format!("{BASE}sync"), admin),
        202,
    )
    .await;
    assert_eq!(started["status"], "RUNNING");
    finished(&kit.app, admin, started["id"].as_str().unwrap()).await
}

async fn finished(app: &TestApp, admin: &TestUser, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = send_ok(
            app.as_user(Method::GET, &format!("{BASE}runs/{id}"), admin),
            200,
        )
        .await;
        if run["status"] != "RUNNING" {
            return run;
        }
        assert!(Instant::now() < deadline, "run {id} never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn matter(app: &TestApp, user: &TestUser, id: Uuid) -> Value {
    send_ok(
        app.as_user(Method::GET, &format!("/api/v1/matters/{id}"), user),
        200,
    )
    .await
}

#[tokio::test]
async fn two_pages_of_cases_and_clients_become_matters_and_clients_once() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    let lawyer = assign(&kit.app, firm, "LAWYER").await;
    directory(&kit.app, firm, &lawyer, "alex@firm.example").await;
    connect(&kit, &admin).await;
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;

    let run = sync(&kit, &admin).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(
        (run["created"].as_i64(), run["updated"].as_i64()),
        (Some(6), Some(0)),
        "{run}"
    );
    assert_eq!(run["failed"], 0);
    assert_eq!(run["errors"], json!([]));
    assert_eq!(run["cursorAfter"]["cases"], "2026-03-02T10:00:00Z");
    assert_eq!(run["cursorAfter"]["clients"], "2026-03-02T08:00:00Z");
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 3);
    assert_eq!(count(&kit.app, "contacts.clients", firm).await, 3);

    // The case became a matter: stage, practice area, client, number, team.
    let case41 = external_ref(&kit.app, firm, "CASE", "41").await;
    assert_eq!(case41.external_number.as_deref(), Some("2024-41"));
    let m = matter(&kit.app, &lawyer, case41.entity_id.unwrap()).await;
    assert_eq!(m["title"], "Smith v. Jones");
    assert_eq!(m["stage"], "LEAD");
    assert_eq!(m["practiceArea"], "Personal Injury");
    assert_eq!(m["matterType"], "CIVIL");
    let ada = external_ref(&kit.app, firm, "CLIENT", "9")
        .await
        .entity_id
        .unwrap();
    assert_eq!(m["clientId"], ada.to_string());
    let m42 = matter(
        &kit.app,
        &lawyer,
        external_ref(&kit.app, firm, "CASE", "42")
            .await
            .entity_id
            .unwrap(),
    )
    .await;
    assert_eq!(m42["stage"], "OPEN");
    let team = send_ok(
        kit.app.as_user(
            Method::GET,
            &format!("/api/v1/matters/{}/members", m["id"].as_str().unwrap()),
            &lawyer,
        ),
        200,
    )
    .await;
    let team = team["data"].as_array().unwrap();
    assert_eq!(
        team.len(),
        1,
        "only the staff member with a firm e-mail: {team:?}"
    );
    assert_eq!(team[0]["userId"], lawyer.user_id.0.to_string());
    assert_eq!(team[0]["role"], "LEAD_ATTORNEY");
    // The client is at contacts, written through its API.
    let stored = send_ok(
        kit.app.as_user(
            Method::GET,
            &format!("/api/v1/contacts/clients/{ada}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(stored["fullName"], "Ada Lovelace");
    assert_eq!(stored["email"], "ada@clients.example");
    assert_eq!(stored["type"], "INDIVIDUAL");

    // A second run with nothing changed creates nothing, and asks for what
    // changed since the cursor (less the overlap).
    let again = sync(&kit, &admin).await;
    assert_eq!(again["status"], "SUCCEEDED", "{again}");
    assert_eq!(
        (
            again["created"].as_i64(),
            again["updated"].as_i64(),
            again["conflicts"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(again["unchanged"], 6);
    assert_eq!(again["cursorBefore"], run["cursorAfter"]);
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 3);
    assert_eq!(count(&kit.app, "contacts.clients", firm).await, 3);
    assert_eq!(count(&kit.app, "matters.matter_members", firm).await, 3);
    let asked: Vec<String> = kit
        .mycase
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v1/cases")
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "filter[updated_after]")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(
        asked,
        ["2026-03-02T09:55:00Z", "2026-03-02T09:55:00Z"],
        "the second run's pages"
    );

    // The log holds both, newest first.
    let log = send_ok(
        kit.app
            .as_user(Method::GET, &format!("{BASE}runs?limit=1"), &admin),
        200,
    )
    .await;
    assert_eq!(log["data"][0]["id"], again["id"]);
    let cursor = log["pagination"]["nextCursor"].as_str().unwrap();
    let older = send_ok(
        kit.app.as_user(
            Method::GET,
            &format!("{BASE}runs?limit=1&cursor={cursor}"),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(older["data"][0]["id"], run["id"]);
    assert_eq!(older["data"][0]["origin"], "MANUAL");
}

#[tokio::test]
async fn a_changed_case_updates_its_matter_and_a_field_changed_on_both_sides_keeps_lawos() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    let lawyer = assign(&kit.app, firm, "LAWYER").await;
    connect(&kit, &admin).await;
    let (mut cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    assert_eq!(sync(&kit, &admin).await["created"], 6);
    let m41 = external_ref(&kit.app, firm, "CASE", "41")
        .await
        .entity_id
        .unwrap();
    let m42 = external_ref(&kit.app, firm, "CASE", "42")
        .await
        .entity_id
        .unwrap();

    // LawOS renames matter 42; MyCase renames both cases, and moves 41 on.
    send_ok(
        kit.app
            .as_user(Method::PATCH, &format!("/api/v1/matters/{m42}"), &lawyer)
            .json(&json!({ "title": "Brown estate (LawOS)" })),
        200,
    )
    .await;
    let t = "2026-03-05T10:00:00Z";
    cases[0] = case(41, "Smith v. Jones Trucking", 9, "Discovery", t);
    cases[1] = case(42, "Estate of Brown (MyCase)", 10, "Discovery", t);
    // MyCase closes 43, and has a case closed before it was ever synced.
    cases[2]["status"] = json!("closed");
    cases[2]["updated_at"] = json!(t);
    let mut old = case(46, "Archive v. Box", 9, "Settled", t);
    old["status"] = json!("closed");
    old["closed_date"] = json!("2025-12-31");
    cases.push(old);
    serve(&kit, &cases, &clients).await;

    let run = sync(&kit, &admin).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    // 41 took every change, 42 its description (not the title LawOS changed),
    // 43 was closed; 46 came in closed.
    assert_eq!(
        (run["created"].as_i64(), run["updated"].as_i64()),
        (Some(1), Some(3)),
        "{run}"
    );
    assert_eq!(run["conflicts"], 1);
    let c = &run["conflictDetails"][0];
    assert_eq!(
        (
            c["kind"].as_str(),
            c["externalId"].as_str(),
            c["field"].as_str()
        ),
        (Some("CASE"), Some("42"), Some("title"))
    );
    assert_eq!(c["reason"], "BOTH_CHANGED");
    assert_eq!(c["lawosValue"], "Brown estate (LawOS)");
    assert_eq!(c["mycaseValue"], "Estate of Brown (MyCase)");
    assert_eq!(c["entityId"], m42.to_string());

    let changed = matter(&kit.app, &lawyer, m41).await;
    assert_eq!(changed["title"], "Smith v. Jones Trucking");
    assert_eq!(
        changed["stage"], "OPEN",
        "LEAD → OPEN, as MyCase moved it on"
    );
    let kept = matter(&kit.app, &lawyer, m42).await;
    assert_eq!(kept["title"], "Brown estate (LawOS)");
    assert_eq!(
        kept["description"],
        "Estate of Brown (MyCase), as MyCase has it"
    );
    let m43 = external_ref(&kit.app, firm, "CASE", "43")
        .await
        .entity_id
        .unwrap();
    let closed = matter(&kit.app, &lawyer, m43).await;
    assert_eq!(closed["stage"], "CLOSED");
    assert!(closed["closedAt"].is_string());
    let m46 = external_ref(&kit.app, firm, "CASE", "46")
        .await
        .entity_id
        .unwrap();
    let imported = matter(&kit.app, &lawyer, m46).await;
    assert_eq!(imported["stage"], "CLOSED");
    assert_eq!(imported["closedAt"], "2025-12-31T00:00:00Z");
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 4);
    // The stage move is the matter's event, as any other move.
    let moves = common::outbox(&kit.app, m41).await;
    assert!(moves.iter().any(|r| r.event_type == "matter.stage_changed"
        && r.payload["data"] == json!({"from": "LEAD", "to": "OPEN"})));

    // Run again: the conflict is not recorded twice, nothing is written.
    let again = sync(&kit, &admin).await;
    assert_eq!(
        (again["updated"].as_i64(), again["conflicts"].as_i64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn a_429_from_mycase_is_waited_out_and_the_run_completes() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    connect(&kit, &admin).await;
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    // The first ask for the first page of cases is refused for a second.
    let asked = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v1/cases"))
        .and(query_param_is_missing("page_token"))
        .respond_with(Stamped(
            asked.clone(),
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"error": "rate limit"})),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&kit.mycase)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/cases"))
        .and(query_param_is_missing("page_token"))
        .respond_with(Stamped(
            asked.clone(),
            ResponseTemplate::new(200)
                .set_body_json(json!(&cases[..2]))
                .insert_header("link", next(&kit, "cases", "p1")),
        ))
        .with_priority(2)
        .mount(&kit.mycase)
        .await;

    let run = sync(&kit, &admin).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(run["created"], 6);
    assert_eq!(run["errors"], json!([]));
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 3);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "refused once, then asked again");
    let waited = asked[1].duration_since(asked[0]);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 was honoured ({waited:?})"
    );
}

/// Answers with its template, noting when it was asked.
struct Stamped(Arc<Mutex<Vec<Instant>>>, ResponseTemplate);

impl wiremock::Respond for Stamped {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        self.1.clone()
    }
}

#[tokio::test]
async fn mycase_failing_fails_the_run_and_keeps_the_cursor() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    connect(&kit, &admin).await;
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    Mock::given(method("GET"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .mount(&kit.mycase)
        .await;
    let run = sync(&kit, &admin).await;
    assert_eq!(run["status"], "FAILED", "{run}");
    assert_eq!(run["cursorAfter"], Value::Null);
    assert!(
        run["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("answered 503"),
        "{run}"
    );
    // The clients were written before; the next run starts from the old cursor.
    let connection = send_ok(kit.app.as_user(Method::GET, BASE, &admin), 200).await;
    assert_eq!(
        connection["cursor"],
        json!({"cases": null, "clients": null, "staff": null})
    );
    assert_eq!(connection["lastSuccessAt"], Value::Null);
}

#[tokio::test]
async fn two_replicas_started_together_run_it_once() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    connect(&kit, &admin).await;
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    let replica = kit.app.replica(&[MATTERS]).await;
    let token = kit.app.token(&admin);
    let post = |url: String| kit.app.http.post(url).bearer_auth(&token).send();
    let (a, b) = tokio::join!(
        post(kit.app.url(&format!("{BASE}sync"))),
        post(replica.url(&format!("{BASE}sync")))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409]);
    let (winner, loser) = if a.status() == 202 { (a, b) } else { (b, a) };
    let started: Value = winner.json().await.unwrap();
    let refused: Value = loser.json().await.unwrap();
    assert_eq!(code(&refused), "RESOURCE_CONFLICT");
    assert_eq!(refused["error"]["details"]["runId"], started["id"]);
    let run = finished(&kit.app, &admin, started["id"].as_str().unwrap()).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(count(&kit.app, "matters.mycase_runs", firm).await, 1);
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 3);

    // The schedulers of both replicas, started together, make one run too.
    let (stop, shutdown) = Shutdown::new();
    tokio::spawn(worker::worker(state_of(matters_env(&kit.app)))(
        shutdown.clone(),
    ));
    tokio::spawn(worker::worker(state_of(&replica.envs[0]))(shutdown));
    // Due now: the manual run is pushed back past the interval.
    owner(&kit.app)
        .await
        .batch_execute("alter table matters.mycase_runs disable trigger mycase_runs_finished_guard; \
                        update matters.mycase_runs set started_at = started_at - interval '1 hour'; \
                        alter table matters.mycase_runs enable trigger mycase_runs_finished_guard;")
        .await
        .unwrap();
    let scheduled = eventually(Duration::from_secs(15), || async {
        count(&kit.app, "matters.mycase_runs", firm).await == 2
    })
    .await;
    assert!(scheduled, "the scheduler made no run");
    let log = send_ok(
        kit.app.as_user(Method::GET, &format!("{BASE}runs"), &admin),
        200,
    )
    .await;
    let id = log["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(log["data"][0]["origin"], "SCHEDULE");
    let run = finished(&kit.app, &admin, &id).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(run["created"], 0);
    // A few more polls of both replicas: the interval has not passed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(count(&kit.app, "matters.mycase_runs", firm).await, 2);
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 3);
    let _ = stop.send(true);
}

#[tokio::test]
async fn the_connection_keeps_its_secret_sealed_and_never_answers_it() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    let created = connect(&kit, &admin).await;
    assert_eq!(created["hasClientSecret"], true);
    assert_eq!(created["hasRefreshToken"], false);
    assert_eq!(created["grantType"], "CLIENT_CREDENTIALS");
    let res = kit
        .app
        .as_user(Method::GET, BASE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let text = res.text().await.unwrap();
    assert!(
        !text.contains(SECRET) && !text.contains("clientSecret\""),
        "{text}"
    );
    let got: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["clientId"], "lawos-client");
    assert_eq!(got["intervalMinutes"], 15);
    // Sealed at rest.
    #[derive(diesel::QueryableByName)]
    struct Sealed {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        ciphertext: Vec<u8>,
    }
    let sealed: Sealed = diesel::sql_query("select ciphertext from matters.mycase_credentials")
        .get_result(&mut owner(&kit.app).await)
        .await
        .unwrap();
    assert!(
        !sealed
            .ciphertext
            .windows(SECRET.len())
            .any(|w| w == SECRET.as_bytes())
    );

    // A change without the secret keeps it; a stale If-Match is 412.
    let mut change = connection_body(&kit);
    change.as_object_mut().unwrap().remove("clientSecret");
    change["intervalMinutes"] = json!(30);
    let changed = send_ok(
        kit.app
            .as_user(Method::PUT, BASE, &admin)
            .header("if-match", &etag)
            .json(&change),
        200,
    )
    .await;
    assert_eq!(
        (
            changed["intervalMinutes"].as_i64(),
            changed["hasClientSecret"].as_bool()
        ),
        (Some(30), Some(true))
    );
    let (status, body) = send(
        kit.app
            .as_user(Method::PUT, BASE, &admin)
            .header("if-match", &etag)
            .json(&change),
    )
    .await;
    assert_eq!((status, code(&body)), (412, "PRECONDITION_FAILED"));

    // The stored secret still opens: a run authenticates with it.
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    assert_eq!(sync(&kit, &admin).await["status"], "SUCCEEDED");

    // Disconnecting keeps the log, destroys the secret, stops the sync.
    send_ok(kit.app.as_user(Method::DELETE, BASE, &admin), 204).await;
    let (status, body) = send(kit.app.as_user(Method::GET, BASE, &admin)).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, _) = send(
        kit.app
            .as_user(Method::POST, &format!("{BASE}sync"), &admin),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(count(&kit.app, "matters.mycase_credentials", firm).await, 0);
    let log = send_ok(
        kit.app.as_user(Method::GET, &format!("{BASE}runs"), &admin),
        200,
    )
    .await;
    assert_eq!(log["data"].as_array().unwrap().len(), 1);
    // Connecting again is a new connection (201).
    connect(&kit, &admin).await;
}

#[tokio::test]
async fn another_firm_sees_nothing_of_the_sync() {
    let kit = kit().await;
    let (firm, other) = (FirmId(Uuid::now_v7()), FirmId(Uuid::now_v7()));
    let admin = firm_admin(firm);
    connect(&kit, &admin).await;
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    let run = sync(&kit, &admin).await;
    let theirs = firm_admin(other);
    let (status, body) = send(kit.app.as_user(Method::GET, BASE, &theirs)).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, _) = send(kit.app.as_user(Method::DELETE, BASE, &theirs)).await;
    assert_eq!(status, 404);
    let (status, _) = send(
        kit.app
            .as_user(Method::POST, &format!("{BASE}sync"), &theirs),
    )
    .await;
    assert_eq!(status, 404);
    let log = send_ok(
        kit.app
            .as_user(Method::GET, &format!("{BASE}runs"), &theirs),
        200,
    )
    .await;
    assert_eq!(log["data"], json!([]));
    let id = run["id"].as_str().unwrap();
    let (status, _) = send(
        kit.app
            .as_user(Method::GET, &format!("{BASE}runs/{id}"), &theirs),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(count(&kit.app, "matters.matters", other).await, 0);
    assert_eq!(count(&kit.app, "contacts.clients", other).await, 0);
    let lawyer = assign(&kit.app, other, "LAWYER").await;
    let page = send_ok(
        kit.app.as_user(Method::GET, "/api/v1/matters/", &lawyer),
        200,
    )
    .await;
    assert_eq!(page["data"], json!([]));
}

#[tokio::test]
async fn a_lawyer_may_not_administer_the_sync() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    connect(&kit, &firm_admin(firm)).await;
    let lawyer = TestUser::member(firm, "LAWYER");
    for (m, p) in [
        (Method::GET, BASE.to_owned()),
        (Method::PUT, BASE.to_owned()),
        (Method::DELETE, BASE.to_owned()),
        (Method::POST, format!("{BASE}sync")),
        (Method::GET, format!("{BASE}runs")),
    ] {
        let (status, body) = send(
            kit.app
                .as_user(m.clone(), &p, &lawyer)
                .json(&connection_body(&kit)),
        )
        .await;
        assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"), "{m} {p}");
    }
    assert_eq!(count(&kit.app, "matters.mycase_runs", firm).await, 0);
    let (status, _) = send(kit.app.as_user(Method::GET, BASE, &firm_admin(firm))).await;
    assert_eq!(status, 200, "the connection is untouched");
}

#[tokio::test]
async fn bad_input_is_a_422_naming_each_field() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    let (status, body) = send(kit.app.as_user(Method::PUT, BASE, &admin).json(&json!({
        "baseUrl": "ftp://mycase.example", "grantType": "password", "intervalMinutes": 1
    })))
    .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    assert_eq!(
        fields(&body),
        [
            "baseUrl",
            "grantType",
            "clientId",
            "clientSecret",
            "intervalMinutes"
        ]
    );
    let (status, body) = send(kit.app.as_user(Method::PUT, BASE, &admin).json(&json!({
        "grantType": "REFRESH_TOKEN", "clientId": "c", "clientSecret": "s"
    })))
    .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["refreshToken".to_owned()])
    );
    let (status, body) = send(kit.app.as_user(
        Method::GET,
        &format!("{BASE}runs?status=DONE&limit=0"),
        &admin,
    ))
    .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    assert_eq!(fields(&body), ["status", "limit"]);
    assert_eq!(count(&kit.app, "matters.mycase_connections", firm).await, 0);
    let (status, body) = send(
        kit.app
            .as_user(Method::POST, &format!("{BASE}sync"), &admin),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (404, "RESOURCE_NOT_FOUND"),
        "no connection yet"
    );
}

#[tokio::test]
async fn records_that_fail_make_a_partial_run_that_keeps_the_cursor() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    connect(&kit, &admin).await;
    let t = "2026-03-01T10:00:00Z";
    let mut bad = client(10, "Grace", "Hopper", t);
    bad["email"] = json!("not an e-mail");
    let cases = [
        case(41, "Smith v. Jones", 9, "Intake", t),
        // Its client is not among the changed ones: asked of MyCase by id.
        case(44, "Lee v. Park", 12, "Discovery", t),
        // Its client is nowhere in MyCase.
        case(45, "Orphan v. None", 99, "Discovery", t),
    ];
    serve(&kit, &cases, &[client(9, "Ada", "Lovelace", t), bad]).await;
    Mock::given(method("GET"))
        .and(path("/v1/clients/12"))
        .respond_with(ResponseTemplate::new(200).set_body_json(client(12, "Jin", "Lee", t)))
        .mount(&kit.mycase)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/clients/99"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&kit.mycase)
        .await;

    let run = sync(&kit, &admin).await;
    assert_eq!(run["status"], "PARTIAL", "{run}");
    assert_eq!(
        (run["created"].as_i64(), run["failed"].as_i64()),
        (Some(4), Some(2)),
        "{run}"
    );
    let failed: Vec<(&str, &str)> = run["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["externalId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(failed, [("CLIENT", "10"), ("CASE", "45")], "{run}");
    assert!(
        run["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("contacts refused the client")
    );
    assert_eq!(count(&kit.app, "matters.matters", firm).await, 2);
    assert_eq!(count(&kit.app, "contacts.clients", firm).await, 2);
    let lee = external_ref(&kit.app, firm, "CLIENT", "12").await.entity_id;
    assert!(lee.is_some(), "the client asked by id was synced");
    // The cursor does not move: the next run pulls everything again and
    // retries the failures; what was synced stays as it is.
    let connection = send_ok(kit.app.as_user(Method::GET, BASE, &admin), 200).await;
    assert_eq!(connection["cursor"]["cases"], Value::Null);
    let again = sync(&kit, &admin).await;
    assert_eq!(again["status"], "PARTIAL", "{again}");
    assert_eq!(
        (again["created"].as_i64(), again["failed"].as_i64()),
        (Some(0), Some(2)),
        "{again}"
    );
    assert_eq!(again["cursorBefore"]["cases"], Value::Null);
}

#[tokio::test]
async fn a_rotated_refresh_token_replaces_the_stored_one() {
    let kit = kit().await;
    let firm = FirmId(Uuid::now_v7());
    let admin = firm_admin(firm);
    let mut body = connection_body(&kit);
    body["grantType"] = json!("REFRESH_TOKEN");
    body["refreshToken"] = json!("rt-1");
    let created = send_ok(kit.app.as_user(Method::PUT, BASE, &admin).json(&body), 201).await;
    assert_eq!(created["hasRefreshToken"], true);
    let (cases, clients) = two_pages();
    serve(&kit, &cases, &clients).await;
    // `serve` answers client credentials; this token endpoint wants refresh tokens.
    for (given, rotated) in [("rt-1", "rt-2"), ("rt-2", "rt-3")] {
        Mock::given(method("POST"))
            .and(path("/tokens"))
            .and(body_partial_json(json!({
                "grant_type": "refresh_token", "client_id": "lawos-client",
                "client_secret": SECRET, "refresh_token": given
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "at-1", "refresh_token": rotated, "token_type": "bearer"
            })))
            .with_priority(1)
            .mount(&kit.mycase)
            .await;
    }
    assert_eq!(sync(&kit, &admin).await["status"], "SUCCEEDED");
    assert_eq!(sync(&kit, &admin).await["status"], "SUCCEEDED");
    let sent: Vec<String> = kit
        .mycase
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/tokens")
        .map(|r| {
            r.body_json::<Value>().unwrap()["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        sent,
        ["rt-1", "rt-2"],
        "the second run used the rotated token"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_sync_routes() {
    let kit = kit().await;
    let doc: Value = kit
        .app
        .http
        .get(kit.app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    let conn = &paths[BASE];
    for (m, statuses) in [
        ("get", &["200", "401", "403", "404"][..]),
        ("put", &["200", "201", "400", "403", "412", "422"][..]),
        ("delete", &["204", "403", "404", "409"][..]),
    ] {
        for s in statuses {
            assert!(conn[m]["responses"][s].is_object(), "{m} {s}");
        }
    }
    assert!(conn["put"]["requestBody"]["content"]["application/json"]["schema"].is_object());
    assert!(conn["get"]["responses"]["200"]["content"].is_object());
    assert_eq!(
        conn["get"]["responses"]["403"]["content"]["application/json"]["schema"]["$ref"],
        conn["get"]["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    );
    let sync = &paths[format!("{BASE}sync")]["post"];
    for s in ["202", "403", "404", "409"] {
        assert!(sync["responses"][s].is_object(), "sync {s}");
    }
    assert!(sync["responses"]["202"]["content"].is_object());
    let runs = &paths[format!("{BASE}runs")]["get"];
    let mut params: Vec<&str> = runs["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    params.sort_unstable();
    assert_eq!(params, ["cursor", "limit", "status"]);
    assert!(runs["responses"]["422"].is_object());
    let run = &paths[format!("{BASE}runs/{{id}}")]["get"];
    assert_eq!(run["parameters"][0]["name"], "id");
    assert_eq!(run["parameters"][0]["schema"]["format"], "uuid");
}
