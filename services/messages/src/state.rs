//! The messages service's state: its pool, access decisions, the audit trail,
//! the services it asks, and the SMS side.

use lawos_authz::Authz;
use lawos_db::DbPool;
use lawos_http::audit::AuditTrail;
use lawos_http::runtime::ServiceEnv;
use std::sync::Arc;

use crate::clients::Upstream;
use crate::clients::channels::ChannelsClient;
use crate::clients::contacts::ContactsClient;
use crate::clients::members::MembersClient;
use crate::clients::parents::ParentsClient;
use crate::sms::SmsState;

#[derive(Clone)]
pub struct MessagesState {
    pub db: DbPool,
    pub authz: Authz,
    pub audit: AuditTrail,
    pub channels: ChannelsClient,
    pub contacts: ContactsClient,
    pub members: MembersClient,
    pub parents: ParentsClient,
    pub sms: Arc<SmsState>,
}

impl MessagesState {
    pub fn new(env: &ServiceEnv, auth_url: &str, sms: Arc<SmsState>) -> Self {
        let upstream = |url: &str| Upstream::new(url, env.service_tokens.clone());
        let c = &env.config;
        Self {
            db: env.db.clone(),
            authz: Authz::for_service(env),
            audit: env.audit_trail(),
            channels: ChannelsClient::new(upstream(&c.channels_url)),
            contacts: ContactsClient::new(upstream(&c.contacts_url)),
            members: MembersClient::new(upstream(auth_url)),
            parents: ParentsClient {
                matters: upstream(&c.matters_url),
                documents: upstream(&c.documents_url),
                tasks: upstream(&c.tasks_url),
                billing: upstream(&c.billing_url),
            },
            sms,
        }
    }
}
