-- The MyCase sync: a firm's connection to MyCase (its settings; the OAuth
-- secrets sealed by the application live beside it in mycase_credentials, so a
-- rotated refresh token is no audit event), the sync's runs (its log, one
-- RUNNING run per firm at a time), and the external references mapping MyCase
-- records onto LawOS ones with the values both sides had at the last sync (a
-- field changed on both sides since is a conflict).
--
-- Connections, credentials and runs are read across firms by the scheduler
-- (`app.all_firms = on`); every write runs in the firm's own transaction.

CREATE TABLE mycase_connections (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    -- NULL: the configured default (MyCase's own endpoints).
    base_url text CHECK (base_url ~ '^https?://'),
    token_url text CHECK (token_url ~ '^https?://'),
    grant_type text NOT NULL CHECK (grant_type IN ('CLIENT_CREDENTIALS', 'REFRESH_TOKEN')),
    client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 200),
    interval_minutes integer NOT NULL DEFAULT 15 CHECK (interval_minutes BETWEEN 5 AND 1440),
    enabled boolean NOT NULL DEFAULT true,
    -- Successful runs started before this do not supply the cursor (set when
    -- the connection points somewhere else: everything is pulled again).
    resync_from timestamptz NOT NULL DEFAULT now(),
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mycase_connections_firm_key ON mycase_connections (firm_id);
SELECT matters.lawos_tenant_table('matters.mycase_connections', 'firm_id', true);
SELECT matters.lawos_emit_events('matters.mycase_connections', 'mycase_connection');

-- AES-256-GCM of {clientSecret, refreshToken}, bound to the connection.
CREATE TABLE mycase_credentials (
    connection_id uuid PRIMARY KEY REFERENCES mycase_connections (id),
    firm_id uuid NOT NULL,
    ciphertext bytea NOT NULL,
    key_id text NOT NULL,
    has_client_secret boolean NOT NULL,
    has_refresh_token boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT matters.lawos_tenant_table('matters.mycase_credentials', 'firm_id', true);

CREATE TABLE mycase_runs (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    connection_id uuid NOT NULL REFERENCES mycase_connections (id),
    origin text NOT NULL CHECK (origin IN ('SCHEDULE', 'MANUAL')),
    requested_by uuid,
    status text NOT NULL DEFAULT 'RUNNING'
        CHECK (status IN ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED')),
    started_at timestamptz NOT NULL DEFAULT now(),
    -- Moved on while the run works; a RUNNING run whose heartbeat is older
    -- than the lease was abandoned (its replica died) and is failed.
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    cursor_before jsonb NOT NULL DEFAULT '{}',
    cursor_after jsonb,
    created integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated integer NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged integer NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    conflicts integer NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
    failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
    conflict_details jsonb NOT NULL DEFAULT '[]',
    errors jsonb NOT NULL DEFAULT '[]',
    CHECK ((status = 'RUNNING') = (finished_at IS NULL))
);
-- The lock: one RUNNING run per firm, whichever replica inserts it first.
CREATE UNIQUE INDEX mycase_runs_running_key ON mycase_runs (firm_id) WHERE status = 'RUNNING';
CREATE INDEX mycase_runs_firm_started_idx ON mycase_runs (firm_id, started_at DESC, id DESC);
CREATE INDEX mycase_runs_connection_idx ON mycase_runs (connection_id, started_at DESC);
SELECT matters.lawos_tenant_table('matters.mycase_runs', 'firm_id', true);

-- A finished run is a record: it is never changed again, and no run is deleted.
CREATE FUNCTION mycase_runs_finished_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'mycase_runs rows are not deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'run % is finished', OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER mycase_runs_finished_guard BEFORE UPDATE OR DELETE ON mycase_runs
    FOR EACH ROW EXECUTE FUNCTION mycase_runs_finished_guard();

-- A record of another system mapped onto a LawOS entity: a MyCase case onto a
-- matter, a client onto a client at contacts, a staff member onto a firm member
-- (entity_id NULL while no member has that e-mail). remote_values are the
-- MyCase side as last synced, local_values the LawOS side right after.
CREATE TABLE external_refs (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    provider text NOT NULL CHECK (provider IN ('mycase')),
    kind text NOT NULL CHECK (kind IN ('CASE', 'CLIENT', 'STAFF')),
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 100),
    external_number text,
    entity_type text NOT NULL CHECK (entity_type IN ('matter', 'client', 'user')),
    entity_id uuid,
    remote_values jsonb NOT NULL DEFAULT '{}',
    local_values jsonb NOT NULL DEFAULT '{}',
    remote_updated_at timestamptz,
    last_run_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX external_refs_key ON external_refs (firm_id, provider, kind, external_id);
CREATE INDEX external_refs_entity_idx ON external_refs (firm_id, entity_type, entity_id)
    WHERE entity_id IS NOT NULL;
SELECT matters.lawos_tenant_table('matters.external_refs');
