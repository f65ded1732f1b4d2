//! One file per flow: firms, domains, resolution.

pub mod domains;
pub mod events;
pub mod firms;
pub mod resolve;
