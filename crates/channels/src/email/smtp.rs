//! Outbound e-mail: hands composed messages to the desk's SMTP relay.
//!
//! [`SmtpSender`] is the e-mail [`ChannelAdapter`]: it composes the message
//! ([`compose`](crate::email::compose::compose)) and submits it over a pooled SMTP connection.
//! It classifies failures for the outbox and never retries by itself.

use std::time::Duration;

use futures_util::future::BoxFuture;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sanad_domain::Channel;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;

use crate::email::compose::{MailIdentity, compose};
use crate::{ChannelAdapter, OutboundMessage, Secret, SendError, Sent};

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportSecurity {
    /// TLS from the first byte (SMTP submission on port 465, IMAP on 993).
    Tls,
    /// A plain connection upgraded with STARTTLS before anything else is said (SMTP on 587,
    /// IMAP on 143). A server that does not offer STARTTLS is refused.
    StartTls,
    /// No encryption at all. Only sensible for a server on the same machine (localhost), as
    /// passwords and mail cross the connection in the clear.
    Plain,
}

/// How to reach the SMTP relay that sends the desk's mail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: TransportSecurity,
    /// The login, when the relay requires authentication.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// How long connecting and each SMTP exchange may take before the attempt counts as a
    /// temporary failure.
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
}

fn default_timeout_seconds() -> u64 {
    30
}

/// The relay settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpSetupError {
    #[error("the SMTP host name {host:?} cannot be used for TLS: {reason}")]
    Tls { host: String, reason: String },
    #[error("an SMTP username is set without a password, or a password without a username")]
    IncompleteCredentials,
    #[error("the SMTP timeout must be at least one second")]
    ZeroTimeout,
}

/// The e-mail channel's outbound adapter.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    identity: MailIdentity,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials; only the sender's address is worth showing.
        formatter
            .debug_struct("SmtpSender")
            .field("from_address", &self.identity.from_address)
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// Builds the sender and its connection pool. Must be called inside a Tokio runtime: the
    /// pool starts a task that closes idle connections. Connections are opened on first use, so
    /// an unreachable relay shows up as a transient failure of the first send, not here.
    pub fn new(settings: &SmtpSettings, identity: MailIdentity) -> Result<Self, SmtpSetupError> {
        Self::build(settings, identity, None)
    }

    /// A sender that also trusts the CA certificates in `pem`, for a relay whose certificate
    /// comes from an organisation's own CA rather than a public one.
    pub fn with_root_certificates(
        settings: &SmtpSettings,
        identity: MailIdentity,
        pem: &[u8],
    ) -> Result<Self, SmtpSetupError> {
        let tls_error = |reason: String| SmtpSetupError::Tls {
            host: settings.host.clone(),
            reason,
        };
        // lettre accepts a PEM without any certificate in it; counting them first turns a
        // wrong file into an error here instead of a TLS failure on every send.
        let count = CertificateDer::pem_slice_iter(pem)
            .filter(Result::is_ok)
            .count();
        if count == 0 {
            return Err(tls_error(
                "no certificate in the root certificate PEM".to_owned(),
            ));
        }
        let certificate = Certificate::from_pem(pem)
            .map_err(|error| tls_error(format!("unreadable root certificate: {error}")))?;
        Self::build(settings, identity, Some(certificate))
    }

    fn build(
        settings: &SmtpSettings,
        identity: MailIdentity,
        extra_root: Option<Certificate>,
    ) -> Result<Self, SmtpSetupError> {
        if settings.timeout_seconds == 0 {
            return Err(SmtpSetupError::ZeroTimeout);
        }
        let tls_parameters = || {
            let mut builder = TlsParameters::builder(settings.host.clone());
            if let Some(certificate) = extra_root.clone() {
                builder = builder.add_root_certificate(certificate);
            }
            builder.build().map_err(|error| SmtpSetupError::Tls {
                host: settings.host.clone(),
                reason: error.to_string(),
            })
        };
        let tls = match settings.security {
            TransportSecurity::Tls => Tls::Wrapper(tls_parameters()?),
            TransportSecurity::StartTls => Tls::Required(tls_parameters()?),
            TransportSecurity::Plain => Tls::None,
        };
        // "Dangerous" only means lettre leaves the TLS mode to us; it is set just above from
        // the settings, and Plain is the operator's explicit choice.
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(settings.timeout_seconds)));
        match (&settings.username, &settings.password) {
            (Some(username), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    username.clone(),
                    password.expose().to_owned(),
                ));
            }
            (None, None) => {}
            _ => return Err(SmtpSetupError::IncompleteCredentials),
        }
        Ok(Self {
            transport: builder.build(),
            identity,
        })
    }

    async fn send_message(&self, message: &OutboundMessage) -> Result<Sent, SendError> {
        let email = compose(message, &self.identity).map_err(|error| {
            SendError::Permanent(format!("the message cannot be composed: {error}"))
        })?;
        // The Message-ID is the one compose wrote into the headers (the outbox row's id, fixed
        // across retries), recorded without angle brackets as every provider id is.
        let message_id = email
            .headers()
            .get_raw("Message-ID")
            .map(|raw| {
                raw.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
            .filter(|id| !id.is_empty())
            .or_else(|| {
                let id = message.thread.message_id.trim();
                (!id.is_empty()).then(|| id.to_owned())
            });
        match self.transport.send(email).await {
            Ok(response) => Ok(Sent {
                provider_message_id: message_id,
                detail: response_line(&response),
            }),
            Err(error) => Err(classify(&error)),
        }
    }
}

impl ChannelAdapter for SmtpSender {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn send<'a>(&'a self, message: &'a OutboundMessage) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.send_message(message))
    }
}

/// The server's reply as one line, as it would appear in a mail log: "250 2.0.0 Ok: queued as
/// 4F2A1".
fn response_line(response: &Response) -> String {
    let text: Vec<&str> = response.message().collect();
    if text.is_empty() {
        response.code().to_string()
    } else {
        format!("{} {}", response.code(), text.join(" "))
    }
}

/// Sorts a failed attempt into what the outbox can retry and what it cannot.
///
/// 5xx replies are the server's final word (550 unknown user, 552 too big, 535 credentials
/// refused): retrying the same message cannot succeed. Everything else — a 4xx reply, a
/// refused or dropped connection, a timeout, a TLS handshake that failed, an unreadable
/// reply — may pass, so the outbox tries again later. A TLS failure counts as passing because
/// a relay's certificate being renewed or briefly wrong should delay notifications, not lose
/// them.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = describe(error);
    if error.is_permanent() {
        SendError::Permanent(text)
    } else if error.is_client() {
        // A client error is lettre refusing what it was given (an address it cannot put in
        // an envelope), which no retry changes.
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}

/// The error with its causes, so "connection refused" is visible on the ticket and not only
/// "Connection error".
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
