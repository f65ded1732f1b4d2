//! Queries of the `events` schema. Each takes a connection already inside a
//! tenant transaction, so row-level security decides what it can see.

use std::collections::HashSet;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::EventEnvelope;
use uuid::Uuid;

use crate::chain;
use crate::model::{Anchor, BrokenLink, EventRow, PLATFORM_FIRM, Verification};
use crate::schema::{chain_anchors, event_log};

/// The firm an envelope is stored under.
pub fn firm_of(envelope: &EventEnvelope) -> Uuid {
    envelope.firm_id.unwrap_or(PLATFORM_FIRM)
}

/// Serialises appends to one firm's chain until the transaction ends.
pub async fn lock_chain(conn: &mut AsyncPgConnection, firm_id: Uuid) -> Result<(), ApiError> {
    diesel::sql_query("select pg_advisory_xact_lock(hashtextextended('events.chain:' || $1, 0))")
        .bind::<Text, _>(firm_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The hash the firm's next row links to: its last row's, else the latest
/// archive anchor's, else [`chain::GENESIS`].
async fn chain_head(conn: &mut AsyncPgConnection, firm_id: Uuid) -> Result<Vec<u8>, ApiError> {
    let last: Option<Vec<u8>> = event_log::table
        .filter(event_log::firm_id.eq(firm_id))
        .order(event_log::seq.desc())
        .select(event_log::hash)
        .first(conn)
        .await
        .optional()?;
    if let Some(hash) = last {
        return Ok(hash);
    }
    Ok(latest_anchor(conn, firm_id)
        .await?
        .map_or_else(|| chain::GENESIS.to_vec(), |a| a.last_hash))
}

pub async fn latest_anchor(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
) -> Result<Option<Anchor>, ApiError> {
    Ok(chain_anchors::table
        .filter(chain_anchors::firm_id.eq(firm_id))
        .order(chain_anchors::through_seq.desc())
        .select(Anchor::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Appends `envelope` to its firm's chain; `false` when it was already stored
/// (a redelivery). See [`append_all`].
pub async fn append(
    conn: &mut AsyncPgConnection,
    envelope: &EventEnvelope,
) -> Result<bool, ApiError> {
    let firm_id = firm_of(envelope);
    Ok(append_all(conn, firm_id, std::slice::from_ref(envelope)).await? == 1)
}

#[derive(QueryableByName)]
struct NextSeq {
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

/// Appends `envelopes` (all of `firm_id`, in arrival order) to the firm's chain,
/// skipping those already stored (redeliveries); answers how many were added.
/// Runs inside the caller's transaction, bound to the firm: the advisory lock
/// serialises the firm's appends, so the first new row links to the row
/// committed just before, each next one to its predecessor, and a duplicate
/// never takes a link. A constant number of statements, whatever the count.
#[tracing::instrument(skip_all, fields(%firm_id, count = envelopes.len()))]
pub async fn append_all(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    envelopes: &[EventEnvelope],
) -> Result<usize, ApiError> {
    lock_chain(conn, firm_id).await?;
    let ids: Vec<Uuid> = envelopes.iter().map(|e| e.id).collect();
    let mut stored: HashSet<Uuid> = event_log::table
        .filter(event_log::id.eq_any(&ids))
        .select(event_log::id)
        .load::<Uuid>(conn)
        .await?
        .into_iter()
        .collect();
    let fresh: Vec<&EventEnvelope> = envelopes.iter().filter(|e| stored.insert(e.id)).collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    let count = i64::try_from(fresh.len()).map_err(ApiError::internal)?;
    let mut seqs: Vec<i64> = diesel::sql_query(
        "select nextval('events.event_log_seq_seq') as seq from generate_series(1, $1)",
    )
    .bind::<BigInt, _>(count)
    .load::<NextSeq>(conn)
    .await?
    .into_iter()
    .map(|n| n.seq)
    .collect();
    seqs.sort_unstable();
    let mut prev_hash = chain_head(conn, firm_id).await?;
    let received_at = micros(Utc::now());
    let mut rows = Vec::with_capacity(fresh.len());
    for (envelope, seq) in fresh.into_iter().zip(seqs) {
        let mut row = EventRow {
            id: envelope.id,
            firm_id,
            seq,
            event_type: envelope.event_type.clone(),
            entity_type: envelope.entity.entity_type.clone(),
            entity_id: envelope.entity.id,
            actor_user_id: envelope.actor.user_id,
            actor_act_as: envelope.actor.act_as.clone(),
            occurred_at: micros(envelope.occurred_at),
            received_at,
            payload: serde_json::to_value(envelope).map_err(ApiError::internal)?,
            prev_hash,
            hash: Vec::new(),
        };
        row.hash = chain::hash(&row.prev_hash, &row);
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    diesel::insert_into(event_log::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(rows.len())
}

/// PostgreSQL keeps microseconds: hash what is stored.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<EventRow>, ApiError> {
    Ok(event_log::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// What a list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub event_type: Option<String>,
    pub actor: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// With `entity_type` and `entity_id`: also the events filed under that
    /// entity as their context (a matter's tasks, messages, documents).
    pub related: bool,
}

/// One page of the firm's events, newest (highest `seq`) first, before the
/// cursor's `seq`; `limit + 1` rows.
pub async fn list(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    filter: Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    let mut query = event_log::table
        .filter(event_log::firm_id.eq(firm_id))
        .select(EventRow::as_select())
        .order(event_log::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    match (filter.entity_type, filter.entity_id, filter.related) {
        (Some(t), Some(id), true) => {
            query = query.filter(
                event_log::entity_type
                    .eq(t.clone())
                    .and(event_log::entity_id.eq(id))
                    .or(event_log::context_type
                        .eq(t)
                        .and(event_log::context_id.eq(id))),
            );
        }
        (t, id, _) => {
            if let Some(t) = t {
                query = query.filter(event_log::entity_type.eq(t));
            }
            if let Some(id) = id {
                query = query.filter(event_log::entity_id.eq(id));
            }
        }
    }
    if let Some(t) = filter.event_type {
        query = query.filter(event_log::event_type.eq(t));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(event_log::actor_user_id.eq(actor));
    }
    if let Some(since) = filter.since {
        query = query.filter(event_log::occurred_at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(event_log::occurred_at.lt(until));
    }
    if let Some(before) = before {
        query = query.filter(event_log::seq.lt(before));
    }
    Ok(query.load(conn).await?)
}

const VERIFY_BATCH: i64 = 1000;

/// Recomputes the firm's chain in arrival order, from its archive anchor (or
/// genesis), and reports the first row whose link or hash does not hold.
pub async fn verify(conn: &mut AsyncPgConnection, firm_id: Uuid) -> Result<Verification, ApiError> {
    let anchor = latest_anchor(conn, firm_id).await?;
    let mut expected = anchor
        .as_ref()
        .map_or_else(|| chain::GENESIS.to_vec(), |a| a.last_hash.clone());
    let mut after = anchor.map_or(i64::MIN, |a| a.through_seq);
    let mut checked = 0;
    loop {
        let rows: Vec<EventRow> = event_log::table
            .filter(event_log::firm_id.eq(firm_id))
            .filter(event_log::seq.gt(after))
            .order(event_log::seq.asc())
            .limit(VERIFY_BATCH)
            .select(EventRow::as_select())
            .load(conn)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.seq;
        let full = rows.len() as i64 == VERIFY_BATCH;
        for row in rows {
            checked += 1;
            if !chain::link_holds(&expected, &row) {
                return Ok(Verification {
                    valid: false,
                    checked,
                    first_broken_at: Some(BrokenLink {
                        id: row.id,
                        seq: row.seq,
                    }),
                });
            }
            expected = row.hash;
        }
        if !full {
            break;
        }
    }
    Ok(Verification {
        valid: true,
        checked,
        first_broken_at: None,
    })
}
