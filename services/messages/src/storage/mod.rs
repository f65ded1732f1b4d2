//! Storage functions, each taking the connection of the request's one
//! transaction (`lawos_db::with_tenant`).

pub mod comments;
pub mod messages;
pub mod search;
pub mod sms;
