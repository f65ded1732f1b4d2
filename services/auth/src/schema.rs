//! Tables of the `auth` schema (kept in step with migrations/auth).

diesel::table! {
    auth.signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        public_jwk -> Jsonb,
        private_key -> Bytea,
        master_key_id -> Text,
        created_at -> Timestamptz,
        not_before -> Timestamptz,
        retire_after -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth.users (id) {
        id -> Uuid,
        issuer -> Text,
        subject -> Text,
        email -> Text,
        full_name -> Text,
        platform_role -> Nullable<Text>,
        is_active -> Bool,
        synced_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth.local_credentials (user_id) {
        user_id -> Uuid,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    auth.firm_user_profiles (firm_id, user_id) {
        firm_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        is_lawyer -> Bool,
        title -> Nullable<Text>,
        phone -> Nullable<Text>,
        preferences -> Jsonb,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth.service_accounts (id) {
        id -> Uuid,
        name -> Text,
        client_id -> Text,
        secret_hash -> Text,
        scopes -> Array<Text>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    auth.sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        firm_id -> Nullable<Uuid>,
        client_id -> Text,
        scope -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    auth.refresh_tokens (id) {
        id -> Uuid,
        session_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth.lawyer_credentials (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        #[sql_name = "type"]
        credential_type -> Text,
        jurisdiction -> Text,
        number -> Text,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        expiry_notified_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth.support_sessions (id) {
        id -> Uuid,
        admin_user_id -> Uuid,
        target_user_id -> Uuid,
        firm_id -> Uuid,
        reason -> Text,
        starts_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    auth.support_access_log (id) {
        id -> Uuid,
        session_id -> Uuid,
        firm_id -> Uuid,
        service -> Text,
        method -> Text,
        path -> Text,
        status -> Int2,
        at -> Timestamptz,
    }
}

diesel::joinable!(support_access_log -> support_sessions (session_id));
diesel::joinable!(local_credentials -> users (user_id));
diesel::joinable!(lawyer_credentials -> users (user_id));
diesel::joinable!(firm_user_profiles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(
    signing_keys,
    users,
    local_credentials,
    firm_user_profiles,
    service_accounts,
    sessions,
    refresh_tokens,
    lawyer_credentials,
    support_sessions,
    support_access_log,
);

diesel::table! {
    auth.logto_organizations (id) {
        id -> Uuid,
        firm_id -> Uuid,
        logto_org_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_in_logto -> Bool,
        synced_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    auth.logto_org_memberships (id) {
        id -> Uuid,
        firm_id -> Uuid,
        organization_id -> Uuid,
        logto_user_id -> Nullable<Text>,
        user_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        roles -> Jsonb,
        status -> Text,
        invitation_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    auth.logto_sync_log (id) {
        id -> Uuid,
        firm_id -> Uuid,
        direction -> Text,
        operation -> Text,
        status -> Text,
        logto_org_id -> Nullable<Text>,
        target -> Nullable<Text>,
        error -> Nullable<Text>,
        details -> Jsonb,
        actor_id -> Nullable<Uuid>,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
    }
}
