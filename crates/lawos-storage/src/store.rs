//! The object operations, on one bucket.

use std::time::Duration;

use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumMode, CompletedMultipartUpload, CompletedPart};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use crate::config::StorageConfig;
use crate::error::StorageError;

/// Parts of a multipart upload (S3's minimum part is 5 MiB).
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// The bucket the service keeps its objects in.
#[derive(Clone, Debug)]
pub struct ObjectStore {
    client: aws_sdk_s3::Client,
    bucket: String,
}

/// What [`ObjectStore::head`] answers about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub content_type: Option<String>,
    /// The full-object SHA-256 the store checked on upload, when it kept one.
    pub sha256: Option<[u8; 32]>,
    pub e_tag: Option<String>,
}

/// An object's bytes as they arrive from the store.
pub struct ObjectBody {
    pub size: u64,
    pub content_type: Option<String>,
    pub stream: BoxStream<'static, Result<Bytes, StorageError>>,
}

/// What an upload stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub size: u64,
    pub sha256: [u8; 32],
}

/// A presigned request: the URL, and the headers the caller must send with it
/// exactly as given (they are part of the signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

impl Presigned {
    fn from_sdk(request: &PresignedRequest, expires_at: DateTime<Utc>) -> Self {
        Self {
            method: request.method().to_owned(),
            url: request.uri().to_owned(),
            headers: request
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            expires_at,
        }
    }
}

fn s3_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> StorageError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StorageError::S3 {
        operation,
        message: DisplayErrorContext(&err).to_string(),
    }
}

fn presigning(expiry: Duration) -> Result<PresigningConfig, StorageError> {
    PresigningConfig::expires_in(expiry).map_err(|e| StorageError::Invalid(e.to_string()))
}

fn expires_at(expiry: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::TimeDelta::from_std(expiry).unwrap_or(chrono::TimeDelta::zero())
}

