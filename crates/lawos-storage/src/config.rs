//! Where the objects live, from the environment, validated at start: a bad
//! setting stops the service with a message naming it.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LAWOS_S3_ENDPOINT` | unset: AWS S3 | an S3-compatible endpoint (`http://127.0.0.1:9000` for s3s-fs, MinIO, Ceph) |
//! | `LAWOS_S3_REGION` | `us-east-1` | the signing region |
//! | `LAWOS_<SERVICE>_BUCKET`, else `LAWOS_S3_BUCKET` | `lawos-<service>` | the bucket |
//! | `LAWOS_S3_PATH_STYLE` | `false` | `true`: `endpoint/bucket/key` addressing (s3s-fs, MinIO) |
//! | `LAWOS_S3_ACCESS_KEY` / `LAWOS_S3_SECRET_KEY` | unset: the AWS default chain | static credentials; both or neither |

use lawos_core::config::ConfigError;

/// The object store's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// `None`: AWS S3 itself (the endpoint is resolved from the region).
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    pub path_style: bool,
    /// Static credentials; `None` uses the AWS default chain (environment,
    /// profile, web identity, container and instance metadata).
    pub credentials: Option<StaticCredentials>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageConfig")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "static (hidden)"),
            )
            .finish()
    }
}

impl StorageConfig {
    /// The settings of `service` (`documents`, `billing`): its own bucket
    /// variable (`LAWOS_DOCUMENTS_BUCKET`) wins over `LAWOS_S3_BUCKET`.
    pub fn from_env(service: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(service, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// [`StorageConfig::from_env`] over any source of variables (tests).
    pub fn from_lookup(
        service: &str,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let own_bucket = format!("LAWOS_{}_BUCKET", service.to_ascii_uppercase());
        let (bucket_var, bucket) = match get(&own_bucket) {
            Some(b) => (own_bucket, b),
            None => match get("LAWOS_S3_BUCKET") {
                Some(b) => ("LAWOS_S3_BUCKET".to_owned(), b),
                None => (own_bucket, format!("lawos-{service}")),
            },
        };
        validate_bucket(&bucket_var, &bucket)?;
        let endpoint = get("LAWOS_S3_ENDPOINT")
            .map(|e| validate_endpoint(&e))
            .transpose()?;
        let region = get("LAWOS_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned());
        validate_region(&region)?;
        let path_style = match get("LAWOS_S3_PATH_STYLE").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(invalid(
                    "LAWOS_S3_PATH_STYLE",
                    other,
                    "must be true or false",
                ));
            }
        };
        let credentials = match (get("LAWOS_S3_ACCESS_KEY"), get("LAWOS_S3_SECRET_KEY")) {
            (Some(access_key), Some(secret_key)) => Some(StaticCredentials {
                access_key,
                secret_key,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    name: "LAWOS_S3_SECRET_KEY (LAWOS_S3_ACCESS_KEY is set)".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "LAWOS_S3_ACCESS_KEY (LAWOS_S3_SECRET_KEY is set)".into(),
                });
            }
        };
        Ok(Self {
            endpoint,
            region,
            bucket,
            path_style,
            credentials,
        })
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn validate_endpoint(value: &str) -> Result<String, ConfigError> {
    let url = url::Url::parse(value)
        .map_err(|e| invalid("LAWOS_S3_ENDPOINT", value, &format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "LAWOS_S3_ENDPOINT",
            value,
            "must be an http:// or https:// URL with a host",
        ));
    }
    if url.query().is_some() || !matches!(url.path(), "" | "/") {
        return Err(invalid(
            "LAWOS_S3_ENDPOINT",
            value,
            "must be the store's base URL (no path, no query); the bucket is LAWOS_S3_BUCKET",
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

fn validate_region(value: &str) -> Result<(), ConfigError> {
    let ok = !value.is_empty()
        && value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "LAWOS_S3_REGION",
            value,
            "must be a region name such as us-east-1",
        ))
    }
}

/// The S3 bucket naming rules: 3–63 characters, lower-case letters, digits,
/// dots and hyphens, beginning and ending with a letter or digit.
fn validate_bucket(name: &str, value: &str) -> Result<(), ConfigError> {
    let bytes = value.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok = (3..=63).contains(&value.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && edge(bytes.first())
        && edge(bytes.last())
        && !value.contains("..");
    if ok {
        Ok(())
    } else {
        Err(invalid(
            name,
            value,
            "must be an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<StorageConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        StorageConfig::from_lookup("documents", |k| map.get(k).cloned())
    }

    fn message(vars: &[(&str, &str)]) -> String {
        match from(vars) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("accepted {c:?}"),
        }
    }

    #[test]
    fn defaults_are_aws_with_the_default_chain() {
        let c = from(&[]).unwrap();
        assert_eq!(c.endpoint, None);
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.bucket, "lawos-documents");
        assert!(!c.path_style);
        assert!(c.credentials.is_none());
    }

    #[test]
    fn the_service_bucket_wins_over_the_shared_one() {
        let c = from(&[
            ("LAWOS_S3_BUCKET", "shared-bucket"),
            ("LAWOS_DOCUMENTS_BUCKET", "docs-bucket"),
        ])
        .unwrap();
        assert_eq!(c.bucket, "docs-bucket");
        let c = from(&[("LAWOS_S3_BUCKET", "shared-bucket")]).unwrap();
        assert_eq!(c.bucket, "shared-bucket");
    }

    #[test]
    fn a_local_store_with_static_keys() {
        let c = from(&[
            ("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("LAWOS_S3_PATH_STYLE", "true"),
            ("LAWOS_S3_ACCESS_KEY", "lawos"),
            ("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        ])
        .unwrap();
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(c.path_style);
        assert!(!format!("{c:?}").contains("lawos-secret-key"));
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(message(&[("LAWOS_S3_ENDPOINT", "localhost:9000")]).contains("LAWOS_S3_ENDPOINT"));
        assert!(
            message(&[("LAWOS_S3_ENDPOINT", "http://h:9000/bucket")]).contains("LAWOS_S3_ENDPOINT")
        );
        assert!(message(&[("LAWOS_S3_REGION", "US East")]).contains("LAWOS_S3_REGION"));
        assert!(message(&[("LAWOS_S3_PATH_STYLE", "yes")]).contains("LAWOS_S3_PATH_STYLE"));
        assert!(message(&[("LAWOS_DOCUMENTS_BUCKET", "Docs")]).contains("LAWOS_DOCUMENTS_BUCKET"));
        assert!(message(&[("LAWOS_S3_BUCKET", "a..b")]).contains("LAWOS_S3_BUCKET"));
        assert!(message(&[("LAWOS_S3_ACCESS_KEY", "k")]).contains("LAWOS_S3_SECRET_KEY"));
        assert!(message(&[("LAWOS_S3_SECRET_KEY", "k")]).contains("LAWOS_S3_ACCESS_KEY"));
    }
}
