//! Retention (Backstage §8.3, seven years): `lawos-events archive` exports the
//! rows received before the horizon as NDJSON to S3, and deletes them only after
//! the upload was confirmed, firm by firm, in batches that are always the oldest
//! prefix of the firm's chain. The delete runs as the schema's owner role with
//! `lawos.archive_cutoff` set in the transaction, which is the only way past the
//! append-only trigger, and the trigger itself refuses any row received after
//! that cutoff. The same transaction records a chain anchor (the last archived
//! row's seq and hash), from which appends and `verify` continue the chain.
//!
//! ```text
//! lawos-events archive --older-than-days 2555 --bucket lawos-audit [--prefix event-log] [--dry-run]
//! ```
//! Settings: `LAWOS_DATABASE_URL` (the migration connection: a member of
//! `lawos_events_owner`), `LAWOS_S3_ENDPOINT`, `LAWOS_S3_REGION` (default
//! `us-east-1`), `LAWOS_S3_ACCESS_KEY`, `LAWOS_S3_SECRET_KEY` (path-style
//! addressing). Objects: `<prefix>/firm=<firmId>/<firstSeq>-<lastSeq>.ndjson`,
//! one event per line in the API's representation (envelope, seq, hashes).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{EventRow, NewAnchor};
use crate::schema::{chain_anchors, event_log};
use crate::storage;

