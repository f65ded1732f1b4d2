-- Lead intake: a firm's lead forms (public web forms, found by the hash of
-- their key), its Meta lead-ads pages (with the page access token sealed by
-- the application), the webhook deliveries received from Meta (one per
-- leadgen id, retried until processed), and the leads taken in (each a contact
-- at contacts and a matter in stage LEAD).
--
-- Forms, pages and deliveries are looked up before the firm is known (by key
-- hash, by page id, by the retry worker), so their policy also admits
-- platform reads (`app.all_firms = on`); every write still runs in the firm's
-- own transaction.

CREATE TABLE lead_forms (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
    key_hint text NOT NULL,
    practice_area text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
-- A key is unique across firms: it names its firm.
CREATE UNIQUE INDEX lead_forms_key_hash_key ON lead_forms (key_hash);
CREATE INDEX lead_forms_firm_idx ON lead_forms (firm_id, created_at DESC, id DESC);
SELECT matters.lawos_tenant_table('matters.lead_forms', 'firm_id', true);
SELECT matters.lawos_emit_events('matters.lead_forms', 'lead_form');

CREATE TABLE meta_pages (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    page_id text NOT NULL CHECK (page_id ~ '^[0-9]{1,32}$'),
    form_id text CHECK (form_id ~ '^[0-9]{1,32}$'),
    name text,
    practice_area text,
    token_ciphertext bytea NOT NULL,
    token_key_id text NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
-- One active mapping per page and form (a null form: every form of the page),
-- across firms: a page belongs to one firm.
CREATE UNIQUE INDEX meta_pages_active_key ON meta_pages (page_id, coalesce(form_id, ''))
    WHERE disabled_at IS NULL;
CREATE INDEX meta_pages_firm_idx ON meta_pages (firm_id, created_at DESC, id DESC);
SELECT matters.lawos_tenant_table('matters.meta_pages', 'firm_id', true);
-- Its audit events carry the sealed token only (no clear text).
SELECT matters.lawos_emit_events('matters.meta_pages', 'meta_page');

CREATE TABLE lead_deliveries (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    leadgen_id text NOT NULL CHECK (leadgen_id ~ '^[0-9]{1,32}$'),
    page_id text NOT NULL,
    form_id text,
    mapping_id uuid NOT NULL REFERENCES meta_pages (id),
    status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    matter_id uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
-- Meta retries a delivery until answered 200: the leadgen id is taken once.
CREATE UNIQUE INDEX lead_deliveries_leadgen_key ON lead_deliveries (firm_id, leadgen_id);
CREATE INDEX lead_deliveries_due_idx ON lead_deliveries (next_attempt_at) WHERE status = 'PENDING';
SELECT matters.lawos_tenant_table('matters.lead_deliveries', 'firm_id', true);

CREATE TABLE leads (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL REFERENCES matters (id),
    contact_id uuid NOT NULL,
    channel text NOT NULL CHECK (channel IN ('WEB', 'FORM', 'META')),
    form_id uuid REFERENCES lead_forms (id),
    delivery_id uuid REFERENCES lead_deliveries (id),
    dedupe_key text NOT NULL,
    source text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_firm_dedupe_idx ON leads (firm_id, dedupe_key, created_at DESC);
CREATE INDEX leads_firm_matter_idx ON leads (firm_id, matter_id);
-- A delivery becomes at most one lead, however often it is retried.
CREATE UNIQUE INDEX leads_firm_delivery_key ON leads (firm_id, delivery_id) WHERE delivery_id IS NOT NULL;
SELECT matters.lawos_tenant_table('matters.leads');
