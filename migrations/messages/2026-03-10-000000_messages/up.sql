-- Messages: what was said in a channel (the channels service owns channels).
-- The channel's context and kind are copied at write time and never change,
-- so lists, the polymorphic query and full-text search are decided here in
-- SQL without asking channels row by row. Business events (message.sent,
-- message.received, message.delivery_updated, message.updated,
-- message.deleted) are written by the service without the body; no entity
-- trigger: its rows would carry the body into the audit log.

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    channel_id uuid NOT NULL,
    context_type text NOT NULL CHECK (context_type IN ('MATTER', 'CONTACT', 'INTERNAL')),
    context_id uuid,
    channel_kind text NOT NULL CHECK (channel_kind IN ('INTERNAL', 'SMS', 'EMAIL', 'PORTAL')),
    direction text NOT NULL CHECK (direction IN ('INBOUND', 'OUTBOUND', 'INTERNAL')),
    -- Markdown source as written.
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    sender_user_id uuid,
    sender_contact_id uuid,
    -- SMS: the firm's number and the other side's (E.164).
    firm_number text CHECK (firm_number ~ '^\+[1-9][0-9]{6,14}$'),
    peer_phone text CHECK (peer_phone ~ '^\+[1-9][0-9]{6,14}$'),
    -- Document ids (the documents service owns the documents).
    attachments uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(attachments) <= 10),
    delivery_status text NOT NULL CHECK (delivery_status IN ('QUEUED', 'SENT', 'DELIVERED', 'FAILED')),
    provider_message_id text,
    delivery_error text,
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    edited_at timestamptz,
    deleted_at timestamptz,
    deleted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((context_type = 'INTERNAL') = (context_id IS NULL)),
    CHECK (direction <> 'INBOUND' OR sender_user_id IS NULL)
);
-- A channel's thread and a context's messages, newest first.
CREATE INDEX messages_thread_idx ON messages (firm_id, channel_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX messages_context_idx ON messages (firm_id, context_type, context_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
-- Full-text search (websearch_to_tsquery against the generated tsvector).
CREATE INDEX messages_body_tsv_idx ON messages USING gin (body_tsv) WHERE deleted_at IS NULL;
-- A provider's message is one row: its receipts find it, a repeated inbound is refused.
CREATE UNIQUE INDEX messages_provider_key ON messages (firm_id, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
SELECT messages.lawos_tenant_table('messages.messages');

-- Previous bodies of edited messages (append-only).
CREATE TABLE message_edits (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    message_id uuid NOT NULL REFERENCES messages (id),
    previous_body text NOT NULL,
    edited_by uuid,
    edited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_edits_message_idx ON message_edits (firm_id, message_id, edited_at DESC);
SELECT messages.lawos_tenant_table('messages.message_edits');
