-- Matters (the Backstage "case"), their numbers, members, parties, notes and budgets.
-- Every table is a tenant table (firm_id, forced RLS) with indexes leading with
-- firm_id; entity events come from the trigger, except for members, whose
-- changes are the business events matter.member_added / matter.member_removed.

CREATE TABLE matters (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_number text NOT NULL CHECK (matter_number ~ '^[0-9]{4}-[0-9]{5,}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text,
    matter_type text NOT NULL
        CHECK (matter_type IN ('CIVIL', 'CRIMINAL', 'FAMILY', 'CORPORATE', 'IMMIGRATION', 'OTHER')),
    practice_area text,
    stage text NOT NULL CHECK (stage IN ('LEAD', 'OPEN', 'IN_PROGRESS', 'CLOSED', 'ARCHIVED')),
    client_id uuid,
    opened_at timestamptz,
    closed_at timestamptz,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX matters_firm_number_key ON matters (firm_id, matter_number);
CREATE INDEX matters_firm_created_idx ON matters (firm_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX matters_firm_updated_idx ON matters (firm_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX matters_firm_stage_idx ON matters (firm_id, stage) WHERE deleted_at IS NULL;
CREATE INDEX matters_firm_client_idx ON matters (firm_id, client_id) WHERE client_id IS NOT NULL;
SELECT matters.lawos_tenant_table('matters.matters');
SELECT matters.lawos_emit_events('matters.matters', 'matter');

-- Gap-free matter numbers per firm and year: the creating transaction bumps
-- (and so locks) its firm's row for the year, and a rollback gives the number back.
CREATE TABLE matter_number_sequences (
    firm_id uuid NOT NULL,
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last_value bigint NOT NULL CHECK (last_value >= 0),
    PRIMARY KEY (firm_id, year)
);
SELECT matters.lawos_tenant_table('matters.matter_number_sequences');

CREATE TABLE matter_members (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL REFERENCES matters (id),
    user_id uuid NOT NULL,
    role text NOT NULL CHECK (role IN ('LEAD_ATTORNEY', 'ASSOCIATE', 'PARALEGAL', 'STAFF')),
    starts_at timestamptz NOT NULL DEFAULT now(),
    ends_at timestamptz,
    added_by uuid,
    removed_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    removed_at timestamptz,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE UNIQUE INDEX matter_members_active_key ON matter_members (firm_id, matter_id, user_id)
    WHERE removed_at IS NULL;
CREATE INDEX matter_members_firm_user_idx ON matter_members (firm_id, user_id) WHERE removed_at IS NULL;
SELECT matters.lawos_tenant_table('matters.matter_members');

CREATE TABLE matter_contacts (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL REFERENCES matters (id),
    contact_id uuid NOT NULL,
    role text NOT NULL
        CHECK (role IN ('CLIENT', 'OPPOSING_PARTY', 'OPPOSING_COUNSEL', 'WITNESS', 'OTHER')),
    notes text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX matter_contacts_active_key ON matter_contacts (firm_id, matter_id, contact_id, role)
    WHERE deleted_at IS NULL;
CREATE INDEX matter_contacts_firm_contact_idx ON matter_contacts (firm_id, contact_id);
SELECT matters.lawos_tenant_table('matters.matter_contacts');
SELECT matters.lawos_emit_events('matters.matter_contacts', 'matter_contact');

CREATE TABLE matter_notes (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL REFERENCES matters (id),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX matter_notes_firm_matter_idx ON matter_notes (firm_id, matter_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
SELECT matters.lawos_tenant_table('matters.matter_notes');
SELECT matters.lawos_emit_events('matters.matter_notes', 'matter_note');

-- Budgets: money in integer minor units plus an ISO currency.
CREATE TABLE matter_budgets (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL REFERENCES matters (id),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period_start date,
    period_end date,
    notes text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (period_end IS NULL OR period_start IS NULL OR period_end >= period_start)
);
CREATE INDEX matter_budgets_firm_matter_idx ON matter_budgets (firm_id, matter_id) WHERE deleted_at IS NULL;
SELECT matters.lawos_tenant_table('matters.matter_budgets');
SELECT matters.lawos_emit_events('matters.matter_budgets', 'matter_budget');
