//! The SQL side against a real PostgreSQL: the entity trigger writes contract
//! envelopes, `enqueue` writes business events, `apply_once` applies once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use diesel::sql_types::{Jsonb, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use lawos_events::{EntityRef, EventEnvelope, apply_once, enqueue, install_sql, unpublished_count};
use scoped_futures::ScopedFutureExt;
use uuid::Uuid;

#[derive(diesel::QueryableByName)]
struct Payload {
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
}

async fn outbox(conn: &mut AsyncPgConnection) -> Vec<EventEnvelope> {
    let rows: Vec<Payload> = diesel::sql_query("select payload from shop.outbox order by seq")
        .load(conn)
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| serde_json::from_value(r.payload).unwrap())
        .collect()
}

#[tokio::test]
async fn trigger_writes_contract_envelopes() {
    let db = support::TestDb::create().await;
    tokio::time::timeout(support::TEST_TIMEOUT, async {
        let mut conn = db.conn().await;
        // Idempotent: installing twice is fine.
        conn.batch_execute(&install_sql("shop")).await.unwrap();
        conn.batch_execute(&install_sql("shop")).await.unwrap();
        conn.batch_execute(
            "create table shop.firms (id uuid primary key, name text not null);
             create table shop.items (id uuid primary key, firm_id uuid not null, name text not null,
                                      deleted_at timestamptz);
             select shop.lawos_emit_events('shop.firms', 'firm', 'id');
             select shop.lawos_emit_events('shop.items', 'item');
             select shop.lawos_emit_events('shop.items', 'item');",
        )
        .await
        .unwrap();

        let (firm, user, item) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        conn.batch_execute(&format!(
            "begin;
             select set_config('app.firm_id', '{firm}', true), set_config('app.user_id', '{user}', true),
                    set_config('app.act_as', 'support:ann', true), set_config('app.traceparent', '{tp}', true);
             insert into shop.firms values ('{firm}', 'Acme');
             insert into shop.items values ('{item}', '{firm}', 'desk', null);
             update shop.items set name = 'chair' where id = '{item}';
             update shop.items set name = 'chair' where id = '{item}';
             update shop.items set deleted_at = now() where id = '{item}';
             commit;"
        ))
        .await
        .unwrap();
        // Same session, outside any tenant transaction: settings read back as '' → null.
        conn.batch_execute(&format!("delete from shop.items where id = '{item}'")).await.unwrap();

        let events = outbox(&mut conn).await;
        let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(
            types,
            ["firm.created", "item.created", "item.updated", "item.deleted", "item.deleted"],
            "no-op update emits nothing; soft delete is .deleted; one trigger despite double attach"
        );
        for e in &events {
            assert_eq!(e.version, 1);
            assert_eq!(e.firm_id, Some(firm));
            assert_eq!(e.id.get_version_num(), 7);
        }
        assert_eq!(events[0].entity, EntityRef::new("firm", firm));
        assert_eq!(events[1].entity, EntityRef::new("item", item));
        assert_eq!(events[1].actor.user_id, Some(user));
        assert_eq!(events[1].actor.act_as.as_deref(), Some("support:ann"));
        assert_eq!(events[1].traceparent.as_deref(), Some(tp));
        assert_eq!(events[2].data["name"], "chair");
        assert!(events[3].data["deleted_at"].is_string());
        let last = &events[4];
        assert_eq!(last.actor.user_id, None);
        assert_eq!(last.actor.act_as, None);
        assert_eq!(last.traceparent, None);
        assert_eq!(unpublished_count(&mut conn, "shop").await.unwrap(), 5);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn enqueue_commits_with_the_transaction() {
    let db = support::TestDb::create().await;
    tokio::time::timeout(support::TEST_TIMEOUT, async {
        let mut conn = db.conn().await;
        conn.batch_execute(&install_sql("shop")).await.unwrap();
        let env = EventEnvelope::builder(
            "matter.stage_changed",
            EntityRef::new("matter", Uuid::now_v7()),
        )
        .firm(Uuid::now_v7())
        .user(Some(Uuid::now_v7()))
        .data(serde_json::json!({"to": "open"}))
        .build();
        // Rolled back: nothing stays.
        let rolled: Result<(), lawos_events::Error> = conn
            .transaction(async |c| {
                enqueue(c, "shop", &env).await?;
                Err(lawos_events::Error::Config("rollback".into()))
            })
            .await;
        assert!(rolled.is_err());
        assert_eq!(unpublished_count(&mut conn, "shop").await.unwrap(), 0);
        conn.transaction(async |c| enqueue(c, "shop", &env).await)
            .await
            .unwrap();
        assert_eq!(outbox(&mut conn).await, vec![env]);
        let stored = outbox(&mut conn).await.remove(0);
        assert!(enqueue(&mut conn, "bad schema", &stored).await.is_err());
    })
    .await
    .unwrap();
}

fn log_effect<'a, 'r>(
    id: Uuid,
    c: &'r mut AsyncPgConnection,
) -> scoped_futures::ScopedBoxFuture<'a, 'r, Result<i32, anyhow::Error>> {
    async move {
        diesel::sql_query("insert into audit.log values ($1)")
            .bind::<SqlUuid, _>(id)
            .execute(c)
            .await?;
        Ok(7)
    }
    .scope_boxed()
}

#[tokio::test]
async fn apply_once_applies_each_event_once() {
    let db = support::TestDb::create().await;
    tokio::time::timeout(support::TEST_TIMEOUT, async {
        let mut conn = db.conn().await;
        conn.batch_execute(&install_sql("audit")).await.unwrap();
        conn.batch_execute("create table audit.log (event_id uuid not null)")
            .await
            .unwrap();
        let event_id = Uuid::now_v7();
        // A failing effect rolls its inbox row back: the event stays retryable.
        let failed = apply_once(&mut conn, "audit", "audit", event_id, |c| {
            async move {
                diesel::sql_query("insert into audit.log values (gen_random_uuid())")
                    .execute(c)
                    .await?;
                Err::<i32, _>(anyhow::anyhow!("boom"))
            }
            .scope_boxed()
        })
        .await;
        assert!(failed.is_err());
        let first = apply_once(&mut conn, "audit", "audit", event_id, |c| {
            log_effect(event_id, c)
        })
        .await
        .unwrap();
        let again = apply_once(&mut conn, "audit", "audit", event_id, |c| {
            log_effect(event_id, c)
        })
        .await
        .unwrap();
        let other = apply_once(&mut conn, "audit", "search", event_id, |c| {
            log_effect(event_id, c)
        })
        .await
        .unwrap();
        assert_eq!((first, again, other), (Some(7), None, Some(7)));
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let n: N = diesel::sql_query("select count(*) as n from audit.log")
            .get_result(&mut conn)
            .await
            .unwrap();
        assert_eq!(
            n.n, 2,
            "one effect per consumer, none from the failed attempt"
        );
    })
    .await
    .unwrap();
}
