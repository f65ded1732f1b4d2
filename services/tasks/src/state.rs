//! The tasks service's state: its pool, access decisions, the audit trail and
//! the clients of matters, contacts and tenants.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;

use crate::clients::{FirmSettingsClient, Lookup};

#[derive(Clone)]
pub struct TasksState {
    pub db: DbPool,
    pub authz: Authz,
    pub audit: AuditTrail,
    pub matters: Lookup,
    pub contacts: Lookup,
    pub firms: FirmSettingsClient,
}
