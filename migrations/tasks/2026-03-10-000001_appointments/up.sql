-- Appointments with attendees, recurrence and single-occurrence exceptions,
-- occurrences materialised for the clash check and reminders, reminders, notes,
-- consent records (append-only) and per-user iCalendar feed tokens.

CREATE TABLE appointments (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    matter_id uuid,
    organizer_user_id uuid NOT NULL,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text CHECK (length(description) <= 10000),
    appointment_type text NOT NULL
        CHECK (appointment_type IN ('CONSULTATION', 'HEARING', 'MEETING', 'DEADLINE', 'CALL')),
    status text NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
    -- The first occurrence (the series' DTSTART) and its end.
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    -- IANA name: occurrences repeat at the same wall-clock time in it.
    time_zone text NOT NULL,
    location text CHECK (length(location) <= 500),
    video_url text CHECK (length(video_url) <= 2000),
    -- The RRULE value (RFC 5545) of a series; null for a single appointment.
    recurrence text,
    -- The end of the series' last occurrence; null while it repeats without end.
    series_ends_at timestamptz,
    -- Occurrences are materialised up to here (a job keeps it 18 months ahead).
    materialized_until timestamptz NOT NULL,
    reminder_minutes integer[] NOT NULL DEFAULT '{}',
    actual_start_at timestamptz,
    actual_end_at timestamptz,
    -- iCalendar SEQUENCE: bumped when the time changes or the appointment is cancelled.
    sequence integer NOT NULL DEFAULT 0,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    cancelled_by uuid,
    CHECK (ends_at > starts_at),
    CHECK (actual_end_at IS NULL OR actual_start_at IS NULL OR actual_end_at >= actual_start_at)
);
CREATE INDEX appointments_firm_matter_idx ON appointments (firm_id, matter_id, starts_at)
    WHERE matter_id IS NOT NULL;
CREATE INDEX appointments_firm_horizon_idx ON appointments (firm_id, materialized_until)
    WHERE recurrence IS NOT NULL AND status = 'SCHEDULED';
SELECT tasks.lawos_tenant_table('tasks.appointments');
SELECT tasks.lawos_emit_events('tasks.appointments', 'appointment');

CREATE TABLE appointment_attendees (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    -- USER: a firm member; CONTACT: a contact (checked at contacts); EXTERNAL: by
    -- e-mail (a partner attorney).
    kind text NOT NULL CHECK (kind IN ('USER', 'CONTACT', 'EXTERNAL')),
    user_id uuid,
    contact_id uuid,
    email text CHECK (length(email) <= 254),
    display_name text CHECK (length(display_name) <= 200),
    organizer boolean NOT NULL DEFAULT false,
    response text NOT NULL DEFAULT 'NEEDS_ACTION'
        CHECK (response IN ('NEEDS_ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE')),
    responded_at timestamptz,
    responded_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    removed_at timestamptz,
    CHECK ((kind = 'USER') = (user_id IS NOT NULL)),
    CHECK ((kind = 'CONTACT') = (contact_id IS NOT NULL)),
    CHECK (kind <> 'EXTERNAL' OR email IS NOT NULL)
);
CREATE UNIQUE INDEX appointment_attendees_user_key ON appointment_attendees (firm_id, appointment_id, user_id)
    WHERE removed_at IS NULL AND user_id IS NOT NULL;
CREATE INDEX appointment_attendees_appointment_idx ON appointment_attendees (firm_id, appointment_id)
    WHERE removed_at IS NULL;
CREATE INDEX appointment_attendees_user_idx ON appointment_attendees (firm_id, user_id, appointment_id)
    WHERE removed_at IS NULL AND user_id IS NOT NULL;
SELECT tasks.lawos_tenant_table('tasks.appointment_attendees');
SELECT tasks.lawos_emit_events('tasks.appointment_attendees', 'appointment_attendee');

-- One occurrence of a series cancelled (an EXDATE) or moved (an overridden
-- occurrence, RECURRENCE-ID = occurrence_starts_at).
CREATE TABLE appointment_exceptions (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    occurrence_starts_at timestamptz NOT NULL,
    cancelled boolean NOT NULL,
    starts_at timestamptz,
    ends_at timestamptz,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (cancelled = (starts_at IS NULL)),
    CHECK ((starts_at IS NULL) = (ends_at IS NULL)),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE UNIQUE INDEX appointment_exceptions_key ON appointment_exceptions (firm_id, appointment_id, occurrence_starts_at);
SELECT tasks.lawos_tenant_table('tasks.appointment_exceptions');
SELECT tasks.lawos_emit_events('tasks.appointment_exceptions', 'appointment_exception');

-- btree_gist lets one GiST index lead with firm_id (a scalar) before the range.
-- (Created by the setup SQL, which can step back to the migrator's role.)
-- Every occurrence up to the appointment's materialized_until (a single
-- appointment has one), at its real time (an exception's, when moved; a
-- cancelled one has no row): the clash check is one indexed overlap query.
CREATE TABLE appointment_occurrences (
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    occurrence_starts_at timestamptz NOT NULL,
    during tstzrange NOT NULL,
    PRIMARY KEY (firm_id, appointment_id, occurrence_starts_at)
);
CREATE INDEX appointment_occurrences_during_idx ON appointment_occurrences USING gist (firm_id, during);
CREATE INDEX appointment_occurrences_start_idx ON appointment_occurrences (firm_id, lower(during), appointment_id);
SELECT tasks.lawos_tenant_table('tasks.appointment_occurrences');

-- One row per (appointment, occurrence, minutes before); sent_at is set in the
-- transaction that enqueues appointment.reminder_due.
CREATE TABLE appointment_reminders (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    occurrence_starts_at timestamptz NOT NULL,
    minutes_before integer NOT NULL CHECK (minutes_before BETWEEN 0 AND 40320),
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE UNIQUE INDEX appointment_reminders_key
    ON appointment_reminders (firm_id, appointment_id, occurrence_starts_at, minutes_before);
SELECT tasks.lawos_tenant_table('tasks.appointment_reminders');

-- Unsent reminders by due time across firms, for the worker: ids and times only
-- (no content), without RLS like the outbox; kept by the trigger below. The
-- worker claims rows with FOR UPDATE SKIP LOCKED and reads the reminder itself
-- under its firm's RLS context.
CREATE TABLE reminder_queue (
    reminder_id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    due_at timestamptz NOT NULL
);
CREATE INDEX reminder_queue_due_idx ON reminder_queue (due_at);

CREATE FUNCTION tasks.lawos_reminder_queue() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM tasks.reminder_queue WHERE reminder_id = OLD.id;
    ELSIF NEW.sent_at IS NOT NULL THEN
        DELETE FROM tasks.reminder_queue WHERE reminder_id = NEW.id;
    ELSE
        INSERT INTO tasks.reminder_queue (reminder_id, firm_id, due_at)
        VALUES (NEW.id, NEW.firm_id, NEW.due_at)
        ON CONFLICT (reminder_id) DO UPDATE SET due_at = excluded.due_at;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER lawos_reminder_queue AFTER INSERT OR UPDATE OR DELETE ON appointment_reminders
    FOR EACH ROW EXECUTE FUNCTION tasks.lawos_reminder_queue();

-- Series whose occurrences continue past their horizon, across firms, for
-- the horizon job (ids and times only, no RLS); kept by the trigger below.
CREATE TABLE series_horizon (
    appointment_id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    materialized_until timestamptz NOT NULL
);
CREATE INDEX series_horizon_until_idx ON series_horizon (materialized_until);

CREATE FUNCTION tasks.lawos_series_horizon() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.recurrence IS NOT NULL AND NEW.status = 'SCHEDULED'
       AND (NEW.series_ends_at IS NULL OR NEW.series_ends_at > NEW.materialized_until) THEN
        INSERT INTO tasks.series_horizon (appointment_id, firm_id, materialized_until)
        VALUES (NEW.id, NEW.firm_id, NEW.materialized_until)
        ON CONFLICT (appointment_id) DO UPDATE SET materialized_until = excluded.materialized_until;
    ELSE
        DELETE FROM tasks.series_horizon WHERE appointment_id = NEW.id;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER lawos_series_horizon AFTER INSERT OR UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION tasks.lawos_series_horizon();

CREATE TABLE appointment_notes (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX appointment_notes_idx ON appointment_notes (firm_id, appointment_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
SELECT tasks.lawos_tenant_table('tasks.appointment_notes');
SELECT tasks.lawos_emit_events('tasks.appointment_notes', 'appointment_note');

-- Who consented to what, when: append-only (a withdrawal is a new row with granted = false).
CREATE TABLE appointment_consents (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    attendee_id uuid REFERENCES appointment_attendees (id),
    consent_type text NOT NULL CHECK (consent_type IN ('RECORDING', 'VIDEO_CALL', 'DATA_PROCESSING', 'OTHER')),
    granted boolean NOT NULL,
    method text NOT NULL CHECK (method IN ('VERBAL', 'WRITTEN', 'ELECTRONIC')),
    note text CHECK (length(note) <= 2000),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointment_consents_idx ON appointment_consents (firm_id, appointment_id, recorded_at, id);
SELECT tasks.lawos_tenant_table('tasks.appointment_consents');
SELECT tasks.lawos_emit_events('tasks.appointment_consents', 'appointment_consent');

CREATE FUNCTION tasks.lawos_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER lawos_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON appointment_consents
    FOR EACH STATEMENT EXECUTE FUNCTION tasks.lawos_append_only();

-- A user's calendar feed: only the SHA-256 of the token is kept.
CREATE TABLE feed_tokens (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    label text CHECK (length(label) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX feed_tokens_hash_key ON feed_tokens (firm_id, token_hash);
CREATE INDEX feed_tokens_user_idx ON feed_tokens (firm_id, user_id) WHERE revoked_at IS NULL;
SELECT tasks.lawos_tenant_table('tasks.feed_tokens');
SELECT tasks.lawos_emit_events('tasks.feed_tokens', 'feed_token');
