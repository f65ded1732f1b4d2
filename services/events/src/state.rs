//! The events service's state.

use lawos_db::DbPool;

#[derive(Clone)]
pub struct EventsState {
    pub db: DbPool,
}
