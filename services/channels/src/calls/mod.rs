//! Calls: a LiveKit room opened in a channel. The service creates the room at
//! LiveKit, hands out join tokens to those who may see the channel (publishing
//! for those who may write in it), and turns LiveKit's signed webhooks into the
//! call's record and the events `call.started` / `call.ended`. Media never
//! passes through the platform: clients connect to LiveKit's signaling (the
//! gateway's `/ws/livekit` route) with their token.

pub mod config;
pub mod livekit;
pub mod model;
pub mod webhook;
