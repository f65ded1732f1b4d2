//! The billing service's state: its pool, access decisions and the services it asks.

use lawos_authz::Authz;
use lawos_db::DbPool;

use crate::remote::Remote;

/// The object store keeping invoice PDFs.
pub type Pdfs = lawos_storage::ObjectStore;

#[derive(Clone)]
pub struct BillingState {
    pub db: DbPool,
    pub authz: Authz,
    pub remote: Remote,
    pub pdfs: Pdfs,
}
