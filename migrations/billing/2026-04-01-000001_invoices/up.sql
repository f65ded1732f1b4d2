-- Invoices, their line items, gap-free numbers, credit notes and rendered PDFs.

-- Refuses UPDATE, DELETE and TRUNCATE for every role: financial rows are
-- append-only, corrections are new rows. (The migration REVOKEs them from the
-- runtime role too, but the platform's grants step re-grants DML on every table
-- after migrations; these triggers are what holds.)
CREATE FUNCTION billing.append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE FUNCTION billing.lawos_append_only(tbl regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM lawos_billing', tbl);
  EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %s '
                 'FOR EACH ROW EXECUTE FUNCTION billing.append_only_guard()', tbl);
  EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON %s '
                 'FOR EACH STATEMENT EXECUTE FUNCTION billing.append_only_guard()', tbl);
END
$fn$;

-- Gap-free numbers per firm, kind (INVOICE, CREDIT_NOTE) and year: the issuing
-- transaction bumps (and so locks) its row, and a rollback gives the number back.
CREATE TABLE document_numbers (
    firm_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('INVOICE', 'CREDIT_NOTE')),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last_value bigint NOT NULL CHECK (last_value >= 0),
    PRIMARY KEY (firm_id, kind, year)
);
SELECT billing.lawos_tenant_table('billing.document_numbers');

-- The stored lifecycle is DRAFT → ISSUED → VOID; PARTIALLY_PAID and PAID are
-- derived from payment allocations and credit notes (view invoice_balances).
CREATE TABLE invoices (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    client_id uuid NOT NULL,
    invoice_number text CHECK (invoice_number ~ '^INV-[0-9]{4}-[0-9]{5,}$'),
    status text NOT NULL CHECK (status IN ('DRAFT', 'ISSUED', 'VOID')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period_start date NOT NULL,
    period_end date NOT NULL,
    notes text,
    issue_date date,
    due_date date,
    issued_at timestamptz,
    issued_by uuid,
    voided_at timestamptz,
    voided_by uuid,
    void_reason text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (period_end >= period_start),
    CHECK (status = 'DRAFT' OR (invoice_number IS NOT NULL AND issue_date IS NOT NULL AND due_date IS NOT NULL)),
    CHECK (status <> 'VOID' OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)),
    CHECK (due_date IS NULL OR issue_date IS NULL OR due_date >= issue_date)
);
CREATE UNIQUE INDEX invoices_firm_number_key ON invoices (firm_id, invoice_number)
    WHERE invoice_number IS NOT NULL;
CREATE INDEX invoices_firm_created_idx ON invoices (firm_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX invoices_firm_matter_idx ON invoices (firm_id, matter_id) WHERE deleted_at IS NULL;
CREATE INDEX invoices_firm_client_idx ON invoices (firm_id, client_id) WHERE deleted_at IS NULL;
SELECT billing.lawos_tenant_table('billing.invoices');
SELECT billing.lawos_emit_events('billing.invoices', 'invoice');

-- Line items copy what they bill (description, date, who, minutes, rate,
-- amount), so later edits elsewhere change nothing on the invoice. ADJUSTMENT
-- lines (discounts are negative) are added while the invoice is a draft.
CREATE TABLE invoice_line_items (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    kind text NOT NULL CHECK (kind IN ('TIME', 'EXPENSE', 'ADJUSTMENT')),
    time_entry_id uuid REFERENCES time_entries (id),
    expense_id uuid REFERENCES expenses (id),
    position integer NOT NULL,
    service_date date,
    user_id uuid,
    activity_code text,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    quantity_minutes integer,
    rate_minor bigint,
    amount_minor bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'TIME') = (time_entry_id IS NOT NULL)),
    CHECK ((kind = 'EXPENSE') = (expense_id IS NOT NULL)),
    CHECK (kind = 'ADJUSTMENT' OR amount_minor >= 0)
);
CREATE INDEX invoice_line_items_firm_invoice_idx ON invoice_line_items (firm_id, invoice_id, position);
SELECT billing.lawos_tenant_table('billing.invoice_line_items');

-- Credit notes against an issued invoice: append-only, numbered gap-free.
CREATE TABLE credit_notes (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    credit_note_number text NOT NULL CHECK (credit_note_number ~ '^CN-[0-9]{4}-[0-9]{5,}$'),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    issued_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX credit_notes_firm_number_key ON credit_notes (firm_id, credit_note_number);
CREATE INDEX credit_notes_firm_invoice_idx ON credit_notes (firm_id, invoice_id);
SELECT billing.lawos_tenant_table('billing.credit_notes');
SELECT billing.lawos_append_only('billing.credit_notes');

-- The rendered PDF of an issued invoice: where it is in the object store and its SHA-256.
CREATE TABLE invoice_pdfs (
    invoice_id uuid PRIMARY KEY REFERENCES invoices (id),
    firm_id uuid NOT NULL,
    object_key text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
SELECT billing.lawos_tenant_table('billing.invoice_pdfs');
