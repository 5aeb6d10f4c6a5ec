//! Inbound e-mail fetched from a mailbox over IMAP.
//!
//! For desks whose mail server cannot hand mail to the [receiver](crate::email::receiver),
//! [`ImapFetcher`] collects unseen messages from a folder and passes their raw bytes to a
//! [`RawMailSink`]. A message is marked `\Seen` only after the sink has stored it, so a crash in
//! between makes the next run fetch it again; the store is idempotent on Message-ID, so that
//! costs nothing. [`ImapFetcher::run`] keeps watching the folder, with IDLE where the server
//! offers it and by polling otherwise.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{Response, Status};
use futures_util::FutureExt as _;
use futures_util::TryStreamExt as _;
use futures_util::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::Secret;
pub use crate::email::receiver::SinkError;
pub use crate::email::smtp::TransportSecurity;

/// How to reach the mailbox the desk reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: TransportSecurity,
    pub username: String,
    pub password: Secret,
    /// The folder to read, as the server names it.
    #[serde(default = "default_folder")]
    pub folder: String,
    /// How often to look for new mail when the server does not offer IDLE. With IDLE, the
    /// folder is still checked at this interval (at most every 25 minutes), which also renews
    /// the IDLE command before servers drop it.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
}

fn default_folder() -> String {
    "INBOX".to_owned()
}

fn default_poll_seconds() -> u64 {
    60
}

/// Where fetched messages go.
pub trait RawMailSink: Send + Sync {
    /// Stores one raw RFC 5322 message. `Ok` marks it seen on the server; an error leaves it
    /// unseen, to be fetched again by the next run.
    fn store<'a>(&'a self, raw: &'a [u8]) -> BoxFuture<'a, Result<(), SinkError>>;
}

/// What one pass over the folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// UIDs of the messages the sink stored, now marked seen.
    pub stored: Vec<u32>,
    /// Messages the sink refused, left unseen.
    pub failed: Vec<FetchFailure>,
    /// UIDs that were unseen when searched but gone (expunged by another client) when fetched.
    pub vanished: Vec<u32>,
}

/// A message the sink could not store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchFailure {
    pub uid: u32,
    pub error: SinkError,
}

/// Why a pass over the folder could not be completed. Messages stored before the error are
/// already marked seen; the rest stay unseen for the next pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to the IMAP server {address}: {reason}")]
    Connect { address: String, reason: String },
    #[error("TLS with the IMAP server {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("the IMAP server refused the login of {username}: {reason}")]
    Login { username: String, reason: String },
    #[error("cannot open the IMAP folder {folder:?}: {reason}")]
    Folder { folder: String, reason: String },
    #[error("the IMAP server did not answer within {0} seconds")]
    Timeout(u64),
    #[error("IMAP error: {0}")]
    Protocol(String),
}

impl From<async_imap::error::Error> for ImapError {
    fn from(error: async_imap::error::Error) -> Self {
        Self::Protocol(error.to_string())
    }
}

type ImapSession = async_imap::Session<MailStream>;

/// The longest an IDLE command is left running: RFC 2177 asks clients to renew it within 29
/// minutes, and some servers drop idling clients at 30.
const MAX_IDLE: Duration = Duration::from_secs(25 * 60);
/// How long connecting and each IMAP command may take. Generous, because fetching one large
/// message is a single command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// Reads new mail from one IMAP folder.
#[derive(Debug, Clone)]
pub struct ImapFetcher {
    settings: ImapSettings,
    /// A TLS configuration with extra trusted roots; `None` for the public roots alone.
    tls: Option<Arc<ClientConfig>>,
}

impl ImapFetcher {
    pub fn new(settings: ImapSettings) -> Self {
        Self {
            settings,
            tls: None,
        }
    }

