//! Queries of the contacts schema. Each takes a connection already inside a
//! tenant transaction, so row-level security decides what it can see: another
//! firm's rows do not exist for it.

pub mod clients;
pub mod conflicts;
pub mod contacts;
pub mod duplicates;
pub mod merge;
pub mod pii;
pub mod search;
