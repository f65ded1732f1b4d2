//! Queries, each taking the connection of the open tenant transaction.

pub mod documents;
pub mod extractions;
pub mod list;
pub mod versions;
