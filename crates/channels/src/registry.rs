//! Each organization's channels, as configured by its administrators: the stored settings
//! (credentials included) parsed into the adapters' own settings, and the adapters the outbox
//! worker sends through, rebuilt whenever the settings change.

use crate::email::compose::MailIdentity;
use crate::email::imap::ImapSettings;
use crate::email::smtp::{SmtpSender, SmtpSettings};
use crate::messenger::{MessengerAdapter, MessengerSettings};
use crate::outbox::AdapterSource;
use crate::sms::{SmsAdapter, SmsSettings};
use crate::whatsapp::{WhatsappAdapter, WhatsappSettings};
use crate::x::{XAdapter, XSettings};
use crate::{ChannelAdapter, SendError};
use futures_util::future::BoxFuture;
use sanad_domain::Channel;
use sanad_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The e-mail channel: the address requesters write to (and our mail comes from), the relay
/// that sends, and optionally the mailbox the desk reads over IMAP. Mail can also arrive through
/// the SMTP/LMTP receiver, which needs no settings here beyond the address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailChannelSettings {
    pub address: String,
    /// The name shown as the sender, e.g. the provider's support desk in Arabic.
    #[serde(default)]
    pub display_name: String,
    pub smtp: SmtpSettings,
    #[serde(default)]
    pub imap: Option<ImapSettings>,
}

/// One channel's settings, parsed by channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelConfiguration {
    Email(EmailChannelSettings),
    Whatsapp(WhatsappSettings),
    Facebook(MessengerSettings),
    X(XSettings),
    Sms(SmsSettings),
}

/// Why stored settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigurationError {
    #[error("the {0} channel has no connection settings")]
    NotConfigured(Channel),
    #[error("the {0} channel is configured by staff, not with connection settings")]
    NotConfigurable(Channel),
    #[error("the {channel} settings are not valid: {reason}")]
    Invalid { channel: Channel, reason: String },
}

impl ChannelConfiguration {
    /// Parses a channel's stored JSON settings; the error names the field at fault (serde's
    /// message with the path), never the value of a secret.
    pub fn parse(
        channel: Channel,
        settings: &serde_json::Value,
    ) -> Result<Self, ConfigurationError> {
        fn typed<T: serde::de::DeserializeOwned>(
            channel: Channel,
            settings: &serde_json::Value,
        ) -> Result<T, ConfigurationError> {
            serde_json::from_value(settings.clone()).map_err(|error| ConfigurationError::Invalid {
                channel,
                reason: error.to_string(),
            })
        }
        Ok(match channel {
            Channel::Email => Self::Email(typed(channel, settings)?),
            Channel::Whatsapp => Self::Whatsapp(typed(channel, settings)?),
            Channel::Facebook => Self::Facebook(typed(channel, settings)?),
            Channel::X => Self::X(typed(channel, settings)?),
            Channel::Sms => Self::Sms(typed(channel, settings)?),
            other => return Err(ConfigurationError::NotConfigurable(other)),
        })
    }

    /// Builds the channel's outbound adapter.
    pub fn adapter(
        &self,
        http: &reqwest::Client,
    ) -> Result<Arc<dyn ChannelAdapter>, ConfigurationError> {
        Ok(match self {
            Self::Email(email) => {
                let identity = MailIdentity {
                    from_address: email.address.clone(),
                    from_name: email.display_name.clone(),
                };
                let sender = SmtpSender::new(&email.smtp, identity).map_err(|error| {
                    ConfigurationError::Invalid {
                        channel: Channel::Email,
                        reason: error.to_string(),
                    }
                })?;
                Arc::new(sender)
            }
            Self::Whatsapp(settings) => {
                Arc::new(WhatsappAdapter::new(settings.clone(), http.clone()))
            }
            Self::Facebook(settings) => {
                Arc::new(MessengerAdapter::new(settings.clone(), http.clone()))
            }
            Self::X(settings) => Arc::new(XAdapter::new(settings.clone(), http.clone())),
            Self::Sms(settings) => Arc::new(SmsAdapter::new(settings.clone(), http.clone())),
        })
    }
}

