-- Payments, their allocations to invoices and their event history: all
-- append-only. A refund or a reversal is a new payments row; taking money off
-- an invoice is a DEALLOCATION row. Balances are derived from the rows
-- (invoice_balances, payment_balances), never kept as a mutable total.

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    client_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('PAYMENT', 'REFUND', 'REVERSAL')),
    -- For a REFUND or REVERSAL: the payment it gives money back from.
    original_payment_id uuid REFERENCES payments (id),
    method text NOT NULL CHECK (method IN ('CHECK', 'WIRE', 'ACH', 'CARD', 'CASH', 'TRUST', 'OTHER')),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    received_on date NOT NULL,
    reference text,
    notes text,
    recorded_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'PAYMENT') = (original_payment_id IS NULL))
);
CREATE INDEX payments_firm_created_idx ON payments (firm_id, created_at DESC, id DESC);
CREATE INDEX payments_firm_client_idx ON payments (firm_id, client_id);
CREATE INDEX payments_firm_original_idx ON payments (firm_id, original_payment_id)
    WHERE original_payment_id IS NOT NULL;
-- One reversal per payment at most.
CREATE UNIQUE INDEX payments_one_reversal_key ON payments (firm_id, original_payment_id)
    WHERE kind = 'REVERSAL';
SELECT billing.lawos_tenant_table('billing.payments');
SELECT billing.lawos_append_only('billing.payments');

CREATE TABLE payment_allocations (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    payment_id uuid NOT NULL REFERENCES payments (id),
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    kind text NOT NULL CHECK (kind IN ('ALLOCATION', 'DEALLOCATION')),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_allocations_firm_payment_idx ON payment_allocations (firm_id, payment_id);
CREATE INDEX payment_allocations_firm_invoice_idx ON payment_allocations (firm_id, invoice_id);
SELECT billing.lawos_tenant_table('billing.payment_allocations');
SELECT billing.lawos_append_only('billing.payment_allocations');

-- Every change to a payment, in order (the schema overview's PAYMENT_EVENTS).
CREATE TABLE payment_events (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    payment_id uuid NOT NULL REFERENCES payments (id),
    event_type text NOT NULL
        CHECK (event_type IN ('RECORDED', 'ALLOCATED', 'DEALLOCATED', 'REFUNDED', 'REVERSED')),
    invoice_id uuid,
    amount_minor bigint NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    actor_user_id uuid,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX payment_events_firm_payment_idx ON payment_events (firm_id, payment_id, created_at, id);
SELECT billing.lawos_tenant_table('billing.payment_events');
SELECT billing.lawos_append_only('billing.payment_events');

-- What each invoice amounts to, what was credited and paid, and the status
-- that follows. security_invoker: the caller's row-level security applies.
CREATE VIEW invoice_balances WITH (security_invoker = true) AS
SELECT i.id AS invoice_id,
       i.firm_id,
       t.total_minor,
       t.credited_minor,
       t.paid_minor,
       t.total_minor - t.credited_minor - t.paid_minor AS balance_minor,
       CASE
           WHEN i.status <> 'ISSUED' THEN i.status
           WHEN t.total_minor - t.credited_minor - t.paid_minor <= 0 THEN 'PAID'
           WHEN t.paid_minor > 0 OR t.credited_minor > 0 THEN 'PARTIALLY_PAID'
           ELSE 'ISSUED'
       END AS status
FROM invoices i
CROSS JOIN LATERAL (
    SELECT
        (SELECT coalesce(sum(l.amount_minor), 0) FROM invoice_line_items l
          WHERE l.invoice_id = i.id)::bigint AS total_minor,
        (SELECT coalesce(sum(c.amount_minor), 0) FROM credit_notes c
          WHERE c.invoice_id = i.id)::bigint AS credited_minor,
        (SELECT coalesce(sum(CASE a.kind WHEN 'ALLOCATION' THEN a.amount_minor ELSE -a.amount_minor END), 0)
           FROM payment_allocations a WHERE a.invoice_id = i.id)::bigint AS paid_minor
) t;

-- What each payment left unapplied: its amount, less what is allocated, less
-- what was refunded or reversed.
CREATE VIEW payment_balances WITH (security_invoker = true) AS
SELECT p.id AS payment_id,
       p.firm_id,
       p.amount_minor,
       t.allocated_minor,
       t.returned_minor,
       p.amount_minor - t.allocated_minor - t.returned_minor AS unapplied_minor,
       t.reversed
FROM payments p
CROSS JOIN LATERAL (
    SELECT
        (SELECT coalesce(sum(CASE a.kind WHEN 'ALLOCATION' THEN a.amount_minor ELSE -a.amount_minor END), 0)
           FROM payment_allocations a WHERE a.payment_id = p.id)::bigint AS allocated_minor,
        (SELECT coalesce(sum(r.amount_minor), 0) FROM payments r
          WHERE r.original_payment_id = p.id)::bigint AS returned_minor,
        EXISTS (SELECT 1 FROM payments r WHERE r.original_payment_id = p.id AND r.kind = 'REVERSAL')
            AS reversed
) t
WHERE p.kind = 'PAYMENT';
