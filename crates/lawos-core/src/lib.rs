//! Types every LawOS crate shares: the API error envelope and its code catalogue,
//! id newtypes over UUIDv7, opaque pagination cursors and field validation.

pub mod config;
pub mod cursor;
pub mod error;
pub mod id;
pub mod page;
pub mod request_id;
pub mod seal;
pub mod timestamp;
pub mod validation;

pub use cursor::CursorCodec;
pub use error::{ApiError, ErrorCode};
pub use id::{FirmId, UserId};
pub use page::{Page, PageParams, Pagination};
pub use validation::{FieldErrors, Validate};
