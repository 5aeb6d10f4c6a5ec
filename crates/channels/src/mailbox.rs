//! Where inbound mail enters: the SMTP/LMTP receiver (a mail server hands messages over, routed
//! to an organization by the recipient address) and the IMAP fetchers (one per organization
//! whose e-mail channel names a mailbox). Both hand raw messages to [`MailIngest`], which parses
//! them and stores the result exactly once.

use crate::email::imap::{ImapFetcher, ImapSettings, RawMailSink};
use crate::email::parse::{Mailbox, parse_message};
use crate::email::receiver::{MessageSink, SinkError};
use crate::ingest::ingest_event;
use crate::registry::{ChannelConfiguration, ConfigurationError};
use futures_util::future::BoxFuture;
use jiff::Timestamp;
use sanad_domain::Channel;
use sanad_store::{Organization, Store};
use std::collections::HashMap;
use std::sync::Arc;

/// The time source of the mail paths: servers call the sinks at arbitrary moments, so they ask
/// for the time rather than read the clock themselves (tests pass a fixed or stepped one).
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Parses and stores inbound mail.
#[derive(Clone)]
pub struct MailIngest {
    store: Store,
    now: Now,
    /// The domain of our own Message-IDs, to recognise our mail coming back.
    mail_domain: String,
}

impl MailIngest {
    pub fn new(store: Store, now: Now, mail_domain: String) -> Self {
        Self {
            store,
            now,
            mail_domain,
        }
    }

    /// Parses one message for `organization` and stores it. A message that cannot be parsed is
    /// refused permanently (the sending server returns it; IMAP leaves it for a person); a
    /// database failure is temporary, so the message is offered again.
    pub async fn take(
        &self,
        organization: &Organization,
        own_address: &str,
        raw: &[u8],
    ) -> Result<(), SinkError> {
        let mailbox = Mailbox {
            own_addresses: vec![own_address.to_lowercase()],
            own_message_id_domain: self.mail_domain.clone(),
        };
        let event = parse_message(raw, &mailbox)
            .map_err(|error| SinkError::Permanent(error.to_string()))?;
        ingest_event(&self.store, organization, &event, (self.now)())
            .await
            .map_err(|error| {
                SinkError::Transient(format!("the message could not be stored: {error}"))
            })?;
        Ok(())
    }

    /// The sink an IMAP fetcher of `organization`'s mailbox at `address` hands messages to.
    pub fn for_organization(
        &self,
        organization: Organization,
        address: String,
    ) -> OrganizationMailbox {
        OrganizationMailbox {
            ingest: self.clone(),
            organization,
            address,
        }
    }

    /// The organization whose enabled e-mail channel has this address.
    async fn organization_for(&self, address: &str) -> Result<Option<Organization>, SinkError> {
        self.store
            .organization_by_channel_address(Channel::Email, address)
            .await
            .map_err(|error| SinkError::Transient(error.to_string()))
    }
}

impl MessageSink for MailIngest {
    fn accepts_recipient(&self, address: &str) -> BoxFuture<'_, bool> {
        let address = address.to_owned();
        Box::pin(async move { matches!(self.organization_for(&address).await, Ok(Some(_))) })
    }

    fn deliver<'a>(
        &'a self,
        _envelope_from: &'a str,
        recipient: &'a str,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            let organization = self.organization_for(recipient).await?.ok_or_else(|| {
                SinkError::Permanent(format!("no organization receives mail at {recipient}"))
            })?;
            self.take(&organization, recipient, raw).await
        })
    }
}

/// One organization's mailbox as an IMAP sink.
pub struct OrganizationMailbox {
    ingest: MailIngest,
    organization: Organization,
    address: String,
}

impl RawMailSink for OrganizationMailbox {
    fn store<'a>(&'a self, raw: &'a [u8]) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            match self
                .ingest
                .take(&self.organization, &self.address, raw)
                .await
            {
                // An unreadable message would be fetched again forever; it stays in the mailbox,
                // marked seen, for a person to look at, and the log says so.
                Err(SinkError::Permanent(reason)) => {
                    tracing::warn!(org = %self.organization.slug, %reason, "an unreadable message was left in the mailbox");
                    Ok(())
                }
                other => other,
            }
        })
    }
}

/// Keeps one IMAP fetcher running per organization whose e-mail channel names a mailbox,
/// starting, restarting and stopping them as the stored settings change.
pub struct MailboxSupervisor {
    store: Store,
    ingest: MailIngest,
    running: HashMap<
        i64,
        (
            ImapSettings,
            tokio::task::JoinHandle<()>,
            tokio::sync::watch::Sender<bool>,
        ),
    >,
}

impl MailboxSupervisor {
    pub fn new(store: Store, ingest: MailIngest) -> Self {
        Self {
            store,
            ingest,
            running: HashMap::new(),
        }
    }

    /// Brings the running fetchers in line with the stored settings. Returns how many run.
    pub async fn reconcile(&mut self) -> Result<usize, sanad_store::StoreError> {
        let mut wanted: HashMap<i64, (ImapSettings, String)> = HashMap::new();
        for (org_id, settings) in self.store.all_channel_credentials(Channel::Email).await? {
            match ChannelConfiguration::parse(Channel::Email, &settings) {
                Ok(ChannelConfiguration::Email(email)) => {
                    if let Some(imap) = email.imap {
                        wanted.insert(org_id, (imap, email.address));
                    }
                }
                Ok(_) => {}
                Err(ConfigurationError::Invalid { reason, .. }) => {
                    tracing::warn!(org_id, %reason, "the e-mail channel settings are not valid; its mailbox is not read");
                }
                Err(error) => {
                    tracing::warn!(org_id, %error, "the e-mail channel settings cannot be used")
                }
            }
        }
        let stale: Vec<i64> = self
            .running
            .iter()
            .filter(|(org_id, (settings, handle, _))| {
                handle.is_finished()
                    || wanted
                        .get(org_id)
                        .is_none_or(|(wanted_settings, _)| wanted_settings != settings)
            })
            .map(|(org_id, _)| *org_id)
            .collect();
        for org_id in stale {
            if let Some((_, handle, stop)) = self.running.remove(&org_id) {
                let _ = stop.send(true);
                handle.abort();
            }
        }
        for (org_id, (settings, address)) in wanted {
            if self.running.contains_key(&org_id) {
                continue;
            }
            let Some(organization) = self.store.organization_by_id(org_id).await? else {
                continue;
            };
            let (stop, mut stopped) = tokio::sync::watch::channel(false);
            let sink = self.ingest.for_organization(organization, address);
            let fetcher = ImapFetcher::new(settings.clone());
            let handle = tokio::spawn(async move {
                let shutdown = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                fetcher.run(&sink, shutdown).await;
            });
            self.running.insert(org_id, (settings, handle, stop));
        }
        Ok(self.running.len())
    }

    /// Stops every fetcher.
    pub fn stop_all(&mut self) {
        for (_, (_, handle, stop)) in self.running.drain() {
            let _ = stop.send(true);
            handle.abort();
        }
    }
}

impl Drop for MailboxSupervisor {
    fn drop(&mut self) {
        self.stop_all();
    }
}
