//! Request bodies and query parameters, validated field by field so a client
//! learns every problem at once (422 naming each field).

mod channel;
mod message;
mod participant;
mod query;
mod sms;

pub use channel::{CreateChannel, UpdateChannel, ValidChannel};
pub use message::{Outgoing, SendMessage};
pub use participant::{AddParticipant, ParticipantBody};
pub use query::{ListFilter, ListQuery, PageQuery, Position};
pub use sms::SmsChannel;

/// A phone number in E.164: `+`, a non-zero digit, 7 to 15 digits in all.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Upper-cased, trimmed; `None` when blank.
pub(crate) fn code(value: Option<&str>) -> Option<String> {
    value
        .map(|v| v.trim().to_ascii_uppercase())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_e164() {
        assert!(is_e164("+15551234567"));
        assert!(is_e164("+4930123456"));
        assert!(!is_e164("15551234567"));
        assert!(!is_e164("+0555123456"));
        assert!(!is_e164("+1555"));
        assert!(!is_e164("+1555123456789012"));
        assert!(!is_e164("+1 555 123 4567"));
    }
}
