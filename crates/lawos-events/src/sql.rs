//! The SQL each producing/consuming service installs into its own schema:
//! `outbox`, `inbox`, the entity-event trigger and its one-line attach helper.
//!
//! Run [`install_sql`] from the service's migration (it is idempotent), then attach
//! the trigger to every owned table:
//!
//! ```sql
//! select tenants.lawos_emit_events('tenants.firms', 'firm', 'id');          -- the row is the firm
//! select tenants.lawos_emit_events('tenants.firm_domains', 'firm_domain');  -- firm from firm_id
//! ```
//!
//! The trigger writes `<entity>.created|updated|deleted` (an `UPDATE` that sets
//! `deleted_at` counts as `deleted`; an `UPDATE` that changes nothing emits nothing)
//! with the actor, act-as and traceparent taken from the transaction's
//! `app.user_id`, `app.act_as` and `app.traceparent` settings.
//!
//! The outbox and inbox are infrastructure tables without row-level security: the
//! relay reads every firm's rows. The runtime role needs DML on them and `USAGE` on
//! `outbox_seq_seq`.

use crate::Error;

/// `LISTEN`/`NOTIFY` channel the trigger and [`crate::enqueue`] signal for `schema`.
pub fn notify_channel(schema: &str) -> String {
    format!("lawos_outbox_{schema}")
}

/// Double-quotes an SQL identifier.
pub(crate) fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Single-quotes an SQL string literal.
fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Schemas are service names: lower-case ASCII identifiers, so they can be used
/// unquoted in NOTIFY channel names and in logs.
pub(crate) fn check_schema(schema: &str) -> Result<(), Error> {
    let ok = !schema.is_empty()
        && schema.len() <= 40
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!("invalid schema name {schema:?}")))
    }
}

/// Idempotent DDL for `schema`'s outbox, inbox, `lawos_uuid_v7()`,
/// `lawos_emit_entity_event()` trigger function and `lawos_emit_events(tbl, entity,
/// firm_column = 'firm_id', id_column = 'id')` attach helper. Safe to run on every
/// start or from a migration; re-running replaces the functions in place.
pub fn install_sql(schema: &str) -> String {
    let s = quote_ident(schema);
    // `s` goes into a format() string in lawos_emit_events: escape `%`.
    let s_fmt = s.replace('%', "%%");
    let channel = quote_literal(&notify_channel(schema));
    let schema_lit = quote_literal(schema);
    let schema_lit_ident = quote_literal(&s);
    format!(
        r#"
-- The schema normally exists already (created by the service's provisioning);
-- checking first keeps this runnable by an owner role without CREATE on the database.
do $do$ begin
  if not exists (select 1 from pg_namespace where nspname = {schema_lit}) then
    execute 'create schema ' || {schema_lit_ident};
  end if;
end $do$;

-- UUIDv7 (48-bit unix ms timestamp, version 7, random rest); PG15 has no built-in one.
create or replace function {s}.lawos_uuid_v7() returns uuid
language sql volatile as $fn$
  select encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
              from 1 for 6),
      52, 1), 53, 1),
    'hex')::uuid
$fn$;

create table if not exists {s}.outbox (
  id uuid primary key,
  seq bigserial not null,
  firm_id uuid,
  event_type text not null,
  entity_type text not null,
  entity_id uuid not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index if not exists outbox_unpublished_seq_idx on {s}.outbox (seq) where published_at is null;

create table if not exists {s}.inbox (
  event_id uuid not null,
  consumer text not null,
  processed_at timestamptz not null default now(),
  primary key (event_id, consumer)
);

create or replace function {s}.lawos_emit_entity_event() returns trigger
language plpgsql as $fn$
declare
  v_entity text := TG_ARGV[0];
  v_firm_col text := coalesce(TG_ARGV[1], 'firm_id');
  v_id_col text := coalesce(TG_ARGV[2], 'id');
  v_row jsonb;
  v_action text;
  v_event_id uuid;
  v_firm uuid;
  v_entity_id uuid;
  v_actor jsonb;
  v_envelope jsonb;
  v_act_as text := nullif(current_setting('app.act_as', true), '');
  v_traceparent text := nullif(current_setting('app.traceparent', true), '');
begin
  if TG_OP = 'DELETE' then
    v_row := to_jsonb(OLD);
    v_action := 'deleted';
  elsif TG_OP = 'INSERT' then
    v_row := to_jsonb(NEW);
    v_action := 'created';
  else
    v_row := to_jsonb(NEW);
    if v_row = to_jsonb(OLD) then
      return null;
    end if;
    if v_row->>'deleted_at' is not null and to_jsonb(OLD)->>'deleted_at' is null then
      v_action := 'deleted';
    else
      v_action := 'updated';
    end if;
  end if;
  v_event_id := {s}.lawos_uuid_v7();
  v_firm := nullif(v_row->>v_firm_col, '')::uuid;
  v_entity_id := (v_row->>v_id_col)::uuid;
  v_actor := jsonb_build_object('userId', nullif(current_setting('app.user_id', true), ''));
  if v_act_as is not null then
    v_actor := v_actor || jsonb_build_object('actAs', v_act_as);
  end if;
  v_envelope := jsonb_build_object(
    'id', v_event_id,
    'type', v_entity || '.' || v_action,
    'version', 1,
    'firmId', v_firm,
    'occurredAt', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor', v_actor,
    'entity', jsonb_build_object('type', v_entity, 'id', v_entity_id),
    'data', v_row);
  if v_traceparent is not null then
    v_envelope := v_envelope || jsonb_build_object('traceparent', v_traceparent);
  end if;
  insert into {s}.outbox (id, firm_id, event_type, entity_type, entity_id, payload)
  values (v_event_id, v_firm, v_entity || '.' || v_action, v_entity, v_entity_id, v_envelope);
  perform pg_notify({channel}, '');
  return null;
end
$fn$;

create or replace function {s}.lawos_emit_events(
  tbl regclass, entity text, firm_column text default 'firm_id', id_column text default 'id'
) returns void
language plpgsql as $fn$
begin
  execute format(
    'create or replace trigger lawos_emit_events after insert or update or delete on %s '
    'for each row execute function {s_fmt}.lawos_emit_entity_event(%L, %L, %L)',
    tbl, entity, firm_column, id_column);
end
$fn$;
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_checked() {
        assert!(check_schema("tenants").is_ok());
        assert!(check_schema("svc_2").is_ok());
        assert!(check_schema("").is_err());
        assert!(check_schema("Tenants").is_err());
        assert!(check_schema("a;drop").is_err());
        assert!(check_schema("1abc").is_err());
    }

    #[test]
    fn install_sql_is_schema_qualified() {
        let sql = install_sql("tenants");
        assert!(sql.contains("create table if not exists \"tenants\".outbox"));
        assert!(sql.contains("pg_notify('lawos_outbox_tenants', '')"));
    }
}
