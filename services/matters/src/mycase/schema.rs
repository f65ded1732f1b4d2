//! Tables of the MyCase sync (kept in step with
//! migrations/matters/2026-03-14-000000_mycase_sync and
//! 2026-03-15-000000_mycase_disconnect).

diesel::table! {
    matters.mycase_connections (id) {
        id -> Uuid,
        firm_id -> Uuid,
        base_url -> Nullable<Text>,
        token_url -> Nullable<Text>,
        grant_type -> Text,
        client_id -> Text,
        interval_minutes -> Int4,
        enabled -> Bool,
        resync_from -> Timestamptz,
        disconnected_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    matters.mycase_credentials (connection_id) {
        connection_id -> Uuid,
        firm_id -> Uuid,
        ciphertext -> Bytea,
        key_id -> Text,
        has_client_secret -> Bool,
        has_refresh_token -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    matters.mycase_runs (id) {
        id -> Uuid,
        firm_id -> Uuid,
        connection_id -> Uuid,
        origin -> Text,
        requested_by -> Nullable<Uuid>,
        status -> Text,
        started_at -> Timestamptz,
        heartbeat_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        cursor_before -> Jsonb,
        cursor_after -> Nullable<Jsonb>,
        created -> Int4,
        updated -> Int4,
        unchanged -> Int4,
        conflicts -> Int4,
        failed -> Int4,
        conflict_details -> Jsonb,
        errors -> Jsonb,
    }
}

diesel::table! {
    matters.external_refs (id) {
        id -> Uuid,
        firm_id -> Uuid,
        provider -> Text,
        kind -> Text,
        external_id -> Text,
        external_number -> Nullable<Text>,
        entity_type -> Text,
        entity_id -> Nullable<Uuid>,
        remote_values -> Jsonb,
        local_values -> Jsonb,
        remote_updated_at -> Nullable<Timestamptz>,
        last_run_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(mycase_connections, mycase_credentials, mycase_runs,);
