//! One file per flow: firms, domains, resolution.

pub mod domains;
pub mod firms;
pub mod resolve;
