//! Tables of the `notifications` schema (kept in step with migrations/notifications).

diesel::table! {
    notifications.notifications (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        #[sql_name = "type"]
        kind -> Text,
        title -> Text,
        body -> Text,
        resource_type -> Text,
        resource_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        actor_user_id -> Nullable<Uuid>,
        event_id -> Uuid,
        group_key -> Nullable<Text>,
        count -> Int4,
        data -> Jsonb,
        channels -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.deliveries (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        notification_id -> Nullable<Uuid>,
        kind -> Text,
        channel -> Text,
        digest_date -> Nullable<Date>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        claimed_until -> Nullable<Timestamptz>,
        address -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.preferences (firm_id, user_id, kind, channel) {
        firm_id -> Uuid,
        user_id -> Uuid,
        #[sql_name = "type"]
        kind -> Text,
        channel -> Text,
        enabled -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.user_settings (firm_id, user_id) {
        firm_id -> Uuid,
        user_id -> Uuid,
        time_zone -> Nullable<Text>,
        quiet_start -> Nullable<Time>,
        quiet_end -> Nullable<Time>,
        email_digest -> Text,
        digest_hour -> Int2,
        last_digest_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.firm_defaults (firm_id, kind, channel) {
        firm_id -> Uuid,
        #[sql_name = "type"]
        kind -> Text,
        channel -> Text,
        enabled -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.firm_settings (firm_id) {
        firm_id -> Uuid,
        from_address -> Nullable<Text>,
        from_name -> Nullable<Text>,
        time_zone -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.directory_users (user_id) {
        user_id -> Uuid,
        email -> Nullable<Text>,
        full_name -> Nullable<Text>,
        is_active -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications.directory_members (firm_id, user_id) {
        firm_id -> Uuid,
        user_id -> Uuid,
        phone -> Nullable<Text>,
        role -> Nullable<Text>,
        is_active -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(deliveries -> notifications (notification_id));
diesel::allow_tables_to_appear_in_same_query!(notifications, deliveries);
