//! Tables of the `rbac` schema (kept in step with migrations/rbac).

diesel::table! {
    rbac.permissions (scope) {
        scope -> Text,
        module -> Text,
        admin -> Bool,
        description -> Text,
    }
}

diesel::table! {
    rbac.builtin_roles (code) {
        code -> Text,
        description -> Text,
    }
}

diesel::table! {
    rbac.builtin_role_permissions (role, scope) {
        role -> Text,
        scope -> Text,
        reach -> Text,
    }
}

diesel::table! {
    rbac.resource_types (code) {
        code -> Text,
        description -> Text,
    }
}

diesel::table! {
    rbac.resource_subtypes (parent, child) {
        parent -> Text,
        child -> Text,
    }
}

diesel::table! {
    rbac.default_field_policies (resource_type, field, role) {
        resource_type -> Text,
        field -> Text,
        role -> Text,
        can_read -> Bool,
        can_write -> Bool,
    }
}

diesel::table! {
    rbac.roles (id) {
        id -> Uuid,
        firm_id -> Uuid,
        code -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rbac.role_permissions (firm_id, role_id, scope) {
        firm_id -> Uuid,
        role_id -> Uuid,
        scope -> Text,
        reach -> Text,
    }
}

diesel::table! {
    rbac.role_assignments (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        custom_role_id -> Nullable<Uuid>,
        starts_at -> Timestamptz,
        ends_at -> Nullable<Timestamptz>,
        assigned_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    rbac.access_grants (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        resource_type -> Text,
        resource_id -> Uuid,
        subresource_type -> Nullable<Text>,
        subresource_id -> Nullable<Uuid>,
        action -> Text,
        starts_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        granted_by -> Nullable<Uuid>,
        revoked_by -> Nullable<Uuid>,
        reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    rbac.field_policies (id) {
        id -> Uuid,
        firm_id -> Uuid,
        resource_type -> Text,
        field -> Text,
        role -> Text,
        can_read -> Bool,
        can_write -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rbac.matter_members (firm_id, matter_id, user_id) {
        firm_id -> Uuid,
        matter_id -> Uuid,
        user_id -> Uuid,
        role -> Nullable<Text>,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(role_permissions -> roles (role_id));
diesel::allow_tables_to_appear_in_same_query!(
    permissions,
    builtin_roles,
    builtin_role_permissions,
    resource_types,
    resource_subtypes,
    default_field_policies,
    roles,
    role_permissions,
    role_assignments,
    access_grants,
    field_policies,
    matter_members,
);