/// Loads a channel's configuration for an organization.
pub async fn load_configuration(
    store: &Store,
    org_id: i64,
    channel: Channel,
) -> Result<ChannelConfiguration, LoadError> {
    let stored = store
        .channel_credentials(org_id, channel)
        .await
        .map_err(|error| LoadError::Store(error.to_string()))?;
    let stored = stored.ok_or(LoadError::Configuration(ConfigurationError::NotConfigured(
        channel,
    )))?;
    ChannelConfiguration::parse(channel, &stored).map_err(LoadError::Configuration)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("the database could not be read: {0}")]
    Store(String),
    #[error(transparent)]
    Configuration(ConfigurationError),
}

/// The adapters of every organization, built from their stored settings and kept while the
/// settings stay the same (SMTP connections are pooled inside the sender).
pub struct ConfiguredAdapters {
    store: Store,
    http: reqwest::Client,
    built: Mutex<HashMap<(i64, Channel), BuiltAdapter>>,
}

/// An adapter with the settings it was built from, to notice when they change.
type BuiltAdapter = (serde_json::Value, Arc<dyn ChannelAdapter>);

impl ConfiguredAdapters {
    pub fn new(store: Store, http: reqwest::Client) -> Self {
        Self {
            store,
            http,
            built: Mutex::new(HashMap::new()),
        }
    }

    async fn build(
        &self,
        org_id: i64,
        channel: Channel,
    ) -> Result<Arc<dyn ChannelAdapter>, SendError> {
        let stored = self
            .store
            .channel_credentials(org_id, channel)
            .await
            .map_err(|error| SendError::Transient(format!("the channel settings could not be read: {error}")))?
            .ok_or_else(|| {
                SendError::Permanent(format!(
                    "the {channel} channel has no connection settings; an administrator sets them under Administration, Channels"
                ))
            })?;
        if let Ok(built) = self.built.lock()
            && let Some((settings, adapter)) = built.get(&(org_id, channel))
            && *settings == stored
        {
            return Ok(adapter.clone());
        }
        let adapter = ChannelConfiguration::parse(channel, &stored)
            .and_then(|configuration| configuration.adapter(&self.http))
            .map_err(|error| SendError::Permanent(error.to_string()))?;
        if let Ok(mut built) = self.built.lock() {
            built.insert((org_id, channel), (stored, adapter.clone()));
        }
        Ok(adapter)
    }
}

impl AdapterSource for ConfiguredAdapters {
    fn adapter(
        &self,
        org_id: i64,
        channel: Channel,
    ) -> BoxFuture<'_, Result<Arc<dyn ChannelAdapter>, SendError>> {
        Box::pin(self.build(org_id, channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_by_channel_and_errors_name_the_field_not_the_secret() {
        let email = serde_json::json!({
            "address": "support@example.sa",
            "display_name": "الدعم الفني",
            "smtp": { "host": "smtp.example.sa", "port": 587, "security": "start_tls", "username": "support", "password": "s3cret-value" }
        });
        let parsed = ChannelConfiguration::parse(Channel::Email, &email).unwrap();
        assert!(
            matches!(parsed, ChannelConfiguration::Email(ref settings) if settings.imap.is_none())
        );
        assert!(
            !format!("{parsed:?}").contains("s3cret-value"),
            "secrets never print"
        );
        let missing =
            serde_json::json!({ "phone_number_id": "1", "app_secret": "a", "verify_token": "v" });
        let error = ChannelConfiguration::parse(Channel::Whatsapp, &missing)
            .unwrap_err()
            .to_string();
        assert!(error.contains("access_token"), "{error}");
        assert_eq!(
            ChannelConfiguration::parse(Channel::Phone, &serde_json::json!({})).unwrap_err(),
            ConfigurationError::NotConfigurable(Channel::Phone)
        );
    }
}
