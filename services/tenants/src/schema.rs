//! Tables of the `tenants` schema (kept in step with migrations/tenants).

diesel::table! {
    tenants.firms (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        logto_org_id -> Nullable<Text>,
        contact_email -> Text,
        billing_plan -> Text,
        features -> Jsonb,
        settings -> Jsonb,
        create_logto_org -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    tenants.firm_domains (id) {
        id -> Uuid,
        firm_id -> Uuid,
        domain -> Text,
        verified -> Bool,
        verified_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(firm_domains -> firms (firm_id));
diesel::allow_tables_to_appear_in_same_query!(firms, firm_domains);
