//! Query parameters of the lists (snake_case), validated into filters.

use chrono::NaiveDate;
use lawos_core::page::{DEFAULT_LIMIT, MAX_LIMIT};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::lifecycle::{STATUSES, Status};

/// `cursor` + `limit` only.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Opaque position from the previous page's `nextCursor`.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

pub fn limit(errors: &mut FieldErrors, value: Option<i64>) -> i64 {
    let limit = value.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add(
            "limit",
            ErrorCode::InvalidFieldFormat,
            "must be between 1 and 100",
        );
    }
    limit
}

pub fn cursor<T: DeserializeOwned>(
    cursors: &CursorCodec,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
    value.map(|c| cursors.decode::<T>(c)).transpose()
}

impl PageQuery {
    pub fn validate<T: DeserializeOwned>(
        &self,
        cursors: &CursorCodec,
    ) -> Result<(Option<T>, i64), ApiError> {
        let mut errors = FieldErrors::new();
        let limit = limit(&mut errors, self.limit);
        errors.into_result()?;
        Ok((cursor(cursors, self.cursor.as_deref())?, limit))
    }
}

/// `GET /api/v1/billing/time-entries/` and `/expenses/`: what the caller may
/// see (their own, and the matters their reach covers), newest work first.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryQuery {
    /// `me` or a user id: only that user's entries.
    pub user_id: Option<String>,
    pub matter_id: Option<Uuid>,
    /// One or several statuses, comma-separated.
    pub status: Option<String>,
    /// Work date on or after.
    pub from: Option<NaiveDate>,
    /// Work date on or before.
    pub to: Option<NaiveDate>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Where a page of entries ends: work date and id.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct DatePosition {
    pub date: NaiveDate,
    pub id: Uuid,
}

#[derive(Debug, Clone)]
pub struct EntryFilter {
    pub user_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub statuses: Option<Vec<String>>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<DatePosition>,
    pub limit: i64,
}

pub fn statuses(
    errors: &mut FieldErrors,
    value: Option<&str>,
    allowed: &[&str],
) -> Option<Vec<String>> {
    value.map(|list| {
        list.split(',')
            .filter_map(|s| {
                let upper = s.trim().to_ascii_uppercase();
                if allowed.contains(&upper.as_str()) {
                    Some(upper)
                } else {
                    errors.one_of("status", s, allowed);
                    None
                }
            })
            .collect()
    })
}

impl EntryQuery {
    pub fn validate(
        self,
        cursors: &CursorCodec,
        me: Option<Uuid>,
    ) -> Result<EntryFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let user_id = match self.user_id.as_deref() {
            None => None,
            Some("me") => {
                if me.is_none() {
                    errors.add(
                        "user_id",
                        ErrorCode::InvalidFieldFormat,
                        "a service token has no me",
                    );
                }
                me
            }
            Some(other) => match other.parse::<Uuid>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add(
                        "user_id",
                        ErrorCode::InvalidFieldFormat,
                        "must be me or a user id",
                    );
                    None
                }
            },
        };
        let statuses = statuses(&mut errors, self.status.as_deref(), &STATUSES);
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            errors.add(
                "to",
                ErrorCode::InvalidFieldFormat,
                "must not be before from",
            );
        }
        let limit = limit(&mut errors, self.limit);
        errors.into_result()?;
        Ok(EntryFilter {
            user_id,
            matter_id: self.matter_id,
            statuses: statuses.map(|s| {
                s.into_iter()
                    .filter(|x| Status::parse(x).is_some())
                    .collect()
            }),
            from: self.from,
            to: self.to,
            after: cursor(cursors, self.cursor.as_deref())?,
            limit,
        })
    }
}

/// `GET /api/v1/billing/invoices/`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceQuery {
    pub matter_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// DRAFT, ISSUED, PARTIALLY_PAID, PAID, VOID (comma-separated).
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

pub const INVOICE_STATUSES: [&str; 5] = ["DRAFT", "ISSUED", "PARTIALLY_PAID", "PAID", "VOID"];

/// Where a page of invoices (or payments, ledger rows) ends: created_at and id.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct TimePosition {
    pub at: chrono::DateTime<chrono::Utc>,
    pub id: Uuid,
}

#[derive(Debug, Clone)]
pub struct InvoiceFilter {
    pub matter_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub statuses: Option<Vec<String>>,
    pub after: Option<TimePosition>,
    pub limit: i64,
}

impl InvoiceQuery {
    pub fn validate(self, cursors: &CursorCodec) -> Result<InvoiceFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let statuses = statuses(&mut errors, self.status.as_deref(), &INVOICE_STATUSES);
        let limit = limit(&mut errors, self.limit);
        errors.into_result()?;
        Ok(InvoiceFilter {
            matter_id: self.matter_id,
            client_id: self.client_id,
            statuses,
            after: cursor(cursors, self.cursor.as_deref())?,
            limit,
        })
    }
}

/// Lists narrowed to one client (payments, trust ledger).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientQuery {
    pub client_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl ClientQuery {
    pub fn validate(&self, cursors: &CursorCodec) -> Result<(Option<TimePosition>, i64), ApiError> {
        PageQuery {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
        .validate(cursors)
    }
}

/// `GET /api/v1/billing/rates/`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateQuery {
    pub user_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The reports' parameters.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Only this matter (default: the whole firm, per matter).
    pub matter_id: Option<Uuid>,
    /// The day ages are counted to (default today).
    pub as_of: Option<NaiveDate>,
}
