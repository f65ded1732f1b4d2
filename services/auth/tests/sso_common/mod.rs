//! Helpers of the SSO tests: a real OpenID Connect provider (`tests/oidc`,
//! node-oidc-provider) on a loopback port, the `lawos-auth` binary started with
//! SSO settings, and a small browser (cookies, no automatic redirects) that
//! walks the redirect dance and the provider's login and consent forms.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

pub const CLIENT_ID: &str = "lawos-platform";
pub const CLIENT_SECRET: &str = "lawos-platform-test-secret-0123456789";

/// Kills the child when dropped, so a failing test leaves no process behind.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Fails, saying what to install, when node or the provider package is missing.
fn require_tools() {
    let node = Command::new("node").arg("--version").output();
    match node {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "the SSO tests need Node.js (20 or newer) and npm: install them \
             (Debian/Ubuntu: apt-get install nodejs npm), then run scripts/test-tools.sh"
        ),
    }
    assert!(
        oidc_dir().join("node_modules/oidc-provider").is_dir(),
        "the OpenID provider package is not installed: run scripts/test-tools.sh \
         (npm ci --prefix services/auth/tests/oidc)"
    );
}

/// A person the provider knows: subject, e-mail, name, whether the e-mail is verified.
pub struct Account<'a> {
    pub subject: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub email_verified: bool,
}

/// A running OpenID provider.
pub struct Provider {
    pub issuer: String,
    _process: Running,
}

