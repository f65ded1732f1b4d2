//! Lawyer credentials: the rows written from validated input, shared by
//! provisioning and `POST /api/v1/auth/users/{userId}/credentials`.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::input::credential::ValidCredential;
use crate::model::LawyerCredential;
use crate::storage::credentials as stored;
use crate::user_admin;

pub const CREDENTIAL_EXPIRING: &str = "credential.expiring";

pub fn new_row(
    firm_id: Uuid,
    user_id: Uuid,
    c: ValidCredential,
    now: DateTime<Utc>,
) -> LawyerCredential {
    LawyerCredential {
        id: Uuid::now_v7(),
        firm_id,
        user_id,
        credential_type: c.credential_type,
        jurisdiction: c.jurisdiction,
        number: c.number,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        expiry_notified_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

/// The firm a new credential of `user_id` belongs to: the firm administrator's
/// own, the `firmId` a platform administrator names, or the user's only firm.
/// 404 when the user is out of reach, 422 naming `firmId` otherwise.
pub async fn target_firm(
    conn: &mut AsyncPgConnection,
    reach_firm: Option<Uuid>,
    named: Option<Uuid>,
    user_id: Uuid,
) -> Result<Uuid, ApiError> {
    let (user, profiles) = user_admin::load(conn, reach_firm, user_id, false).await?;
    if user.deleted_at.is_some() {
        return Err(crate::access::user_not_found(user_id));
    }
    let firm = match (reach_firm.or(named), profiles.as_slice()) {
        (Some(firm), _) => firm,
        (None, [only]) => only.firm_id,
        (None, _) => {
            return Err(FieldErrors::single(
                "firmId",
                ErrorCode::RequiredFieldMissing,
                "names the firm the credential belongs to (the user has several or none)",
            )
            .into());
        }
    };
    if !profiles.iter().any(|p| p.firm_id == firm) {
        return Err(FieldErrors::single(
            "firmId",
            ErrorCode::InvalidFieldFormat,
            "the user has no profile in this firm",
        )
        .into());
    }
    Ok(firm)
}

/// Adds a credential of `user_id` in `firm_id`.
pub async fn add(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    valid: ValidCredential,
) -> Result<LawyerCredential, ApiError> {
    stored::insert(conn, new_row(firm_id, user_id, valid, Utc::now())).await
}
