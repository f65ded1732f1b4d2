//! What can go wrong talking to the store.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store refused or failed an operation (or could not be reached).
    #[error("S3 {operation}: {message}")]
    S3 {
        operation: &'static str,
        message: String,
    },
    /// An upload went over its limit; nothing was kept.
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The bytes being uploaded could not be read from their source.
    #[error("reading the upload failed: {0}")]
    Source(String),
    /// A request that cannot be made (e.g. a presigned URL over seven days).
    #[error("{0}")]
    Invalid(String),
}
