-- The filing function as the first migration left it.
CREATE OR REPLACE FUNCTION channels.file_under_context() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_type text;
    v_id uuid;
BEGIN
    IF NEW.payload ? 'context' THEN
        RETURN NEW;
    END IF;
    IF NEW.entity_type = 'channel' THEN
        v_type := NEW.payload -> 'data' ->> 'context_type';
        v_id := (NEW.payload -> 'data' ->> 'context_id')::uuid;
    ELSIF NEW.entity_type = 'channel_participant' THEN
        SELECT c.context_type, c.context_id INTO v_type, v_id
          FROM channels.channels c
         WHERE c.id = (NEW.payload -> 'data' ->> 'channel_id')::uuid;
    END IF;
    IF v_id IS NOT NULL AND v_type IN ('MATTER', 'CONTACT') THEN
        NEW.payload := NEW.payload || jsonb_build_object(
            'context', jsonb_build_object('type', lower(v_type), 'id', v_id));
    END IF;
    RETURN NEW;
END
$fn$;
DROP TABLE call_webhook_events;
DROP TABLE call_participants;
DROP TABLE calls;
