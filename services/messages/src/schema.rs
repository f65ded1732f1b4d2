//! Tables of the `messages` schema (kept in step with migrations/messages).

pub mod sql_types {
    /// PostgreSQL's `tsvector` (the generated search column; never read back).
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(name = "tsvector"))]
    pub struct Tsvector;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    messages.messages (id) {
        id -> Uuid,
        firm_id -> Uuid,
        channel_id -> Uuid,
        context_type -> Text,
        context_id -> Nullable<Uuid>,
        channel_kind -> Text,
        direction -> Text,
        body -> Text,
        body_tsv -> Tsvector,
        sender_user_id -> Nullable<Uuid>,
        sender_contact_id -> Nullable<Uuid>,
        firm_number -> Nullable<Text>,
        peer_phone -> Nullable<Text>,
        attachments -> Array<Uuid>,
        delivery_status -> Text,
        provider_message_id -> Nullable<Text>,
        delivery_error -> Nullable<Text>,
        status_changed_at -> Timestamptz,
        edited_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        deleted_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages.message_edits (id) {
        id -> Uuid,
        firm_id -> Uuid,
        message_id -> Uuid,
        previous_body -> Text,
        edited_by -> Nullable<Uuid>,
        edited_at -> Timestamptz,
    }
}

diesel::table! {
    messages.sms_numbers (id) {
        id -> Uuid,
        firm_id -> Uuid,
        number -> Text,
        label -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        deleted_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    messages.sms_dispatches (message_id) {
        message_id -> Uuid,
        firm_id -> Uuid,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        done_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    messages.telnyx_events (id) {
        id -> Uuid,
        firm_id -> Uuid,
        event_id -> Text,
        event_type -> Text,
        provider_message_id -> Nullable<Text>,
        message_id -> Nullable<Uuid>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    messages.comments (id) {
        id -> Uuid,
        firm_id -> Uuid,
        resource_type -> Text,
        resource_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        parent_id -> Nullable<Uuid>,
        author_user_id -> Uuid,
        body -> Text,
        attachments -> Array<Uuid>,
        edited_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        deleted_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages.comment_edits (id) {
        id -> Uuid,
        firm_id -> Uuid,
        comment_id -> Uuid,
        previous_body -> Text,
        edited_by -> Nullable<Uuid>,
        edited_at -> Timestamptz,
    }
}

diesel::table! {
    messages.comment_mentions (comment_id, user_id) {
        firm_id -> Uuid,
        comment_id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(message_edits -> messages (message_id));
diesel::joinable!(sms_dispatches -> messages (message_id));
diesel::joinable!(comment_edits -> comments (comment_id));
diesel::joinable!(comment_mentions -> comments (comment_id));
diesel::allow_tables_to_appear_in_same_query!(
    messages,
    message_edits,
    sms_dispatches,
    comments,
    comment_edits,
    comment_mentions,
);
