//! "Independently deployable", proven: all twelve services (phases 1–9) run as
//! separate processes, each from its own binary (`lawos-auth`, `lawos-tenants`,
//! `lawos-rbac`, `lawos-events`, `lawos-contacts`, `lawos-matters`,
//! `lawos-channels`, `lawos-messages`, `lawos-tasks`, `lawos-documents`,
//! `lawos-billing`, `lawos-notifications`), started in
//! phase order with the settings a deployment gives them (ports of their own,
//! `LAWOS_*_URL` pointing at each other, tokens from auth's JWKS, service tokens
//! by `client_credentials` with secrets made by `lawos-auth create-service-account`),
//! and one flow walks across them over HTTP:
//!
//! firm (tenants) → user (auth, which assigns the role in rbac) → login (auth)
//! → client (contacts, deciding with rbac) → matter (matters, which checks the
//! client at contacts) → the matter's audit trail (matters, from events, which
//! recorded the event that matters' relay published to RabbitMQ) and the firm's
//! (tenants, from events) → the matter's default channel (channels, made from
//! matters' `matter.created` through RabbitMQ) → a message in it (written by
//! messages as the caller, read back through channels) → a task on the matter
//! (tasks) → a document uploaded to the S3 store and completed (documents) → a
//! time entry (billing) → a stage change that reaches the matter's other
//! member as a notification (notifications, from matters' event through
//! RabbitMQ) but not the actor; another firm's user sees none of it.
//!
//! Run alone: `cargo nextest run -p lawos --test multi_process` (it builds the
//! service binaries it needs; `LAWOS_E2E_BUILD=never` uses those in `target/`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use support::processes::{Deployment, Service};

/// The services the flow crosses, in phase order (ARCHITECTURE §1).
const SERVICES: [Service; 12] = [
    Service {
        name: "auth",
        phase: 1,
    },
    Service {
        name: "tenants",
        phase: 1,
    },
    Service {
        name: "rbac",
        phase: 2,
    },
    Service {
        name: "events",
        phase: 3,
    },
    Service {
        name: "contacts",
        phase: 4,
    },
    Service {
        name: "matters",
        phase: 5,
    },
    Service {
        name: "channels",
        phase: 6,
    },
    Service {
        name: "messages",
        phase: 6,
    },
    Service {
        name: "tasks",
        phase: 7,
    },
    Service {
        name: "documents",
        phase: 7,
    },
    Service {
        name: "billing",
        phase: 8,
    },
    Service {
        name: "notifications",
        phase: 9,
    },
];

/// How long an event may take from the owner's commit to its audit trail.
const AUDIT_WITHIN: Duration = Duration::from_secs(20);
/// The whole run once the binaries are built: start, flow, stop.
const RUN_WITHIN: Duration = Duration::from_secs(240);

struct Api {
    http: reqwest::Client,
}

