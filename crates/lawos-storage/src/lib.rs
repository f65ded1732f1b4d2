//! The S3 object store of the services that keep files: documents (their
//! versions' bytes) and billing (invoice PDFs). One client construction from
//! the environment ([`StorageConfig`], validated at start), and the object
//! operations those services need ([`ObjectStore`]): put (one request, or a
//! hashed stream that becomes a multipart upload), head, streamed get,
//! delete, server-side copy, presigned PUT (length, type and optionally the
//! SHA-256 signed) and presigned GET (with `Content-Disposition`), and
//! `ensure_bucket` for development stores; [`StoreCheck`] makes the store a
//! hard dependency of a service's `/readyz`.
//!
//! Object keys are chosen by the services, never taken from user input.

mod chain;
mod config;
mod disposition;
mod error;
mod ready;
mod store;

pub use config::{StaticCredentials, StorageConfig};
pub use disposition::content_disposition;
pub use error::StorageError;
pub use ready::StoreCheck;
pub use store::{
    ObjectBody, ObjectHead, ObjectStore, PART_SIZE, Presigned, Stored, hex_digest, parse_hex_digest,
};
