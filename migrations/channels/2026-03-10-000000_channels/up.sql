-- Channels: conversations about a matter, a contact, or the firm itself
-- (INTERNAL), their participants, and their last activity. Every table is a
-- tenant table (firm_id, forced RLS) with indexes leading with firm_id.

CREATE TABLE channels (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    context_type text NOT NULL CHECK (context_type IN ('MATTER', 'CONTACT', 'INTERNAL')),
    context_id uuid,
    kind text NOT NULL CHECK (kind IN ('INTERNAL', 'SMS', 'EMAIL', 'PORTAL')),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- The one channel of its context and kind the platform finds by itself: a
    -- matter's conversation, a contact's SMS thread, the firm's SMS intake.
    is_default boolean NOT NULL DEFAULT false,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    deleted_at timestamptz,
    CHECK ((context_type = 'INTERNAL') = (context_id IS NULL))
);
-- At most one live default channel per context and kind (the firm's intake has
-- no context id: NULLS NOT DISTINCT makes it one per firm). Find-or-create
-- inserts with ON CONFLICT on this index, so concurrent callers get one row.
CREATE UNIQUE INDEX channels_default_key ON channels (firm_id, context_type, context_id, kind)
    NULLS NOT DISTINCT WHERE is_default AND deleted_at IS NULL;
CREATE INDEX channels_firm_context_idx ON channels (firm_id, context_type, context_id)
    WHERE deleted_at IS NULL;
SELECT channels.lawos_tenant_table('channels.channels');
SELECT channels.lawos_emit_events('channels.channels', 'channel');

CREATE TABLE channel_participants (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    channel_id uuid NOT NULL REFERENCES channels (id),
    participant_type text NOT NULL CHECK (participant_type IN ('USER', 'CONTACT')),
    user_id uuid,
    contact_id uuid,
    -- E.164: where SMS to a contact participant goes.
    phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    added_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (
        (participant_type = 'USER' AND user_id IS NOT NULL AND contact_id IS NULL AND phone IS NULL)
        OR (participant_type = 'CONTACT' AND contact_id IS NOT NULL AND user_id IS NULL)
    )
);
CREATE UNIQUE INDEX channel_participants_user_key ON channel_participants (firm_id, channel_id, user_id)
    WHERE user_id IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX channel_participants_contact_key ON channel_participants (firm_id, channel_id, contact_id)
    WHERE contact_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX channel_participants_firm_user_idx ON channel_participants (firm_id, user_id, channel_id)
    WHERE user_id IS NOT NULL AND deleted_at IS NULL;
SELECT channels.lawos_tenant_table('channels.channel_participants');
SELECT channels.lawos_emit_events('channels.channel_participants', 'channel_participant');

-- When a channel last saw a message (its creation until then). Kept apart from
-- `channels` so that every message does not become a `channel.updated` event.
CREATE TABLE channel_activity (
    channel_id uuid PRIMARY KEY REFERENCES channels (id),
    firm_id uuid NOT NULL,
    last_activity_at timestamptz NOT NULL
);
CREATE INDEX channel_activity_firm_idx ON channel_activity (firm_id, last_activity_at DESC, channel_id DESC);
SELECT channels.lawos_tenant_table('channels.channel_activity');

-- Entity events of a matter's or a contact's channels (and their participants)
-- are filed under that matter or contact (the envelope's `context`), so the
-- matter's timeline shows its conversations being opened, archived, joined.
CREATE FUNCTION channels.file_under_context() RETURNS trigger
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
CREATE TRIGGER file_under_context BEFORE INSERT ON channels.outbox
    FOR EACH ROW EXECUTE FUNCTION channels.file_under_context();
