//! The documents service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;
use lawos_http::openapi::schema_of;
use serde_json::json;

use crate::access::{DOCUMENTS_CREATE, DOCUMENTS_DELETE, DOCUMENTS_READ, DOCUMENTS_UPDATE};
use crate::handlers::{complete, create, edit, events, list, read, upload, versions};
use crate::input::{CreateDocument, EventsQuery, ListQuery, NewVersionBody, PatchDocument};
use crate::views::{
    DocumentView, DocumentWithDownload, ListedDocument, UploadStarted, VersionView,
    VersionWithDownload,
};

fn both(path: &str) -> [String; 2] {
    [path.to_owned(), format!("{path}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/documents")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(list::list))
                    .route(web::post().to(create::create)),
            )
            .service(web::resource(both("/upload")).route(web::post().to(upload::upload)))
            .service(
                web::resource(both("/{id}"))
                    .route(web::get().to(read::get))
                    .route(web::patch().to(edit::update))
                    .route(web::delete().to(edit::delete)),
            )
            .service(web::resource(both("/{id}/content")).route(web::get().to(read::content)))
            .service(web::resource(both("/{id}/archive")).route(web::put().to(edit::archive)))
            .service(web::resource(both("/{id}/restore")).route(web::put().to(edit::restore)))
            .service(web::resource(both("/{id}/events")).route(web::get().to(events::list)))
            .service(
                web::resource(both("/{id}/versions"))
                    .route(web::get().to(versions::list))
                    .route(web::post().to(create::new_version)),
            )
            .service(
                web::resource(both("/{id}/versions/{version_id}"))
                    .route(web::get().to(versions::get)),
            )
            .service(
                web::resource(both("/{id}/versions/{version_id}/content"))
                    .route(web::get().to(versions::content)),
            )
            .service(
                web::resource(both("/{id}/versions/{version_id}/complete"))
                    .route(web::post().to(complete::complete)),
            )
            .service(
                web::resource(both("/{id}/versions/{version_id}/restore"))
                    .route(web::post().to(versions::restore)),
            ),
    );
}

const NOT_FOUND: (u16, &str) = (
    404,
    "No such document in reach (another firm's, walled, privileged without documents:privileged, or deleted)",
);
const FORBIDDEN: (u16, &str) = (403, "Visible but not allowed");
const STORE_DOWN: (u16, &str) = (503, "The object store is unavailable");
const ARCHIVED: (u16, &str) = (409, "The document is archived (RESOURCE_CONFLICT)");

fn bytes() -> serde_json::Value {
    json!({ "type": "string", "format": "binary" })
}