impl Api {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap(),
        }
    }

    fn request(&self, method: Method, url: String, token: &str) -> RequestBuilder {
        self.http.request(method, url).bearer_auth(token)
    }

    /// Sends `req`; its status and JSON body (`null` when there is none).
    async fn send(&self, req: RequestBuilder) -> (u16, Value) {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn expect(&self, req: RequestBuilder, want: u16, what: &str) -> Value {
        let (status, body) = self.send(req).await;
        assert_eq!(status, want, "{what}: {body}");
        body
    }

    /// The password grant at auth: an access token.
    async fn login(&self, auth: &str, username: &str, password: &str) -> String {
        let body = self
            .expect(
                self.http.post(format!("{auth}/oauth/token")).form(&[
                    ("grant_type", "password"),
                    ("username", username),
                    ("password", password),
                ]),
                200,
                &format!("password grant for {username}"),
            )
            .await;
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Polls `GET url` until its page of events holds `event_type`; the page.
    /// The id of the matter's default channel, once channels has made it.
    async fn default_channel(&self, channels: &str, token: &str, matter_id: &str) -> String {
        let url = format!("{channels}/api/v1/channels/?context_type=MATTER&context_id={matter_id}");
        let started = Instant::now();
        loop {
            let (status, body) = self
                .send(self.request(Method::GET, url.clone(), token))
                .await;
            assert_eq!(status, 200, "GET {url}: {body}");
            if let Some(channel) = body["data"].as_array().and_then(|d| d.first()) {
                return id_of(channel);
            }
            assert!(
                started.elapsed() < AUDIT_WITHIN,
                "no default channel for matter {matter_id} within {}s",
                AUDIT_WITHIN.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Polls `url` (a page) until it holds a row; the page.
    async fn eventually_listed(&self, url: String, token: &str) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self
                .send(self.request(Method::GET, url.clone(), token))
                .await;
            assert_eq!(status, 200, "GET {url}: {body}");
            if body["data"].as_array().is_some_and(|d| !d.is_empty()) {
                eprintln!(
                    "e2e: {url} listed after {:.2}s",
                    started.elapsed().as_secs_f64()
                );
                return body;
            }
            assert!(
                started.elapsed() < AUDIT_WITHIN,
                "nothing listed at {url} within {}s",
                AUDIT_WITHIN.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn audit_shows(&self, url: String, token: &str, event_type: &str) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self
                .send(self.request(Method::GET, url.clone(), token))
                .await;
            assert_eq!(status, 200, "GET {url}: {body}");
            let types = event_types(&body);
            if types.iter().any(|t| t == event_type) {
                eprintln!(
                    "e2e: {event_type} in {url} after {:.2}s",
                    started.elapsed().as_secs_f64()
                );
                return body;
            }
            assert!(
                started.elapsed() < AUDIT_WITHIN,
                "{event_type} did not reach {url} within {}s; it shows {types:?}",
                AUDIT_WITHIN.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

fn event_types(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|e| e["type"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn id_of(body: &Value) -> String {
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_walks_across_services_running_as_separate_processes() {
    let mut deployment = Deployment::prepare(&SERVICES).await;
    let run = tokio::time::timeout(RUN_WITHIN, walk(&mut deployment)).await;
    if run.is_err() {
        panic!(
            "the multi-process run did not finish within {}s; {}",
            RUN_WITHIN.as_secs(),
            deployment.diagnostics()
        );
    }
}

async fn walk(deployment: &mut Deployment) {
    let started = Instant::now();
    eprintln!(
        "e2e: database {}, logs in {}",
        deployment.database(),
        deployment.logs.display()
    );
    deployment.migrate(&SERVICES).await;
    deployment.create_service_accounts(&SERVICES).await;
    deployment.start(&SERVICES).await;
    // The audit log's consumer must have bound its queue before events are published.
    deployment
        .wait_for_queue("events.events", Duration::from_secs(20))
        .await;
    eprintln!(
        "e2e: {} processes up in {:.1}s: {:?}",
        SERVICES.len(),
        started.elapsed().as_secs_f64(),
        deployment.pids()
    );

    let api = Api::new();
    let auth = deployment.url("auth");
    let tenants = deployment.url("tenants");
    let contacts = deployment.url("contacts");
    let matters = deployment.url("matters");
    let channels = deployment.url("channels");
    let tasks = deployment.url("tasks");
    let documents = deployment.url("documents");
    let billing = deployment.url("billing");
    let notifications = deployment.url("notifications");

    // The bootstrap administrator (LAWOS_ADMIN_EMAIL / LAWOS_ADMIN_PASSWORD) logs in at auth.
    let admin = api
        .login(&auth, &deployment.admin_email, &deployment.admin_password)
        .await;

    // Two firms at tenants (validating the administrator's token against auth's JWKS).
    let run = uuid::Uuid::now_v7().simple().to_string();
    let tag = &run[run.len() - 10..];
    let mut firms = Vec::new();
    for name in ["alpha", "beta"] {
        let firm = api
            .expect(
                api.request(Method::POST, format!("{tenants}/api/v1/tenants/"), &admin)
                    .json(&json!({
                        "name": format!("E2E {name} {tag} LLP"),
                        "slug": format!("e2e-{name}-{tag}"),
                        "contactEmail": format!("office@{name}-{tag}.e2e.lawos.test"),
                        "billingPlan": "enterprise",
                        "createLogtoOrg": false
                    })),
                201,
                "create a firm at tenants",
            )
            .await;
        firms.push(id_of(&firm));
    }
    let (firm, other_firm) = (firms[0].clone(), firms[1].clone());

    // A lawyer in each firm, provisioned at auth, which assigns the role in rbac.
    let password = "e2e-lawyer-password";
    let mut lawyers = Vec::new();
    for (firm_id, name, role) in [
        (&firm, "alpha", "LAWYER"),
        (&other_firm, "beta", "LAWYER"),
        (&firm, "alpha-associate", "LAWYER"),
        (&firm, "alpha-admin", "FIRM_ADMIN"),
    ] {
        let email = format!("lawyer@{name}-{tag}.e2e.lawos.test");
        let user = api
            .expect(
                api.request(
                    Method::POST,
                    format!("{auth}/api/v1/auth/firms/{firm_id}/users"),
                    &admin,
                )
                .json(&json!({
                    "email": email,
                    "fullName": format!("Lawyer {name}"),
                    "role": role,
                    "password": password
                })),
                201,
                "provision a lawyer at auth (role assigned in rbac)",
            )
            .await;
        assert!(
            user["roleAssignmentId"].is_string(),
            "rbac answered the assignment: {user}"
        );
        lawyers.push((id_of(&user), api.login(&auth, &email, password).await));
    }
    let (lawyer_id, lawyer) = lawyers[0].clone();
    let other_lawyer = lawyers[1].1.clone();
    let (associate_id, associate) = lawyers[2].clone();
    let firm_admin = lawyers[3].1.clone();

    // A client at contacts (which asks rbac for the lawyer's capabilities).
    let client = api
        .expect(
            api.request(
                Method::POST,
                format!("{contacts}/api/v1/contacts/clients/"),
                &lawyer,
            )
            .json(&json!({
                "type": "INDIVIDUAL",
                "fullName": "Jane Doe",
                "email": format!("jane@{tag}.e2e.lawos.test"),
                "status": "ACTIVE"
            })),
            201,
            "create a client at contacts",
        )
        .await;
    let client_id = id_of(&client);
    api.expect(
        api.request(
            Method::GET,
            format!("{contacts}/api/v1/contacts/clients/{client_id}"),
            &lawyer,
        ),
        200,
        "read the client back",
    )
    .await;

    // A matter at matters, whose client is checked at contacts over REST: an
    // unknown client is refused naming clientId, the real one is accepted.
    let matter_body = |client: &str| {
        json!({
            "title": "Doe v. Roe",
            "matterType": "CIVIL",
            "practiceArea": "Personal Injury",
            "clientId": client
        })
    };
    let unknown = api
        .expect(
            api.request(Method::POST, format!("{matters}/api/v1/matters/"), &lawyer)
                .json(&matter_body(&uuid::Uuid::now_v7().to_string())),
            422,
            "a matter for a client contacts does not know",
        )
        .await;
    assert!(
        unknown.to_string().contains("clientId"),
        "the 422 names clientId: {unknown}"
    );
    let matter = api
        .expect(
            api.request(Method::POST, format!("{matters}/api/v1/matters/"), &lawyer)
                .json(&matter_body(&client_id)),
            201,
            "create a matter at matters",
        )
        .await;
    let matter_id = id_of(&matter);
    assert_eq!(matter["clientId"], json!(client_id), "{matter}");

    // Its audit trail: the relay of matters published matter.created to
    // RabbitMQ, events recorded it, matters answers the trail from events.
    let trail = api
        .audit_shows(
            format!("{matters}/api/v1/matters/{matter_id}/events"),
            &lawyer,
            "matter.created",
        )
        .await;
    let created = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "matter.created")
        .unwrap();
    assert_eq!(created["entity"]["id"], json!(matter_id), "{created}");
    assert_eq!(created["firmId"], json!(firm), "{created}");
    assert_eq!(
        created["actor"]["userId"],
        json!(lawyer_id),
        "the lawyer's identity travelled with the event: {created}"
    );

    // The firm's trail at tenants shows firm.created the same way.
    api.audit_shows(
        format!("{tenants}/api/v1/tenants/{firm}/events"),
        &admin,
        "firm.created",
    )
    .await;

    // The matter's default channel, made by channels from matter.created
    // (through RabbitMQ), and a message in it: written by messages as the
    // lawyer, read back through channels.
    let channel_id = api.default_channel(&channels, &lawyer, &matter_id).await;
    let thread = format!("{channels}/api/v1/channels/{channel_id}/messages");
    let sent = api
        .expect(
            api.request(Method::POST, thread.clone(), &lawyer)
                .json(&json!({ "body": "The hearing moved to Friday" })),
            201,
            "send a message through the matter's channel",
        )
        .await;
    assert_eq!(sent["channelId"], json!(channel_id), "{sent}");
    let page = api
        .expect(
            api.request(Method::GET, thread.clone(), &lawyer),
            200,
            "read the channel's thread",
        )
        .await;
    assert_eq!(page["data"][0]["id"], sent["id"], "{page}");
    assert_eq!(
        page["data"][0]["senderUserId"],
        json!(lawyer_id),
        "the message is the lawyer's: {page}"
    );

    // Phase 7: a task on the matter (tasks checks the matter at matters) and a
    // document uploaded straight to the S3 store, then completed (documents
    // checks the size and hash the store holds).
    let task = api
        .expect(
            api.request(Method::POST, format!("{tasks}/api/v1/tasks/"), &lawyer)
                .json(&json!({ "title": "File the motion", "matterId": matter_id })),
            201,
            "create a task on the matter at tasks",
        )
        .await;
    let task_id = id_of(&task);
    let bytes = b"MOTION TO COMPEL\n\nThe plaintiff moves the court to compel discovery.\n";
    let started_upload = api
        .expect(
            api.request(
                Method::POST,
                format!("{documents}/api/v1/documents/"),
                &lawyer,
            )
            .json(&json!({
                "resourceType": "MATTER",
                "resourceId": matter_id,
                "category": "PLEADING",
                "fileName": "motion.txt",
                "mimeType": "text/plain",
                "fileSize": bytes.len(),
                "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
            })),
            201,
            "start a document upload at documents",
        )
        .await;
    let upload = &started_upload["upload"];
    let mut put = api.http.put(upload["url"].as_str().unwrap());
    for (k, v) in upload["headers"].as_object().unwrap() {
        if k != "content-length" {
            put = put.header(k.as_str(), v.as_str().unwrap());
        }
    }
    let stored = put.body(bytes.to_vec()).send().await.unwrap().status();
    assert_eq!(stored.as_u16(), 200, "the S3 store took the upload");
    let document_id = started_upload["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version_id = started_upload["version"]["id"].as_str().unwrap().to_owned();
    api.expect(
        api.request(
            Method::POST,
            format!("{documents}/api/v1/documents/{document_id}/versions/{version_id}/complete"),
            &lawyer,
        ),
        200,
        "complete the upload at documents",
    )
    .await;

    // Phase 8: the firm's administrator sets the lawyer's rate; the lawyer's
    // time on the matter at billing.
    api.expect(
        api.request(
            Method::POST,
            format!("{billing}/api/v1/billing/rates/"),
            &firm_admin,
        )
        .json(&json!({
            "userId": lawyer_id,
            "rateMinor": 30_000,
            "currency": "USD",
            "effectiveFrom": "2020-01-01"
        })),
        201,
        "set the lawyer's billing rate",
    )
    .await;
    let entry = api
        .expect(
            api.request(
                Method::POST,
                format!("{billing}/api/v1/billing/time-entries/"),
                &lawyer,
            )
            .json(&json!({
                "matterId": matter_id,
                "activityCode": "RESEARCH",
                "description": "Case law on discovery motions",
                "durationMinutes": 30
            })),
            201,
            "record time at billing",
        )
        .await;
    let entry_id = id_of(&entry);

    // Phase 9: the associate joins the matter's team; the lawyer moves the
    // stage; notifications (from matters' matter.stage_changed through
    // RabbitMQ) tells the associate, not the lawyer who did it.
    api.expect(
        api.request(
            Method::POST,
            format!("{matters}/api/v1/matters/{matter_id}/members"),
            &lawyer,
        )
        .json(&json!({ "userId": associate_id, "role": "ASSOCIATE" })),
        201,
        "add the associate to the matter's team",
    )
    .await;
    api.expect(
        api.request(
            Method::PUT,
            format!("{matters}/api/v1/matters/{matter_id}/stage"),
            &lawyer,
        )
        .json(&json!({ "stage": "IN_PROGRESS" })),
        200,
        "move the matter's stage",
    )
    .await;
    let stage_notices = format!("{notifications}/api/v1/notifications/?type=matter.stage_changed");
    let notices = api
        .eventually_listed(stage_notices.clone(), &associate)
        .await;
    let notice = &notices["data"][0];
    assert_eq!(notice["resourceId"], json!(matter_id), "{notice}");
    assert_eq!(notice["actorUserId"], json!(lawyer_id), "{notice}");
    for (who, token) in [
        ("the actor", &lawyer),
        ("another firm's lawyer", &other_lawyer),
    ] {
        let page = api
            .expect(
                api.request(Method::GET, stage_notices.clone(), token),
                200,
                &format!("{who}'s notifications"),
            )
            .await;
        assert_eq!(page["data"], json!([]), "{who} was notified: {page}");
    }

    // The other firm's lawyer sees neither the matter, nor its trail, nor the
    // client, nor the channel or its thread, nor its task, document or time.
    for url in [
        format!("{matters}/api/v1/matters/{matter_id}"),
        format!("{matters}/api/v1/matters/{matter_id}/events"),
        format!("{contacts}/api/v1/contacts/clients/{client_id}"),
        format!("{channels}/api/v1/channels/{channel_id}"),
        thread.clone(),
        format!("{tasks}/api/v1/tasks/{task_id}"),
        format!("{documents}/api/v1/documents/{document_id}"),
        format!("{billing}/api/v1/billing/time-entries/{entry_id}"),
    ] {
        api.expect(
            api.request(Method::GET, url.clone(), &other_lawyer),
            404,
            &format!("another firm's lawyer: GET {url}"),
        )
        .await;
    }
    // While the firm's own lawyer does.
    api.expect(
        api.request(
            Method::GET,
            format!("{matters}/api/v1/matters/{matter_id}"),
            &lawyer,
        ),
        200,
        "the firm's lawyer reads the matter",
    )
    .await;

    // Every call between processes carried a real service token: auth issued
    // one by client_credentials to each calling service (secrets from
    // `lawos-auth create-service-account`; no in-process signer exists here).
    let auth_log = deployment.log_lines("auth");
    for caller in ["auth", "tenants", "contacts", "matters"] {
        let client = format!("\"lawos-{caller}\"");
        assert!(
            auth_log
                .iter()
                .any(|l| l.contains("client credentials issued") && l.contains(&client)),
            "auth issued no client_credentials token to lawos-{caller}; {}",
            deployment.diagnostics()
        );
    }

    deployment.assert_all_running();
    eprintln!(
        "e2e: flow done in {:.1}s after the binaries were built",
        started.elapsed().as_secs_f64()
    );
}
