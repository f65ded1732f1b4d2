//! Benchmarks of the running services (`make bench`): the shared pieces of the
//! benchmark binaries under `src/bin/`.

pub mod oha;
pub mod pgbench;
pub mod schedule;
pub mod stats;
pub mod table;
