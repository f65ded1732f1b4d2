//! Tables of the `contacts` schema (kept in step with migrations/contacts).
//! Generated columns (`email_keys`, `phone_keys`, `search_name`) are read only
//! by the search SQL, and `contacts.firm_id` is the transaction's firm by
//! default, so they are not declared here.

diesel::table! {
    contacts.contacts (id) {
        id -> Uuid,
        kind -> Text,
        given_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        organization_name -> Nullable<Text>,
        display_name -> Text,
        emails -> Jsonb,
        phones -> Jsonb,
        addresses -> Jsonb,
        notes -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contacts.clients (id) {
        id -> Uuid,
        firm_id -> Uuid,
        client_type -> Text,
        full_name -> Nullable<Text>,
        company_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Jsonb>,
        status -> Text,
        contact_id -> Nullable<Uuid>,
        deleted_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contacts.client_pii (firm_id, client_id, field) {
        firm_id -> Uuid,
        client_id -> Uuid,
        field -> Text,
        ciphertext -> Bytea,
        key_id -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contacts.client_contacts (id) {
        id -> Uuid,
        firm_id -> Uuid,
        client_id -> Uuid,
        contact_id -> Uuid,
        relationship -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    contacts.duplicate_candidates (id) {
        id -> Uuid,
        firm_id -> Uuid,
        contact_id -> Uuid,
        other_contact_id -> Uuid,
        score -> Double,
        reasons -> Jsonb,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(clients -> contacts (contact_id));
diesel::joinable!(client_contacts -> clients (client_id));
diesel::joinable!(client_pii -> clients (client_id));
diesel::joinable!(client_contacts -> contacts (contact_id));
diesel::allow_tables_to_appear_in_same_query!(
    contacts,
    clients,
    client_pii,
    client_contacts,
    duplicate_candidates
);