    /// A fetcher that also trusts the CA certificates in `pem`, for a mail server whose
    /// certificate comes from an organisation's own CA rather than a public one.
    pub fn with_root_certificates(settings: ImapSettings, pem: &[u8]) -> Result<Self, ImapError> {
        let tls_error = |reason: String| ImapError::Tls {
            host: settings.host.clone(),
            reason,
        };
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| tls_error(format!("unreadable root certificate: {error}")))?;
        if certificates.is_empty() {
            return Err(tls_error(
                "no certificate in the root certificate PEM".to_owned(),
            ));
        }
        let mut roots = public_roots();
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|error| tls_error(format!("unusable root certificate: {error}")))?;
        }
        let config = client_config(roots).map_err(tls_error)?;
        Ok(Self {
            settings,
            tls: Some(config),
        })
    }

    pub fn settings(&self) -> &ImapSettings {
        &self.settings
    }

    /// Connects, hands every unseen message of the folder to `sink` (oldest first) and marks
    /// each stored one seen.
    pub async fn fetch_new(&self, sink: &dyn RawMailSink) -> Result<FetchReport, ImapError> {
        let mut session = self.open().await?;
        let report = self.fetch_unseen(&mut session, sink, &mut || false).await?;
        self.logout(session).await;
        Ok(report)
    }

    /// Watches the folder until `shutdown` completes: fetches what is unseen, then waits for
    /// new mail with IDLE when the server offers it, or for `poll_seconds` otherwise, and
    /// fetches again. After an error it reconnects, waiting 1 s, then 2 s, 4 s… up to five
    /// minutes between attempts. Shutdown never interrupts the sink in the middle of a message.
    pub async fn run(&self, sink: &dyn RawMailSink, shutdown: impl Future<Output = ()>) {
        let mut shutdown = Shutdown {
            future: std::pin::pin!(shutdown),
            fired: false,
        };
        let mut backoff = FIRST_BACKOFF;
        loop {
            let mut connected = false;
            match self.watch(sink, &mut shutdown, &mut connected).await {
                Ok(()) => return,
                Err(error) => {
                    if connected {
                        backoff = FIRST_BACKOFF;
                    }
                    tracing::warn!(
                        host = %self.settings.host,
                        username = %self.settings.username,
                        %error,
                        retry_in_seconds = backoff.as_secs(),
                        "IMAP fetching failed; reconnecting"
                    );
                }
            }
            tokio::select! {
                () = shutdown.wait() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// One connection's life in [`run`](Self::run): returns `Ok` on shutdown and the error
    /// that ended the connection otherwise.
    async fn watch<F: Future<Output = ()>>(
        &self,
        sink: &dyn RawMailSink,
        shutdown: &mut Shutdown<'_, F>,
        connected: &mut bool,
    ) -> Result<(), ImapError> {
        let mut session = tokio::select! {
            () = shutdown.wait() => return Ok(()),
            session = self.open() => session?,
        };
        *connected = true;
        let idle = self.within(session.capabilities()).await??.has_str("IDLE");
        let cycle = self.poll_interval().min(MAX_IDLE);

        loop {
            let report = self
                .fetch_unseen(&mut session, sink, &mut || shutdown.has_fired())
                .await?;
            log_report(&self.settings, &report);
            if shutdown.has_fired() {
                self.logout(session).await;
                return Ok(());
            }

            if idle {
                let mut handle = session.idle();
                self.within(handle.init()).await??;
                let (wait, interrupt) = handle.wait();
                let outcome = tokio::select! {
                    () = shutdown.wait() => None,
                    outcome = wait => Some(outcome),
                    () = tokio::time::sleep(cycle) => Some(Ok(IdleResponse::Timeout)),
                };
                drop(interrupt);
                let ended = outcome.is_none();
                if let Some(Err(error)) = outcome {
                    return Err(error.into());
                }
                session = self.within(handle.done()).await??;
                if ended {
                    self.logout(session).await;
                    return Ok(());
                }
            } else {
                tokio::select! {
                    () = shutdown.wait() => {
                        self.logout(session).await;
                        return Ok(());
                    }
                    () = tokio::time::sleep(self.poll_interval()) => {}
                }
            }
        }
    }

    fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.settings.poll_seconds.max(1))
    }

    async fn within<T>(&self, operation: impl Future<Output = T>) -> Result<T, ImapError> {
        tokio::time::timeout(COMMAND_TIMEOUT, operation)
            .await
            .map_err(|_elapsed| ImapError::Timeout(COMMAND_TIMEOUT.as_secs()))
    }

    /// Connects, secures the connection as configured, logs in and selects the folder.
    async fn open(&self) -> Result<ImapSession, ImapError> {
        let settings = &self.settings;
        let address = format!("{}:{}", settings.host, settings.port);
        let connect_error = |reason: String| ImapError::Connect {
            address: address.clone(),
            reason,
        };
        let tcp = self
            .within(TcpStream::connect((settings.host.as_str(), settings.port)))
            .await?
            .map_err(|error| connect_error(error.to_string()))?;
        // IMAP is a conversation of short commands and replies; Nagle's algorithm would only
        // delay each one.
        tcp.set_nodelay(true)
            .map_err(|error| connect_error(error.to_string()))?;

        let stream = match settings.security {
            TransportSecurity::Plain => MailStream::Plain(tcp),
            TransportSecurity::Tls => MailStream::Tls(Box::new(self.handshake(tcp).await?)),
            TransportSecurity::StartTls => {
                let mut client = async_imap::Client::new(tcp);
                self.read_greeting(&mut client).await?;
                self.within(client.run_command_and_check_ok("STARTTLS", None))
                    .await?
                    .map_err(|error| ImapError::Tls {
                        host: settings.host.clone(),
                        reason: format!("STARTTLS refused: {error}"),
                    })?;
                // RFC 3501 §6.2.1: the server sends nothing between its STARTTLS reply and the
                // handshake, so no buffered bytes are lost here.
                let tcp = client.into_inner();
                MailStream::Tls(Box::new(self.handshake(tcp).await?))
            }
        };

        let mut client = async_imap::Client::new(stream);
        if settings.security != TransportSecurity::StartTls {
            self.read_greeting(&mut client).await?;
        }
        let mut session = self
            .within(client.login(&settings.username, settings.password.expose()))
            .await?
            .map_err(|(error, _client)| ImapError::Login {
                username: settings.username.clone(),
                reason: error.to_string(),
            })?;
        self.within(session.select(&settings.folder))
            .await?
            .map_err(|error| ImapError::Folder {
                folder: settings.folder.clone(),
                reason: error.to_string(),
            })?;
        Ok(session)
    }

    async fn read_greeting<T>(&self, client: &mut async_imap::Client<T>) -> Result<(), ImapError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let greeting = self
            .within(client.read_response())
            .await?
            .map_err(|error| ImapError::Protocol(format!("reading the greeting: {error}")))?
            .ok_or_else(|| {
                ImapError::Protocol("the server closed the connection before greeting".to_owned())
            })?;
        match greeting.parsed() {
            Response::Data {
                status: Status::Ok | Status::PreAuth,
                ..
            } => Ok(()),
            Response::Data {
                status: Status::Bye,
                outcome,
            } => Err(ImapError::Connect {
                address: format!("{}:{}", self.settings.host, self.settings.port),
                reason: format!(
                    "the server turned the connection away: {}",
                    outcome.information.as_deref().unwrap_or("no reason given")
                ),
            }),
            other => Err(ImapError::Protocol(format!(
                "unexpected greeting: {other:?}"
            ))),
        }
    }

    async fn handshake(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
        let host = &self.settings.host;
        let tls_error = |reason: String| ImapError::Tls {
            host: host.clone(),
            reason,
        };
        let config = match &self.tls {
            Some(config) => Arc::clone(config),
            None => default_tls_config().map_err(tls_error)?,
        };
        let server_name =
            ServerName::try_from(host.clone()).map_err(|error| tls_error(error.to_string()))?;
        self.within(TlsConnector::from(config).connect(server_name, tcp))
            .await?
            .map_err(|error| tls_error(error.to_string()))
    }

    /// Fetches every unseen message of the selected folder into the sink, oldest first,
    /// stopping between two messages once `should_stop` says so.
    async fn fetch_unseen(
        &self,
        session: &mut ImapSession,
        sink: &dyn RawMailSink,
        should_stop: &mut impl FnMut() -> bool,
    ) -> Result<FetchReport, ImapError> {
        let mut uids: Vec<u32> = self
            .within(session.uid_search("UNSEEN"))
            .await??
            .into_iter()
            .collect();
        uids.sort_unstable();
        let mut report = FetchReport::default();
        for uid in uids {
            if should_stop() {
                break;
            }
            // BODY.PEEK[] rather than RFC822: RFC822 would set \Seen before the sink has the
            // message.
            let fetched: Vec<async_imap::types::Fetch> = self
                .within(async {
                    session
                        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                        .await?
                        .try_collect()
                        .await
                })
                .await??;
            // The server may mix in unsolicited FETCH replies about other messages (flags set by
            // another client), so the reply is matched on its UID.
            let Some(raw) = fetched
                .iter()
                .find(|fetch| fetch.uid == Some(uid) && fetch.body().is_some())
                .and_then(|fetch| fetch.body())
            else {
                report.vanished.push(uid);
                continue;
            };
            match sink.store(raw).await {
                Ok(()) => {
                    self.within(async {
                        session
                            .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                            .await?
                            .try_collect::<Vec<_>>()
                            .await
                    })
                    .await??;
                    report.stored.push(uid);
                }
                Err(error) => report.failed.push(FetchFailure { uid, error }),
            }
        }
        Ok(report)
    }

    async fn logout(&self, mut session: ImapSession) {
        // Logging out is a courtesy to the server; the work is done whether it succeeds or not.
        if let Ok(Err(error)) = self.within(session.logout()).await {
            tracing::debug!(%error, "IMAP logout failed");
        }
    }
}

