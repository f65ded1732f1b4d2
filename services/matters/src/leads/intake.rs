//! Lead intake, the same for the public endpoint and for Meta: the contact at
//! contacts (found by e-mail or phone, else created), then in one transaction a
//! matter in stage `LEAD` (numbered like any other), the contact as its
//! `CLIENT` party, a note with the intake details, the lead row and the
//! `lead.received` event. Nothing is written here unless contacts answered, and
//! the transaction writes all or nothing.
//!
//! The creator is the system: no user is set on the transaction, so the
//! matter's `createdBy` is null and its events' `actor.userId` is null.

use chrono::{Datelike, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

use super::contacts::{IntakeClient, LeadContact};
use super::keys::dedupe_key;
use super::model::Lead;
use super::storage;
use crate::input::ValidLead;
use crate::model::{NewMatter, Note, Party};
use crate::stage::Stage;
use crate::storage::{matters, notes, numbers, parties};

pub const LEAD_RECEIVED: &str = "lead.received";
const TITLE_MAX: usize = 300;

/// How a lead reached the firm.
#[derive(Debug, Clone)]
pub struct Origin {
    pub firm: FirmId,
    /// `WEB` (by host), `FORM` (by form key) or `META`.
    pub channel: &'static str,
    pub form_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    /// What identifies the channel for the dedupe key (host, form, leadgen id).
    pub scope: String,
    /// Said in the intake note ("web form Contact us", "Meta page 123").
    pub label: String,
    /// The practice area when the lead names none.
    pub practice_area: Option<String>,
}

/// The lead taken in (or, for a double submit, the first one).
#[derive(Debug, Clone)]
pub struct Taken {
    pub lead: Lead,
    pub duplicate: bool,
}

fn title(lead: &ValidLead) -> String {
    let title = format!("Lead: {}", lead.display_name);
    title.chars().take(TITLE_MAX).collect()
}

fn note_body(origin: &Origin, lead: &ValidLead, contact: LeadContact) -> String {
    let mut lines = vec![format!("Lead received through {}.", origin.label)];
    lines.push(format!("Name: {}", lead.display_name));
    if let Some(e) = &lead.email {
        lines.push(format!("E-mail: {e}"));
    }
    if let Some(p) = &lead.phone {
        lines.push(format!("Phone: {p}"));
    }
    if let Some(s) = &lead.source {
        lines.push(format!("Source: {s}"));
    }
    for (k, v) in &lead.utm {
        lines.push(format!("{k}: {}", v.as_str().unwrap_or_default()));
    }
    lines.push(if contact.created {
        "Contact: created by intake".to_owned()
    } else {
        "Contact: an existing contact with this e-mail or phone".to_owned()
    });
    if let Some(m) = &lead.message {
        lines.push(String::new());
        lines.push(m.clone());
    }
    let body = lines.join("\n");
    body.chars().take(20_000).collect()
}

async fn enqueue(conn: &mut AsyncPgConnection, lead: &Lead, data: Value) -> Result<(), ApiError> {
    let envelope = EventEnvelope::builder(LEAD_RECEIVED, EntityRef::new("matter", lead.matter_id))
        .firm(lead.firm_id)
        .traceparent(lawos_telemetry::traceparent_from_current_span())
        .data(data)
        .build();
    lawos_events::enqueue(conn, crate::NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

/// The lead `dedupe` names if one was taken since `window` ago.
async fn earlier(
    db: &DbPool,
    ctx: &TenantCtx,
    dedupe: &str,
    window: Duration,
) -> Result<Option<Lead>, ApiError> {
    let since = Utc::now() - window;
    let key = dedupe.to_owned();
    with_tenant(db, ctx, |conn| {
        async move { storage::recent_lead(conn, &key, since).await }.scope_boxed()
    })
    .await
}

/// Takes `lead` in for `origin`'s firm.
#[tracing::instrument(skip_all, fields(firm = %origin.firm, channel = origin.channel))]
pub async fn take(
    db: &DbPool,
    contacts: &IntakeClient,
    window: Duration,
    origin: Origin,
    lead: ValidLead,
) -> Result<Taken, ApiError> {
    let ctx = TenantCtx::firm(origin.firm, None);
    let dedupe = dedupe_key(&origin.scope, lead.email.as_deref(), lead.phone.as_deref());
    if let Some(first) = earlier(db, &ctx, &dedupe, window).await? {
        return Ok(Taken {
            lead: first,
            duplicate: true,
        });
    }
    let contact = contacts.find_or_create(origin.firm, &lead).await?;
    let firm = origin.firm.0;
    let since = Utc::now() - window;
    with_tenant(db, &ctx, |conn| {
        async move {
            storage::lock_key(conn, &dedupe).await?;
            if let Some(first) = storage::recent_lead(conn, &dedupe, since).await? {
                return Ok(Taken {
                    lead: first,
                    duplicate: true,
                });
            }
            let now = Utc::now();
            let number = numbers::next_matter_number(conn, firm, now.year()).await?;
            let matter = matters::insert(
                conn,
                NewMatter {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    matter_number: number,
                    title: title(&lead),
                    description: lead.message.clone(),
                    matter_type: "OTHER".to_owned(),
                    practice_area: lead.practice_area.clone().or(origin.practice_area.clone()),
                    stage: Stage::Lead.as_str().to_owned(),
                    client_id: None,
                    opened_at: None,
                    created_by: None,
                    updated_by: None,
                },
            )
            .await?;
            parties::insert_party(
                conn,
                Party {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    matter_id: matter.id,
                    contact_id: contact.id,
                    role: "CLIENT".to_owned(),
                    notes: Some("Prospective client (lead intake)".to_owned()),
                    created_by: None,
                    created_at: now,
                    deleted_at: None,
                },
            )
            .await?;
            notes::insert(
                conn,
                Note {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    matter_id: matter.id,
                    body: note_body(&origin, &lead, contact),
                    created_by: None,
                    updated_by: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await?;
            let row = storage::insert_lead(
                conn,
                Lead {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    matter_id: matter.id,
                    contact_id: contact.id,
                    channel: origin.channel.to_owned(),
                    form_id: origin.form_id,
                    delivery_id: origin.delivery_id,
                    dedupe_key: dedupe.clone(),
                    source: lead.source.clone(),
                    created_at: now,
                },
            )
            .await?;
            if let Some(delivery) = origin.delivery_id {
                storage::delivery_done(conn, delivery, matter.id, now).await?;
            }
            let data = json!({
                "leadId": row.id,
                "matterId": matter.id,
                "matterNumber": matter.matter_number,
                "contactId": contact.id,
                "contactCreated": contact.created,
                "channel": origin.channel,
                "formId": origin.form_id,
                "deliveryId": origin.delivery_id,
                "source": lead.source,
                "practiceArea": matter.practice_area,
            });
            enqueue(conn, &row, data).await?;
            tracing::info!(lead_id = %row.id, matter_id = %matter.id, "lead taken in");
            Ok(Taken {
                lead: row,
                duplicate: false,
            })
        }
        .scope_boxed()
    })
    .await
}
