-- A firm disconnects MyCase (DELETE /api/v1/matters/integrations/mycase/):
-- its runs stay in the log (they are never deleted), so the connection is
-- kept with disconnected_at and its sealed secrets are destroyed. A firm has
-- at most one live connection; connecting again makes a new one.
ALTER TABLE mycase_connections ADD COLUMN disconnected_at timestamptz;
DROP INDEX mycase_connections_firm_key;
CREATE UNIQUE INDEX mycase_connections_firm_key ON mycase_connections (firm_id)
    WHERE disconnected_at IS NULL;
