//! Tables of the `documents` schema (kept in step with migrations/documents).

diesel::table! {
    documents.documents (id) {
        id -> Uuid,
        firm_id -> Uuid,
        resource_type -> Text,
        resource_id -> Nullable<Uuid>,
        name -> Text,
        description -> Nullable<Text>,
        category -> Text,
        privileged -> Bool,
        confidential -> Bool,
        tags -> Array<Text>,
        current_version_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    documents.document_versions (id) {
        id -> Uuid,
        firm_id -> Uuid,
        document_id -> Uuid,
        version_number -> Nullable<Int4>,
        parent_version_id -> Nullable<Uuid>,
        restored_from_version_id -> Nullable<Uuid>,
        status -> Text,
        upload_method -> Text,
        file_name -> Text,
        mime_type -> Text,
        size_bytes -> Int8,
        sha256 -> Bytea,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        object_deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    documents.document_search (document_id) {
        document_id -> Uuid,
        firm_id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        tags -> Array<Text>,
        content -> Nullable<Text>,
    }
}

diesel::table! {
    documents.document_extractions (version_id) {
        version_id -> Uuid,
        firm_id -> Uuid,
        document_id -> Uuid,
        status -> Text,
        created_at -> Timestamptz,
        extracted_at -> Nullable<Timestamptz>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    documents,
    document_versions,
    document_search,
    document_extractions
);
