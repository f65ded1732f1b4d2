//! The matters service's state: its pool, access decisions, the audit trail and
//! the contacts client.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;

use crate::contacts::ContactsClient;

#[derive(Clone)]
pub struct MattersState {
    pub db: DbPool,
    pub authz: Authz,
    pub audit: AuditTrail,
    pub contacts: ContactsClient,
}
