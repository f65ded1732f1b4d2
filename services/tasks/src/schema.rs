//! Tables of the `tasks` schema (kept in step with migrations/tasks). The
//! occurrence, reminder and queue tables (ranges, claims) are queried in SQL
//! (`storage::occurrences`, `storage::reminders`).

diesel::table! {
    tasks.tasks (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        parent_id -> Nullable<Uuid>,
        title -> Text,
        description -> Nullable<Text>,
        priority -> Text,
        status -> Text,
        due_at -> Nullable<Timestamptz>,
        due_date -> Nullable<Date>,
        due_time_zone -> Nullable<Text>,
        completed_at -> Nullable<Timestamptz>,
        completed_by -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tasks.task_assignments (id) {
        id -> Uuid,
        firm_id -> Uuid,
        task_id -> Uuid,
        user_id -> Uuid,
        assigned_by -> Nullable<Uuid>,
        assigned_at -> Timestamptz,
        removed_by -> Nullable<Uuid>,
        removed_at -> Nullable<Timestamptz>,
        matter_id -> Nullable<Uuid>,
        due_at -> Nullable<Timestamptz>,
        open -> Bool,
    }
}

diesel::table! {
    tasks.task_checklist_items (id) {
        id -> Uuid,
        firm_id -> Uuid,
        task_id -> Uuid,
        title -> Text,
        done -> Bool,
        position -> Int4,
        done_at -> Nullable<Timestamptz>,
        done_by -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tasks.appointments (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        organizer_user_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        appointment_type -> Text,
        status -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        time_zone -> Text,
        location -> Nullable<Text>,
        video_url -> Nullable<Text>,
        recurrence -> Nullable<Text>,
        series_ends_at -> Nullable<Timestamptz>,
        materialized_until -> Timestamptz,
        reminder_minutes -> Array<Int4>,
        actual_start_at -> Nullable<Timestamptz>,
        actual_end_at -> Nullable<Timestamptz>,
        sequence -> Int4,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        cancelled_at -> Nullable<Timestamptz>,
        cancelled_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    tasks.appointment_attendees (id) {
        id -> Uuid,
        firm_id -> Uuid,
        appointment_id -> Uuid,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        display_name -> Nullable<Text>,
        organizer -> Bool,
        response -> Text,
        responded_at -> Nullable<Timestamptz>,
        responded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tasks.appointment_exceptions (id) {
        id -> Uuid,
        firm_id -> Uuid,
        appointment_id -> Uuid,
        occurrence_starts_at -> Timestamptz,
        cancelled -> Bool,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    tasks.appointment_notes (id) {
        id -> Uuid,
        firm_id -> Uuid,
        appointment_id -> Uuid,
        body -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tasks.appointment_consents (id) {
        id -> Uuid,
        firm_id -> Uuid,
        appointment_id -> Uuid,
        attendee_id -> Nullable<Uuid>,
        consent_type -> Text,
        granted -> Bool,
        method -> Text,
        note -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    tasks.feed_tokens (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        label -> Nullable<Text>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(task_assignments -> tasks (task_id));
diesel::joinable!(task_checklist_items -> tasks (task_id));
diesel::joinable!(appointment_attendees -> appointments (appointment_id));
diesel::allow_tables_to_appear_in_same_query!(tasks, task_assignments, task_checklist_items);
diesel::allow_tables_to_appear_in_same_query!(appointments, appointment_attendees);
