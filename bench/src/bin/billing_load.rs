//! `billing-load`: the billing service's two heavy paths.
//!
//! Starts rbac + contacts + matters + billing with the test kit (fresh
//! database, PDFs in the local S3 store), creates a firm's administrator,
//! lawyer and billing clerk, a client and two matters through the APIs, then
//! seeds in SQL (as the database owner) `--invoice-entries` approved entries
//! on the first matter and `--entries` entries of the lawyer on the second,
//! `VACUUM ANALYZE`s, and measures, closed loop:
//!
//! - `POST /api/v1/billing/invoices/generate` of the first matter's entries
//!   (each draft discarded again, which frees the entries, before the next);
//! - `GET /api/v1/billing/time-entries/?limit=100` as the lawyer (the first
//!   page, and a page deep through the cursor), sequentially and with
//!   `--concurrency` callers.
//!
//! One table of p50 / p95 / p99. See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::future::join_all;
use lawos_bench::stats::Summary;
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_storage::{ObjectStore, StaticCredentials, StorageConfig};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(
    name = "billing-load",
    about = "Invoice generation and the time-entry list under load"
)]
struct Args {
    /// Approved entries one invoice is generated from
    #[arg(long, default_value_t = 500)]
    invoice_entries: u32,
    /// Times the invoice is generated (and discarded)
    #[arg(long, default_value_t = 20)]
    generations: usize,
    /// Time entries of the one lawyer whose list is read
    #[arg(long, default_value_t = 50_000)]
    entries: u32,
    /// List requests per row
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Callers of the concurrent list row
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// HTTP workers of the in-process server
    #[arg(long, default_value_t = 2)]
    http_workers: usize,
}

fn store_config() -> StorageConfig {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    StorageConfig {
        endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        region: env("LAWOS_S3_REGION", "us-east-1"),
        bucket: "lawos-billing-bench".to_owned(),
        path_style: true,
        credentials: Some(StaticCredentials {
            access_key: env("LAWOS_S3_ACCESS_KEY", "lawos"),
            secret_key: env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        }),
    }
}

fn billing_mount(env: &ServiceEnv) -> Mount {
    lawos_svc_billing::mount_with(env, ObjectStore::new(&store_config()))
}

const BILLING: ServiceSpec = ServiceSpec {
    mount: billing_mount,
    ..lawos_svc_billing::SPEC
};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    body: Option<Value>,
    want: u16,
) -> Result<(Value, Duration)> {
    let mut r = app.as_user(method, path, user);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let start = Instant::now();
    let res = r.send().await.context(path.to_owned())?;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let took = start.elapsed();
    if status != want {
        bail!("{path}: {status} {body}");
    }
    Ok((body, took))
}

fn id(v: &Value) -> Result<String> {
    v["id"].as_str().map(str::to_owned).context("no id")
}

async fn assign(app: &TestApp, firm: FirmId, role: &str) -> Result<TestUser> {
    let user = TestUser::member(firm, role);
    let body = json!({ "userId": user.user_id, "role": role });
    call(
        app,
        Method::POST,
        "/api/v1/rbac/assignments",
        &lawos_testkit::api::firm_admin(firm),
        Some(body),
        201,
    )
    .await?;
    Ok(user)
}

/// Seeds `n` entries of `user` on `matter` (APPROVED when `approved`), dated back from 2026-06-30.
fn seed_sql(firm: FirmId, user: &TestUser, matter: &str, n: u32, approved: bool) -> String {
    let status = if approved { "APPROVED" } else { "SUBMITTED" };
    format!(
        "insert into billing.time_entries (id, firm_id, user_id, matter_id, kind, activity_code, description, \
           duration_minutes, is_billable, billing_rate_minor, currency, total_amount_minor, status, work_date, created_by) \
         select billing.lawos_uuid_v7(), '{firm}', '{user}', '{matter}', 'LAWYER', 'RESEARCH', 'Seeded work ' || g, \
           6 + g % 120, true, 25000, 'USD', ((6 + g % 120) * 25000 + 30) / 60, '{status}', \
           date '2026-06-30' - (g % 365), '{user}' \
         from generate_series(1, {n}) g",
        user = user.user_id
    )
}

fn row(name: &str, samples: Vec<Duration>) -> String {
    match Summary::of(samples) {
        Some(s) => format!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} |",
            s.n,
            s.p50.as_secs_f64() * 1e3,
            s.p95.as_secs_f64() * 1e3,
            s.p99.as_secs_f64() * 1e3
        ),
        None => format!("| {name} | 0 | – | – | – |"),
    }
}

