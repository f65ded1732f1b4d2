//! Storage functions, each taking the tenant transaction's connection.

pub mod deliveries;
pub mod directory;
pub mod notifications;
pub mod preferences;
