//! The channels service's state: its pool, access decisions, the audit trail,
//! the lookups at matters and contacts, the messages service's client and LiveKit.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;

use lawos_core::ApiError;

use crate::calls::livekit::{self, LiveKit};
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
    /// LiveKit, when calls are configured.
    pub livekit: Option<LiveKit>,
}

impl ChannelsState {
    /// LiveKit, or 503 `LIVEKIT_NOT_CONFIGURED`.
    pub fn livekit(&self) -> Result<&LiveKit, ApiError> {
        self.livekit.as_ref().ok_or_else(livekit::not_configured)
    }
}
