-- The resource an event's entity lives under (the envelope's optional `context`,
-- e.g. the matter of a task or a message), so a resource's history can include
-- what happened beneath it. Derived from the stored payload, which the chain
-- hashes, so these columns add nothing to tamper with.
ALTER TABLE event_log
    ADD COLUMN context_type text GENERATED ALWAYS AS (payload -> 'context' ->> 'type') STORED,
    ADD COLUMN context_id uuid GENERATED ALWAYS AS ((payload -> 'context' ->> 'id')::uuid) STORED;
CREATE INDEX event_log_firm_context_idx ON event_log (firm_id, context_type, context_id, seq)
    WHERE context_id IS NOT NULL;
