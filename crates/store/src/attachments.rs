//! Attachment content lives outside the database, behind one object-store interface: a local
//! directory by default. Content is addressed by its SHA-256 digest, so a retried upload writes
//! the same object again instead of a second copy, and a database row never points at a
//! half-written file (the object is written before the row that refers to it is committed).

use crate::{NewAttachment, StoreError};
use object_store::{GetOptions, ObjectStore, PutOptions, PutPayload, path::Path};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Clone)]
pub struct AttachmentStore {
    inner: Arc<dyn ObjectStore>,
}

/// An attachment written to the object store, ready to be recorded in the database.
#[derive(Debug, Clone)]
pub struct AttachmentBlob {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
}

impl AttachmentStore {
    /// Stores attachments as files below `directory`, which is created if absent.
    pub fn local_directory(directory: &std::path::Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(directory).map_err(|error| {
            StoreError::Attachment(format!("cannot create {}: {error}", directory.display()))
        })?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(directory)
            .map_err(|error| StoreError::Attachment(error.to_string()))?;
        Ok(Self {
            inner: Arc::new(local),
        })
    }

    /// Stores attachments in an S3-compatible bucket, `s3://BUCKET[/PREFIX]`. Credentials,
    /// region and endpoint come from the standard `AWS_*` environment variables (an
    /// S3-compatible service such as MinIO or Ceph sets `AWS_ENDPOINT`), then from
    /// `settings`: pairs of object_store configuration keys and values, e.g.
    /// `("aws_endpoint", "http://127.0.0.1:9000")`.
    pub fn s3(url: &str, settings: &[(&str, &str)]) -> Result<Self, StoreError> {
        use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
        use std::str::FromStr;
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            StoreError::Attachment(format!("'{url}' is not an s3://BUCKET[/PREFIX] URL"))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::Attachment(format!("'{url}' names no bucket")));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in settings {
            let key = AmazonS3ConfigKey::from_str(key).map_err(|error| {
                StoreError::Attachment(format!("unknown S3 setting '{key}': {error}"))
            })?;
            builder = builder.with_config(key, *value);
        }
        let s3 = builder
            .build()
            .map_err(|error| StoreError::Attachment(error.to_string()))?;
        let prefix = prefix.trim_matches('/');
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(Self { inner })
    }

    pub(crate) async fn put_all(
        &self,
        org_id: i64,
        attachments: &[NewAttachment],
    ) -> Result<Vec<AttachmentBlob>, StoreError> {
        let mut blobs = Vec::with_capacity(attachments.len());
        for attachment in attachments {
            let sha256 = hex::encode(Sha256::digest(&attachment.bytes));
            let storage_key = format!("org-{org_id}/{}/{sha256}", &sha256[..2]);
            let payload = PutPayload::from(attachment.bytes.clone());
            self.inner
                .put_opts(
                    &Path::from(storage_key.as_str()),
                    payload,
                    PutOptions::default(),
                )
                .await
                .map_err(|error| StoreError::Attachment(error.to_string()))?;
            blobs.push(AttachmentBlob {
                filename: attachment.filename.clone(),
                content_type: attachment.content_type.clone(),
                size_bytes: attachment.bytes.len() as i64,
                sha256,
                storage_key,
            });
        }
        Ok(blobs)
    }

    /// Removes an attachment's content (for an erasure). Removing content that is already gone
    /// succeeds, so an erasure interrupted after some deletions can simply run again.
    pub async fn delete(&self, storage_key: &str) -> Result<(), StoreError> {
        use object_store::ObjectStoreExt;
        match self.inner.delete(&Path::from(storage_key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(StoreError::Attachment(error.to_string())),
        }
    }

    /// Reads an attachment's content back.
    pub async fn get(&self, storage_key: &str) -> Result<Vec<u8>, StoreError> {
        let result = self
            .inner
            .get_opts(&Path::from(storage_key), GetOptions::default())
            .await
            .map_err(|error| StoreError::Attachment(error.to_string()))?;
        let bytes = result
            .bytes()
            .await
            .map_err(|error| StoreError::Attachment(error.to_string()))?;
        Ok(bytes.to_vec())
    }
}
