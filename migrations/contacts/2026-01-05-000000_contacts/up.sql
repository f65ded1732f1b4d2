-- Contacts, clients and the people of a client (ARCHITECTURE §1: contacts owns
-- them). pg_trgm (for ?search_channels=) is created in `public` by the
-- service's setup SQL before the migrations run, so its functions and operator
-- classes are named `public.…` here and in the queries (the runtime role's
-- search_path is `contacts` only).

-- A person or an organisation. emails/phones/addresses are JSON arrays of
-- objects (phones already E.164); email_keys / phone_keys (lower-cased
-- addresses, numbers) and search_name (lower-cased names) are generated from
-- them for matching and search. firm_id defaults to the transaction's firm (the
-- policy's WITH CHECK refuses any other).
CREATE TABLE contacts (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL DEFAULT nullif(current_setting('app.firm_id', true), '')::uuid,
    kind text NOT NULL CHECK (kind IN ('PERSON', 'ORGANIZATION')),
    given_name text,
    family_name text,
    organization_name text,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 300),
    emails jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(emails) = 'array'),
    phones jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(phones) = 'array'),
    addresses jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(addresses) = 'array'),
    notes text,
    email_keys jsonb GENERATED ALWAYS AS (lower(jsonb_path_query_array(emails, '$[*].address')::text)::jsonb) STORED,
    phone_keys jsonb GENERATED ALWAYS AS (jsonb_path_query_array(phones, '$[*].number')) STORED,
    search_name text GENERATED ALWAYS AS (lower(display_name || coalesce(' ' || given_name, '')
        || coalesce(' ' || family_name, '') || coalesce(' ' || organization_name, ''))) STORED,
    archived_at timestamptz,
    deleted_at timestamptz,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'ORGANIZATION' OR organization_name IS NOT NULL)
);
CREATE INDEX contacts_firm_idx ON contacts (firm_id, id) WHERE deleted_at IS NULL;
-- GIN indexes cannot lead with firm_id without btree_gin; row-level security
-- adds the firm predicate to every query that uses them.
CREATE INDEX contacts_search_name_trgm_idx ON contacts USING gin (search_name public.gin_trgm_ops);
CREATE INDEX contacts_email_keys_idx ON contacts USING gin (email_keys jsonb_path_ops);
CREATE INDEX contacts_phone_keys_idx ON contacts USING gin (phone_keys jsonb_path_ops);
SELECT contacts.lawos_tenant_table('contacts.contacts');
SELECT contacts.lawos_emit_events('contacts.contacts', 'contact');

-- A client (the Backstage Client model). Its PII lives in client_pii.
CREATE TABLE clients (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    client_type text NOT NULL CHECK (client_type IN ('INDIVIDUAL', 'CORPORATION', 'GOVERNMENT', 'NON_PROFIT')),
    full_name text,
    company_name text,
    email text,
    phone text,
    address jsonb,
    status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'PROSPECTIVE')),
    contact_id uuid REFERENCES contacts (id),
    search_name text GENERATED ALWAYS AS (lower(trim(coalesce(full_name, '') || ' ' || coalesce(company_name, '')))) STORED,
    deleted_at timestamptz,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_firm_idx ON clients (firm_id, id) WHERE deleted_at IS NULL;
CREATE INDEX clients_firm_contact_idx ON clients (firm_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX clients_firm_email_idx ON clients (firm_id, lower(email));
CREATE INDEX clients_search_name_trgm_idx ON clients USING gin (search_name public.gin_trgm_ops);
SELECT contacts.lawos_tenant_table('contacts.clients');
SELECT contacts.lawos_emit_events('contacts.clients', 'client');

-- A client's PII (`ssn`, `dateOfBirth`): AES-256-GCM ciphertexts sealed by the
-- service (nonce || ciphertext || tag, bound to the client id and field), with
-- the id of the key that sealed them. Never plaintext.
CREATE TABLE client_pii (
    firm_id uuid NOT NULL,
    client_id uuid NOT NULL REFERENCES clients (id),
    field text NOT NULL CHECK (field IN ('ssn', 'dateOfBirth')),
    ciphertext bytea NOT NULL CHECK (length(ciphertext) > 28),
    key_id text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, client_id, field)
);
SELECT contacts.lawos_tenant_table('contacts.client_pii');
SELECT contacts.lawos_emit_events('contacts.client_pii', 'client_pii', 'firm_id', 'client_id');

-- The people of a client, with their relationship to it.
CREATE TABLE client_contacts (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    client_id uuid NOT NULL REFERENCES clients (id),
    contact_id uuid NOT NULL REFERENCES contacts (id),
    relationship text NOT NULL CHECK (relationship IN ('PRIMARY', 'BILLING', 'OTHER')),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX client_contacts_link_key ON client_contacts (firm_id, client_id, contact_id);
CREATE INDEX client_contacts_firm_contact_idx ON client_contacts (firm_id, contact_id);
SELECT contacts.lawos_tenant_table('contacts.client_contacts');
SELECT contacts.lawos_emit_events('contacts.client_contacts', 'client_contact');
