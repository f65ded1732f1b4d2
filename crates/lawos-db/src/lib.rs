//! PostgreSQL access for LawOS services: the connection pool, tenant-scoped
//! transactions (row-level security), and the per-service schema and migrations.

pub mod pool;
pub mod read;
pub mod roles;
pub mod schema_setup;
pub mod tenant;
pub mod testdb;

pub use diesel_async::AsyncPgConnection;
pub use pool::{DbPool, connect};
pub use read::read;
pub use roles::ServiceRoles;
pub use schema_setup::{ServiceSchema, migrate};
pub use tenant::{TenantCtx, with_tenant};
