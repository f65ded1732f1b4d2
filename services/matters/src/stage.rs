//! The matter stage lifecycle (API.md): `LEAD → OPEN → IN_PROGRESS → CLOSED →
//! ARCHIVED`, also `LEAD → CLOSED` (declined), `OPEN → CLOSED`, `CLOSED →
//! IN_PROGRESS` (reopen, lawyers only) and `ARCHIVED → CLOSED` (restore).
//! Anything else, staying put included, is 409 `INVALID_STAGE_TRANSITION`.

use lawos_core::{ApiError, ErrorCode};
use serde_json::json;

pub const STAGES: [&str; 5] = ["LEAD", "OPEN", "IN_PROGRESS", "CLOSED", "ARCHIVED"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Lead,
    Open,
    InProgress,
    Closed,
    Archived,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Self::Lead,
        Self::Open,
        Self::InProgress,
        Self::Closed,
        Self::Archived,
    ];

    /// Case-insensitive (`?stage=lead` and `"stage": "LEAD"` alike).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().as_str() {
            "LEAD" => Some(Self::Lead),
            "OPEN" => Some(Self::Open),
            "IN_PROGRESS" => Some(Self::InProgress),
            "CLOSED" => Some(Self::Closed),
            "ARCHIVED" => Some(Self::Archived),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "LEAD",
            Self::Open => "OPEN",
            Self::InProgress => "IN_PROGRESS",
            Self::Closed => "CLOSED",
            Self::Archived => "ARCHIVED",
        }
    }

    /// Closed and archived matters refuse data edits (400 `CASE_ALREADY_CLOSED`).
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Closed | Self::Archived)
    }

    /// Whether `self → to` is in the lifecycle table.
    pub fn may_become(self, to: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, to),
            (Lead, Open)
                | (Lead, Closed)
                | (Open, InProgress)
                | (Open, Closed)
                | (InProgress, Closed)
                | (Closed, Archived)
                | (Closed, InProgress)
                | (Archived, Closed)
        )
    }

    /// The reopening transition, which only lawyers may make.
    pub fn is_reopen(self, to: Stage) -> bool {
        self == Self::Closed && to == Self::InProgress
    }

    /// `Ok` or 409 `INVALID_STAGE_TRANSITION` naming both ends and what is allowed.
    pub fn check(self, to: Stage) -> Result<(), ApiError> {
        if self.may_become(to) {
            return Ok(());
        }
        Err(self.refusal(to))
    }

    /// The 409 `INVALID_STAGE_TRANSITION` for `self → to`.
    pub fn refusal(self, to: Stage) -> ApiError {
        let allowed: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|s| self.may_become(*s))
            .map(Stage::as_str)
            .collect();
        ApiError::new(
            ErrorCode::InvalidStageTransition,
            format!(
                "A matter cannot move from {} to {}",
                self.as_str(),
                to.as_str()
            ),
        )
        .with_details(json!({ "from": self.as_str(), "to": to.as_str(), "allowed": allowed }))
    }
}

/// 400 `CASE_ALREADY_CLOSED` for a data edit of a closed or archived matter.
pub fn closed_error(stage: Stage) -> ApiError {
    ApiError::new(
        ErrorCode::CaseAlreadyClosed,
        format!("The matter is {}; reopen it before editing", stage.as_str()),
    )
    .with_details(json!({ "stage": stage.as_str() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_stage() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(&stage.as_str().to_lowercase()), Some(stage));
        }
        assert_eq!(Stage::parse("PENDING"), None);
        assert_eq!(STAGES, Stage::ALL.map(Stage::as_str));
    }

    #[test]
    fn eight_transitions_are_allowed() {
        let allowed = Stage::ALL
            .iter()
            .flat_map(|a| Stage::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .count();
        assert_eq!(allowed, 8);
        assert!(Stage::Closed.is_reopen(Stage::InProgress));
    }
}
