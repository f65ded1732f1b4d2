//! The tasks service's API tests, one binary: tasks, appointments, isolation,
//! the matter timeline, reminders across worker processes, iCalendar feeds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod appointments;
mod common;
mod feeds;
mod isolation;
mod reminders;
mod tasks;
mod timeline;
