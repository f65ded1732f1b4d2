//! What an event means: the notification it becomes (title, body, the resource
//! it is about) and who should receive it. Events are read by their agreed
//! shapes (docs/ARCHITECTURE.md, event catalogue); an event missing a field it
//! needs is an error (retried, then dead-lettered), never a guess.

use anyhow::{Context, anyhow};
use lawos_events::EventEnvelope;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::catalogue::{Kind, kind_of};

/// Who an event is for, before the actor is left out and access is decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    Users(Vec<Uuid>),
    /// The matter's current team (asked of the matters service).
    MatterMembers(Uuid),
    /// Everyone in the firm holding the scope (asked of rbac).
    ScopeHolders(&'static str),
}

/// One notification to create for each recipient.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: &'static Kind,
    pub title: String,
    pub body: String,
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub data: Value,
    pub group_key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub draft: Draft,
    pub audience: Audience,
    /// Never notified (besides the actor): a message's sender, a task's completer.
    pub exclude: Vec<Uuid>,
}

pub(super) fn data<T: DeserializeOwned>(event: &EventEnvelope) -> anyhow::Result<T> {
    serde_json::from_value(event.data.clone())
        .with_context(|| format!("{} {}: unexpected data", event.event_type, event.id))
}

fn kind(code: &str) -> anyhow::Result<&'static Kind> {
    kind_of(code).ok_or_else(|| anyhow!("no notification type {code}"))
}

pub(super) fn draft(
    code: &str,
    title: String,
    body: String,
    resource: (&'static str, Uuid),
    matter_id: Option<Uuid>,
    data: Value,
) -> anyhow::Result<Draft> {
    Ok(Draft {
        kind: kind(code)?,
        title,
        body,
        resource_type: resource.0,
        resource_id: resource.1,
        matter_id,
        data,
        group_key: None,
    })
}

pub(super) fn plan(draft: Draft, audience: Audience) -> Plan {
    Plan {
        draft,
        audience,
        exclude: Vec::new(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StageChanged {
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberAdded {
    matter_id: Uuid,
    user_id: Uuid,
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialExpiring {
    credential_id: Uuid,
    user_id: Uuid,
    #[serde(rename = "type")]
    kind: String,
    jurisdiction: String,
    expires_at: String,
    days_left: i64,
}

#[derive(Deserialize)]
struct SupportSession {
    id: Uuid,
    target_user_id: Uuid,
    reason: String,
    expires_at: String,
}

fn matter_plans(event: &EventEnvelope) -> anyhow::Result<Option<Plan>> {
    let matter = event.entity.id;
    Ok(Some(match event.event_type.as_str() {
        "matter.stage_changed" => {
            let d: StageChanged = data(event)?;
            plan(
                draft(
                    "matter.stage_changed",
                    format!("Matter moved to {}", d.to),
                    format!("The matter moved from {} to {}.", d.from, d.to),
                    ("MATTER", matter),
                    Some(matter),
                    json!({ "from": d.from, "to": d.to }),
                )?,
                Audience::MatterMembers(matter),
            )
        }
        "matter.member_added" => {
            let d: MemberAdded = data(event)?;
            plan(
                draft(
                    "matter.member_added",
                    "You were added to a matter".to_owned(),
                    format!("You joined the matter's team as {}.", d.role),
                    ("MATTER", d.matter_id),
                    Some(d.matter_id),
                    json!({ "role": d.role }),
                )?,
                Audience::Users(vec![d.user_id]),
            )
        }
        _ => return Ok(None),
    }))
}

fn auth_plans(event: &EventEnvelope) -> anyhow::Result<Option<Plan>> {
    Ok(Some(match event.event_type.as_str() {
        "credential.expiring" => {
            let d: CredentialExpiring = data(event)?;
            plan(
                draft(
                    "credential.expiring",
                    format!("Your {} licence expires in {} days", d.kind, d.days_left),
                    format!(
                        "Your {} licence for {} expires on {}. Renew it to keep practising.",
                        d.kind, d.jurisdiction, d.expires_at
                    ),
                    ("LAWYER_CREDENTIAL", d.credential_id),
                    None,
                    json!({ "credentialType": d.kind, "jurisdiction": d.jurisdiction, "expiresAt": d.expires_at, "daysLeft": d.days_left }),
                )?,
                Audience::Users(vec![d.user_id]),
            )
        }
        "support_session.created" => {
            let d: SupportSession = data(event)?;
            plan(
                draft(
                    "support_session.started",
                    "A support administrator is acting as you".to_owned(),
                    format!(
                        "A platform support session acting as you started (until {}). Reason: {}",
                        d.expires_at, d.reason
                    ),
                    ("SUPPORT_SESSION", d.id),
                    None,
                    json!({ "sessionId": d.id, "expiresAt": d.expires_at, "reason": d.reason }),
                )?,
                Audience::Users(vec![d.target_user_id]),
            )
        }
        _ => return Ok(None),
    }))
}

/// The plan for `event`, or `None` when it notifies nobody.
pub fn plan_for(event: &EventEnvelope) -> anyhow::Result<Option<Plan>> {
    if let Some(p) = matter_plans(event)? {
        return Ok(Some(p));
    }
    if let Some(p) = auth_plans(event)? {
        return Ok(Some(p));
    }
    if let Some(p) = super::work::plan_for(event)? {
        return Ok(Some(p));
    }
    super::communication::plan_for(event)
}
