//! The notification types: which event each comes from, what it is about (the
//! resource and the read scope a recipient needs, decided by `lawos-authz`),
//! whether it may be turned off, and which channels it uses unless the firm or
//! the user says otherwise.

use serde::Serialize;

pub const IN_APP: &str = "IN_APP";
pub const EMAIL: &str = "EMAIL";
pub const SMS: &str = "SMS";
/// The channels a preference may name (PUSH is not offered: see the README).
pub const CHANNELS: [&str; 3] = [IN_APP, EMAIL, SMS];

/// One notification type. Its code is the event type it comes from.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Kind {
    #[serde(rename = "type")]
    pub code: &'static str,
    pub category: &'static str,
    pub description: &'static str,
    /// Security and support-access notices: always delivered, on every default channel.
    pub mandatory: bool,
    /// Channels on by default (IN_APP is always among them).
    pub default_channels: &'static [&'static str],
    /// The scope a recipient must hold on the resource (`null`: the event is
    /// about the recipient themself, e.g. their licence or their joining a
    /// matter, and only an ethical wall on the resource withholds it).
    pub scope: Option<&'static str>,
    /// Bursts within a minute on the same resource become one notification.
    pub grouped: bool,
}

const fn kind(
    code: &'static str,
    category: &'static str,
    description: &'static str,
    default_channels: &'static [&'static str],
    scope: Option<&'static str>,
) -> Kind {
    Kind {
        code,
        category,
        description,
        mandatory: false,
        default_channels,
        scope,
        grouped: false,
    }
}

const APP: &[&str] = &[IN_APP];
const APP_MAIL: &[&str] = &[IN_APP, EMAIL];

pub const KINDS: [Kind; 14] = [
    kind(
        "matter.stage_changed",
        "MATTER",
        "A matter you work on moved to another stage",
        APP_MAIL,
        Some("matters:read"),
    ),
    kind(
        "matter.member_added",
        "MATTER",
        "You were added to a matter's team",
        APP_MAIL,
        None,
    ),
    Kind {
        mandatory: true,
        ..kind(
            "credential.expiring",
            "SECURITY",
            "Your practising licence expires soon",
            APP_MAIL,
            None,
        )
    },
    Kind {
        mandatory: true,
        ..kind(
            "support_session.started",
            "SUPPORT_ACCESS",
            "A support administrator acts as you",
            APP_MAIL,
            None,
        )
    },
    kind(
        "assignment.created",
        "TASK",
        "A task was assigned to you",
        APP_MAIL,
        Some("tasks:read"),
    ),
    kind(
        "task.completed",
        "TASK",
        "A task you created or were assigned was completed",
        APP,
        Some("tasks:read"),
    ),
    kind(
        "appointment.scheduled",
        "APPOINTMENT",
        "You were invited to an appointment",
        APP_MAIL,
        Some("appointments:read"),
    ),
    kind(
        "appointment.rescheduled",
        "APPOINTMENT",
        "An appointment you attend moved",
        APP_MAIL,
        Some("appointments:read"),
    ),
    kind(
        "appointment.cancelled",
        "APPOINTMENT",
        "An appointment you attend was cancelled",
        APP_MAIL,
        Some("appointments:read"),
    ),
    kind(
        "appointment.reminder_due",
        "APPOINTMENT",
        "An appointment you attend starts soon",
        APP_MAIL,
        Some("appointments:read"),
    ),
    Kind {
        grouped: true,
        ..kind(
            "message.sent",
            "MESSAGE",
            "New messages in a conversation you take part in",
            APP,
            Some("messages:read"),
        )
    },
    kind(
        "comment.mentioned",
        "MESSAGE",
        "Someone mentioned you in a comment",
        APP_MAIL,
        Some("comments:read"),
    ),
    kind(
        "document.uploaded",
        "DOCUMENT",
        "A document was added to a matter you work on",
        APP,
        Some("documents:read"),
    ),
    kind(
        "payment.received",
        "BILLING",
        "A payment was recorded",
        APP_MAIL,
        Some("invoices:read"),
    ),
];

pub fn kind_of(code: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.code == code)
}

impl Kind {
    pub fn on_by_default(&self, channel: &str) -> bool {
        self.default_channels.contains(&channel)
    }
}

/// The resource types notifications point at, as `lawos-authz` names them.
pub const RESOURCE_TYPES: [&str; 11] = [
    "MATTER",
    "TASK",
    "APPOINTMENT",
    "CHANNEL",
    "COMMENT",
    "DOCUMENT",
    "PAYMENT",
    "LAWYER_CREDENTIAL",
    "SUPPORT_SESSION",
    "CLIENT",
    "TIME_ENTRY",
];

/// `kind` as a `'static` resource type name (decisions need one).
pub fn resource_type(kind: &str) -> Option<&'static str> {
    RESOURCE_TYPES.iter().copied().find(|t| *t == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_in_app_and_codes_are_unique() {
        for k in &KINDS {
            assert!(k.on_by_default(IN_APP), "{}", k.code);
            assert_eq!(KINDS.iter().filter(|o| o.code == k.code).count(), 1);
        }
        assert!(kind_of("credential.expiring").is_some_and(|k| k.mandatory));
        assert!(kind_of("message.sent").is_some_and(|k| k.grouped));
        assert!(kind_of("nope").is_none());
        assert_eq!(resource_type("TASK"), Some("TASK"));
    }
}
