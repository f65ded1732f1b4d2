//! Tables of the `matters` schema (kept in step with migrations/matters).

diesel::table! {
    matters.matters (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_number -> Text,
        title -> Text,
        description -> Nullable<Text>,
        matter_type -> Text,
        practice_area -> Nullable<Text>,
        stage -> Text,
        client_id -> Nullable<Uuid>,
        opened_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.matter_number_sequences (firm_id, year) {
        firm_id -> Uuid,
        year -> Int4,
        last_value -> Int8,
    }
}

diesel::table! {
    matters.matter_members (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        starts_at -> Timestamptz,
        ends_at -> Nullable<Timestamptz>,
        added_by -> Nullable<Uuid>,
        removed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.matter_contacts (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        contact_id -> Uuid,
        role -> Text,
        notes -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.matter_notes (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        body -> Text,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.matter_budgets (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        amount_minor -> Int8,
        currency -> Text,
        period_start -> Nullable<Date>,
        period_end -> Nullable<Date>,
        notes -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(matter_members -> matters (matter_id));
diesel::joinable!(matter_contacts -> matters (matter_id));
diesel::joinable!(matter_notes -> matters (matter_id));
diesel::joinable!(matter_budgets -> matters (matter_id));
diesel::allow_tables_to_appear_in_same_query!(
    matters,
    matter_number_sequences,
    matter_members,
    matter_contacts,
    matter_notes,
    matter_budgets,
);

diesel::table! {
    matters.lead_forms (id) {
        id -> Uuid,
        firm_id -> Uuid,
        name -> Text,
        key_hash -> Bytea,
        key_hint -> Text,
        practice_area -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.meta_pages (id) {
        id -> Uuid,
        firm_id -> Uuid,
        page_id -> Text,
        form_id -> Nullable<Text>,
        name -> Nullable<Text>,
        practice_area -> Nullable<Text>,
        token_ciphertext -> Bytea,
        token_key_id -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.lead_deliveries (id) {
        id -> Uuid,
        firm_id -> Uuid,
        leadgen_id -> Text,
        page_id -> Text,
        form_id -> Nullable<Text>,
        mapping_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        matter_id -> Nullable<Uuid>,
        received_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    matters.leads (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        contact_id -> Uuid,
        channel -> Text,
        form_id -> Nullable<Uuid>,
        delivery_id -> Nullable<Uuid>,
        dedupe_key -> Text,
        source -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}
