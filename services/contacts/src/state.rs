//! The service's state: its pool, access decisions, audit trails and settings.

use lawos_authz::Authz;
use lawos_db::DbPool;

use crate::config::ContactsConfig;
use crate::matters::MattersClient;

#[derive(Clone)]
pub struct ContactsState {
    pub db: DbPool,
    pub authz: Authz,
    pub audit: lawos_http::audit::AuditTrail,
    pub config: ContactsConfig,
    pub matters: MattersClient,
}
