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
