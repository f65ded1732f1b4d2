//! The MyCase case sync's building blocks (issue 18): a firm's connection
//! with its OAuth secrets sealed at rest ([`seal`]), MyCase's REST API with
//! 429/`Retry-After` backoff ([`api`]), its records and what they become in
//! LawOS ([`records`]), the three-way field decision ([`merge`]), clients
//! written through the contacts API ([`contacts`]), members matched by e-mail
//! at auth ([`directory`]), and the tables of connections, runs and external
//! references ([`storage`], [`refs`]).
//!
//! Not yet served: the run itself, its scheduler worker and the
//! `/api/v1/matters/integrations/mycase/` routes are not wired, so nothing
//! here is reachable from the API.

pub mod api;
pub mod config;
pub mod contacts;
pub mod directory;
pub mod input;
pub mod merge;
pub mod model;
pub mod records;
pub mod refs;
pub mod schema;
pub mod seal;
pub mod storage;
