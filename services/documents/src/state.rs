//! The documents service's state: its pool, access decisions, the object
//! store, the audit trail, the parent checks and its settings.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;
use lawos_storage::ObjectStore;

use crate::config::DocumentsConfig;
use crate::parents::Parents;

#[derive(Clone)]
pub struct DocumentsState {
    pub db: DbPool,
    pub authz: Authz,
    pub store: ObjectStore,
    pub audit: AuditTrail,
    pub parents: Parents,
    pub config: DocumentsConfig,
}
