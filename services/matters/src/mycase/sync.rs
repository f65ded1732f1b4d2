//! One run of the MyCase sync for one firm.
//!
//! [`start`] records the run (`RUNNING`) in the firm's transaction, with the
//! connection row locked: the firm's live RUNNING run is the lock (the unique
//! index `mycase_runs_running_key`), so one run per firm works at a time
//! across replicas; a second start is 409 `RESOURCE_CONFLICT`. A RUNNING run
//! whose heartbeat is older than the lease (its replica stopped) is failed
//! first, so the firm is never locked out.
//!
//! [`execute`] then pulls, for each kind, the records MyCase changed since the
//! last successful run's cursor (less a small overlap), page by page: staff
//! first (matched by e-mail to the firm's members at auth), then clients
//! (created or changed at contacts through its API), then cases (matters,
//! upserted by MyCase id; the case number kept on the external reference; the
//! case's staff added to the matter's team). Each field is decided three-way
//! ([`super::merge`]): a field changed on both sides since the last sync keeps
//! the LawOS value and is recorded as a conflict. A record whose values equal
//! the ones last synced is left alone, so a rerun changes nothing.
//!
//! The run ends `SUCCEEDED` (its cursor is where the next run starts),
//! `PARTIAL` (some records failed; the cursor is not used, they are pulled
//! again) or `FAILED` (MyCase, contacts, auth or the database failed, or the
//! run was given up as abandoned). Counts are of cases and clients.

use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

use super::MyCaseState;
use super::api::{CallError, Page};
use super::merge::{Base, Decision};
use super::model::{
    CASE, CLIENT, Conflict, Connection, Cursor, ExternalRef, FAILED, PARTIAL, PROVIDER, RUNNING,
    Run, RunError, STAFF, SUCCEEDED,
};
use super::records::{McCase, McClient, McStaff, coarse_stage, timestamp};
use super::refs::{self, Synced};
use super::seal::Secrets;
use super::storage::{self, Finish};
use crate::events;
use crate::model::{Matter, MatterChanges, Member, NewMatter, StageChanges};
use crate::schema::matter_members;
use crate::stage::Stage;
use crate::storage::{matters, members, numbers};

/// At most this many conflicts and errors are kept per run (the counts go on).
const KEPT: usize = 200;
/// Unmatched staff asked of the directory again per run.
const STAFF_RECHECK: i64 = 50;

/// A started run and the connection it syncs.
#[derive(Debug, Clone)]
pub struct Started {
    pub run: Run,
    pub connection: Connection,
}

fn no_connection() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "The firm has no MyCase connection",
    )
    .with_details(json!({ "resourceType": "MyCaseConnection" }))
}

/// 409: the firm's sync is running already.
pub fn busy(run: Option<&Run>) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceConflict,
        "A MyCase sync of this firm is running already",
    )
    .with_details(json!({ "runId": run.map(|r| r.id) }))
}

fn lease_cutoff(state: &MyCaseState, now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::from_std(state.config.lease).unwrap_or(chrono::Duration::minutes(10))
}

/// Records a RUNNING run of `firm`'s connection; 404 without a connection,
/// 409 while another run of the firm is live.
#[tracing::instrument(skip(state))]
pub async fn start(
    state: &MyCaseState,
    firm: FirmId,
    origin: &'static str,
    by: Option<Uuid>,
) -> Result<Started, ApiError> {
    let now = Utc::now();
    let cutoff = lease_cutoff(state, now);
    let ctx = TenantCtx::firm(firm, by.map(lawos_core::UserId));
    with_tenant(&state.db, &ctx, |conn| {
        async move {
            let connection = storage::lock_connection(conn)
                .await?
                .ok_or_else(no_connection)?;
            let abandoned = storage::fail_abandoned(conn, cutoff, now).await?;
            if abandoned > 0 {
                tracing::warn!(firm_id = %firm, abandoned, "MyCase: abandoned runs failed");
            }
            if let Some(live) = storage::running(conn).await? {
                return Err(busy(Some(&live)));
            }
            let cursor_before = storage::last_success(conn, &connection)
                .await?
                .and_then(|r| r.cursor_after)
                .unwrap_or_else(|| Cursor::default().to_json());
            let run = Run {
                id: Uuid::now_v7(),
                firm_id: firm.0,
                connection_id: connection.id,
                origin: origin.to_owned(),
                requested_by: by,
                status: RUNNING.to_owned(),
                started_at: now,
                heartbeat_at: now,
                finished_at: None,
                cursor_before,
                cursor_after: None,
                created: 0,
                updated: 0,
                unchanged: 0,
                conflicts: 0,
                failed: 0,
                conflict_details: json!([]),
                errors: json!([]),
            };
            let run = storage::insert_run(conn, run)
                .await?
                .ok_or_else(|| busy(None))?;
            Ok(Started { run, connection })
        }
        .scope_boxed()
    })
    .await
}

