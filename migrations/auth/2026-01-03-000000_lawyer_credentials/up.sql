-- Professional credentials of a firm's lawyers (bar licences, …): a tenant
-- table, one row per credential of a user in a firm. Removing one sets
-- deleted_at. `expiry_notified_at` records that `credential.expiring` was
-- announced (the daily job announces each credential once).
CREATE TABLE lawyer_credentials (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    type text NOT NULL CHECK (type IN ('BAR_LICENSE', 'NOTARY_COMMISSION', 'PRACTICE_CERTIFICATE', 'SPECIALIST_CERTIFICATION', 'OTHER')),
    jurisdiction text NOT NULL CHECK (length(jurisdiction) BETWEEN 1 AND 100),
    number text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
    issued_on date,
    expires_on date CHECK (expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on),
    expiry_notified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    FOREIGN KEY (firm_id, user_id) REFERENCES firm_user_profiles (firm_id, user_id)
);
CREATE UNIQUE INDEX lawyer_credentials_number_key
    ON lawyer_credentials (firm_id, user_id, type, jurisdiction, number) WHERE deleted_at IS NULL;
CREATE INDEX lawyer_credentials_user_idx ON lawyer_credentials (firm_id, user_id);
CREATE INDEX lawyer_credentials_expiry_idx
    ON lawyer_credentials (expires_on) WHERE deleted_at IS NULL AND expiry_notified_at IS NULL;
-- The daily expiry job and the caller's export read across firms (app.all_firms).
SELECT auth.lawos_tenant_table('auth.lawyer_credentials', 'firm_id', true);
SELECT auth.lawos_emit_events('auth.lawyer_credentials', 'lawyer_credential');
