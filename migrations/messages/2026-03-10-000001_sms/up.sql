-- SMS over Telnyx: a firm's receiving numbers, the outbound send queue and
-- the webhook events taken in.
--
-- Two lookups happen before a firm is known, so these tables carry a second,
-- SELECT-only policy for platform reads (`app.all_firms = on`, set only by the
-- webhook and the send worker): the webhook finds the firm from the receiving
-- (or sending) number, and the worker finds which firms have sends due. Every
-- write, and every read of a message, runs in the firm's own transaction.

CREATE TABLE sms_numbers (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    number text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
    label text CHECK (length(label) BETWEEN 1 AND 100),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    deleted_by uuid
);
-- A number names its firm: unique across firms while in use.
CREATE UNIQUE INDEX sms_numbers_number_key ON sms_numbers (number) WHERE deleted_at IS NULL;
CREATE INDEX sms_numbers_firm_idx ON sms_numbers (firm_id, created_at, id) WHERE deleted_at IS NULL;
SELECT messages.lawos_tenant_table('messages.sms_numbers');
CREATE POLICY platform_number_lookup ON sms_numbers FOR SELECT
    USING (current_setting('app.all_firms', true) = 'on');
SELECT messages.lawos_emit_events('messages.sms_numbers', 'sms_number');

-- One row per outbound SMS until it is sent or given up.
CREATE TABLE sms_dispatches (
    message_id uuid PRIMARY KEY REFERENCES messages (id),
    firm_id uuid NOT NULL,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    done_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_dispatches_due_idx ON sms_dispatches (firm_id, next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX sms_dispatches_due_all_idx ON sms_dispatches (next_attempt_at) WHERE done_at IS NULL;
SELECT messages.lawos_tenant_table('messages.sms_dispatches');
CREATE POLICY platform_due_lookup ON sms_dispatches FOR SELECT
    USING (current_setting('app.all_firms', true) = 'on');

-- Telnyx webhook events taken in: each provider event id once (Telnyx retries
-- deliveries; the second one changes nothing).
CREATE TABLE telnyx_events (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    event_type text NOT NULL,
    provider_message_id text,
    -- Deferred: the event is recorded first, so a repeated one writes nothing.
    message_id uuid REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX telnyx_events_event_key ON telnyx_events (event_id);
CREATE INDEX telnyx_events_firm_idx ON telnyx_events (firm_id, received_at DESC);
SELECT messages.lawos_tenant_table('messages.telnyx_events');