impl ObjectStore {
    /// The client `config` describes: static keys when given, else the AWS
    /// default credentials chain (environment, profile, web identity,
    /// container and instance metadata), resolved on first use. Checksums
    /// only where an operation requires them, so S3-compatible stores without
    /// the newer algorithms work. Needs a Tokio runtime when used, not when built.
    pub fn new(config: &StorageConfig) -> Self {
        let region = Region::new(config.region.clone());
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .force_path_style(config.path_style)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        builder = match &config.credentials {
            Some(creds) => builder.credentials_provider(Credentials::new(
                &creds.access_key,
                &creds.secret_key,
                None,
                None,
                "lawos-env",
            )),
            None => builder.credentials_provider(crate::chain::LazyDefaultChain::new(region)),
        };
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: config.bucket.clone(),
        }
    }

    /// [`ObjectStore::new`], for callers already in async code.
    pub async fn connect(config: &StorageConfig) -> Self {
        Self::new(config)
    }

    /// The same store on another bucket (tests, a second bucket of one service).
    pub fn with_bucket(&self, bucket: &str) -> Self {
        Self {
            client: self.client.clone(),
            bucket: bucket.to_owned(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The underlying SDK client, for operations this type does not cover.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// Whether the store answers for the bucket (`HeadBucket`): readiness.
    pub async fn reachable(&self) -> Result<(), StorageError> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| s3_error("HeadBucket", e))
    }

    /// Creates the bucket unless it exists (development stores; in production
    /// the bucket is provisioned with its versioning and replication).
    pub async fn ensure_bucket(&self) -> Result<(), StorageError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(s3_error("HeadBucket", e)),
        }
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        let region = self.client.config().region().map(|r| r.as_ref().to_owned());
        if let Some(region) = region.filter(|r| r != "us-east-1") {
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(region.as_str().into())
                    .build(),
            );
        }
        match create.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_bucket_already_owned_by_you()) =>
            {
                Ok(())
            }
            Err(e) => Err(s3_error("CreateBucket", e)),
        }
    }

    /// Stores `body` at `key` in one request.
    pub async fn put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> Result<Stored, StorageError> {
        let stored = Stored {
            size: body.len() as u64,
            sha256: Sha256::digest(&body).into(),
        };
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(body.len() as i64)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| s3_error("PutObject", e))?;
        Ok(stored)
    }

    /// Stores a stream of unknown length at `key`, hashing it on the way: one
    /// request when it fits in a part, a multipart upload otherwise (aborted on
    /// any failure). More than `limit` bytes is [`StorageError::TooLarge`] and
    /// leaves nothing behind.
    pub async fn put_stream<S, E>(
        &self,
        key: &str,
        content_type: &str,
        mut stream: S,
        limit: u64,
    ) -> Result<Stored, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut buffer = BytesMut::new();
        let mut upload: Option<Multipart> = None;
        loop {
            let chunk = match stream.next().await {
                None => break,
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    self.abort(upload).await;
                    return Err(StorageError::Source(e.to_string()));
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                self.abort(upload).await;
                return Err(StorageError::TooLarge { limit });
            }
            hasher.update(&chunk);
            buffer.extend_from_slice(&chunk);
            while buffer.len() >= PART_SIZE {
                let part = buffer.split_to(PART_SIZE).freeze();
                let current = match upload.take() {
                    Some(u) => u,
                    None => self.start_multipart(key, content_type).await?,
                };
                upload = Some(self.upload_part(current, part).await?);
            }
        }
        let stored = Stored {
            size,
            sha256: hasher.finalize().into(),
        };
        match upload {
            None => {
                self.put(key, buffer.freeze(), content_type).await?;
            }
            Some(mut current) => {
                if !buffer.is_empty() {
                    current = self.upload_part(current, buffer.freeze()).await?;
                }
                self.complete_multipart(current).await?;
            }
        }
        Ok(stored)
    }

    async fn start_multipart(
        &self,
        key: &str,
        content_type: &str,
    ) -> Result<Multipart, StorageError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| s3_error("CreateMultipartUpload", e))?;
        let upload_id = out.upload_id().ok_or_else(|| StorageError::S3 {
            operation: "CreateMultipartUpload",
            message: "no upload id in the answer".into(),
        })?;
        Ok(Multipart {
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            parts: Vec::new(),
        })
    }

    async fn upload_part(
        &self,
        mut upload: Multipart,
        part: Bytes,
    ) -> Result<Multipart, StorageError> {
        let number = upload.parts.len() as i32 + 1;
        let result = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .part_number(number)
            .content_length(part.len() as i64)
            .body(ByteStream::from(part))
            .send()
            .await;
        match result {
            Ok(out) => {
                upload.parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(out.e_tag().map(str::to_owned))
                        .build(),
                );
                Ok(upload)
            }
            Err(e) => {
                let err = s3_error("UploadPart", e);
                self.abort(Some(upload)).await;
                Err(err)
            }
        }
    }

    async fn complete_multipart(&self, upload: Multipart) -> Result<(), StorageError> {
        let result = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(upload.parts.clone()))
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = s3_error("CompleteMultipartUpload", e);
                self.abort(Some(upload)).await;
                Err(err)
            }
        }
    }

    async fn abort(&self, upload: Option<Multipart>) {
        let Some(upload) = upload else { return };
        if let Err(e) = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .send()
            .await
        {
            tracing::warn!(key = %upload.key, error = %DisplayErrorContext(&e), "aborting a multipart upload failed");
        }
    }

    /// The object's size, type and stored checksum; `None` when there is none.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectHead>, StorageError> {
        let out = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => return Ok(None),
            Err(e) => return Err(s3_error("HeadObject", e)),
        };
        // A composite checksum of a multipart upload (`…-N`) is not the SHA-256
        // of the whole object.
        let sha256 = out
            .checksum_sha256()
            .filter(|c| !c.contains('-'))
            .and_then(|c| B64.decode(c).ok())
            .and_then(|d| <[u8; 32]>::try_from(d.as_slice()).ok());
        Ok(Some(ObjectHead {
            size: out.content_length().unwrap_or(0).max(0) as u64,
            content_type: out.content_type().map(str::to_owned),
            sha256,
            e_tag: out.e_tag().map(str::to_owned),
        }))
    }

    /// The object's bytes as a stream; `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<ObjectBody>, StorageError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(s3_error("GetObject", e)),
        };
        let size = out.content_length().unwrap_or(0).max(0) as u64;
        let content_type = out.content_type().map(str::to_owned);
        let stream = futures_util::stream::unfold(out.body, |mut body| async move {
            match body.next().await {
                None => None,
                Some(Ok(bytes)) => Some((Ok(bytes), body)),
                Some(Err(e)) => Some((
                    Err(StorageError::S3 {
                        operation: "GetObject",
                        message: e.to_string(),
                    }),
                    body,
                )),
            }
        })
        .boxed();
        Ok(Some(ObjectBody {
            size,
            content_type,
            stream,
        }))
    }

    /// The SHA-256 and size of the stored bytes, computed by reading them.
    pub async fn digest(&self, key: &str) -> Result<Option<Stored>, StorageError> {
        let Some(mut body) = self.get(key).await? else {
            return Ok(None);
        };
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = body.stream.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok(Some(Stored {
            size,
            sha256: hasher.finalize().into(),
        }))
    }

    /// Deletes the object (deleting a missing key succeeds, as in S3).
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| s3_error("DeleteObject", e))?;
        Ok(())
    }

    /// Copies an object inside the bucket, server-side (no bytes through the service).
    pub async fn copy(&self, from: &str, to: &str) -> Result<(), StorageError> {
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .key(to)
            .copy_source(format!("{}/{}", self.bucket, from))
            .send()
            .await
            .map_err(|e| s3_error("CopyObject", e))?;
        Ok(())
    }

    /// A PUT of exactly `content_length` bytes of `content_type` to `key`,
    /// valid for `expiry`. Length and type are signed headers, so the store
    /// refuses any other; with `sha256`, the store also refuses other bytes
    /// (`x-amz-checksum-sha256`, where the store checks it).
    pub async fn presign_put(
        &self,
        key: &str,
        expiry: Duration,
        content_length: u64,
        content_type: &str,
        sha256: Option<&[u8; 32]>,
    ) -> Result<Presigned, StorageError> {
        let mut put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(content_length as i64)
            .content_type(content_type);
        if let Some(digest) = sha256 {
            put = put.checksum_sha256(B64.encode(digest));
        }
        let request = put
            .presigned(presigning(expiry)?)
            .await
            .map_err(|e| s3_error("PutObject (presign)", e))?;
        Ok(Presigned::from_sdk(&request, expires_at(expiry)))
    }

    /// A GET of `key` valid for `expiry`; the store answers with
    /// `content_disposition` (and `content_type`) when given.
    pub async fn presign_get(
        &self,
        key: &str,
        expiry: Duration,
        content_disposition: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<Presigned, StorageError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_response_content_disposition(content_disposition.map(str::to_owned))
            .set_response_content_type(content_type.map(str::to_owned))
            .presigned(presigning(expiry)?)
            .await
            .map_err(|e| s3_error("GetObject (presign)", e))?;
        Ok(Presigned::from_sdk(&request, expires_at(expiry)))
    }
}

/// A multipart upload in progress.
struct Multipart {
    key: String,
    upload_id: String,
    parts: Vec<CompletedPart>,
}

/// Lower-case hex of a digest (how the API spells SHA-256s).
pub fn hex_digest(digest: &[u8; 32]) -> String {
    hex::encode(digest)
}

/// A 64-character hex SHA-256, parsed.
pub fn parse_hex_digest(value: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(value).ok()?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}
