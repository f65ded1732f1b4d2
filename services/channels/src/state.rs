//! The channels service's state: its pool, access decisions, the audit trail,
//! the lookups at matters and contacts, and the messages service's client.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;

use crate::lookup::Lookup;
use crate::messages::MessagesClient;

#[derive(Clone)]
pub struct ChannelsState {
    pub db: DbPool,
    pub authz: Authz,
    pub audit: AuditTrail,
    pub matters: Lookup,
    pub contacts: Lookup,
    pub messages: MessagesClient,
}