/// The caller's shutdown future, polled so that it is never polled again once it has
/// completed (a completed `async` block panics when polled).
struct Shutdown<'f, F> {
    future: Pin<&'f mut F>,
    fired: bool,
}

impl<F: Future<Output = ()>> Shutdown<'_, F> {
    /// Has shutdown been asked for? Does not wait.
    fn has_fired(&mut self) -> bool {
        if !self.fired && self.future.as_mut().now_or_never().is_some() {
            self.fired = true;
        }
        self.fired
    }

    /// Completes when shutdown is asked for (at once if it already was).
    async fn wait(&mut self) {
        if !self.fired {
            self.future.as_mut().await;
            self.fired = true;
        }
    }
}

fn log_report(settings: &ImapSettings, report: &FetchReport) {
    if !report.stored.is_empty() || !report.vanished.is_empty() {
        tracing::info!(
            username = %settings.username,
            folder = %settings.folder,
            stored = report.stored.len(),
            vanished = report.vanished.len(),
            "fetched new mail over IMAP"
        );
    }
    for failure in &report.failed {
        tracing::warn!(
            username = %settings.username,
            folder = %settings.folder,
            uid = failure.uid,
            error = %failure.error,
            "a fetched message could not be stored; it stays unseen"
        );
    }
}

/// The TLS client configuration with Mozilla's root certificates, built once.
fn default_tls_config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG.get_or_init(|| client_config(public_roots())).clone()
}

fn public_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots
}

/// A TLS client configuration on the aws-lc-rs provider the rest of the workspace uses.
fn client_config(roots: RootCertStore) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| Arc::new(builder.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|error| error.to_string())
}

/// A connection that is either plain TCP or TLS, so one session type serves every
/// [`TransportSecurity`].
#[derive(Debug)]
enum MailStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_read(context, buffer),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_read(context, buffer),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_write(context, buffer),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_write(context, buffer),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_flush(context),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(context),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_shutdown(context),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(context),
        }
    }
}