/// Whether an error ends the run (rather than failing one record).
fn fatal(e: &ApiError) -> bool {
    matches!(
        e.code,
        ErrorCode::ServiceUnavailable | ErrorCode::InternalError
    )
}

/// An error that ends the run, said for its log.
fn stop(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ServiceUnavailable, message)
}

fn call(e: CallError) -> ApiError {
    stop(e.to_string())
}

#[derive(Default)]
struct Counts {
    created: i32,
    updated: i32,
    unchanged: i32,
    failed: i32,
    conflicts: i32,
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

struct Work<'a> {
    state: &'a MyCaseState,
    firm: FirmId,
    ctx: TenantCtx,
    run_id: Uuid,
    connection: Connection,
    base: String,
    secrets: Secrets,
    token: Option<String>,
    before: Cursor,
    reached: Cursor,
    counts: Counts,
    conflicts: Vec<Conflict>,
    errors: Vec<RunError>,
    last_beat: Mutex<Instant>,
}

fn cursor_of(c: &Cursor, kind: &str) -> Option<DateTime<Utc>> {
    match kind {
        CASE => c.cases,
        CLIENT => c.clients,
        _ => c.staff,
    }
}

fn advance(c: &mut Cursor, kind: &str, at: Option<DateTime<Utc>>) {
    let slot = match kind {
        CASE => &mut c.cases,
        CLIENT => &mut c.clients,
        _ => &mut c.staff,
    };
    if let Some(at) = at
        && slot.is_none_or(|was| at > was)
    {
        *slot = Some(at);
    }
}

