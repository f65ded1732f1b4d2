//! Which firm a request acts for: from the token's `firm_id` claim, from
//! `X-Firm-Id` (system administrators only), from a Logto `organization_id`, or
//! from the request host (a firm's verified domain), resolved through the tenants
//! service and cached.

pub mod extract;
pub mod resolver;

pub use extract::{HostFirm, Tenant};
pub use resolver::{FirmResolver, Resolved, TenantsResolver};
