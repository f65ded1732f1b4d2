//! The all-in-one `lawos` command's library part: the list of services.

pub mod services;
