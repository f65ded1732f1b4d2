//! Support access (Backstage §2.2.6): a system administrator acts as a firm's
//! user for a stated reason and a bounded time, and takes exclusive locks on
//! resources while working.
//!
//! - A session is a `support_sessions` row; its id is the `sid` of the act-as
//!   access token (`sub` = the target user, `act.sub` = the administrator,
//!   `exp` = the session end or the normal lifetime, whichever comes first).
//! - Revoking writes `support_session.revoked` (outbox) and
//!   `revoked-sid:{sid}` in Redis; every service's validator reads that key
//!   (`lawos_http::revocation`), so the token is refused everywhere at once.
//! - Requests made with an act-as token are recorded by the shared middleware
//!   of every service in a Redis list, which this service drains into
//!   `support_access_log` (`support::access_log`).

pub mod access_log;
pub mod exchange;
pub mod locks;
pub mod model;
pub mod sessions;

pub const SCOPE_CREATE: &str = "support-access:create";
pub const SCOPE_READ: &str = "support-access:read";
pub const SCOPE_REVOKE: &str = "support-access:revoke";
/// The `client_id` of act-as tokens.
pub const SUPPORT_CLIENT_ID: &str = "lawos-support";
pub const SESSION_REVOKED: &str = "support_session.revoked";