async fn run(args: Args) -> Result<()> {
    ObjectStore::new(&store_config())
        .ensure_bucket()
        .await
        .context("S3 (scripts/infra.sh --with-s3)")?;
    let workers = args.http_workers;
    let app = TestApp::spawn_with(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_contacts::SPEC,
            lawos_svc_matters::SPEC,
            BILLING,
        ],
        |c| {
            c.http_workers = workers;
            c.db_pool_size = 16;
        },
    )
    .await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await?;
    let staff = assign(&app, firm, "STAFF").await?;
    let client = json!({ "type": "CORPORATION", "fullName": "Acme", "companyName": "Acme", "email": "a@example.com",
        "phone": "555 010 1234", "address": { "street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" } });
    let (c, _) = call(
        &app,
        Method::POST,
        "/api/v1/contacts/clients/",
        &lawyer,
        Some(client),
        201,
    )
    .await?;
    let mut matters = Vec::new();
    for title in ["Invoiced matter", "Busy matter"] {
        let body = json!({ "title": title, "matterType": "CIVIL", "clientId": id(&c)? });
        matters.push(id(&call(
            &app,
            Method::POST,
            "/api/v1/matters/",
            &lawyer,
            Some(body),
            201,
        )
        .await?
        .0)?);
    }
    eprintln!(
        "seeding {} approved entries and {} list entries",
        args.invoice_entries, args.entries
    );
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    diesel::sql_query(seed_sql(
        firm,
        &lawyer,
        &matters[0],
        args.invoice_entries,
        true,
    ))
    .execute(&mut conn)
    .await?;
    diesel::sql_query(seed_sql(firm, &lawyer, &matters[1], args.entries, false))
        .execute(&mut conn)
        .await?;
    conn.batch_execute("vacuum analyze billing.time_entries")
        .await?;

    let generate =
        json!({ "matterId": matters[0], "periodStart": "2025-01-01", "periodEnd": "2026-12-31" });
    let mut generations = Vec::new();
    for _ in 0..args.generations {
        let (draft, took) = call(
            &app,
            Method::POST,
            "/api/v1/billing/invoices/generate",
            &staff,
            Some(generate.clone()),
            201,
        )
        .await?;
        let lines = draft["lineItems"].as_array().map_or(0, Vec::len);
        if lines != args.invoice_entries as usize {
            bail!("the draft has {lines} lines");
        }
        generations.push(took);
        let path = format!("/api/v1/billing/invoices/{}", id(&draft)?);
        call(&app, Method::DELETE, &path, &staff, None, 204).await?;
    }

    let first = "/api/v1/billing/time-entries/?limit=100";
    let (page, _) = call(&app, Method::GET, first, &lawyer, None, 200).await?;
    if page["pagination"]["total"].as_i64() != Some(i64::from(args.entries + args.invoice_entries))
    {
        bail!("unexpected total {}", page["pagination"]["total"]);
    }
    // A page 100 pages deep, through the cursor.
    let mut deep = first.to_owned();
    for _ in 0..100 {
        let (p, _) = call(&app, Method::GET, &deep, &lawyer, None, 200).await?;
        let cursor = p["pagination"]["nextCursor"]
            .as_str()
            .context("no next page")?;
        deep = format!("{first}&cursor={cursor}");
    }
    let mut sequential = Vec::new();
    let mut deep_samples = Vec::new();
    for _ in 0..args.requests {
        sequential.push(call(&app, Method::GET, first, &lawyer, None, 200).await?.1);
        deep_samples.push(call(&app, Method::GET, &deep, &lawyer, None, 200).await?.1);
    }
    let started = Instant::now();
    let per_caller = args.requests / args.concurrency.max(1);
    let concurrent: Vec<Result<Vec<Duration>>> = join_all((0..args.concurrency).map(|_| async {
        let mut out = Vec::new();
        for _ in 0..per_caller {
            out.push(call(&app, Method::GET, first, &lawyer, None, 200).await?.1);
        }
        Ok(out)
    }))
    .await;
    let wall = started.elapsed();
    let mut together = Vec::new();
    for r in concurrent {
        together.extend(r?);
    }
    let throughput = together.len() as f64 / wall.as_secs_f64();

    println!("| billing-load row | n | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        row(
            &format!(
                "POST invoices/generate ({} approved entries → draft)",
                args.invoice_entries
            ),
            generations
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "GET time-entries/?limit=100, first page (user with {} entries)",
                args.entries
            ),
            sequential
        )
    );
    println!(
        "{}",
        row(
            "GET time-entries/?limit=100, 100 pages deep (cursor)",
            deep_samples
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "GET first page, {} concurrent callers ({throughput:.0} req/s)",
                args.concurrency
            ),
            together
        )
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("billing-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}
