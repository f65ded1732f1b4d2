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

diesel::joinable!(channel_participants -> channels (channel_id));
diesel::joinable!(channel_activity -> channels (channel_id));
diesel::allow_tables_to_appear_in_same_query!(channels, channel_participants, channel_activity);
