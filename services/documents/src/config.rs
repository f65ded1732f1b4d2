//! The documents service's settings, from the environment, validated at start
//! (a bad one stops the service with a message naming it). The object store's
//! own settings are `lawos_storage::StorageConfig` (`LAWOS_S3_*`,
//! `LAWOS_DOCUMENTS_BUCKET`).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LAWOS_DOCUMENTS_MAX_BYTES` | 5368709120 (5 GiB, S3's single PUT) | largest declared size of a presigned upload |
//! | `LAWOS_DOCUMENTS_DIRECT_MAX_BYTES` | 1048576 | largest file of `POST /upload` (at most `LAWOS_BODY_LIMIT_BYTES`, which bounds every request body) |
//! | `LAWOS_DOCUMENTS_UPLOAD_URL_SECONDS` | 900 | lifetime of a presigned PUT URL |
//! | `LAWOS_DOCUMENTS_DOWNLOAD_URL_SECONDS` | 300 | lifetime of a presigned GET URL |
//! | `LAWOS_DOCUMENTS_PENDING_HOURS` | 24 | an upload not completed after this is abandoned (object deleted) |
//! | `LAWOS_DOCUMENTS_RETENTION_DAYS` | 30 | a deleted document's objects are purged after this |
//! | `LAWOS_DOCUMENTS_JOB_INTERVAL_SECS` | 3600 | how often the cleanup and purge jobs run |
//! | `LAWOS_DOCUMENTS_EXTRACT_INTERVAL_SECS` | 5 | how often the extraction worker looks for new versions |
//! | `LAWOS_DOCUMENTS_EXTRACT_MAX_BYTES` | 20971520 | larger files are not read for text (SKIPPED) |
//! | `LAWOS_DOCUMENTS_ENSURE_BUCKET` | `false` | `true`: create the bucket at start when missing (development) |

use std::time::Duration;

use lawos_core::config::{ConfigError, parse_or, var_or};

#[derive(Debug, Clone)]
pub struct DocumentsConfig {
    pub max_bytes: u64,
    pub direct_max_bytes: u64,
    pub upload_url_ttl: Duration,
    pub download_url_ttl: Duration,
    pub pending_after: Duration,
    pub retention: Duration,
    pub job_interval: Duration,
    pub extract_interval: Duration,
    pub extract_max_bytes: u64,
    pub ensure_bucket: bool,
}

/// S3's largest single PUT.
const S3_PUT_MAX: u64 = 5 * 1024 * 1024 * 1024;

fn invalid(name: &str, value: impl ToString, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    }
}

fn bounded(name: &str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
    let value: u64 = parse_or(name, default)?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            name,
            value,
            &format!("must be between {min} and {max}"),
        ))
    }
}

impl DocumentsConfig {
    /// `body_limit` is the platform's `LAWOS_BODY_LIMIT_BYTES`.
    pub fn from_env(body_limit: usize) -> Result<Self, ConfigError> {
        let direct = bounded(
            "LAWOS_DOCUMENTS_DIRECT_MAX_BYTES",
            1024 * 1024,
            1,
            S3_PUT_MAX,
        )?;
        if direct > body_limit as u64 {
            return Err(invalid(
                "LAWOS_DOCUMENTS_DIRECT_MAX_BYTES",
                direct,
                &format!(
                    "is above LAWOS_BODY_LIMIT_BYTES ({body_limit}), which bounds every request body; raise that too"
                ),
            ));
        }
        let upload_secs = bounded("LAWOS_DOCUMENTS_UPLOAD_URL_SECONDS", 900, 60, 7 * 24 * 3600)?;
        let pending_hours = bounded("LAWOS_DOCUMENTS_PENDING_HOURS", 24, 1, 24 * 365)?;
        if upload_secs >= pending_hours * 3600 {
            return Err(invalid(
                "LAWOS_DOCUMENTS_UPLOAD_URL_SECONDS",
                upload_secs,
                "must be shorter than LAWOS_DOCUMENTS_PENDING_HOURS, so no URL outlives its pending upload",
            ));
        }
        let ensure = var_or("LAWOS_DOCUMENTS_ENSURE_BUCKET", "false");
        Ok(Self {
            max_bytes: bounded("LAWOS_DOCUMENTS_MAX_BYTES", S3_PUT_MAX, 1, S3_PUT_MAX)?,
            direct_max_bytes: direct,
            upload_url_ttl: Duration::from_secs(upload_secs),
            download_url_ttl: Duration::from_secs(bounded(
                "LAWOS_DOCUMENTS_DOWNLOAD_URL_SECONDS",
                300,
                10,
                7 * 24 * 3600,
            )?),
            pending_after: Duration::from_secs(pending_hours * 3600),
            retention: Duration::from_secs(
                bounded("LAWOS_DOCUMENTS_RETENTION_DAYS", 30, 0, 36_500)? * 86_400,
            ),
            job_interval: Duration::from_secs(bounded(
                "LAWOS_DOCUMENTS_JOB_INTERVAL_SECS",
                3600,
                1,
                7 * 86_400,
            )?),
            extract_interval: Duration::from_secs(bounded(
                "LAWOS_DOCUMENTS_EXTRACT_INTERVAL_SECS",
                5,
                1,
                3600,
            )?),
            extract_max_bytes: bounded(
                "LAWOS_DOCUMENTS_EXTRACT_MAX_BYTES",
                20 * 1024 * 1024,
                0,
                S3_PUT_MAX,
            )?,
            ensure_bucket: match ensure.as_str() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(invalid(
                        "LAWOS_DOCUMENTS_ENSURE_BUCKET",
                        other,
                        "must be true or false",
                    ));
                }
            },
        })
    }
}
