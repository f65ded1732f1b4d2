//! `GET /{id}/timeline`: the matter's audit events and its notes merged, newest
//! first. The cursor remembers where each source stands: the events service's
//! own cursor (and how many of that page were already shown) and the last note
//! shown. A page stops early rather than show a note older than events not yet
//! fetched, so the order holds across pages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{EventsPage, occurred_at};
use crate::model::Note;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Position {
    /// The events page to read (none: the first).
    pub ev: Option<String>,
    /// How many of that page were shown already.
    pub skip: usize,
    pub events_done: bool,
    /// The last note shown.
    pub note: Option<(DateTime<Utc>, Uuid)>,
    pub notes_done: bool,
}

/// One merged page and the position after it (none: nothing more).
pub fn merge(
    at: &Position,
    events: Option<EventsPage>,
    notes: Vec<Note>,
    limit: usize,
) -> (Vec<Value>, Option<Position>) {
    let (ev_items, ev_next) = match events {
        Some(page) => (
            page.data.into_iter().skip(at.skip).collect::<Vec<_>>(),
            page.pagination.next_cursor,
        ),
        None => (Vec::new(), None),
    };
    let notes_more = notes.len() > limit;
    let (mut e, mut n) = (0, 0);
    let mut out = Vec::new();
    while out.len() < limit {
        let event = ev_items.get(e);
        let note = notes.get(n).filter(|_| n < limit);
        let take_event = match (event, note) {
            (None, None) => break,
            // Events not fetched yet may be newer than this note.
            (None, Some(_)) if ev_next.is_some() => break,
            (None, Some(_)) => false,
            (Some(_), None) => true,
            (Some(ev), Some(note)) => occurred_at(ev).is_none_or(|t| t >= note.created_at),
        };
        if take_event {
            let ev = &ev_items[e];
            out.push(json!({ "type": "event", "at": ev["occurredAt"], "event": ev }));
            e += 1;
        } else {
            let note = &notes[n];
            out.push(json!({ "type": "note", "at": note.created_at, "note": note }));
            n += 1;
        }
    }
    let mut next = at.clone();
    if !at.events_done {
        if e == ev_items.len() {
            next.events_done = ev_next.is_none();
            next.ev = ev_next;
            next.skip = 0;
        } else {
            next.skip += e;
        }
    }
    if n > 0 {
        next.note = Some((notes[n - 1].created_at, notes[n - 1].id));
    }
    next.notes_done = at.notes_done || (n == notes.len() && !notes_more);
    let more = !(next.events_done && next.notes_done);
    (out, more.then_some(next))
}
