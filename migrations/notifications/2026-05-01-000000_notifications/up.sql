-- Notifications: what the platform's events mean for each person, their
-- deliveries by e-mail and SMS, preferences, and the projections of the user
-- directory (auth's events) that deliveries need.

-- One notification for one recipient. `resource_type`/`resource_id` is the
-- polymorphic reference (MATTER, TASK, DOCUMENT, …); `matter_id` the matter it
-- lives under, when there is one (read access is decided again on every read).
-- `group_key` gathers bursts (ten messages in one channel within a minute are
-- one notification whose `count` is 10).
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    type text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body text NOT NULL CHECK (length(body) <= 2000),
    resource_type text NOT NULL CHECK (resource_type ~ '^[A-Z_]{1,40}$'),
    resource_id uuid NOT NULL,
    matter_id uuid,
    actor_user_id uuid,
    event_id uuid NOT NULL,
    group_key text,
    count integer NOT NULL DEFAULT 1 CHECK (count >= 1),
    data jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
    channels text[] NOT NULL DEFAULT '{IN_APP}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
-- The caller's list, newest first (cursor on id, a UUIDv7).
CREATE INDEX notifications_user_idx ON notifications (firm_id, user_id, id DESC);
-- Unread: counted from the index alone, marked read in one statement.
CREATE INDEX notifications_unread_idx ON notifications (firm_id, user_id)
    INCLUDE (matter_id, resource_id, expires_at) WHERE read_at IS NULL;
-- An open burst of one recipient.
CREATE INDEX notifications_group_idx ON notifications (firm_id, user_id, group_key, created_at DESC)
    WHERE group_key IS NOT NULL;
-- The expiry job.
CREATE INDEX notifications_expiry_idx ON notifications (expires_at);
SELECT notifications.lawos_tenant_table('notifications.notifications', 'firm_id', true);

-- One delivery of a notification on one channel (or one daily digest):
-- QUEUED → SENT | FAILED, retried with backoff while QUEUED; `claimed_until`
-- is the lease of the attempt in flight. Unique per notification and channel,
-- and per recipient and day for digests: each is sent once.
CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    notification_id uuid REFERENCES notifications (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('NOTIFICATION', 'DIGEST')),
    channel text NOT NULL CHECK (channel IN ('EMAIL', 'SMS')),
    digest_date date,
    status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'SENT', 'FAILED')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    address text,
    provider_id text,
    last_error text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'NOTIFICATION') = (notification_id IS NOT NULL)),
    CHECK ((kind = 'DIGEST') = (digest_date IS NOT NULL)),
    CHECK (status <> 'SENT' OR sent_at IS NOT NULL),
    CHECK (status <> 'FAILED' OR last_error IS NOT NULL)
);
CREATE UNIQUE INDEX deliveries_notification_channel_key ON deliveries (notification_id, channel)
    WHERE notification_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_digest_key ON deliveries (firm_id, user_id, digest_date)
    WHERE kind = 'DIGEST';
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'QUEUED';
CREATE INDEX deliveries_user_idx ON deliveries (firm_id, user_id, created_at DESC);
SELECT notifications.lawos_tenant_table('notifications.deliveries', 'firm_id', true);

-- A user's choices: per type × channel overrides, and their settings.
CREATE TABLE preferences (
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    type text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('IN_APP', 'EMAIL', 'SMS')),
    enabled boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, user_id, type, channel)
);
SELECT notifications.lawos_tenant_table('notifications.preferences');

CREATE TABLE user_settings (
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    time_zone text,
    quiet_start time,
    quiet_end time,
    email_digest text NOT NULL DEFAULT 'OFF' CHECK (email_digest IN ('OFF', 'DAILY')),
    digest_hour smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    last_digest_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, user_id),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
CREATE INDEX user_settings_digest_idx ON user_settings (firm_id) WHERE email_digest = 'DAILY';
SELECT notifications.lawos_tenant_table('notifications.user_settings', 'firm_id', true);

-- The firm's defaults per type × channel, its sender and its time zone.
CREATE TABLE firm_defaults (
    firm_id uuid NOT NULL,
    type text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('IN_APP', 'EMAIL', 'SMS')),
    enabled boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, type, channel)
);
SELECT notifications.lawos_tenant_table('notifications.firm_defaults');

CREATE TABLE firm_settings (
    firm_id uuid PRIMARY KEY,
    from_address text CHECK (from_address ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    from_name text CHECK (length(from_name) <= 200),
    time_zone text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT notifications.lawos_tenant_table('notifications.firm_settings');

-- Projections of auth's user directory (user.* and firm_user_profile.* events):
-- where to reach someone, and whether they are still active.
CREATE TABLE directory_users (
    user_id uuid PRIMARY KEY,
    email text,
    full_name text,
    is_active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE directory_members (
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    phone text,
    role text,
    is_active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, user_id)
);
SELECT notifications.lawos_tenant_table('notifications.directory_members');
