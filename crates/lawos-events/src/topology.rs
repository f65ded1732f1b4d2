//! What a service consumes, as data: its queue `<service>.events` and the event
//! types bound to it. The consumer declares it when it starts; the platform's
//! topology step declares every service's before any service runs, so an event
//! published by an early phase is queued for a consumer of a later phase.

use crate::ConsumerConfig;

/// One service's queue and its bindings on `lawos.events`.
#[derive(Debug, Clone, Copy)]
pub struct QueueBindings {
    /// Names the queue `<service>.events` and its DLQ.
    pub service: &'static str,
    /// Topic patterns, e.g. `matter.created`, `firm.*`, `#`.
    pub bindings: &'static [&'static str],
}

impl QueueBindings {
    /// A consumer configuration for this queue on `amqp_url` (defaults otherwise).
    pub fn config(&self, amqp_url: &str) -> ConsumerConfig {
        ConsumerConfig {
            amqp_url: amqp_url.to_owned(),
            service: self.service.to_owned(),
            bindings: self.bindings.iter().map(|b| (*b).to_owned()).collect(),
            ..ConsumerConfig::default()
        }
    }
}