pub fn openapi() -> serde_json::Value {
    OpenApi::new("LawOS documents")
        .op("get", "/api/v1/documents/", "List or search (q: full text over name, description, tags and extracted text, ranked) the documents in reach; filters resource_type, resource_id, category, privileged, uploaded_by, updated_since, archived; cursor", Some(DOCUMENTS_READ), &[(200, "A page of documents"), (403, "No documents:read")])
        .query::<ListQuery>()
        .returns_page::<ListedDocument>()
        .op("post", "/api/v1/documents/", "Create a document and its first version, answered with a presigned PUT (short-lived; fileSize, mimeType and sha256 signed); then PUT the bytes and call …/complete", Some(DOCUMENTS_CREATE), &[(201, "Started"), (403, "Not allowed (privileged needs documents:privileged)"), (422, "Invalid fields (resourceId unknown or out of reach included)"), STORE_DOWN])
        .body::<CreateDocument>()
        .returns::<UploadStarted>(201)
        .op("post", "/api/v1/documents/upload", "Upload a small file straight to the service (multipart: a metadata JSON part, then the file part), at most LAWOS_DOCUMENTS_DIRECT_MAX_BYTES; current at once", Some(DOCUMENTS_CREATE), &[(201, "Stored"), (400, "The multipart body cannot be read"), (403, "Not allowed"), (413, "The file is too large"), (422, "Invalid metadata or file part"), STORE_DOWN])
        .request("multipart/form-data", schema_of::<upload::UploadForm>())
        .returns::<DocumentView>(201)
        .op("get", "/api/v1/documents/{id}", "A document with a short-lived presigned GET of its current version (Content-Disposition: the file name); records document.viewed", Some(DOCUMENTS_READ), &[(200, "The document"), NOT_FOUND, STORE_DOWN])
        .returns::<DocumentWithDownload>(200)
        .op("patch", "/api/v1/documents/{id}", "Change a document's metadata (name, description, category, privileged, confidential, tags)", Some(DOCUMENTS_UPDATE), &[(200, "Changed"), (403, "Not allowed (privileged needs documents:privileged)"), NOT_FOUND, (412, "Stale If-Match"), (422, "Invalid fields")])
        .body::<PatchDocument>()
        .if_match()
        .returns::<DocumentView>(200)
        .op("delete", "/api/v1/documents/{id}", "Soft-delete a document (its objects stay until the retention purge)", Some(DOCUMENTS_DELETE), &[(204, "Deleted"), FORBIDDEN, NOT_FOUND])
        .op("get", "/api/v1/documents/{id}/content", "The current version's bytes, streamed through the service (Content-Disposition: the file name); records document.viewed", Some(DOCUMENTS_READ), &[(200, "The bytes"), NOT_FOUND, (409, "No uploaded version yet (DOCUMENT_NOT_AVAILABLE)"), STORE_DOWN])
        .content(200, "application/octet-stream", bytes())
        .op("put", "/api/v1/documents/{id}/archive", "Archive a document (read-only, out of the default list)", Some(DOCUMENTS_UPDATE), &[(200, "Archived"), FORBIDDEN, NOT_FOUND])
        .returns::<DocumentView>(200)
        .op("put", "/api/v1/documents/{id}/restore", "Restore an archived document", Some(DOCUMENTS_UPDATE), &[(200, "Restored"), FORBIDDEN, NOT_FOUND])
        .returns::<DocumentView>(200)
        .op("get", "/api/v1/documents/{id}/events", "A document's audit trail", Some(DOCUMENTS_READ), &[(200, "A page of events"), NOT_FOUND, (503, "Events unavailable")])
        .query::<EventsQuery>()
        .op("get", "/api/v1/documents/{id}/versions", "A document's versions, newest first (pending and abandoned uploads included)", Some(DOCUMENTS_READ), &[(200, "A page of versions"), NOT_FOUND])
        .query::<EventsQuery>()
        .returns_page::<VersionView>()
        .op("post", "/api/v1/documents/{id}/versions", "Start a new version, answered with a presigned PUT; then …/complete", Some(DOCUMENTS_UPDATE), &[(201, "Started"), FORBIDDEN, NOT_FOUND, ARCHIVED, (422, "Invalid fields"), STORE_DOWN])
        .body::<NewVersionBody>()
        .returns::<UploadStarted>(201)
        .op("get", "/api/v1/documents/{id}/versions/{versionId}", "One version, with a presigned GET when available (records document.viewed)", Some(DOCUMENTS_READ), &[(200, "The version"), (404, "No such document or version in reach"), STORE_DOWN])
        .returns::<VersionWithDownload>(200)
        .op("get", "/api/v1/documents/{id}/versions/{versionId}/content", "One version's bytes, streamed (records document.viewed)", Some(DOCUMENTS_READ), &[(200, "The bytes"), (404, "No such document or version in reach"), (409, "Not available (pending, abandoned or purged)"), STORE_DOWN])
        .content(200, "application/octet-stream", bytes())
        .op("post", "/api/v1/documents/{id}/versions/{versionId}/complete", "Check the uploaded object (declared size and SHA-256) and make the version current (document.uploaded)", Some(DOCUMENTS_UPDATE), &[(200, "Current"), FORBIDDEN, (404, "No such document or version in reach"), (409, "Not pending (DOCUMENT_VERSION_NOT_PENDING) or archived"), (422, "Nothing uploaded or wrong size (DOCUMENT_UPLOAD_INCOMPLETE), wrong SHA-256 (DOCUMENT_CHECKSUM_MISMATCH)"), STORE_DOWN])
        .returns::<DocumentView>(200)
        .op("post", "/api/v1/documents/{id}/versions/{versionId}/restore", "Restore an old version as a new current one (its object copied server-side)", Some(DOCUMENTS_UPDATE), &[(201, "Restored"), FORBIDDEN, (404, "No such document or version in reach"), (409, "Archived, or the version has no bytes (DOCUMENT_NOT_AVAILABLE)"), STORE_DOWN])
        .returns::<VersionView>(201)
        .into_value()
}
