-- Time and expenses: activity codes, effective-dated billing rates, time
-- entries (lawyers' and partner attorneys'), timers, expenses. Every table is a
-- tenant table (firm_id, forced RLS) with indexes leading with firm_id.

-- A firm's own activity codes, beside the built-in ones (RESEARCH, DRAFTING, …).
CREATE TABLE activity_codes (
    firm_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    PRIMARY KEY (firm_id, code)
);
SELECT billing.lawos_tenant_table('billing.activity_codes');

-- Billing rates per user (minor units per hour), optionally narrowed to one
-- matter and/or one activity code, in force from `effective_from`. Rows are
-- never changed: a new rate is a new row; the most specific row in force on the
-- work date wins (matter + activity, matter, activity, the user's own), then the
-- latest effective date.
CREATE TABLE billing_rates (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    matter_id uuid,
    activity_code text,
    rate_minor bigint NOT NULL CHECK (rate_minor >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    effective_from date NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_rates_firm_user_idx ON billing_rates (firm_id, user_id, effective_from DESC);
SELECT billing.lawos_tenant_table('billing.billing_rates');
SELECT billing.lawos_emit_events('billing.billing_rates', 'billing_rate');

-- Time entries (Backstage §5.1.6). `kind` PARTNER holds partner attorneys'
-- entries (the schema overview's PARTNER_TIME_ENTRIES), LAWYER everyone else's.
-- The rate in force at creation is frozen on the row (billing_rate_minor,
-- currency, rate_id); total_amount_minor = duration_minutes / 60 × rate,
-- rounded half-even, computed by the service.
CREATE TABLE time_entries (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('LAWYER', 'PARTNER')),
    activity_code text NOT NULL,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    is_billable boolean NOT NULL,
    billing_rate_minor bigint NOT NULL CHECK (billing_rate_minor >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    rate_id uuid REFERENCES billing_rates (id),
    total_amount_minor bigint NOT NULL CHECK (total_amount_minor >= 0),
    status text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'INVOICED')),
    work_date date NOT NULL,
    submitted_at timestamptz,
    approved_by uuid,
    approved_at timestamptz,
    rejected_by uuid,
    rejected_at timestamptz,
    rejection_reason text,
    -- The invoice holding the entry: a draft reserves it, issuing bills it.
    invoice_id uuid,
    timer_id uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (status <> 'INVOICED' OR invoice_id IS NOT NULL)
);
CREATE INDEX time_entries_firm_date_idx ON time_entries (firm_id, work_date DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX time_entries_firm_user_date_idx ON time_entries (firm_id, user_id, work_date DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX time_entries_firm_matter_status_idx ON time_entries (firm_id, matter_id, status, work_date)
    WHERE deleted_at IS NULL;
CREATE INDEX time_entries_firm_invoice_idx ON time_entries (firm_id, invoice_id) WHERE invoice_id IS NOT NULL;
SELECT billing.lawos_tenant_table('billing.time_entries');
SELECT billing.lawos_emit_events('billing.time_entries', 'time_entry');

-- Timers are rows, so a running timer survives restarts. At most one runs per
-- user (the partial unique index); stopping one writes a DRAFT time entry.
CREATE TABLE timers (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    activity_code text NOT NULL,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    is_billable boolean NOT NULL,
    state text NOT NULL CHECK (state IN ('RUNNING', 'PAUSED', 'STOPPED')),
    -- Seconds counted before the current run; the current run began at running_since.
    accumulated_seconds bigint NOT NULL DEFAULT 0 CHECK (accumulated_seconds >= 0),
    running_since timestamptz,
    started_at timestamptz NOT NULL,
    stopped_at timestamptz,
    time_entry_id uuid REFERENCES time_entries (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'RUNNING') = (running_since IS NOT NULL))
);
CREATE UNIQUE INDEX timers_one_running_per_user ON timers (firm_id, user_id) WHERE state = 'RUNNING';
CREATE INDEX timers_firm_user_idx ON timers (firm_id, user_id, created_at DESC, id DESC);
SELECT billing.lawos_tenant_table('billing.timers');

-- Expenses: the same approval lifecycle; the receipt is a document id (documents service).
CREATE TABLE expenses (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    category text NOT NULL CHECK (length(category) BETWEEN 1 AND 60),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    incurred_on date NOT NULL,
    receipt_document_id uuid,
    is_billable boolean NOT NULL,
    status text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'INVOICED')),
    submitted_at timestamptz,
    approved_by uuid,
    approved_at timestamptz,
    rejected_by uuid,
    rejected_at timestamptz,
    rejection_reason text,
    invoice_id uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (status <> 'INVOICED' OR invoice_id IS NOT NULL)
);
CREATE INDEX expenses_firm_date_idx ON expenses (firm_id, incurred_on DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX expenses_firm_matter_status_idx ON expenses (firm_id, matter_id, status, incurred_on)
    WHERE deleted_at IS NULL;
SELECT billing.lawos_tenant_table('billing.expenses');
SELECT billing.lawos_emit_events('billing.expenses', 'expense');