impl Provider {
    /// Starts `tests/oidc/provider.mjs` with one client (`CLIENT_ID`) whose
    /// redirect URI is `redirect_uri`, knowing `accounts`.
    pub fn start(redirect_uri: &str, accounts: &[Account<'_>]) -> Self {
        require_tools();
        let accounts: serde_json::Map<String, Value> = accounts
            .iter()
            .map(|a| {
                (
                    a.subject.to_owned(),
                    json!({ "email": a.email, "name": a.name, "email_verified": a.email_verified }),
                )
            })
            .collect();
        let mut child = Command::new("node")
            .arg(oidc_dir().join("provider.mjs"))
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .env("OIDC_ACCOUNTS", Value::Object(accounts).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start the OpenID provider (node): {e}"));
        let stdout = child.stdout.take().unwrap();
        let running = Running(child);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the OpenID provider did not report its port within 30 s");
        let ready: Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("the OpenID provider printed {line:?}: {e}"));
        Self {
            issuer: ready["issuer"].as_str().unwrap().to_owned(),
            _process: running,
        }
    }

    pub async fn metadata(&self) -> Value {
        reqwest::get(format!("{}/.well-known/openid-configuration", self.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// The `lawos-auth` binary on its own database, serving on `port`.
pub struct Auth {
    pub base: String,
    pub db: TestDatabase,
    _process: Running,
}

/// The callback URL of `provider` at the auth service on `port`.
pub fn redirect_uri(port: u16, provider: &str) -> String {
    format!("http://127.0.0.1:{port}/api/v1/auth/sso/{provider}/callback")
}

impl Auth {
    /// Migrates a fresh database and serves on `port` with `env` (the SSO settings).
    pub async fn start(port: u16, env: &[(String, String)]) -> Self {
        let db = TestDatabase::empty().await.unwrap();
        let binary = env!("CARGO_BIN_EXE_lawos-auth");
        let command = |arg: &str| {
            let mut cmd = Command::new(binary);
            cmd.arg(arg)
                .env("LAWOS_DATABASE_URL", db.admin_url())
                .env("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD)
                .env(
                    "LAWOS_REDIS_PREFIX",
                    format!("test:{}", Uuid::now_v7().simple()),
                )
                .env("LAWOS_CURSOR_KEY", "test-cursor-key")
                .env("LAWOS_HTTP_WORKERS", "1")
                .env("LAWOS_HTTP_ADDR", format!("127.0.0.1:{port}"))
                .env("LAWOS_JWT_ISSUER", format!("http://127.0.0.1:{port}"))
                .env("LAWOS_RATE_LIMIT", "off")
                .env("RUST_LOG", "warn")
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdout(Stdio::null());
            cmd
        };
        let status = command("migrate").status().unwrap();
        assert!(status.success(), "lawos-auth migrate failed");
        let running = Running(command("serve").spawn().unwrap());
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(res) = http.get(format!("{base}/readyz")).send().await
                && res.status() == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "lawos-auth did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self {
            base,
            db,
            _process: running,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs `sql` as the database owner (test set-up and checks only).
    pub async fn sql(&self, sql: &str) {
        use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
        let mut conn = AsyncPgConnection::establish(&self.db.admin_url())
            .await
            .unwrap();
        conn.batch_execute(sql).await.unwrap();
    }

    /// The first column of a one-row text query, run as the database owner.
    pub async fn text(&self, query: &str) -> Option<String> {
        use diesel::sql_types::{Nullable, Text};
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Nullable<Text>)]
            v: Option<String>,
        }
        let mut conn = AsyncPgConnection::establish(&self.db.admin_url())
            .await
            .unwrap();
        diesel::sql_query(query)
            .load::<Row>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .next()
            .and_then(|r| r.v)
    }

    /// A provisioned local user with a profile in `firm` (role), as the
    /// provisioning API leaves them. Returns the user id.
    pub async fn seed_user(&self, email: &str, name: &str, firm: Uuid, role: &str) -> Uuid {
        let id = Uuid::now_v7();
        self.sql(&format!(
            "INSERT INTO auth.users (id, issuer, subject, email, full_name) \
             VALUES ('{id}', 'urn:lawos:local', '{id}', '{email}', '{name}'); \
             INSERT INTO auth.firm_user_profiles (firm_id, user_id, role, is_lawyer) \
             VALUES ('{firm}', '{id}', '{role}', {});",
            role == "LAWYER"
        ))
        .await;
        id
    }

    /// `(issuer, subject, synced_at is set)` of the user.
    pub async fn identity(&self, user: Uuid) -> (String, String, bool) {
        let get =
            |col: &str| format!("SELECT {col}::text AS v FROM auth.users WHERE id = '{user}'");
        (
            self.text(&get("issuer")).await.unwrap(),
            self.text(&get("subject")).await.unwrap(),
            self.text(&get("synced_at")).await.is_some(),
        )
    }
}

/// The SSO settings of provider `name` for the auth service on `port`.
pub fn sso_env(name: &str, issuer: &str, port: u16, firm: Option<Uuid>) -> Vec<(String, String)> {
    let upper = name.to_uppercase().replace('-', "_");
    let mut env = vec![
        ("LAWOS_SSO_PROVIDERS".to_owned(), name.to_owned()),
        (format!("LAWOS_SSO_{upper}_ISSUER"), issuer.to_owned()),
        (format!("LAWOS_SSO_{upper}_CLIENT_ID"), CLIENT_ID.to_owned()),
        (
            format!("LAWOS_SSO_{upper}_CLIENT_SECRET"),
            CLIENT_SECRET.to_owned(),
        ),
        (
            format!("LAWOS_SSO_{upper}_REDIRECT_URL"),
            redirect_uri(port, name),
        ),
    ];
    if let Some(firm) = firm {
        env.push((format!("LAWOS_SSO_{upper}_FIRM_ID"), firm.to_string()));
    }
    env
}

/// What the browser does at the provider's forms.
#[derive(Clone, Copy)]
pub enum AtProvider<'a> {
    /// Signs in as this subject and consents.
    SignIn(&'a str),
    /// Cancels at the login form (the provider answers `error=access_denied`).
    Cancel,
}

/// A browser: its own cookies, redirects followed by hand.
pub struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

/// The value of attribute `name` in an HTML tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// The first form of `html`: its action and its inputs' names and values.
fn form(html: &str) -> (String, Vec<(String, String)>) {
    let start = html.find("<form").expect("a form");
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[start..end];
    let head_end = form.find('>').unwrap();
    let action = attribute(&form[..head_end], "action").expect("a form action");
    let mut fields = Vec::new();
    for piece in form.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
    }
    (action, fields)
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn keep_cookies(&mut self, res: &reqwest::Response) {
        for value in res.headers().get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let expired = text
                .to_ascii_lowercase()
                .contains("expires=thu, 01 jan 1970");
            if value.is_empty() || expired {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let res = self
            .http
            .get(url)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        res
    }

    async fn post(&mut self, url: &str, fields: &[(String, String)]) -> reqwest::Response {
        let res = self
            .http
            .post(url)
            .header(COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        res
    }

    /// `GET /api/v1/auth/sso/{provider}/login`: the provider's authorization URL.
    pub async fn start_login(&mut self, auth: &Auth, provider: &str) -> String {
        let res = self
            .get(&auth.url(&format!("/api/v1/auth/sso/{provider}/login")))
            .await;
        assert_eq!(res.status(), 302, "login redirects to the provider");
        assert_eq!(res.headers()["cache-control"], "no-store");
        res.headers()[LOCATION].to_str().unwrap().to_owned()
    }

    /// Walks from `url` (at the provider) through its redirects and forms
    /// until it redirects to a URL starting with `until`; answers that URL.
    pub async fn walk(&mut self, url: &str, until: &str, act: AtProvider<'_>) -> String {
        let mut next: (String, Option<Vec<(String, String)>>) = (url.to_owned(), None);
        for _ in 0..20 {
            let (url, form_fields) = next.clone();
            let res = match &form_fields {
                None => self.get(&url).await,
                Some(fields) => self.post(&url, fields).await,
            };
            let here = res.url().clone();
            if res.status().is_redirection() {
                let location = res.headers()[LOCATION].to_str().unwrap().to_owned();
                let target = here.join(&location).unwrap().to_string();
                if target.starts_with(until) {
                    return target;
                }
                next = (target, None);
                continue;
            }
            let status = res.status();
            let html = res.text().await.unwrap();
            assert_eq!(status, 200, "the provider answered {status}: {html}");
            let (action, mut fields) = form(&html);
            let is_login = fields.iter().any(|(name, _)| name == "login");
            match act {
                AtProvider::Cancel if is_login => {
                    let start = html.find("/abort").expect("a cancel link");
                    let href_start = html[..start].rfind('"').unwrap() + 1;
                    let href = &html[href_start..start + "/abort".len()];
                    next = (here.join(href).unwrap().to_string(), None);
                    continue;
                }
                AtProvider::SignIn(subject) if is_login => {
                    for (name, value) in &mut fields {
                        match name.as_str() {
                            "login" => *value = subject.to_owned(),
                            "password" => *value = "any password".to_owned(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            next = (here.join(&action).unwrap().to_string(), Some(fields));
        }
        panic!("the provider did not redirect back within 20 steps");
    }
}

/// `url` with query parameter `name` set to `value`.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// A query parameter of `url`.
pub fn param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An ID token the provider issues to `CLIENT_ID` for `subject`, obtained the
/// way a client app would (code flow with PKCE) without the auth service.
pub async fn id_token_from(provider: &Provider, redirect: &str, subject: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let verifier = format!("{}{}", Uuid::now_v7().simple(), Uuid::now_v7().simple());
    let challenge = b64.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let metadata = provider.metadata().await;
    let mut authorize = Url::parse(metadata["authorization_endpoint"].as_str().unwrap()).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email profile")
        .append_pair("redirect_uri", redirect)
        .append_pair("state", "client-app-state")
        .append_pair("nonce", "client-app-nonce")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let mut browser = Browser::new();
    let back = browser
        .walk(authorize.as_str(), redirect, AtProvider::SignIn(subject))
        .await;
    let code = param(&back, "code").expect("a code");
    let res = reqwest::Client::new()
        .post(metadata["token_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["id_token"].as_str().unwrap().to_owned()
}

/// Asserts the error envelope with `code` and returns its details.
pub async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["requestId"].is_string(), "{body}");
    body["error"]["details"].clone()
}
