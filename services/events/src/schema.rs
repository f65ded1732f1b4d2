//! Tables of the `events` schema (kept in step with migrations/events).

diesel::table! {
    events.event_log (id) {
        id -> Uuid,
        firm_id -> Uuid,
        seq -> Int8,
        event_type -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        actor_user_id -> Nullable<Uuid>,
        actor_act_as -> Nullable<Text>,
        occurred_at -> Timestamptz,
        received_at -> Timestamptz,
        payload -> Jsonb,
        prev_hash -> Bytea,
        hash -> Bytea,
        context_type -> Nullable<Text>,
        context_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    events.chain_anchors (id) {
        id -> Int8,
        firm_id -> Uuid,
        through_seq -> Int8,
        last_hash -> Bytea,
        rows_archived -> Int8,
        object_key -> Text,
        cutoff -> Timestamptz,
        archived_at -> Timestamptz,
    }
}
