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

    /// Any other object store (S3-compatible storage in production, memory in tests).
    pub fn from_object_store(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
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