const OWNER_ROLE: &str = "lawos_events_owner";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "lawos-events archive",
    about = "Export audit events older than the horizon to S3, then delete them"
)]
pub struct ArchiveArgs {
    /// Archive rows received more than this many days ago (2555 = 7 years).
    #[arg(long)]
    pub older_than_days: u32,
    /// The S3 bucket the NDJSON objects go to.
    #[arg(long)]
    pub bucket: String,
    /// Key prefix inside the bucket.
    #[arg(long, default_value = "event-log")]
    pub prefix: String,
    /// Report what would be archived; upload and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rows per object.
    #[arg(long, default_value_t = 10_000)]
    pub batch: i64,
    #[arg(long, env = "LAWOS_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    #[arg(long, env = "LAWOS_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "LAWOS_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(long, env = "LAWOS_S3_ACCESS_KEY", hide_env_values = true)]
    pub s3_access_key: Option<String>,
    #[arg(long, env = "LAWOS_S3_SECRET_KEY", hide_env_values = true)]
    pub s3_secret_key: Option<String>,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveReport {
    pub cutoff: String,
    pub firms: usize,
    pub rows: i64,
    pub objects: Vec<String>,
    pub dry_run: bool,
}

/// The S3 client the settings describe.
pub fn s3_client(args: &ArchiveArgs) -> anyhow::Result<aws_sdk_s3::Client> {
    let (Some(endpoint), Some(access), Some(secret)) =
        (&args.s3_endpoint, &args.s3_access_key, &args.s3_secret_key)
    else {
        bail!("LAWOS_S3_ENDPOINT, LAWOS_S3_ACCESS_KEY and LAWOS_S3_SECRET_KEY must be set");
    };
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(args.s3_region.clone()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(access, secret, None, None, "lawos-env"))
        .force_path_style(true)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .build();
    Ok(aws_sdk_s3::Client::from_conf(config))
}

/// The `archive` subcommand of the service binary.
pub fn main() -> ExitCode {
    let args = ArchiveArgs::parse_from(std::env::args().skip(1));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lawos-events archive: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let s3 = if args.dry_run {
            None
        } else {
            Some(s3_client(&args)?)
        };
        run(&args, s3.as_ref()).await
    });
    let mut out = std::io::stdout();
    match result {
        Ok(report) => {
            let _ = writeln!(
                out,
                "{} {} rows of {} firms received before {}{}",
                if report.dry_run {
                    "would archive"
                } else {
                    "archived"
                },
                report.rows,
                report.firms,
                report.cutoff,
                if report.objects.is_empty() {
                    String::new()
                } else {
                    format!(" into {}", report.objects.join(", "))
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lawos-events archive: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn as_owner(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query(format!("SET LOCAL ROLE \"{OWNER_ROLE}\""))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The firm's oldest rows, all received before `cutoff`: the chain prefix that
/// ends before the first row received at or after it; at most `limit` rows.
async fn oldest_prefix(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let boundary: Option<i64> = event_log::table
        .filter(event_log::firm_id.eq(firm_id))
        .filter(event_log::received_at.ge(cutoff))
        .select(diesel::dsl::min(event_log::seq))
        .first(conn)
        .await?;
    let mut query = event_log::table
        .filter(event_log::firm_id.eq(firm_id))
        .filter(event_log::received_at.lt(cutoff))
        .order(event_log::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(boundary) = boundary {
        query = query.filter(event_log::seq.lt(boundary));
    }
    query.load(conn).await
}

/// Archives (or, dry, counts) every firm's rows received before the horizon.
pub async fn run(
    args: &ArchiveArgs,
    s3: Option<&aws_sdk_s3::Client>,
) -> anyhow::Result<ArchiveReport> {
    if args.older_than_days == 0 || args.batch < 1 {
        bail!("--older-than-days and --batch must be at least 1");
    }
    let cutoff = Utc::now() - TimeDelta::days(i64::from(args.older_than_days));
    let mut conn = AsyncPgConnection::establish(&args.database_url)
        .await
        .context("connecting with LAWOS_DATABASE_URL")?;
    let firms: Vec<Uuid> = conn
        .transaction(async move |conn| {
            as_owner(conn).await?;
            event_log::table
                .filter(event_log::received_at.lt(cutoff))
                .select(event_log::firm_id)
                .distinct()
                .load(conn)
                .await
        })
        .await
        .context("listing firms with old events")?;
    let mut report = ArchiveReport {
        cutoff: crate::chain::timestamp(cutoff),
        firms: firms.len(),
        dry_run: args.dry_run,
        ..ArchiveReport::default()
    };
    for firm_id in firms {
        loop {
            let limit = if args.dry_run { i64::MAX } else { args.batch };
            let rows = conn
                .transaction(async move |conn| {
                    as_owner(conn).await?;
                    oldest_prefix(conn, firm_id, cutoff, limit).await
                })
                .await
                .context("reading old events")?;
            if rows.is_empty() {
                break;
            }
            if args.dry_run {
                report.rows += rows.len() as i64;
                break;
            }
            let s3 = s3.context("an S3 client is needed unless --dry-run")?;
            let key = archive_batch(&mut conn, s3, args, firm_id, cutoff, &rows).await?;
            report.rows += rows.len() as i64;
            report.objects.push(key);
        }
    }
    Ok(report)
}

/// Uploads one batch, confirms the object, then deletes exactly those rows and
/// records the anchor, in one transaction.
async fn archive_batch(
    conn: &mut AsyncPgConnection,
    s3: &aws_sdk_s3::Client,
    args: &ArchiveArgs,
    firm_id: Uuid,
    cutoff: DateTime<Utc>,
    rows: &[EventRow],
) -> anyhow::Result<String> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        bail!("empty batch");
    };
    let key = format!(
        "{}/firm={firm_id}/{:020}-{:020}.ndjson",
        args.prefix.trim_end_matches('/'),
        first.seq,
        last.seq
    );
    let mut body = Vec::new();
    for row in rows {
        serde_json::to_writer(&mut body, &row.to_json())?;
        body.push(b'\n');
    }
    let size = body.len() as i64;
    s3.put_object()
        .bucket(&args.bucket)
        .key(&key)
        .content_type("application/x-ndjson")
        .body(body.into())
        .send()
        .await
        .with_context(|| format!("uploading s3://{}/{key}", args.bucket))?;
    let head = s3
        .head_object()
        .bucket(&args.bucket)
        .key(&key)
        .send()
        .await
        .with_context(|| format!("confirming s3://{}/{key}", args.bucket))?;
    if head.content_length() != Some(size) {
        bail!(
            "s3://{}/{key} holds {:?} bytes, expected {size}; nothing deleted",
            args.bucket,
            head.content_length()
        );
    }
    let (first_seq, last_seq, expected) = (first.seq, last.seq, rows.len());
    let anchor = NewAnchor {
        firm_id,
        through_seq: last.seq,
        last_hash: last.hash.clone(),
        rows_archived: rows.len() as i64,
        object_key: key.clone(),
        cutoff,
    };
    conn.transaction(async move |conn| {
        as_owner(conn).await?;
        diesel::sql_query("select set_config('lawos.archive_cutoff', $1, true)")
            .bind::<Text, _>(crate::chain::timestamp(cutoff))
            .execute(conn)
            .await?;
        storage::lock_chain(conn, firm_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let deleted = diesel::delete(
            event_log::table
                .filter(event_log::firm_id.eq(firm_id))
                .filter(event_log::seq.between(first_seq, last_seq))
                .filter(event_log::received_at.lt(cutoff)),
        )
        .execute(conn)
        .await?;
        if deleted != expected {
            bail!(
                "expected to delete {expected} rows of firm {firm_id}, found {deleted}; rolled back"
            );
        }
        diesel::insert_into(chain_anchors::table)
            .values(&anchor)
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(key)
}
