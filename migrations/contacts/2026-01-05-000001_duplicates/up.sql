-- Pairs of contacts that may be the same person or organisation, found by the
-- duplicate check that `contact.created` triggers (services/contacts
-- src/duplicates.rs). A pair is stored once, its lower id first; merging a
-- contact closes its pairs.
CREATE TABLE duplicate_candidates (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    contact_id uuid NOT NULL REFERENCES contacts (id),
    other_contact_id uuid NOT NULL REFERENCES contacts (id),
    score double precision NOT NULL CHECK (score > 0 AND score <= 1),
    reasons jsonb NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
    status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'MERGED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (contact_id < other_contact_id)
);
CREATE UNIQUE INDEX duplicate_candidates_pair_key ON duplicate_candidates (firm_id, contact_id, other_contact_id);
CREATE INDEX duplicate_candidates_firm_status_idx ON duplicate_candidates (firm_id, status, id);
CREATE INDEX duplicate_candidates_firm_other_idx ON duplicate_candidates (firm_id, other_contact_id);
SELECT contacts.lawos_tenant_table('contacts.duplicate_candidates');
SELECT contacts.lawos_emit_events('contacts.duplicate_candidates', 'duplicate_candidate');
