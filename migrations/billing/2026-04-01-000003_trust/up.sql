-- The trust (IOLTA) ledger: a firm's trust bank accounts, an append-only
-- ledger of deposits, disbursements and transfers to pay issued invoices, per
-- client and (optionally) matter, and the three-way reconciliations.

CREATE TABLE trust_accounts (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    bank_name text,
    account_last4 text CHECK (account_last4 ~ '^[0-9]{4}$'),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz
);
CREATE INDEX trust_accounts_firm_idx ON trust_accounts (firm_id, created_at);
SELECT billing.lawos_tenant_table('billing.trust_accounts');
SELECT billing.lawos_emit_events('billing.trust_accounts', 'trust_account');

-- Money in is positive (DEPOSIT), money out negative (DISBURSEMENT to a payee,
-- INVOICE_PAYMENT to the firm's operating account against an issued invoice).
CREATE TABLE trust_ledger_entries (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    account_id uuid NOT NULL REFERENCES trust_accounts (id),
    client_id uuid NOT NULL,
    matter_id uuid,
    kind text NOT NULL CHECK (kind IN ('DEPOSIT', 'DISBURSEMENT', 'INVOICE_PAYMENT')),
    amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    entry_date date NOT NULL,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    reference text,
    payee text,
    invoice_id uuid REFERENCES invoices (id),
    payment_id uuid REFERENCES payments (id),
    recorded_by uuid,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((kind = 'DEPOSIT') = (amount_minor > 0)),
    CHECK ((kind = 'INVOICE_PAYMENT') = (invoice_id IS NOT NULL AND payment_id IS NOT NULL)),
    CHECK (kind <> 'DISBURSEMENT' OR payee IS NOT NULL)
);
CREATE INDEX trust_ledger_firm_account_idx ON trust_ledger_entries (firm_id, account_id, entry_date, id);
CREATE INDEX trust_ledger_firm_client_idx ON trust_ledger_entries (firm_id, client_id, created_at DESC, id DESC);
SELECT billing.lawos_tenant_table('billing.trust_ledger_entries');
SELECT billing.lawos_append_only('billing.trust_ledger_entries');

-- Each client's balance per account and matter (the nil uuid: held for the
-- client without a matter), kept by the ledger's trigger in the inserting
-- transaction. The row lock queues concurrent movements of one client, and
-- the CHECK refuses the one that would overdraw: a client's trust balance
-- never goes negative. Only the ledger's trigger writes here.
CREATE TABLE trust_balances (
    firm_id uuid NOT NULL,
    account_id uuid NOT NULL REFERENCES trust_accounts (id),
    client_id uuid NOT NULL,
    matter_key uuid NOT NULL,
    balance_minor bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, account_id, client_id, matter_key),
    CONSTRAINT trust_balances_non_negative CHECK (balance_minor >= 0)
);
SELECT billing.lawos_tenant_table('billing.trust_balances');

CREATE FUNCTION billing.trust_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_key uuid := coalesce(NEW.matter_id, '00000000-0000-0000-0000-000000000000'::uuid);
BEGIN
  IF NEW.amount_minor > 0 THEN
    INSERT INTO billing.trust_balances AS b (firm_id, account_id, client_id, matter_key, balance_minor)
    VALUES (NEW.firm_id, NEW.account_id, NEW.client_id, v_key, NEW.amount_minor)
    ON CONFLICT (firm_id, account_id, client_id, matter_key)
    DO UPDATE SET balance_minor = b.balance_minor + excluded.balance_minor, updated_at = now();
  ELSE
    UPDATE billing.trust_balances
       SET balance_minor = balance_minor + NEW.amount_minor, updated_at = now()
     WHERE firm_id = NEW.firm_id AND account_id = NEW.account_id
       AND client_id = NEW.client_id AND matter_key = v_key;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no trust funds held for this client'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'trust_balances_non_negative';
    END IF;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER trust_apply_entry AFTER INSERT ON trust_ledger_entries
    FOR EACH ROW EXECUTE FUNCTION billing.trust_apply_entry();

-- Direct writes to the kept balances are refused: only the ledger's trigger
-- (one trigger level down) moves them.
CREATE FUNCTION billing.trust_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'billing.trust_balances is kept by the trust ledger: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER trust_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON trust_balances
    FOR EACH ROW EXECUTE FUNCTION billing.trust_balances_guard();
CREATE TRIGGER trust_balances_no_truncate BEFORE TRUNCATE ON trust_balances
    FOR EACH STATEMENT EXECUTE FUNCTION billing.append_only_guard();

-- A three-way reconciliation for a period, as recorded: the bank statement's
-- balance (adjusted for deposits in transit and outstanding checks) against
-- the account's ledger and against the sum of its client ledgers.
CREATE TABLE trust_reconciliations (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    account_id uuid NOT NULL REFERENCES trust_accounts (id),
    period_start date NOT NULL,
    period_end date NOT NULL,
    bank_balance_minor bigint NOT NULL,
    deposits_in_transit_minor bigint NOT NULL DEFAULT 0 CHECK (deposits_in_transit_minor >= 0),
    outstanding_checks_minor bigint NOT NULL DEFAULT 0 CHECK (outstanding_checks_minor >= 0),
    adjusted_bank_minor bigint NOT NULL,
    opening_ledger_minor bigint NOT NULL,
    period_deposits_minor bigint NOT NULL,
    period_withdrawals_minor bigint NOT NULL,
    ledger_balance_minor bigint NOT NULL,
    client_ledgers_minor bigint NOT NULL,
    kept_balances_minor bigint,
    client_balances jsonb NOT NULL,
    balanced boolean NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start)
);
CREATE INDEX trust_reconciliations_firm_account_idx ON trust_reconciliations (firm_id, account_id, period_end DESC);
SELECT billing.lawos_tenant_table('billing.trust_reconciliations');
SELECT billing.lawos_append_only('billing.trust_reconciliations');
