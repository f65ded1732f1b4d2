-- The audit event log: one row per event, append-only, hash-chained per firm.
--
-- * `id` is the envelope id: a redelivered event conflicts and is stored once.
-- * `seq` is the arrival order (global sequence; per firm it is increasing, with
--   gaps). The chain of a firm links its rows in `seq` order.
-- * Platform events (envelope `firmId` null) are stored under the nil uuid
--   firm 00000000-0000-0000-0000-000000000000, readable only by system admins.
-- * `prev_hash` is the previous row's `hash` in the firm's chain (or the last
--   archived row's hash, see chain_anchors; 32 zero bytes for the first row);
--   `hash` = sha256(prev_hash || canonical JSON of the stored fields).
CREATE TABLE event_log (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    seq bigserial NOT NULL,
    event_type text NOT NULL,
    entity_type text NOT NULL,
    entity_id uuid NOT NULL,
    actor_user_id uuid,
    actor_act_as text,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    payload jsonb NOT NULL,
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE UNIQUE INDEX event_log_firm_seq_key ON event_log (firm_id, seq);
CREATE INDEX event_log_firm_entity_idx ON event_log (firm_id, entity_type, entity_id, seq);
CREATE INDEX event_log_firm_type_idx ON event_log (firm_id, event_type, seq);
CREATE INDEX event_log_firm_actor_idx ON event_log (firm_id, actor_user_id, seq);
CREATE INDEX event_log_firm_occurred_idx ON event_log (firm_id, occurred_at);
CREATE INDEX event_log_firm_received_idx ON event_log (firm_id, received_at);
SELECT events.lawos_tenant_table('events.event_log');
-- The owner role (migrations, the archive command) reaches every firm; the
-- runtime role only the firm of its transaction.
CREATE POLICY owner_maintenance ON event_log TO lawos_events_owner USING (true) WITH CHECK (true);

-- Where a firm's chain continues after archived rows were removed: the last
-- archived row's seq and hash, and the object holding the archived rows.
CREATE TABLE chain_anchors (
    id bigserial PRIMARY KEY,
    firm_id uuid NOT NULL,
    through_seq bigint NOT NULL,
    last_hash bytea NOT NULL CHECK (length(last_hash) = 32),
    rows_archived bigint NOT NULL,
    object_key text NOT NULL,
    cutoff timestamptz NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX chain_anchors_firm_seq_key ON chain_anchors (firm_id, through_seq);
SELECT events.lawos_tenant_table('events.chain_anchors');
CREATE POLICY owner_maintenance ON chain_anchors TO lawos_events_owner USING (true) WITH CHECK (true);

-- Append-only. The runtime role loses UPDATE/DELETE/TRUNCATE here (note: the
-- platform's grants step re-grants DML on every table after migrations; the
-- triggers below are what actually holds, for every role including the owner).
REVOKE UPDATE, DELETE, TRUNCATE ON event_log, chain_anchors FROM lawos_events;

-- Rows may be deleted only by the archive command: the owner role (or a member
-- of it), with `lawos.archive_cutoff` set in the transaction, and only rows
-- received before that cutoff. Nothing is ever updated.
CREATE FUNCTION event_log_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cutoff text := nullif(current_setting('lawos.archive_cutoff', true), '');
BEGIN
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL
     AND pg_has_role(current_user, 'lawos_events_owner', 'MEMBER')
     AND OLD.received_at < cutoff::timestamptz THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'events.event_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_guard();
CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER chain_anchors_append_only BEFORE UPDATE OR DELETE ON chain_anchors
    FOR EACH ROW EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER chain_anchors_no_truncate BEFORE TRUNCATE ON chain_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();
