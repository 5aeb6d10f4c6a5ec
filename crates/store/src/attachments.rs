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

    /// Whether the object `storage_key` is present.
    pub async fn contains(&self, storage_key: &str) -> Result<bool, StoreError> {
        use object_store::ObjectStoreExt;
        match self.inner.head(&Path::from(storage_key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(StoreError::Attachment(error.to_string())),
        }
    }

    /// Copies the `objects` a database refers to from this store into `destination`, each
    /// checked against the digest the database recorded for it. Objects are content-addressed,
    /// so one already in `destination` is the same content and is not copied again: a backup
    /// directory reused night after night only receives what is new.
    pub async fn copy_objects_into(
        &self,
        destination: &AttachmentStore,
        objects: &[StoredObject],
    ) -> Result<AttachmentCopy, StoreError> {
        let mut copy = AttachmentCopy::default();
        for object in objects {
            if destination.contains(&object.storage_key).await? {
                copy.already_there += 1;
                continue;
            }
            let bytes = match self
                .inner
                .get_opts(
                    &Path::from(object.storage_key.as_str()),
                    GetOptions::default(),
                )
                .await
            {
                Ok(result) => result
                    .bytes()
                    .await
                    .map_err(|error| StoreError::Attachment(error.to_string()))?,
                Err(object_store::Error::NotFound { .. }) => {
                    copy.missing.push(object.storage_key.clone());
                    continue;
                }
                Err(error) => return Err(StoreError::Attachment(error.to_string())),
            };
            if hex::encode(Sha256::digest(&bytes)) != object.sha256 {
                // Copying damaged content would hide the damage behind a good-looking copy.
                copy.damaged.push(object.storage_key.clone());
                continue;
            }
            destination
                .inner
                .put_opts(
                    &Path::from(object.storage_key.as_str()),
                    PutPayload::from(bytes),
                    PutOptions::default(),
                )
                .await
                .map_err(|error| StoreError::Attachment(error.to_string()))?;
            copy.copied += 1;
        }
        Ok(copy)
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

/// An object the database refers to: its key in the attachment store and the SHA-256 digest
/// of its content (hexadecimal) recorded when it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub storage_key: String,
    pub sha256: String,
}

/// What [`AttachmentStore::copy_objects_into`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentCopy {
    /// Objects written to the destination.
    pub copied: usize,
    /// Objects the destination already held.
    pub already_there: usize,
    /// Objects the database refers to that the source does not hold.
    pub missing: Vec<String>,
    /// Objects whose content no longer matches the digest the database recorded.
    pub damaged: Vec<String>,
}

impl AttachmentCopy {
    /// Whether every object is now in the destination.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.damaged.is_empty()
    }

    /// The objects that could not be copied, for a message: at most `shown` keys, then a count
    /// of the rest.
    pub fn problems(&self, shown: usize) -> String {
        let mut lines = Vec::new();
        for (what, keys) in [("missing", &self.missing), ("damaged", &self.damaged)] {
            if keys.is_empty() {
                continue;
            }
            let mut listed: Vec<&str> = keys.iter().take(shown).map(String::as_str).collect();
            let rest = keys.len().saturating_sub(shown);
            let more = if rest > 0 {
                format!(" and {rest} more")
            } else {
                String::new()
            };
            listed.sort_unstable();
            lines.push(format!(
                "{} {what}: {}{more}",
                keys.len(),
                listed.join(", ")
            ));
        }
        lines.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> NewAttachment {
        NewAttachment {
            filename: "record.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: bytes.to_vec(),
        }
    }

    fn object(blob: &AttachmentBlob) -> StoredObject {
        StoredObject {
            storage_key: blob.storage_key.clone(),
            sha256: blob.sha256.clone(),
        }
    }

    #[tokio::test]
    async fn copies_what_is_named_once_and_reports_what_is_missing_or_damaged() {
        let live_directory = tempfile::tempdir().unwrap();
        let backup_directory = tempfile::tempdir().unwrap();
        let live = AttachmentStore::local_directory(live_directory.path()).unwrap();
        let backup = AttachmentStore::local_directory(backup_directory.path()).unwrap();
        let blobs = live
            .put_all(
                7,
                &[
                    file(b"%PDF-1.4 intact"),
                    file(b"%PDF-1.4 to be damaged"),
                    file(b"%PDF-1.4 to be lost"),
                ],
            )
            .await
            .unwrap();
        let objects: Vec<StoredObject> = blobs.iter().map(object).collect();
        std::fs::write(
            live_directory.path().join(&blobs[1].storage_key),
            b"%PDF-1.4 altered on disk",
        )
        .unwrap();
        live.delete(&blobs[2].storage_key).await.unwrap();

        let first = live.copy_objects_into(&backup, &objects).await.unwrap();
        assert_eq!(first.copied, 1);
        assert_eq!(first.already_there, 0);
        assert_eq!(first.damaged, [blobs[1].storage_key.clone()]);
        assert_eq!(first.missing, [blobs[2].storage_key.clone()]);
        assert!(!first.is_complete());
        assert_eq!(
            first.problems(10),
            format!(
                "1 missing: {}; 1 damaged: {}",
                blobs[2].storage_key, blobs[1].storage_key
            )
        );
        assert_eq!(
            backup.get(&blobs[0].storage_key).await.unwrap(),
            b"%PDF-1.4 intact"
        );
        assert!(!backup.contains(&blobs[1].storage_key).await.unwrap());

        // A second run finds the copied object in place and copies nothing again.
        let second = live
            .copy_objects_into(&backup, &objects[..1])
            .await
            .unwrap();
        assert_eq!((second.copied, second.already_there), (0, 1));
        assert!(second.is_complete());
    }
}
