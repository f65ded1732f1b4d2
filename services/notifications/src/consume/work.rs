//! Events of tasks, appointments, documents and billing.

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use lawos_events::EventEnvelope;

use super::compose::{Audience, Plan, data, draft, plan};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentCreated {
    task_id: Uuid,
    matter_id: Option<Uuid>,
    assignee_user_id: Uuid,
    assigned_by: Option<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskCompleted {
    task_id: Uuid,
    matter_id: Option<Uuid>,
    title: String,
    completed_by: Option<Uuid>,
    created_by: Option<Uuid>,
    #[serde(default)]
    assignee_user_ids: Vec<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Appointment {
    appointment_id: Uuid,
    matter_id: Option<Uuid>,
    title: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    starts_at: String,
    ends_at: Option<String>,
    organizer_user_id: Option<Uuid>,
    #[serde(default)]
    attendee_user_ids: Vec<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReminderDue {
    appointment_id: Uuid,
    reminder_id: Uuid,
    occurrence_starts_at: String,
    minutes_before: i64,
    #[serde(default)]
    attendee_user_ids: Vec<Uuid>,
    title: String,
    matter_id: Option<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentUploaded {
    document_id: Uuid,
    version_id: Option<Uuid>,
    matter_id: Option<Uuid>,
    file_name: String,
    category: Option<String>,
    #[serde(default)]
    privileged: bool,
    uploaded_by: Option<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentReceived {
    payment_id: Uuid,
    client_id: Option<Uuid>,
    #[serde(default)]
    matter_ids: Vec<Uuid>,
    #[serde(default)]
    invoice_ids: Vec<Uuid>,
    amount_minor: i64,
    currency: String,
    recorded_by: Option<Uuid>,
}

/// `12345` minor units of `EUR` as `123.45 EUR` (two decimals; the text only).
fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}

fn appointment(event: &EventEnvelope) -> anyhow::Result<Plan> {
    let d: Appointment = data(event)?;
    let (title, body) = match event.event_type.as_str() {
        "appointment.scheduled" => (
            format!("Invitation: {}", d.title),
            format!(
                "You were invited to \"{}\" starting {}.",
                d.title, d.starts_at
            ),
        ),
        "appointment.rescheduled" => (
            format!("Moved: {}", d.title),
            format!("\"{}\" now starts {}.", d.title, d.starts_at),
        ),
        _ => (
            format!("Cancelled: {}", d.title),
            format!("\"{}\" ({}) was cancelled.", d.title, d.starts_at),
        ),
    };
    let mut p = plan(
        draft(
            &event.event_type,
            title,
            body,
            ("APPOINTMENT", d.appointment_id),
            d.matter_id,
            json!({ "title": d.title, "appointmentType": d.kind, "startsAt": d.starts_at, "endsAt": d.ends_at, "organizerUserId": d.organizer_user_id }),
        )?,
        Audience::Users(d.attendee_user_ids),
    );
    p.exclude.extend(
        d.organizer_user_id
            .filter(|_| event.actor.user_id.is_none()),
    );
    Ok(p)
}

/// The plan for a tasks, documents or billing event; `None` for other types.
pub fn plan_for(event: &EventEnvelope) -> anyhow::Result<Option<Plan>> {
    Ok(Some(match event.event_type.as_str() {
        "assignment.created" => {
            let d: AssignmentCreated = data(event)?;
            plan(
                draft(
                    "assignment.created",
                    "A task was assigned to you".to_owned(),
                    "You have a new task.".to_owned(),
                    ("TASK", d.task_id),
                    d.matter_id,
                    json!({ "taskId": d.task_id, "assignedBy": d.assigned_by }),
                )?,
                Audience::Users(vec![d.assignee_user_id]),
            )
        }
        "task.completed" => {
            let d: TaskCompleted = data(event)?;
            let mut users = d.assignee_user_ids.clone();
            users.extend(d.created_by);
            let mut p = plan(
                draft(
                    "task.completed",
                    format!("Task completed: {}", d.title),
                    format!("\"{}\" was completed.", d.title),
                    ("TASK", d.task_id),
                    d.matter_id,
                    json!({ "title": d.title, "completedBy": d.completed_by }),
                )?,
                Audience::Users(users),
            );
            p.exclude.extend(d.completed_by);
            p
        }
        "appointment.scheduled" | "appointment.rescheduled" | "appointment.cancelled" => {
            appointment(event)?
        }
        "appointment.reminder_due" => {
            let d: ReminderDue = data(event)?;
            plan(
                draft(
                    "appointment.reminder_due",
                    format!("Starting in {} minutes: {}", d.minutes_before, d.title),
                    format!("\"{}\" starts {}.", d.title, d.occurrence_starts_at),
                    ("APPOINTMENT", d.appointment_id),
                    d.matter_id,
                    json!({ "title": d.title, "reminderId": d.reminder_id, "occurrenceStartsAt": d.occurrence_starts_at, "minutesBefore": d.minutes_before }),
                )?,
                Audience::Users(d.attendee_user_ids),
            )
        }
        "document.uploaded" => {
            let d: DocumentUploaded = data(event)?;
            let Some(matter) = d.matter_id else {
                return Ok(None);
            };
            let mut p = plan(
                draft(
                    "document.uploaded",
                    format!("New document: {}", d.file_name),
                    format!("\"{}\" was added to the matter.", d.file_name),
                    ("DOCUMENT", d.document_id),
                    Some(matter),
                    json!({ "fileName": d.file_name, "versionId": d.version_id, "category": d.category, "privileged": d.privileged }),
                )?,
                Audience::MatterMembers(matter),
            );
            p.exclude.extend(d.uploaded_by);
            p
        }
        "payment.received" => {
            let d: PaymentReceived = data(event)?;
            let amount = money(d.amount_minor, &d.currency);
            let mut p = plan(
                draft(
                    "payment.received",
                    format!("Payment received: {amount}"),
                    format!(
                        "A payment of {amount} was recorded against {} invoice(s).",
                        d.invoice_ids.len()
                    ),
                    ("PAYMENT", d.payment_id),
                    None,
                    json!({ "clientId": d.client_id, "matterIds": d.matter_ids, "invoiceIds": d.invoice_ids, "amountMinor": d.amount_minor, "currency": d.currency }),
                )?,
                Audience::ScopeHolders("invoices:update"),
            );
            p.exclude.extend(d.recorded_by);
            p
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_reads_minor_units() {
        assert_eq!(money(12_345, "EUR"), "123.45 EUR");
        assert_eq!(money(-5, "USD"), "-0.05 USD");
    }
}
