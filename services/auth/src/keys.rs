//! The issuer's signing keys: created, rotated with publish-ahead, published in
//! the JWKS until the last token they signed has expired.
//!
//! A key's life: created (in the JWKS at once) → signs from `not_before` (the
//! publish-ahead, so every validator can have fetched it before it meets a
//! token signed with it) → replaced by a newer key, when `retire_after` is set
//! to the replacement's `not_before` + the access-token lifetime + a margin →
//! leaves the JWKS after `retire_after`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_auth::Es256Signer;
use lawos_core::ApiError;
use std::time::Duration;

use crate::crypto::MasterKey;
use crate::model::SigningKeyRow;
use crate::schema::signing_keys;

/// Margin after the last token's expiry before its key leaves the JWKS: the
/// validators' clock-skew leeway (30 s) and some more.
pub const RETIRE_MARGIN: Duration = Duration::from_secs(120);

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Creates a key (sealed under `master`) that signs from `not_before`.
pub fn new_key(master: &MasterKey, not_before: DateTime<Utc>) -> Result<SigningKeyRow, ApiError> {
    let signer = Es256Signer::generate().map_err(ApiError::internal)?;
    let pem = signer.to_pkcs8_pem().map_err(ApiError::internal)?;
    let private_key = master
        .seal(pem.as_bytes(), signer.kid())
        .map_err(ApiError::internal)?;
    Ok(SigningKeyRow {
        kid: signer.kid().to_owned(),
        algorithm: "ES256".to_owned(),
        public_jwk: serde_json::to_value(signer.jwk()).map_err(ApiError::internal)?,
        private_key,
        master_key_id: master.id().to_owned(),
        created_at: Utc::now(),
        not_before,
        retire_after: None,
    })
}

/// Opens a stored key with the master key.
pub fn open(master: &MasterKey, row: &SigningKeyRow) -> Result<Es256Signer, ApiError> {
    let pem = master
        .open(&row.private_key, &row.master_key_id, &row.kid)
        .map_err(ApiError::internal)?;
    let pem = String::from_utf8(pem).map_err(ApiError::internal)?;
    Es256Signer::from_pkcs8_pem(row.kid.clone(), &pem).map_err(ApiError::internal)
}

/// Serialises key changes across instances for the rest of the transaction.
async fn lock(conn: &mut AsyncPgConnection) -> Result<(), ApiError> {
    diesel::sql_query("select pg_advisory_xact_lock(hashtext('lawos-auth-signing-keys'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Keys in the JWKS now (not yet retired), newest first.
pub async fn published(conn: &mut AsyncPgConnection) -> Result<Vec<SigningKeyRow>, ApiError> {
    let now = Utc::now();
    Ok(signing_keys::table
        .filter(
            signing_keys::retire_after
                .is_null()
                .or(signing_keys::retire_after.gt(now)),
        )
        .order(signing_keys::not_before.desc())
        .select(SigningKeyRow::as_select())
        .load(conn)
        .await?)
}

/// The key that signs now: the newest published key whose publish-ahead is over.
pub async fn active(conn: &mut AsyncPgConnection) -> Result<Option<SigningKeyRow>, ApiError> {
    let now = Utc::now();
    Ok(signing_keys::table
        .filter(signing_keys::not_before.le(now))
        .filter(
            signing_keys::retire_after
                .is_null()
                .or(signing_keys::retire_after.gt(now)),
        )
        .order(signing_keys::not_before.desc())
        .select(SigningKeyRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// On first start (or when every key has retired): a key that signs at once.
/// Returns the kid created, if any.
pub async fn ensure_active(
    conn: &mut AsyncPgConnection,
    master: &MasterKey,
) -> Result<Option<String>, ApiError> {
    lock(conn).await?;
    if active(conn).await?.is_some() {
        return Ok(None);
    }
    let row = new_key(master, Utc::now())?;
    let kid = row.kid.clone();
    diesel::insert_into(signing_keys::table)
        .values(row)
        .execute(conn)
        .await?;
    Ok(Some(kid))
}

/// Adds a key published now that signs after `publish_ahead`; every key not yet
/// scheduled to retire retires once the last token it can sign has expired.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    master: &MasterKey,
    publish_ahead: Duration,
    access_ttl: Duration,
) -> Result<SigningKeyRow, ApiError> {
    lock(conn).await?;
    let not_before = Utc::now() + chrono(publish_ahead);
    let row = new_key(master, not_before)?;
    let retire_after = not_before + chrono(access_ttl) + chrono(RETIRE_MARGIN);
    diesel::update(
        signing_keys::table
            .filter(signing_keys::retire_after.is_null())
            .filter(signing_keys::not_before.lt(not_before)),
    )
    .set(signing_keys::retire_after.eq(retire_after))
    .execute(conn)
    .await?;
    Ok(diesel::insert_into(signing_keys::table)
        .values(row)
        .returning(SigningKeyRow::as_returning())
        .get_result(conn)
        .await?)
}
