//! One file per flow: reading the log, verifying the chain.

pub mod events;
pub mod verify;
