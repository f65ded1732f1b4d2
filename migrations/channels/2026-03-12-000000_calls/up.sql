-- Calls: a LiveKit room opened in a channel, who joined it and when, and the
-- LiveKit webhooks already applied (each event id once).

CREATE TABLE calls (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    channel_id uuid NOT NULL REFERENCES channels (id),
    -- The LiveKit room: lawos-<firm id>-<call id> (hex), chosen here.
    room_name text NOT NULL,
    room_sid text,
    status text NOT NULL CHECK (status IN ('CREATED', 'ACTIVE', 'ENDED')),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    ended_at timestamptz,
    duration_seconds integer CHECK (duration_seconds >= 0),
    CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX calls_room_key ON calls (firm_id, room_name);
CREATE INDEX calls_firm_channel_idx ON calls (firm_id, channel_id, created_at DESC, id DESC);
SELECT channels.lawos_tenant_table('channels.calls');
SELECT channels.lawos_emit_events('channels.calls', 'call');

-- One row per LiveKit participant session (a rejoin is a new session).
CREATE TABLE call_participants (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    call_id uuid NOT NULL REFERENCES calls (id),
    participant_sid text NOT NULL,
    identity text NOT NULL,
    -- The identity as a platform user, when it is one.
    user_id uuid,
    name text,
    joined_at timestamptz NOT NULL,
    left_at timestamptz,
    CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE UNIQUE INDEX call_participants_session_key ON call_participants (firm_id, call_id, participant_sid);
SELECT channels.lawos_tenant_table('channels.call_participants');
SELECT channels.lawos_emit_events('channels.call_participants', 'call_participant');

CREATE TABLE call_webhook_events (
    firm_id uuid NOT NULL,
    event_id text NOT NULL,
    event text NOT NULL,
    call_id uuid NOT NULL REFERENCES calls (id),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, event_id)
);
SELECT channels.lawos_tenant_table('channels.call_webhook_events');

-- Calls and their participants are filed under their channel's matter or contact too.
CREATE OR REPLACE FUNCTION channels.file_under_context() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_type text;
    v_id uuid;
    v_channel uuid;
BEGIN
    IF NEW.payload ? 'context' THEN
        RETURN NEW;
    END IF;
    IF NEW.entity_type = 'channel' THEN
        v_type := NEW.payload -> 'data' ->> 'context_type';
        v_id := (NEW.payload -> 'data' ->> 'context_id')::uuid;
    ELSE
        IF NEW.entity_type IN ('channel_participant', 'call') THEN
            v_channel := (NEW.payload -> 'data' ->> 'channel_id')::uuid;
        ELSIF NEW.entity_type = 'call_participant' THEN
            SELECT k.channel_id INTO v_channel
              FROM channels.calls k
             WHERE k.id = (NEW.payload -> 'data' ->> 'call_id')::uuid;
        END IF;
        SELECT c.context_type, c.context_id INTO v_type, v_id
          FROM channels.channels c
         WHERE c.id = v_channel;
    END IF;
    IF v_id IS NOT NULL AND v_type IN ('MATTER', 'CONTACT') THEN
        NEW.payload := NEW.payload || jsonb_build_object(
            'context', jsonb_build_object('type', lower(v_type), 'id', v_id));
    END IF;
    RETURN NEW;
END
$fn$;
