//! LawOS events (ARCHITECTURE §4): the [`EventEnvelope`], the transactional outbox
//! ([`install_sql`] for the schema objects and entity triggers, [`enqueue`] for
//! business events), the [`Relay`] that publishes an outbox to the `lawos.events`
//! topic exchange with publisher confirms, and the [`Consumer`] that feeds a
//! service's quorum queue to its handler, with bounded redelivery, a DLQ, and
//! [`apply_once`] for exactly-once effects.
//!
//! A producing service: run `install_sql("<service>")` in its migrations, call
//! `select <service>.lawos_emit_events('<service>.<table>', '<entity>')` per owned
//! table, call [`enqueue`] inside the tenant transaction for business events, and
//! run one [`Relay`] per schema. A consuming service: `install_sql` too (for its
//! `inbox`), one [`Consumer`] whose handler wraps its effect in [`apply_once`].

mod amqp;
mod backoff;
mod broadcast;
mod consumer;
mod envelope;
mod error;
mod inbox;
mod outbox;
mod relay;
mod sql;
mod topology;

pub use amqp::{
    DEAD_LETTER_EXCHANGE, EXCHANGE, dead_letter_queue_name, declare_consumer_topology,
    declare_exchange, queue_name,
};
pub use backoff::{Backoff, BackoffConfig};
pub use broadcast::{Broadcast, BroadcastConfig, BroadcastHandler};
pub use consumer::{Consumer, ConsumerConfig, ConsumerStats, EventHandler};
pub use envelope::{Actor, ENVELOPE_VERSION, EntityRef, EventEnvelope, EventEnvelopeBuilder};
pub use error::Error;
pub use inbox::apply_once;
pub use outbox::{enqueue, prune_published, unpublished_count};
pub use relay::{Relay, RelayConfig, RelayStats};
pub use sql::{install_sql, notify_channel};
pub use topology::{QueueBindings, declare_topology};
