//! One file per flow: discovery (metadata and keys), tokens (grants and
//! revocation), the caller's own profile.

pub mod discovery;
pub mod me;
pub mod token;
