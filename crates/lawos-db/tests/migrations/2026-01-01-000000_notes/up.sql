CREATE TABLE notes (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    body text NOT NULL
);
CREATE INDEX notes_firm_idx ON notes (firm_id);
SELECT rlstest.lawos_tenant_table('rlstest.notes');
