//! The task lifecycle: `OPEN → IN_PROGRESS → DONE | CANCELLED`, also
//! `OPEN → DONE | CANCELLED`, `IN_PROGRESS → OPEN`, and reopening
//! `DONE | CANCELLED → OPEN`. Anything else, staying put included, is 409
//! `INVALID_STAGE_TRANSITION`.

use lawos_core::{ApiError, ErrorCode};
use serde_json::json;

pub const STATUSES: [&str; 4] = ["OPEN", "IN_PROGRESS", "DONE", "CANCELLED"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl Status {
    /// Case-insensitive (`?status=open` and `"status": "OPEN"` alike).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().as_str() {
            "OPEN" => Some(Self::Open),
            "IN_PROGRESS" => Some(Self::InProgress),
            "DONE" => Some(Self::Done),
            "CANCELLED" => Some(Self::Cancelled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::InProgress => "IN_PROGRESS",
            Self::Done => "DONE",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// Still to do: open or in progress.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }

    pub fn may_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Open, InProgress | Done | Cancelled)
                | (InProgress, Open | Done | Cancelled)
                | (Done | Cancelled, Open)
        )
    }
}

pub fn invalid_transition(from: Status, to: Status) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidStageTransition,
        format!("A {} task cannot become {}", from.as_str(), to.as_str()),
    )
    .with_details(json!({ "from": from.as_str(), "to": to.as_str() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_allows_reopening_and_nothing_sideways() {
        use Status::*;
        assert!(Open.may_become(InProgress) && InProgress.may_become(Done));
        assert!(Done.may_become(Open) && Cancelled.may_become(Open));
        assert!(!Done.may_become(Cancelled) && !Done.may_become(InProgress));
        assert!(!Open.may_become(Open));
        assert_eq!(Status::parse("in_progress"), Some(InProgress));
    }
}
