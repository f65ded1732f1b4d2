//! Tables of the `channels` schema (kept in step with migrations/channels).

diesel::table! {
    channels.channels (id) {
        id -> Uuid,
        firm_id -> Uuid,
        context_type -> Text,
        context_id -> Nullable<Uuid>,
        kind -> Text,
        title -> Text,
        is_default -> Bool,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    channels.channel_participants (id) {
        id -> Uuid,
        firm_id -> Uuid,
        channel_id -> Uuid,
        participant_type -> Text,
        user_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        phone -> Nullable<Text>,
        added_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    channels.channel_activity (channel_id) {
        channel_id -> Uuid,
        firm_id -> Uuid,
        last_activity_at -> Timestamptz,
    }
}

diesel::table! {
    channels.calls (id) {
        id -> Uuid,
        firm_id -> Uuid,
        channel_id -> Uuid,
        room_name -> Text,
        room_sid -> Nullable<Text>,
        status -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        ended_at -> Nullable<Timestamptz>,
        duration_seconds -> Nullable<Int4>,
    }
}

diesel::table! {
    channels.call_participants (id) {
        id -> Uuid,
        firm_id -> Uuid,
        call_id -> Uuid,
        participant_sid -> Text,
        identity -> Text,
        user_id -> Nullable<Uuid>,
        name -> Nullable<Text>,
        joined_at -> Timestamptz,
        left_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    channels.call_webhook_events (firm_id, event_id) {
        firm_id -> Uuid,
        event_id -> Text,
        event -> Text,
        call_id -> Uuid,
        received_at -> Timestamptz,
    }
}

diesel::joinable!(channel_participants -> channels (channel_id));
diesel::joinable!(calls -> channels (channel_id));
diesel::joinable!(call_participants -> calls (call_id));
diesel::joinable!(channel_activity -> channels (channel_id));
diesel::allow_tables_to_appear_in_same_query!(
    channels,
    channel_participants,
    channel_activity,
    calls,
    call_participants,
    call_webhook_events
);
