//! Recovering a system administrator, for an operator with database access
//! (`lawos admin recover --email … --password-stdin`, or `lawos-auth
//! recover-admin …`): the API refuses to deactivate or erase the last active
//! system administrator, but one can still be lost (deactivated in the
//! database, a forgotten password, an erased mirror row). The command
//! creates a local system administrator with that e-mail, or makes the
//! existing local account with that e-mail an active system administrator
//! with the new password; its other sessions stay as they were. Each run is
//! audited: a `system_admin.recovered` platform event in the same transaction
//! (the events service files it under the nil firm), besides the `user.*`
//! entity events of the changed rows.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::json;
use uuid::Uuid;

use crate::input::provision::MIN_PASSWORD;
use crate::model::{NewCredential, User};
use crate::state::LOCAL_ISSUER;
use crate::storage::{self, admin};
use crate::{NAME, crypto, roles};

/// The platform event of a recovery.
pub const ADMIN_RECOVERED: &str = "system_admin.recovered";

/// What a recovery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub user_id: Uuid,
    pub email: String,
    /// No account had the e-mail: a new one was created.
    pub created: bool,
    /// The account existed but was inactive.
    pub reactivated: bool,
    /// The account existed without the SYSTEM_ADMIN role.
    pub promoted: bool,
}

fn validate(email: &str, password: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let mut errors = FieldErrors::new();
    errors.email("email", Some(&email));
    if password.chars().count() < MIN_PASSWORD {
        errors.add(
            "password",
            ErrorCode::InvalidFieldFormat,
            format!("must be at least {MIN_PASSWORD} characters"),
        );
    } else if password.len() > 1024 {
        errors.add(
            "password",
            ErrorCode::InvalidFieldFormat,
            "must be at most 1024 bytes",
        );
    }
    errors.into_result()?;
    Ok(email)
}

/// Creates or reactivates the system administrator `email` with `password`;
/// `operator` names who ran it (recorded in the event).
pub async fn recover_admin(
    db: &DbPool,
    email: &str,
    password: &str,
    operator: &str,
) -> Result<Recovered, ApiError> {
    let email = validate(email, password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crypto::hash_secret(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let operator = operator.to_owned();
    with_tenant(db, &TenantCtx::platform(None), |conn| {
        async move { recover_in(conn, email, hash, &operator).await }.scope_boxed()
    })
    .await
}

async fn recover_in(
    conn: &mut AsyncPgConnection,
    email: String,
    hash: String,
    operator: &str,
) -> Result<Recovered, ApiError> {
    // Serialises with the bootstrap and with other recoveries.
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("select pg_advisory_xact_lock(hashtext('lawos-auth-bootstrap-admin'))"),
        conn,
    )
    .await?;
    let now = Utc::now();
    let recovered = match admin::lock_user_by_email(conn, &email).await? {
        Some(user) if user.issuer != LOCAL_ISSUER => {
            return Err(FieldErrors::single(
                "email",
                ErrorCode::InvalidFieldFormat,
                format!(
                    "belongs to an account of the identity provider {}; choose another e-mail",
                    user.issuer
                ),
            )
            .into());
        }
        Some(user) => {
            admin::make_active_system_admin(conn, user.id, now).await?;
            admin::set_local_password(conn, user.id, &hash, now).await?;
            Recovered {
                user_id: user.id,
                email: user.email.clone(),
                created: false,
                reactivated: !user.can_sign_in(),
                promoted: user.platform_role.as_deref() != Some(roles::SYSTEM_ADMIN),
            }
        }
        None => {
            let id = Uuid::now_v7();
            storage::insert_user(
                conn,
                User {
                    id,
                    issuer: LOCAL_ISSUER.to_owned(),
                    subject: id.to_string(),
                    email: email.clone(),
                    full_name: "System Administrator".to_owned(),
                    platform_role: Some(roles::SYSTEM_ADMIN.to_owned()),
                    is_active: true,
                    synced_at: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await?;
            storage::insert_credential(
                conn,
                NewCredential {
                    user_id: id,
                    password_hash: hash,
                },
            )
            .await?;
            Recovered {
                user_id: id,
                email,
                created: true,
                reactivated: false,
                promoted: true,
            }
        }
    };
    let event = EventEnvelope::builder(ADMIN_RECOVERED, EntityRef::new("user", recovered.user_id))
        .data(json!({
            "userId": recovered.user_id,
            "email": recovered.email,
            "created": recovered.created,
            "reactivated": recovered.reactivated,
            "promoted": recovered.promoted,
            "operator": operator,
        }))
        .build();
    lawos_events::enqueue(conn, NAME, &event)
        .await
        .map_err(ApiError::internal)?;
    tracing::warn!(
        user_id = %recovered.user_id,
        email = %recovered.email,
        created = recovered.created,
        operator,
        "system administrator recovered"
    );
    Ok(recovered)
}

/// Who runs the command, for the audit event: `$SUDO_USER`, else `$USER`,
/// else `LOGNAME`, with the host name when known.
pub fn operator_name() -> String {
    let user = ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(host) => format!("{user}@{host}"),
        None => user,
    }
}

/// The password from standard input: its first line, without the line end.
pub fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("no password on standard input (--password-stdin)".to_owned());
    }
    Ok(password)
}
