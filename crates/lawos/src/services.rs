//! Every service, in the integration map's phase order.

use lawos_http::runtime::ServiceSpec;

pub const ALL: [ServiceSpec; 12] = [
    lawos_svc_auth::SPEC,
    lawos_svc_tenants::SPEC,
    lawos_svc_rbac::SPEC,
    lawos_svc_events::SPEC,
    lawos_svc_contacts::SPEC,
    lawos_svc_matters::SPEC,
    lawos_svc_channels::SPEC,
    lawos_svc_messages::SPEC,
    lawos_svc_tasks::SPEC,
    lawos_svc_documents::SPEC,
    lawos_svc_billing::SPEC,
    lawos_svc_notifications::SPEC,
];

pub fn find(name: &str) -> Option<ServiceSpec> {
    ALL.into_iter().find(|s| s.name == name)
}
