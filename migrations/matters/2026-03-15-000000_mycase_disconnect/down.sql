-- Fails while a firm has a disconnected connection beside its live one (the
-- runs of both are kept, so they cannot be merged back into one row).
DROP INDEX mycase_connections_firm_key;
CREATE UNIQUE INDEX mycase_connections_firm_key ON mycase_connections (firm_id);
ALTER TABLE mycase_connections DROP COLUMN disconnected_at;
