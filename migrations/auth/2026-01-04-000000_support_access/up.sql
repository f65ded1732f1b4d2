-- Support access (Backstage §2.2.6): a system administrator acts as a firm's
-- user for a bounded time, for a stated reason. The session id is the `sid` of
-- the act-as tokens; revoking the session ends them everywhere (Redis
-- `revoked-sid:{sid}`, read by every service's token validator).
--
-- Tenant rows of the target firm (firm policy with platform reads through
-- app.all_firms): system administrators read and write them in platform
-- transactions; a firm's FIRM_ADMIN sees the sessions held on the firm's users.
CREATE TABLE support_sessions (
    id uuid PRIMARY KEY,
    admin_user_id uuid NOT NULL REFERENCES users (id),
    target_user_id uuid NOT NULL,
    firm_id uuid NOT NULL,
    reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 10 AND 500),
    starts_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '1 hour',
    revoked_at timestamptz,
    revoked_by uuid REFERENCES users (id),
    CHECK (expires_at > starts_at AND expires_at <= starts_at + interval '8 hours'),
    CHECK (admin_user_id <> target_user_id),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    FOREIGN KEY (firm_id, target_user_id) REFERENCES firm_user_profiles (firm_id, user_id)
);
CREATE INDEX support_sessions_firm_idx ON support_sessions (firm_id, id DESC);
CREATE INDEX support_sessions_admin_idx ON support_sessions (admin_user_id, id DESC);
SELECT auth.lawos_tenant_table('auth.support_sessions', 'firm_id', true);
SELECT auth.lawos_emit_events('auth.support_sessions', 'support_session');

-- One row per request made with a session's act-as token (any service). It is
-- itself the audit trail, so it emits no entity events; rows are never changed.
CREATE TABLE support_access_log (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES support_sessions (id) ON DELETE CASCADE,
    firm_id uuid NOT NULL,
    service text NOT NULL CHECK (length(service) BETWEEN 1 AND 40),
    method text NOT NULL CHECK (length(method) BETWEEN 1 AND 10),
    path text NOT NULL CHECK (length(path) BETWEEN 1 AND 2000),
    status smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_access_log_session_idx ON support_access_log (session_id, at);
SELECT auth.lawos_tenant_table('auth.support_access_log', 'firm_id', true);
