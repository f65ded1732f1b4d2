//! Queries of the tasks schema. Each takes a connection already inside a tenant
//! transaction, so row-level security decides which firm it sees.

pub mod appointments;
pub mod assignments;
pub mod checklist;
pub mod feeds;
pub mod occurrences;
pub mod records;
pub mod reminders;
pub mod tasks;
