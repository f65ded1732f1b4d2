-- Firms (the tenant registry) and their domains. The firm row is its own tenant:
-- its policy column is `id`, and platform reads (system administrators, tenant
-- resolution) run with app.all_firms = on.
CREATE TABLE firms (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    logto_org_id text,
    contact_email text NOT NULL,
    billing_plan text NOT NULL CHECK (billing_plan IN ('starter', 'professional', 'enterprise')),
    features jsonb NOT NULL DEFAULT '{}'::jsonb,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    create_logto_org boolean NOT NULL DEFAULT false,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX firms_slug_key ON firms (slug);
CREATE UNIQUE INDEX firms_logto_org_id_key ON firms (logto_org_id) WHERE logto_org_id IS NOT NULL;
SELECT tenants.lawos_tenant_table('tenants.firms', 'id', true);
SELECT tenants.lawos_emit_events('tenants.firms', 'firm', 'id');

CREATE TABLE firm_domains (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL REFERENCES firms (id),
    domain text NOT NULL CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
    verified boolean NOT NULL DEFAULT false,
    verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX firm_domains_domain_key ON firm_domains (domain);
CREATE INDEX firm_domains_firm_idx ON firm_domains (firm_id, id);
SELECT tenants.lawos_tenant_table('tenants.firm_domains', 'firm_id', true);
SELECT tenants.lawos_emit_events('tenants.firm_domains', 'firm_domain');