/// A client's fields as contacts answers them, in the shape of
/// [`McClient::values`].
fn client_local(body: &Value) -> Value {
    let mut m = Map::new();
    for field in ["fullName", "email", "phone", "address", "status"] {
        m.insert(
            field.into(),
            body.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

/// A matter's synced fields (LawOS's side): the client as its id at contacts.
fn matter_local(m: &Matter) -> Map<String, Value> {
    let mut v = Map::new();
    v.insert("title".into(), json!(m.title));
    v.insert("description".into(), json!(m.description));
    v.insert("practiceArea".into(), json!(m.practice_area));
    v.insert("stage".into(), json!(coarse_stage(&m.stage)));
    v.insert("client".into(), json!(m.client_id));
    v
}

/// The matter type a practice area suggests (MyCase has no matter type).
fn matter_type(practice_area: Option<&str>) -> &'static str {
    let area = practice_area.unwrap_or_default().to_ascii_lowercase();
    for (word, kind) in [
        ("immigra", "IMMIGRATION"),
        ("family", "FAMILY"),
        ("divorce", "FAMILY"),
        ("criminal", "CRIMINAL"),
        ("dui", "CRIMINAL"),
        ("corporate", "CORPORATE"),
        ("business", "CORPORATE"),
        ("injury", "CIVIL"),
        ("civil", "CIVIL"),
    ] {
        if area.contains(word) {
            return kind;
        }
    }
    "OTHER"
}

/// The stage a matter at `current` moves to for MyCase's coarse `wanted`
/// (`None`: it is there already or the lifecycle does not allow it).
fn stage_move(current: Stage, wanted: &str) -> Option<Stage> {
    let to = match (wanted, current) {
        ("LEAD", _) => Stage::Lead,
        ("CLOSED", _) => Stage::Closed,
        (_, Stage::Closed | Stage::Archived) => Stage::InProgress,
        _ => Stage::Open,
    };
    (coarse_stage(current.as_str()) != wanted && current.may_become(to)).then_some(to)
}

fn new_ref(
    firm: Uuid,
    kind: &str,
    external_id: &str,
    entity_type: &str,
    now: DateTime<Utc>,
) -> ExternalRef {
    ExternalRef {
        id: Uuid::now_v7(),
        firm_id: firm,
        provider: PROVIDER.to_owned(),
        kind: kind.to_owned(),
        external_id: external_id.to_owned(),
        external_number: None,
        entity_type: entity_type.to_owned(),
        entity_id: None,
        remote_values: json!({}),
        local_values: json!({}),
        remote_updated_at: None,
        last_run_id: None,
        created_at: now,
        updated_at: now,
    }
}

fn conflict(
    kind: &str,
    external_id: &str,
    entity: Option<Uuid>,
    field: &str,
    reason: &str,
    lawos: Value,
    mycase: Value,
) -> Conflict {
    Conflict {
        kind: kind.to_owned(),
        external_id: external_id.to_owned(),
        entity_id: entity,
        field: field.to_owned(),
        reason: reason.to_owned(),
        lawos_value: lawos,
        mycase_value: mycase,
    }
}

/// Moves `current` to `to`, with its `matter.stage_changed`.
async fn move_stage(
    conn: &mut AsyncPgConnection,
    current: Matter,
    to: Stage,
    now: DateTime<Utc>,
) -> Result<Matter, ApiError> {
    let from = current.stage();
    let changes = StageChanges::to(&current, to, now);
    let moved = matters::update_stage(conn, current.id, changes, None, now).await?;
    events::stage_changed(conn, current.firm_id, current.id, from, to).await?;
    Ok(moved)
}

/// Whether `user` is on the matter's team now.
async fn on_team(conn: &mut AsyncPgConnection, matter: Uuid, user: Uuid) -> Result<bool, ApiError> {
    let n: i64 = matter_members::table
        .filter(matter_members::matter_id.eq(matter))
        .filter(matter_members::user_id.eq(user))
        .filter(matter_members::removed_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// Adds the members of `team` not on the matter's team yet; how many.
async fn add_team(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    matter: Uuid,
    team: &[(Uuid, &'static str)],
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut added = 0;
    for (user, role) in team {
        if on_team(conn, matter, *user).await? {
            continue;
        }
        let member = members::insert(
            conn,
            Member {
                id: Uuid::now_v7(),
                firm_id: firm,
                matter_id: matter,
                user_id: *user,
                role: (*role).to_owned(),
                starts_at: now,
                ends_at: None,
                added_by: None,
                removed_by: None,
                created_at: now,
                removed_at: None,
            },
        )
        .await?;
        events::member_added(conn, &member).await?;
        added += 1;
    }
    Ok(added)
}

impl<'a> Work<'a> {
    fn note_error(&mut self, kind: Option<&str>, external_id: Option<&str>, message: String) {
        if self.errors.len() < KEPT {
            self.errors.push(RunError {
                kind: kind.map(str::to_owned),
                external_id: external_id.map(str::to_owned),
                message,
            });
        }
    }

    fn note_conflicts(&mut self, found: Vec<Conflict>) {
        for c in found {
            self.counts.conflicts += 1;
            if self.conflicts.len() < KEPT {
                self.conflicts.push(c);
            }
        }
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.counts.created += 1,
            Outcome::Updated => self.counts.updated += 1,
            Outcome::Unchanged => self.counts.unchanged += 1,
        }
    }

    /// An access token (a new one after a 401).
    async fn token(&mut self) -> Result<String, ApiError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let c = &self.connection;
        let answer = self
            .state
            .api
            .token(
                &c.token_endpoint(&self.state.config),
                &c.grant_type,
                &c.client_id,
                &self.secrets,
            )
            .await
            .map_err(call)?;
        if let Some(rotated) = answer
            .refresh_token
            .filter(|t| self.secrets.refresh_token.as_ref() != Some(t))
            && c.grant_type == super::model::REFRESH_TOKEN
        {
            self.secrets.refresh_token = Some(rotated);
            self.store_secrets().await?;
        }
        self.token = Some(answer.access_token.clone());
        Ok(answer.access_token)
    }

    /// Keeps MyCase's rotated refresh token (sealed, as before).
    async fn store_secrets(&self) -> Result<(), ApiError> {
        let key = &self.state.config.key;
        let id = self.connection.id;
        let row = super::model::Credentials {
            connection_id: id,
            firm_id: self.firm.0,
            ciphertext: key.seal(id, &self.secrets)?,
            key_id: key.id().to_owned(),
            has_client_secret: self.secrets.client_secret.is_some(),
            has_refresh_token: self.secrets.refresh_token.is_some(),
            updated_at: Utc::now(),
        };
        with_tenant(&self.state.db, &self.ctx, |conn| {
            async move { storage::put_credentials(conn, row).await.map(drop) }.scope_boxed()
        })
        .await
    }

    /// One page of `resource`, with a new token once after a 401.
    async fn page(
        &mut self,
        resource: &str,
        since: Option<DateTime<Utc>>,
        page_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        for _ in 0..2 {
            let token = self.token().await?;
            let api = &self.state.api;
            let asked = api.list(&token, &self.base, resource, since, page_token);
            match self.beating(asked).await? {
                Ok(page) => return Ok(page),
                Err(CallError::Unauthorized) => self.token = None,
                Err(e) => return Err(call(e)),
            }
        }
        Err(call(CallError::Unauthorized))
    }

    /// One record of `resource` by id (`None`: MyCase has none).
    async fn one(&mut self, resource: &str, id: &str) -> Result<Option<Value>, ApiError> {
        for _ in 0..2 {
            let token = self.token().await?;
            let asked = self.state.api.one(&token, &self.base, resource, id);
            match self.beating(asked).await? {
                Ok(found) => return Ok(found),
                Err(CallError::Unauthorized) => self.token = None,
                Err(e) => return Err(call(e)),
            }
        }
        Err(call(CallError::Unauthorized))
    }

    /// `asked`, moving the heartbeat on while it waits (MyCase's retries
    /// after 429s can together outlast the lease).
    async fn beating<T>(&self, asked: impl std::future::Future<Output = T>) -> Result<T, ApiError> {
        tokio::pin!(asked);
        let every = (self.state.config.lease / 4).max(Duration::from_millis(100));
        loop {
            tokio::select! {
                done = &mut asked => return Ok(done),
                () = tokio::time::sleep(every) => self.beat().await?,
            }
        }
    }

    /// [`Self::beat`] when the last one is a quarter of the lease old.
    async fn beat_if_due(&self) -> Result<(), ApiError> {
        let due = self
            .last_beat
            .lock()
            .map(|at| at.elapsed() >= self.state.config.lease / 4)
            .unwrap_or(true);
        if due { self.beat().await } else { Ok(()) }
    }

    /// Moves the heartbeat on; an error when the run was given up meanwhile.
    async fn beat(&self) -> Result<(), ApiError> {
        if let Ok(mut at) = self.last_beat.lock() {
            *at = Instant::now();
        }
        let (id, now) = (self.run_id, Utc::now());
        let alive = with_tenant(&self.state.db, &self.ctx, |conn| {
            storage::heartbeat(conn, id, now).scope_boxed()
        })
        .await?;
        if alive {
            Ok(())
        } else {
            Err(stop("the run was given up as abandoned while it worked"))
        }
    }

    async fn find_ref(&self, kind: &str, id: &str) -> Result<Option<ExternalRef>, ApiError> {
        let (kind, id) = (kind.to_owned(), id.to_owned());
        with_tenant(&self.state.db, &self.ctx, |conn| {
            async move { refs::find(conn, &kind, &id, false).await }.scope_boxed()
        })
        .await
    }

    async fn save_ref(
        &self,
        existing: Option<ExternalRef>,
        kind: &str,
        id: &str,
        entity_type: &str,
        synced: Synced,
    ) -> Result<(), ApiError> {
        let row = new_ref(self.firm.0, kind, id, entity_type, synced.now);
        with_tenant(&self.state.db, &self.ctx, |conn| {
            async move {
                let r = match existing {
                    Some(r) => r,
                    None => refs::insert(conn, row).await?,
                };
                refs::save(conn, r.id, synced).await
            }
            .scope_boxed()
        })
        .await
    }

    fn synced(
        &self,
        entity: Option<Uuid>,
        remote: Value,
        local: Value,
        at: Option<DateTime<Utc>>,
    ) -> Synced {
        Synced {
            entity_id: entity,
            external_number: None,
            remote_values: remote,
            local_values: local,
            remote_updated_at: at,
            run_id: self.run_id,
            now: Utc::now(),
        }
    }

    /// Pulls every record of `kind` changed since the cursor.
    async fn pull(&mut self, kind: &'static str, resource: &str) -> Result<(), ApiError> {
        let overlap = chrono::Duration::from_std(self.state.config.overlap).unwrap_or_default();
        let since = cursor_of(&self.before, kind).map(|t| t - overlap);
        let mut page_token: Option<String> = None;
        loop {
            let page = self.page(resource, since, page_token.as_deref()).await?;
            for item in page.items {
                self.record(kind, item).await?;
                self.beat_if_due().await?;
            }
            self.beat().await?;
            match page.next_token {
                Some(next) if Some(&next) != page_token.as_ref() => page_token = Some(next),
                _ => return Ok(()),
            }
        }
    }

    /// One record: its failure is recorded (and the run goes on) unless fatal.
    async fn record(&mut self, kind: &'static str, item: Value) -> Result<(), ApiError> {
        let external = match &item["id"] {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        advance(
            &mut self.reached,
            kind,
            timestamp(item["updated_at"].as_str()),
        );
        let done = match kind {
            CASE => match serde_json::from_value::<McCase>(item) {
                Ok(c) => self.case(c).await,
                Err(e) => Err(ApiError::new(
                    ErrorCode::ValidationError,
                    format!("not a MyCase case: {e}"),
                )),
            },
            CLIENT => match serde_json::from_value::<McClient>(item) {
                Ok(c) => self.client(c).await,
                Err(e) => Err(ApiError::new(
                    ErrorCode::ValidationError,
                    format!("not a MyCase client: {e}"),
                )),
            },
            _ => match serde_json::from_value::<McStaff>(item) {
                Ok(s) => self.staff(s).await,
                Err(e) => Err(ApiError::new(
                    ErrorCode::ValidationError,
                    format!("not a MyCase staff member: {e}"),
                )),
            },
        };
        match done {
            Ok(()) => Ok(()),
            Err(e) if fatal(&e) => Err(e),
            Err(e) => {
                tracing::info!(kind, external_id = ?external, error = %e.message, "MyCase record not synced");
                if kind != STAFF {
                    self.counts.failed += 1;
                }
                self.note_error(Some(kind), external.as_deref(), e.message);
                Ok(())
            }
        }
    }

    async fn member_of(&self, email: Option<&str>) -> Result<Option<Uuid>, ApiError> {
        match email {
            Some(e) => self.state.directory.member_by_email(self.firm, e).await,
            None => Ok(None),
        }
    }

    /// A staff member: the firm member with their e-mail, if any.
    async fn staff(&mut self, s: McStaff) -> Result<(), ApiError> {
        let remote = Value::Object(s.values());
        let existing = self.find_ref(STAFF, &s.id).await?;
        if existing
            .as_ref()
            .is_some_and(|r| r.remote_values == remote && r.entity_id.is_some())
        {
            return Ok(());
        }
        let member = self.member_of(s.email().as_deref()).await?;
        let at = timestamp(s.updated_at.as_deref());
        let synced = self.synced(member, remote, json!({ "userId": member }), at);
        self.save_ref(existing, STAFF, &s.id, "user", synced).await
    }

    /// Staff no member matched yet: members may have joined since.
    async fn recheck_staff(&mut self) -> Result<(), ApiError> {
        let unmatched = with_tenant(&self.state.db, &self.ctx, |conn| {
            refs::unmatched_staff(conn, STAFF_RECHECK).scope_boxed()
        })
        .await?;
        for r in unmatched {
            if r.last_run_id == Some(self.run_id) {
                // Pulled (and asked about) by this run already.
                continue;
            }
            let email = r.remote_values["email"].as_str().map(str::to_owned);
            let Some(member) = self.member_of(email.as_deref()).await? else {
                continue;
            };
            let (remote, at, id) = (
                r.remote_values.clone(),
                r.remote_updated_at,
                r.external_id.clone(),
            );
            let synced = self.synced(Some(member), remote, json!({ "userId": member }), at);
            self.save_ref(Some(r), STAFF, &id, "user", synced).await?;
        }
        Ok(())
    }

    /// A client: created at contacts, or its changed fields written there.
    async fn client(&mut self, c: McClient) -> Result<(), ApiError> {
        let values = c.values();
        let remote = Value::Object(values.clone());
        let at = timestamp(c.updated_at.as_deref());
        let existing = self.find_ref(CLIENT, &c.id).await?;
        let state = self.state;
        let clients = &state.clients;
        match existing {
            Some(r) if r.entity_id.is_some() => {
                let id = r.entity_id.unwrap_or_default();
                if r.remote_values == remote {
                    self.count(Outcome::Unchanged);
                    return Ok(());
                }
                let Some(stored) = clients.get(self.firm, id).await? else {
                    let found = conflict(
                        CLIENT,
                        &c.id,
                        Some(id),
                        "client",
                        "DELETED_IN_LAWOS",
                        Value::Null,
                        remote.clone(),
                    );
                    self.note_conflicts(vec![found]);
                    let local = r.local_values.clone();
                    let synced = self.synced(Some(id), remote, local, at);
                    return self
                        .save_ref(Some(r), CLIENT, &c.id, "client", synced)
                        .await;
                };
                let local = client_local(&stored.body);
                let base = Base::new(&r.remote_values, &r.local_values);
                let mut patch = Map::new();
                let mut found = Vec::new();
                for (field, mine) in &values {
                    let lawos = local.get(field).unwrap_or(&Value::Null);
                    match base.decide(field, mine, lawos, mine) {
                        Decision::Keep => {}
                        Decision::Take => {
                            patch.insert(field.clone(), mine.clone());
                        }
                        Decision::Conflict => found.push(conflict(
                            CLIENT,
                            &c.id,
                            Some(id),
                            field,
                            "BOTH_CHANGED",
                            lawos.clone(),
                            mine.clone(),
                        )),
                    }
                }
                self.note_conflicts(found);
                let after = if patch.is_empty() {
                    self.count(Outcome::Unchanged);
                    stored
                } else {
                    let body = Value::Object(patch);
                    let changed = clients
                        .patch(self.firm, id, stored.etag.as_deref(), &body)
                        .await?;
                    self.count(Outcome::Updated);
                    changed
                };
                let synced = self.synced(Some(id), remote, client_local(&after.body), at);
                self.save_ref(Some(r), CLIENT, &c.id, "client", synced)
                    .await
            }
            existing => {
                // New, or left without a client by a create that failed.
                let row = new_ref(self.firm.0, CLIENT, &c.id, "client", Utc::now());
                let r = match existing {
                    Some(r) => r,
                    None => {
                        with_tenant(&self.state.db, &self.ctx, |conn| {
                            refs::insert(conn, row).scope_boxed()
                        })
                        .await?
                    }
                };
                let mut body = values;
                body.insert("type".into(), json!("INDIVIDUAL"));
                let body = Value::Object(body);
                let digest = Sha256::digest(body.to_string().as_bytes());
                let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
                let key = format!("mycase-client-{}-{hex}", r.id.simple());
                let stored = clients.create(self.firm, &body, &key).await?;
                self.count(Outcome::Created);
                let synced = self.synced(Some(stored.id), remote, client_local(&stored.body), at);
                self.save_ref(Some(r), CLIENT, &c.id, "client", synced)
                    .await
            }
        }
    }

    /// The client at contacts that MyCase client `ext` became, pulling it
    /// from MyCase first when no run has seen it yet.
    async fn client_entity(&mut self, ext: &str) -> Result<Uuid, ApiError> {
        let known = |r: Option<ExternalRef>| r.and_then(|r| r.entity_id);
        if let Some(id) = known(self.find_ref(CLIENT, ext).await?) {
            return Ok(id);
        }
        if let Some(item) = self.one("clients", ext).await? {
            let c: McClient = serde_json::from_value(item).map_err(|e| {
                ApiError::new(
                    ErrorCode::ValidationError,
                    format!("not a MyCase client: {e}"),
                )
            })?;
            self.client(c).await?;
        }
        known(self.find_ref(CLIENT, ext).await?).ok_or_else(|| {
            ApiError::new(
                ErrorCode::ValidationError,
                format!("the case's client {ext} is not synced"),
            )
        })
    }

    /// The firm member MyCase staff member `ext` is, pulling them first when
    /// no run has seen them yet.
    async fn staff_member(
        &mut self,
        ext: &str,
    ) -> Result<Option<(Uuid, Option<String>)>, ApiError> {
        let mut found = self.find_ref(STAFF, ext).await?;
        if found.is_none() {
            if let Some(item) = self.one("staff", ext).await?
                && let Ok(s) = serde_json::from_value::<McStaff>(item)
            {
                self.staff(s).await?;
            }
            found = self.find_ref(STAFF, ext).await?;
        }
        Ok(found.and_then(|r| {
            let kind = r.remote_values["type"].as_str().map(str::to_owned);
            r.entity_id.map(|id| (id, kind))
        }))
    }

    /// A case: its matter created, or MyCase's changes taken field by field.
    async fn case(&mut self, c: McCase) -> Result<(), ApiError> {
        let values = c.values();
        let client = match <[_]>::first(&c.clients) {
            Some(ext) => Some(self.client_entity(&ext.id.clone()).await?),
            None => None,
        };
        let mut team: Vec<(Uuid, &'static str)> = Vec::new();
        let mut staff_ids: Vec<String> = Vec::new();
        for s in &c.staff {
            staff_ids.push(s.id.clone());
            if let Some((user, kind)) = self.staff_member(&s.id).await? {
                let role = McStaff::team_role(kind.as_deref(), s.lead_lawyer == Some(true));
                if !team.iter().any(|(u, _)| *u == user) {
                    team.push((user, role));
                }
            }
        }
        staff_ids.sort();
        let mut remote = values.clone();
        remote.insert("staff".into(), json!(staff_ids));
        let remote = Value::Object(remote);
        let mut wanted = values.clone();
        wanted.insert("client".into(), json!(client));
        let at = timestamp(c.updated_at.as_deref());
        let opened = timestamp(c.opened_date.as_deref());
        let closed_at = timestamp(c.closed_date.as_deref());
        let (firm, run_id, ext, number) = (self.firm.0, self.run_id, c.id.clone(), c.number());
        let row = new_ref(firm, CASE, &c.id, "matter", Utc::now());
        let (outcome, found) = with_tenant(&self.state.db, &self.ctx, |conn| {
            async move {
                let now = Utc::now();
                let existing = refs::find(conn, CASE, &ext, true).await?;
                let current = match existing.as_ref().and_then(|r| r.entity_id) {
                    Some(id) => Some((id, matters::lock(conn, id).await?)),
                    None => None,
                };
                let r = match existing {
                    Some(r) => r,
                    None => refs::insert(conn, row).await?,
                };
                let save = |entity: Option<Uuid>, local: Value| Synced {
                    entity_id: entity,
                    external_number: number.clone(),
                    remote_values: remote.clone(),
                    local_values: local,
                    remote_updated_at: at,
                    run_id,
                    now,
                };
                match current {
                    None => {
                        let stage = wanted["stage"].as_str().unwrap_or("OPEN").to_owned();
                        let area = wanted["practiceArea"].as_str().map(str::to_owned);
                        let new = NewMatter {
                            id: Uuid::now_v7(),
                            firm_id: firm,
                            matter_number: numbers::next_matter_number(conn, firm, now.year())
                                .await?,
                            title: wanted["title"].as_str().unwrap_or_default().to_owned(),
                            description: wanted["description"].as_str().map(str::to_owned),
                            matter_type: matter_type(area.as_deref()).to_owned(),
                            practice_area: area,
                            stage,
                            client_id: client,
                            opened_at: opened.or(Some(now)),
                            created_by: None,
                            updated_by: None,
                        };
                        let mut matter = matters::insert(conn, new).await?;
                        if matter.stage().is_closed() {
                            let closed = StageChanges {
                                stage: matter.stage.clone(),
                                opened_at: None,
                                closed_at: Some(Some(closed_at.unwrap_or(now))),
                            };
                            matter =
                                matters::update_stage(conn, matter.id, closed, None, now).await?;
                        } else {
                            add_team(conn, firm, matter.id, &team, now).await?;
                        }
                        let local = Value::Object(matter_local(&matter));
                        refs::save(conn, r.id, save(Some(matter.id), local)).await?;
                        Ok((Outcome::Created, Vec::new()))
                    }
                    Some((id, None)) => {
                        let gone = conflict(
                            CASE,
                            &ext,
                            Some(id),
                            "matter",
                            "DELETED_IN_LAWOS",
                            Value::Null,
                            remote.clone(),
                        );
                        let local = r.local_values.clone();
                        refs::save(conn, r.id, save(Some(id), local)).await?;
                        Ok((Outcome::Unchanged, vec![gone]))
                    }
                    Some((id, Some(matter))) => {
                        if r.remote_values == remote {
                            return Ok((Outcome::Unchanged, Vec::new()));
                        }
                        let base = Base::new(&r.remote_values, &r.local_values);
                        let local = matter_local(&matter);
                        let mut found = Vec::new();
                        let mut changes = MatterChanges::default();
                        let mut data = Vec::new();
                        let mut stage_to = None;
                        for (field, mine) in &values {
                            let lawos = local.get(field).cloned().unwrap_or(Value::Null);
                            let want = wanted.get(field).cloned().unwrap_or(Value::Null);
                            match base.decide(field, mine, &lawos, &want) {
                                Decision::Keep => {}
                                Decision::Conflict => found.push(conflict(
                                    CASE,
                                    &ext,
                                    Some(id),
                                    field,
                                    "BOTH_CHANGED",
                                    lawos,
                                    mine.clone(),
                                )),
                                Decision::Take if field == "stage" => {
                                    match stage_move(
                                        matter.stage(),
                                        want.as_str().unwrap_or("OPEN"),
                                    ) {
                                        Some(to) => stage_to = Some(to),
                                        None => found.push(conflict(
                                            CASE,
                                            &ext,
                                            Some(id),
                                            field,
                                            "STAGE_NOT_ALLOWED",
                                            lawos,
                                            mine.clone(),
                                        )),
                                    }
                                }
                                Decision::Take => {
                                    let text = want.as_str().map(str::to_owned);
                                    match field.as_str() {
                                        "title" => changes.title = text.filter(|t| !t.is_empty()),
                                        "description" => changes.description = Some(text),
                                        "practiceArea" => changes.practice_area = Some(text),
                                        "client" => changes.client_id = Some(client),
                                        _ => continue,
                                    }
                                    data.push((field.clone(), lawos, mine.clone()));
                                }
                            }
                        }
                        let mut current = matter;
                        let mut wrote = false;
                        let reopen = stage_to.is_some() && current.stage().is_closed();
                        if reopen && let Some(to) = stage_to.take() {
                            current = move_stage(conn, current, to, now).await?;
                            wrote = true;
                        }
                        if !data.is_empty() {
                            if current.stage().is_closed() {
                                for (field, lawos, mine) in data {
                                    found.push(conflict(
                                        CASE,
                                        &ext,
                                        Some(id),
                                        &field,
                                        "MATTER_CLOSED",
                                        lawos,
                                        mine,
                                    ));
                                }
                            } else {
                                current =
                                    matters::update_data(conn, id, changes, None, now).await?;
                                wrote = true;
                            }
                        }
                        if let Some(to) = stage_to {
                            current = move_stage(conn, current, to, now).await?;
                            wrote = true;
                        }
                        // A closed matter's team is not changed (as through the API).
                        if !current.stage().is_closed()
                            && add_team(conn, firm, id, &team, now).await? > 0
                        {
                            wrote = true;
                        }
                        let local = Value::Object(matter_local(&current));
                        refs::save(conn, r.id, save(Some(id), local)).await?;
                        let outcome = if wrote {
                            Outcome::Updated
                        } else {
                            Outcome::Unchanged
                        };
                        Ok((outcome, found))
                    }
                }
            }
            .scope_boxed()
        })
        .await?;
        self.count(outcome);
        self.note_conflicts(found);
        Ok(())
    }

    async fn work(&mut self) -> Result<(), ApiError> {
        self.pull(STAFF, "staff").await?;
        self.recheck_staff().await?;
        self.pull(CLIENT, "clients").await?;
        self.pull(CASE, "cases").await
    }
}

/// Works the started run to its end and records it; the finished run.
#[tracing::instrument(skip_all, fields(run_id = %started.run.id, firm_id = %started.run.firm_id))]
pub async fn execute(state: &MyCaseState, started: Started) -> Result<Run, ApiError> {
    let Started { run, connection } = started;
    let firm = FirmId(run.firm_id);
    let ctx = TenantCtx::firm(firm, None);
    let before = Cursor::from_json(&run.cursor_before);
    let mut work = Work {
        state,
        firm,
        ctx: ctx.clone(),
        run_id: run.id,
        base: connection.api_url(&state.config),
        connection,
        secrets: Secrets::default(),
        token: None,
        before,
        reached: before,
        counts: Counts::default(),
        conflicts: Vec::new(),
        errors: Vec::new(),
        last_beat: Mutex::new(Instant::now()),
    };
    let outcome = match open_secrets(state, &work.connection).await {
        Ok(secrets) => {
            work.secrets = secrets;
            work.work().await
        }
        Err(e) => Err(e),
    };
    let status = match &outcome {
        Err(e) => {
            tracing::warn!(error = %e.message, "MyCase run failed");
            work.note_error(None, None, e.message.clone());
            FAILED
        }
        Ok(()) if work.counts.failed > 0 => PARTIAL,
        Ok(()) => SUCCEEDED,
    };
    let c = &work.counts;
    let finish = Finish {
        status,
        finished_at: Utc::now(),
        cursor_after: (status != FAILED).then(|| work.reached.to_json()),
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        conflicts: c.conflicts,
        failed: c.failed,
        conflict_details: serde_json::to_value(&work.conflicts).unwrap_or_else(|_| json!([])),
        errors: serde_json::to_value(&work.errors).unwrap_or_else(|_| json!([])),
    };
    let id = run.id;
    let finished = with_tenant(&state.db, &ctx, |conn| {
        storage::finish(conn, id, finish).scope_boxed()
    })
    .await?;
    match finished {
        Some(run) => {
            tracing::info!(status = %run.status, created = run.created, updated = run.updated, unchanged = run.unchanged, conflicts = run.conflicts, failed = run.failed, "MyCase run finished");
            Ok(run)
        }
        None => {
            let stored =
                with_tenant(&state.db, &ctx, |conn| storage::run(conn, id).scope_boxed()).await?;
            stored.ok_or_else(|| ApiError::internal("the run vanished"))
        }
    }
}

async fn open_secrets(state: &MyCaseState, connection: &Connection) -> Result<Secrets, ApiError> {
    let id = connection.id;
    let ctx = TenantCtx::firm(FirmId(connection.firm_id), None);
    let creds = with_tenant(&state.db, &ctx, |conn| {
        storage::credentials(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| stop("the connection has no credentials"))?;
    state
        .config
        .key
        .open(id, &creds.key_id, &creds.ciphertext)
        .map_err(|_| stop("the connection's secrets do not open (LAWOS_MYCASE_TOKEN_KEY changed?)"))
}

/// [`start`] and [`execute`] in one: the finished run.
pub async fn run_now(
    state: &MyCaseState,
    firm: FirmId,
    origin: &'static str,
    by: Option<Uuid>,
) -> Result<Run, ApiError> {
    let started = start(state, firm, origin, by).await?;
    execute(state, started).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_moves_follow_the_lifecycle() {
        assert_eq!(stage_move(Stage::Lead, "OPEN"), Some(Stage::Open));
        assert_eq!(stage_move(Stage::InProgress, "OPEN"), None);
        assert_eq!(stage_move(Stage::Open, "CLOSED"), Some(Stage::Closed));
        assert_eq!(stage_move(Stage::Closed, "OPEN"), Some(Stage::InProgress));
        assert_eq!(stage_move(Stage::Open, "LEAD"), None);
        assert_eq!(stage_move(Stage::Archived, "CLOSED"), None);
        assert_eq!(matter_type(Some("Personal Injury")), "CIVIL");
        assert_eq!(matter_type(None), "OTHER");
    }

    #[test]
    fn cursors_only_move_forward() {
        let mut c = Cursor::default();
        let t1 = timestamp(Some("2026-03-01T10:00:00Z"));
        let t0 = timestamp(Some("2026-02-01T10:00:00Z"));
        advance(&mut c, CASE, t1);
        advance(&mut c, CASE, t0);
        advance(&mut c, CASE, None);
        assert_eq!(c.cases, t1);
        assert_eq!(cursor_of(&c, CLIENT), None);
    }
}
