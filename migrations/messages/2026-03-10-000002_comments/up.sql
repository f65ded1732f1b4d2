-- Comments (Backstage Collaboration) on a matter, a client, a document, an
-- appointment or a time entry: threads one level deep, Markdown bodies,
-- @mentions of firm members, edits kept, soft delete. Events are written by
-- the service (comment.created|updated|deleted, comment.mentioned) without the
-- body and filed under the matter the resource lies under.

CREATE TABLE comments (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    resource_type text NOT NULL
        CHECK (resource_type IN ('MATTER', 'CLIENT', 'DOCUMENT', 'APPOINTMENT', 'TIME_ENTRY')),
    resource_id uuid NOT NULL,
    -- The matter the resource is or lies under, when there is one.
    matter_id uuid,
    parent_id uuid REFERENCES comments (id),
    author_user_id uuid NOT NULL,
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    attachments uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(attachments) <= 10),
    edited_at timestamptz,
    deleted_at timestamptz,
    deleted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX comments_resource_idx ON comments (firm_id, resource_type, resource_id, created_at, id)
    WHERE parent_id IS NULL;
CREATE INDEX comments_replies_idx ON comments (firm_id, parent_id, created_at, id)
    WHERE parent_id IS NOT NULL;
SELECT messages.lawos_tenant_table('messages.comments');

-- Previous bodies of edited comments (append-only).
CREATE TABLE comment_edits (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    comment_id uuid NOT NULL REFERENCES comments (id),
    previous_body text NOT NULL,
    edited_by uuid,
    edited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comment_edits_comment_idx ON comment_edits (firm_id, comment_id, edited_at DESC);
SELECT messages.lawos_tenant_table('messages.comment_edits');

-- Who a comment mentions (firm members, checked at auth).
CREATE TABLE comment_mentions (
    firm_id uuid NOT NULL,
    comment_id uuid NOT NULL REFERENCES comments (id),
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_user_idx ON comment_mentions (firm_id, user_id, created_at DESC);
SELECT messages.lawos_tenant_table('messages.comment_mentions');
