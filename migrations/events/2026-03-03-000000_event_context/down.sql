DROP INDEX event_log_firm_context_idx;
ALTER TABLE event_log DROP COLUMN context_id, DROP COLUMN context_type;
