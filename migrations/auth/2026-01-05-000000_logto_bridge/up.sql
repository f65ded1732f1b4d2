-- The Logto bridge (Backstage §2.2.3): which Logto organization belongs to which
-- firm, a local cache of the organization's members and their organization
-- roles, and the log of every exchange with Logto's Management API.
--
-- Tenant rows with the firm policy; platform administrators read across firms
-- through app.all_firms (the list of known organizations).

-- One Logto organization per firm.
CREATE TABLE logto_organizations (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    logto_org_id text NOT NULL CHECK (length(logto_org_id) BETWEEN 1 AND 128),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text CHECK (length(description) <= 2000),
    -- Whether the platform created the organization (createLogtoOrg) or linked an existing one.
    created_in_logto boolean NOT NULL DEFAULT false,
    synced_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX logto_organizations_firm_key ON logto_organizations (firm_id);
CREATE UNIQUE INDEX logto_organizations_org_key ON logto_organizations (logto_org_id);
SELECT auth.lawos_tenant_table('auth.logto_organizations', 'firm_id', true);
SELECT auth.lawos_emit_events('auth.logto_organizations', 'logto_organization');

-- Members of a firm's organization as Logto last reported them (ACTIVE), or
-- people invited by e-mail who have not accepted yet (INVITED). user_id links
-- the member to the user mirror when the member has an e-mail address.
CREATE TABLE logto_org_memberships (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    organization_id uuid NOT NULL REFERENCES logto_organizations (id) ON DELETE CASCADE,
    logto_user_id text CHECK (length(logto_user_id) BETWEEN 1 AND 128),
    user_id uuid REFERENCES users (id),
    email text CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name text CHECK (length(name) <= 200),
    -- [{"id": "...", "name": "..."}]: the member's organization roles in Logto.
    roles jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(roles) = 'array'),
    status text NOT NULL CHECK (status IN ('ACTIVE', 'INVITED')),
    invitation_id text CHECK (length(invitation_id) BETWEEN 1 AND 128),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (logto_user_id IS NOT NULL OR invitation_id IS NOT NULL),
    CHECK (status = 'INVITED' OR logto_user_id IS NOT NULL)
);
CREATE UNIQUE INDEX logto_org_memberships_user_key
    ON logto_org_memberships (firm_id, logto_user_id) WHERE logto_user_id IS NOT NULL;
CREATE UNIQUE INDEX logto_org_memberships_invitation_key
    ON logto_org_memberships (firm_id, invitation_id) WHERE invitation_id IS NOT NULL;
CREATE INDEX logto_org_memberships_firm_idx ON logto_org_memberships (firm_id, id);
SELECT auth.lawos_tenant_table('auth.logto_org_memberships', 'firm_id', true);
SELECT auth.lawos_emit_events('auth.logto_org_memberships', 'logto_org_membership');

-- Every sync and every Management API write, succeeded or failed (a failure is
-- logged in its own transaction, so the row stays although nothing else was
-- written). Append-only: it is itself the audit trail, and emits no events.
CREATE TABLE logto_sync_log (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    direction text NOT NULL CHECK (direction IN ('PULL', 'PUSH')),
    operation text NOT NULL CHECK (operation ~ '^[a-z]+(\.[a-z_]+)*$'),
    status text NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
    logto_org_id text,
    target text CHECK (length(target) <= 320),
    error text CHECK (length(error) <= 2000),
    details jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
    actor_id uuid,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    CHECK (finished_at >= started_at),
    CHECK ((status = 'FAILED') = (error IS NOT NULL))
);
CREATE INDEX logto_sync_log_firm_idx ON logto_sync_log (firm_id, started_at DESC);
SELECT auth.lawos_tenant_table('auth.logto_sync_log', 'firm_id', true);
