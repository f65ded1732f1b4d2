//! The approval lifecycle shared by time entries and expenses (API.md):
//! `DRAFT → SUBMITTED → APPROVED | REJECTED`, `REJECTED → DRAFT`,
//! `APPROVED → INVOICED` (issuing an invoice), `INVOICED → APPROVED` (voiding
//! it). An invoiced entry is immutable: 400 `TIME_ENTRY_ALREADY_INVOICED`.
//! Any other move is 409 `INVALID_STATUS_TRANSITION`.

use lawos_core::{ApiError, ErrorCode};
use serde_json::json;

pub const STATUSES: [&str; 5] = ["DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "INVOICED"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Invoiced,
}

impl Status {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "DRAFT" => Self::Draft,
            "SUBMITTED" => Self::Submitted,
            "APPROVED" => Self::Approved,
            "REJECTED" => Self::Rejected,
            "INVOICED" => Self::Invoiced,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Submitted => "SUBMITTED",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Invoiced => "INVOICED",
        }
    }

    /// Whether a user's move from `self` to `to` is allowed (the invoice
    /// moves, APPROVED ⇄ INVOICED, belong to issuing and voiding).
    pub fn can_move(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Draft, Submitted) | (Submitted, Approved) | (Submitted, Rejected) | (Rejected, Draft)
        )
    }
}

/// The 400 for any change to an invoiced entry.
pub fn invoiced_error(kind: &str) -> ApiError {
    ApiError::new(
        ErrorCode::TimeEntryAlreadyInvoiced,
        format!("The {kind} is invoiced and can no longer be changed"),
    )
}

/// Checks a move; invoiced entries answer 400, other refusals 409.
pub fn check_move(kind: &str, from: Status, to: Status) -> Result<(), ApiError> {
    if from == Status::Invoiced {
        return Err(invoiced_error(kind));
    }
    if from.can_move(to) {
        return Ok(());
    }
    Err(transition_error(from.as_str(), to.as_str()))
}

pub fn transition_error(from: &str, to: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidStatusTransition,
        format!("Cannot move from {from} to {to}"),
    )
    .with_details(json!({ "from": from, "to": to }))
}

/// Data edits are allowed in DRAFT and REJECTED only.
pub fn check_editable(kind: &str, status: Status) -> Result<(), ApiError> {
    match status {
        Status::Draft | Status::Rejected => Ok(()),
        Status::Invoiced => Err(invoiced_error(kind)),
        other => Err(ApiError::new(
            ErrorCode::InvalidStatusTransition,
            format!(
                "A {} {kind} cannot be edited; reject it back to DRAFT first",
                other.as_str()
            ),
        )
        .with_details(json!({ "status": other.as_str() }))),
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_lifecycle_of_api_md() {
        for (from, to) in [
            (Draft, Submitted),
            (Submitted, Approved),
            (Submitted, Rejected),
            (Rejected, Draft),
        ] {
            assert!(check_move("time entry", from, to).is_ok());
        }
        for (from, to) in [
            (Draft, Approved),
            (Approved, Draft),
            (Rejected, Approved),
            (Approved, Rejected),
        ] {
            assert_eq!(
                check_move("time entry", from, to).unwrap_err().code,
                ErrorCode::InvalidStatusTransition
            );
        }
        let invoiced = check_move("time entry", Invoiced, Draft).unwrap_err();
        assert_eq!(invoiced.code, ErrorCode::TimeEntryAlreadyInvoiced);
        assert_eq!(
            check_editable("time entry", Invoiced)
                .unwrap_err()
                .code
                .status()
                .as_u16(),
            400
        );
        assert!(check_editable("time entry", Rejected).is_ok());
        assert_eq!(Status::parse("approved"), Some(Approved));
    }
}
