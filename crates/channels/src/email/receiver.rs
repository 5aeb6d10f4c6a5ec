//! An SMTP (RFC 5321) and LMTP (RFC 2033) server that a mail server hands messages to.
//!
//! The desk's own mail server (Postfix, Exim, Dovecot's LMTP proxy…) delivers mail for the
//! support addresses to this listener, so messages arrive the moment they are received instead
//! of waiting for the next IMAP poll. The server speaks the subset of the protocols a relaying
//! mail server uses: greeting, `EHLO`/`HELO` (SMTP) or `LHLO` (LMTP), `MAIL FROM`, `RCPT TO`,
//! `DATA`, `RSET`, `NOOP`, `QUIT`, a polite refusal of `VRFY`, and the `PIPELINING`, `8BITMIME`,
//! `SIZE`, `ENHANCEDSTATUSCODES` and `SMTPUTF8` extensions. It does not parse MIME: the raw
//! message goes to a [`MessageSink`], once per recipient.
//!
//! It is meant to listen on a private address behind the mail server, not on the internet: it
//! offers neither TLS nor authentication, and it only accepts recipients the sink claims.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

/// Which of the two protocols a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverProtocol {
    /// RFC 5321 SMTP: one reply after `DATA` for the whole message.
    Smtp,
    /// RFC 2033 LMTP: one reply after `DATA` for each accepted recipient.
    Lmtp,
}

/// Why a sink could not take a message in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// A failure that may pass (the database is unreachable): the sending server keeps the
    /// message and tries again later.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// A failure that will not pass (the message can never be stored): the sending server
    /// bounces it.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Where received messages go.
pub trait MessageSink: Send + Sync + 'static {
    /// Is this recipient one of ours? (RCPT TO is refused with 550 otherwise.)
    fn accepts_recipient(&self, address: &str) -> BoxFuture<'_, bool>;

    /// Stores one message for one recipient. `Ok` → 250; `Err(Transient)` → 451;
    /// `Err(Permanent)` → 554. `envelope_from` is empty for the null sender of a bounce.
    fn deliver<'a>(
        &'a self,
        envelope_from: &'a str,
        recipient: &'a str,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SinkError>>;
}

/// The bounds one listener keeps to, so a broken or hostile client cannot exhaust memory,
/// connections or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverLimits {
    /// The name the server gives itself in its greeting and `EHLO` reply.
    pub hostname: String,
    /// The largest message accepted, in bytes after dot-unstuffing; larger ones get 552.
    pub max_message_bytes: usize,
    /// The most recipients in one transaction; further `RCPT` commands get 452.
    pub max_recipients: usize,
    /// The longest command line, without its CRLF. RFC 5321 sets 512 octets, but extension
    /// parameters and UTF-8 addresses make longer lines legitimate.
    pub max_command_line_bytes: usize,
    /// The longest line of message text, without its CRLF. RFC 5321 asks senders to keep
    /// lines under 1,000 octets, but real mail breaks that often, and what this limit protects
    /// is memory, which `max_message_bytes` bounds as well.
    pub max_text_line_bytes: usize,
    /// How long the server waits for the next line from the client (RFC 5321 §4.5.3.2
    /// suggests five minutes).
    pub idle_timeout: Duration,
    /// How long one connection may last altogether. Checked only while waiting for input, so a
    /// message being handed to the sink is never cut off half way.
    pub session_timeout: Duration,
    /// How many connections are served at once; more are answered with 421 and closed.
    pub max_connections: usize,
    /// How many refused commands a connection may send before it is closed with 421.
    pub max_errors: usize,
}

impl Default for ReceiverLimits {
    fn default() -> Self {
        Self {
            hostname: "localhost".to_owned(),
            max_message_bytes: 25 * 1024 * 1024,
            max_recipients: 100,
            max_command_line_bytes: 4096,
            max_text_line_bytes: 64 * 1024,
            idle_timeout: Duration::from_secs(300),
            session_timeout: Duration::from_secs(30 * 60),
            max_connections: 64,
            max_errors: 20,
        }
    }
}

/// Serves connections on `listener` until `shutdown` completes.
///
/// On shutdown the listener stops accepting, connections waiting for a command are told 421
/// and closed, and a message being received or delivered is finished first, so nothing the
/// server has acknowledged is lost. Returns once every connection has ended. Errors on single
/// connections (and failed accepts) are logged, not returned: one bad client must not stop the
/// listener.
pub async fn serve(
    listener: TcpListener,
    protocol: ReceiverProtocol,
    sink: Arc<dyn MessageSink>,
    limits: ReceiverLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = Arc::new(limits);
    let (stop_sender, stop_receiver) = watch::channel(false);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let permit = Arc::clone(&slots).try_acquire_owned().ok();
                    let sink = Arc::clone(&sink);
                    let limits = Arc::clone(&limits);
                    let stop = stop_receiver.clone();
                    connections.spawn(async move {
                        let Some(permit) = permit else {
                            refuse_busy(stream, &limits).await;
                            return;
                        };
                        if let Err(error) =
                            handle_connection(stream, peer, protocol, sink, limits, stop).await
                        {
                            tracing::debug!(%peer, %error, "mail receiver connection ended with an error");
                        }
                        // The slot is held for the connection's whole life.
                        drop(permit);
                    });
                }
                Err(error) => {
                    // Accept errors (a connection reset before it was accepted, running out of
                    // file descriptors) concern one connection or pass by themselves; a short
                    // pause keeps a persistent one from spinning the loop.
                    tracing::warn!(%error, "mail receiver could not accept a connection");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(Duration::from_millis(100)) => {}
                    }
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }

    drop(listener);
    // Ignoring the error is right: it only means every connection has already ended.
    let _ = stop_sender.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

async fn refuse_busy(mut stream: TcpStream, limits: &ReceiverLimits) {
    let reply = format!(
        "421 4.3.2 {} too many connections, try again later\r\n",
        limits.hostname
    );
    let deadline = Instant::now() + limits.idle_timeout;
    // The client is being turned away; whether it reads the reason is its business.
    let _ = timeout_at(deadline, stream.write_all(reply.as_bytes())).await;
    let _ = timeout_at(deadline, stream.shutdown()).await;
}

async fn handle_connection(
    stream: TcpStream,
    peer: SocketAddr,
    protocol: ReceiverProtocol,
    sink: Arc<dyn MessageSink>,
    limits: Arc<ReceiverLimits>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // Nagle's algorithm would hold back each short reply until the previous one is
    // acknowledged, which slows every pipelined exchange for nothing.
    stream.set_nodelay(true)?;
    let (read_half, write_half) = stream.into_split();
    let mut session = Session {
        reader: BufReader::new(read_half),
        writer: write_half,
        protocol,
        sink: sink.as_ref(),
        limits: &limits,
        stop,
        deadline: Instant::now() + limits.session_timeout,
        greeted: false,
        transaction: None,
        errors: 0,
        line: Vec::new(),
    };
    tracing::debug!(%peer, ?protocol, "mail receiver connection");
    session.run().await
}

/// What the client has declared so far in the current mail transaction.
struct Transaction {
    from: String,
    recipients: Vec<String>,
}

/// How reading one line ended.
enum LineRead {
    /// A complete line, now in the buffer without its terminator; `crlf` tells whether it ended
    /// with CRLF or a bare LF.
    Line { crlf: bool },
    /// The line was longer than the limit; it has been read and thrown away. `crlf` as above.
    TooLong { crlf: bool },
    /// The client closed the connection (a partial last line is dropped).
    Eof,
}

/// Why the wait for a command ended without one.
enum Wait {
    Read(LineRead),
    TimedOut,
    Stopping,
}

/// What to do after a command.
enum Next {
    Continue,
    Close,
}

/// The reasons a message read after `DATA` cannot be accepted.
#[derive(Clone, Copy)]
enum DataProblem {
    TooBig,
    LineTooLong,
}

struct Session<'s, R, W> {
    reader: BufReader<R>,
    writer: W,
    protocol: ReceiverProtocol,
    sink: &'s dyn MessageSink,
    limits: &'s ReceiverLimits,
    stop: watch::Receiver<bool>,
    deadline: Instant,
    greeted: bool,
    transaction: Option<Transaction>,
    errors: usize,
    line: Vec<u8>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Session<'_, R, W> {
    async fn run(&mut self) -> std::io::Result<()> {
        let greeting = match self.protocol {
            ReceiverProtocol::Smtp => format!("220 {} ESMTP Sanad ready", self.limits.hostname),
            ReceiverProtocol::Lmtp => format!("220 {} LMTP Sanad ready", self.limits.hostname),
        };
        self.reply(&greeting).await?;

        loop {
            let next = match self.wait_for_command().await? {
                Wait::Read(LineRead::Eof) => return Ok(()),
                Wait::Stopping => {
                    let reply = format!("421 4.3.2 {} shutting down", self.limits.hostname);
                    self.reply(&reply).await?;
                    return Ok(());
                }
                Wait::TimedOut => {
                    let reply = format!(
                        "421 4.4.2 {} timeout, closing connection",
                        self.limits.hostname
                    );
                    self.reply(&reply).await?;
                    return Ok(());
                }
                Wait::Read(LineRead::TooLong { .. }) => {
                    let reply = format!(
                        "500 5.5.2 Line too long (the limit is {} bytes)",
                        self.limits.max_command_line_bytes
                    );
                    self.refuse(&reply).await?
                }
                Wait::Read(LineRead::Line { .. }) => self.command().await?,
            };
            if let Next::Close = next {
                return Ok(());
            }
        }
    }

    /// Waits for the next command line, giving up at the idle or session timeout or when the
    /// server shuts down.
    async fn wait_for_command(&mut self) -> std::io::Result<Wait> {
        if *self.stop.borrow() {
            return Ok(Wait::Stopping);
        }
        let deadline = self.read_deadline();
        let limit = self.limits.max_command_line_bytes;
        tokio::select! {
            // A closed channel means the server is gone, which is as good as a stop signal.
            _ = self.stop.wait_for(|stopping| *stopping) => Ok(Wait::Stopping),
            read = timeout_at(deadline, read_line(&mut self.reader, &mut self.line, limit)) => {
                match read {
                    Ok(read) => Ok(Wait::Read(read?)),
                    Err(_elapsed) => Ok(Wait::TimedOut),
                }
            }
        }
    }

    fn read_deadline(&self) -> Instant {
        (Instant::now() + self.limits.idle_timeout).min(self.deadline)
    }

    async fn command(&mut self) -> std::io::Result<Next> {
        let Ok(text) = std::str::from_utf8(&self.line) else {
            return self
                .refuse("500 5.5.2 The command is not valid UTF-8")
                .await;
        };
        let (verb, argument) = match text.split_once(' ') {
            Some((verb, argument)) => (verb, argument.trim()),
            None => (text.trim_end(), ""),
        };
        let verb = verb.to_ascii_uppercase();
        let argument = argument.to_owned();
        match (verb.as_str(), self.protocol) {
            ("EHLO", ReceiverProtocol::Smtp) | ("LHLO", ReceiverProtocol::Lmtp) => {
                self.hello(&argument, true).await
            }
            ("HELO", ReceiverProtocol::Smtp) => self.hello(&argument, false).await,
            ("EHLO" | "HELO", ReceiverProtocol::Lmtp) => {
                self.refuse("500 5.5.1 This is an LMTP server: say LHLO")
                    .await
            }
            ("LHLO", ReceiverProtocol::Smtp) => {
                self.refuse("500 5.5.1 This is an SMTP server: say EHLO or HELO")
                    .await
            }
            ("MAIL", _) => self.mail(&argument).await,
            ("RCPT", _) => self.rcpt(&argument).await,
            ("DATA", _) => self.data(&argument).await,
            ("RSET", _) => {
                self.transaction = None;
                self.ok("250 2.0.0 OK").await
            }
            ("NOOP", _) => self.ok("250 2.0.0 OK").await,
            ("QUIT", _) => {
                let reply = format!("221 2.0.0 {} closing connection", self.limits.hostname);
                self.reply(&reply).await?;
                Ok(Next::Close)
            }
            // RFC 5321 §3.5.3: a server that will not verify addresses answers 252, so the
            // client goes on and tries the delivery.
            ("VRFY", _) => {
                self.ok("252 2.5.2 Cannot verify users, but will accept mail for our recipients")
                    .await
            }
            ("EXPN", _) => {
                self.refuse("502 5.5.1 Mailing lists are not expanded here")
                    .await
            }
            ("HELP", _) => {
                self.ok("214 2.0.0 Commands: EHLO HELO LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY")
                    .await
            }
            ("STARTTLS" | "AUTH" | "BDAT" | "ETRN" | "TURN" | "ATRN", _) => {
                let reply = format!("502 5.5.1 {verb} is not offered by this server");
                self.refuse(&reply).await
            }
            ("", _) => self.refuse("500 5.5.2 Empty command").await,
            _ => self.refuse("500 5.5.2 Command not recognised").await,
        }
    }

    async fn hello(&mut self, argument: &str, extended: bool) -> std::io::Result<Next> {
        if argument.is_empty() || argument.chars().any(|c| c.is_control() || c == ' ') {
            return self
                .refuse(
                    "501 5.5.4 Give your host name or address literal, as in EHLO mail.example.sa",
                )
                .await;
        }
        // A new greeting resets the session state (RFC 5321 §4.1.4).
        self.transaction = None;
        self.greeted = true;
        let hostname = &self.limits.hostname;
        if !extended {
            let reply = format!("250 {hostname}");
            return self.ok(&reply).await;
        }
        let reply = format!(
            "250-{hostname} greets {argument}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE {}\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8",
            self.limits.max_message_bytes
        );
        self.ok(&reply).await
    }

    async fn mail(&mut self, argument: &str) -> std::io::Result<Next> {
        if !self.greeted {
            let reply = match self.protocol {
                ReceiverProtocol::Smtp => "503 5.5.1 Say EHLO or HELO first",
                ReceiverProtocol::Lmtp => "503 5.5.1 Say LHLO first",
            };
            return self.refuse(reply).await;
        }
        if self.transaction.is_some() {
            return self
                .refuse("503 5.5.1 Nested MAIL command: send RSET first")
                .await;
        }
        let Some(rest) = strip_prefix_ignore_case(argument, "FROM:") else {
            return self.refuse("501 5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        let (address, parameters) = match parse_path(rest) {
            Ok(parsed) => parsed,
            Err(problem) => {
                let reply = format!("501 5.1.7 Bad sender address: {problem}");
                return self.refuse(&reply).await;
            }
        };
        for parameter in parameters.split_whitespace() {
            let (key, value) = match parameter.split_once('=') {
                Some((key, value)) => (key.to_ascii_uppercase(), Some(value)),
                None => (parameter.to_ascii_uppercase(), None),
            };
            match (key.as_str(), value) {
                ("SIZE", Some(value)) => match value.parse::<u64>() {
                    Ok(size) if size > self.limits.max_message_bytes as u64 => {
                        let reply = format!(
                            "552 5.3.4 The message is larger than the {} bytes this server accepts",
                            self.limits.max_message_bytes
                        );
                        return self.refuse(&reply).await;
                    }
                    Ok(_) => {}
                    Err(_) => return self.refuse("501 5.5.4 SIZE needs a number of bytes").await,
                },
                ("BODY", Some(value))
                    if value.eq_ignore_ascii_case("7BIT")
                        || value.eq_ignore_ascii_case("8BITMIME") => {}
                ("SMTPUTF8", None) => {}
                _ => {
                    let reply = format!("555 5.5.4 Unsupported MAIL parameter {parameter}");
                    return self.refuse(&reply).await;
                }
            }
        }
        self.transaction = Some(Transaction {
            from: address,
            recipients: Vec::new(),
        });
        self.ok("250 2.1.0 OK").await
    }

    async fn rcpt(&mut self, argument: &str) -> std::io::Result<Next> {
        let Some(count) = self.transaction.as_ref().map(|t| t.recipients.len()) else {
            return self.refuse("503 5.5.1 Need MAIL before RCPT").await;
        };
        let Some(rest) = strip_prefix_ignore_case(argument, "TO:") else {
            return self.refuse("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let (address, parameters) = match parse_path(rest) {
            Ok(parsed) => parsed,
            Err(problem) => {
                let reply = format!("501 5.1.3 Bad recipient address: {problem}");
                return self.refuse(&reply).await;
            }
        };
        if let Some(parameter) = parameters.split_whitespace().next() {
            let reply = format!("555 5.5.4 Unsupported RCPT parameter {parameter}");
            return self.refuse(&reply).await;
        }
        if address.is_empty() {
            return self
                .refuse("501 5.1.3 The recipient address is empty")
                .await;
        }
        if !address.contains('@') && !address.eq_ignore_ascii_case("postmaster") {
            return self
                .refuse("501 5.1.3 The recipient address has no domain")
                .await;
        }
        if count >= self.limits.max_recipients {
            // A 452 is the RFC 5321 §4.5.3.1.10 answer: the client sends the rest in another
            // transaction.
            return self.refuse("452 4.5.3 Too many recipients").await;
        }
        if !self.sink.accepts_recipient(&address).await {
            let reply = format!("550 5.1.1 <{address}>: no such mailbox here");
            return self.refuse(&reply).await;
        }
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.recipients.push(address);
        }
        self.ok("250 2.1.5 OK").await
    }

    async fn data(&mut self, argument: &str) -> std::io::Result<Next> {
        if !argument.is_empty() {
            return self.refuse("501 5.5.4 DATA takes no argument").await;
        }
        let Some(transaction) = self.transaction.take() else {
            return self.refuse("503 5.5.1 Need MAIL before DATA").await;
        };
        if transaction.recipients.is_empty() {
            // The transaction stays open so a client can still add a recipient, as RFC 5321
            // allows after a failed DATA.
            self.transaction = Some(transaction);
            return self.refuse("554 5.5.1 No valid recipients").await;
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;

        let message = match self.read_message().await? {
            Some(read) => read,
            // The client went away or stalled in the middle of the message: nothing was
            // acknowledged, so nothing is delivered.
            None => return Ok(Next::Close),
        };

        let raw = match message {
            Ok(raw) => raw,
            Err(problem) => {
                let reply = match problem {
                    DataProblem::TooBig => format!(
                        "552 5.3.4 The message is larger than the {} bytes this server accepts",
                        self.limits.max_message_bytes
                    ),
                    DataProblem::LineTooLong => format!(
                        "500 5.5.2 A line of the message is longer than {} bytes",
                        self.limits.max_text_line_bytes
                    ),
                };
                // LMTP refuses the message once for each recipient, SMTP once.
                let replies = vec![reply; transaction.recipients.len()];
                return self.send_data_replies(&replies).await;
            }
        };
        let mut outcomes = Vec::with_capacity(transaction.recipients.len());
        for recipient in &transaction.recipients {
            outcomes.push(self.sink.deliver(&transaction.from, recipient, &raw).await);
        }

        let replies = match self.protocol {
            ReceiverProtocol::Lmtp => transaction
                .recipients
                .iter()
                .zip(&outcomes)
                .map(|(recipient, outcome)| match outcome {
                    Ok(()) => format!("250 2.0.0 <{recipient}> delivered"),
                    Err(SinkError::Transient(reason)) => {
                        format!(
                            "451 4.3.0 <{recipient}> temporary failure: {}",
                            one_line(reason)
                        )
                    }
                    Err(SinkError::Permanent(reason)) => {
                        format!(
                            "554 5.3.0 <{recipient}> cannot be delivered: {}",
                            one_line(reason)
                        )
                    }
                })
                .collect(),
            ReceiverProtocol::Smtp => vec![smtp_data_reply(&outcomes)],
        };
        self.send_data_replies(&replies).await
    }

    /// Sends the reply (SMTP) or replies (LMTP) that end a `DATA` exchange. A refusal of the
    /// whole message comes in once per recipient; SMTP sends only the first.
    async fn send_data_replies(&mut self, replies: &[String]) -> std::io::Result<Next> {
        let replies = match self.protocol {
            ReceiverProtocol::Lmtp => replies,
            ReceiverProtocol::Smtp => replies.get(..1).unwrap_or(replies),
        };
        let mut text = String::new();
        for reply in replies {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            text.push_str(reply);
        }
        self.reply(&text).await?;
        Ok(Next::Continue)
    }

    /// Reads the message text up to `<CRLF>.<CRLF>`, undoing dot-stuffing. `None` means the
    /// connection ended or timed out before the end; `Some(Err(..))` means the whole text was
    /// read but cannot be accepted.
    async fn read_message(&mut self) -> std::io::Result<Option<Result<Vec<u8>, DataProblem>>> {
        let limit = self.limits.max_text_line_bytes;
        let max_message = self.limits.max_message_bytes;
        let mut message = Vec::new();
        let mut problem = None;
        // The end marker counts only after a CRLF, so a bare-LF "\n.\r\n" cannot end the
        // message early: that difference between servers is what SMTP smuggling exploits.
        let mut after_crlf = true;
        loop {
            let deadline = self.read_deadline();
            let read = match timeout_at(
                deadline,
                read_line(&mut self.reader, &mut self.line, limit),
            )
            .await
            {
                Ok(read) => read?,
                Err(_elapsed) => return Ok(None),
            };
            let crlf = match read {
                LineRead::Eof => return Ok(None),
                LineRead::TooLong { crlf } => {
                    problem.get_or_insert(DataProblem::LineTooLong);
                    after_crlf = crlf;
                    continue;
                }
                LineRead::Line { crlf } => crlf,
            };
            if crlf && after_crlf && self.line == b"." {
                break;
            }
            after_crlf = crlf;
            if problem.is_some() {
                continue;
            }
            let text = match self.line.strip_prefix(b".") {
                Some(unstuffed) => unstuffed,
                None => &self.line[..],
            };
            if message.len() + text.len() + 2 > max_message {
                problem = Some(DataProblem::TooBig);
                message = Vec::new();
                continue;
            }
            message.extend_from_slice(text);
            message.extend_from_slice(b"\r\n");
        }
        Ok(Some(match problem {
            Some(problem) => Err(problem),
            None => Ok(message),
        }))
    }

    async fn ok(&mut self, reply: &str) -> std::io::Result<Next> {
        self.reply(reply).await?;
        Ok(Next::Continue)
    }

    /// Sends a refusal and counts it; a client that keeps sending what the server refuses is
    /// broken or probing, and is disconnected.
    async fn refuse(&mut self, reply: &str) -> std::io::Result<Next> {
        self.errors += 1;
        if self.errors > self.limits.max_errors {
            let reply = format!(
                "421 4.7.0 {} too many errors, closing connection",
                self.limits.hostname
            );
            self.reply(&reply).await?;
            return Ok(Next::Close);
        }
        self.reply(reply).await?;
        Ok(Next::Continue)
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        let deadline = Instant::now() + self.limits.idle_timeout;
        let mut bytes = Vec::with_capacity(text.len() + 2);
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        let write = async {
            self.writer.write_all(&bytes).await?;
            self.writer.flush().await
        };
        match timeout_at(deadline, write).await {
            Ok(result) => result,
            Err(_elapsed) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading replies",
            )),
        }
    }
}

/// The one reply SMTP gives after `DATA`. Any transient failure makes it 451 so the sending
/// server keeps the message and tries again (recipients already stored get it twice, which the
/// store's idempotency on Message-ID absorbs); otherwise any permanent failure makes it 554 so
/// the sender hears of it; otherwise 250.
fn smtp_data_reply(outcomes: &[Result<(), SinkError>]) -> String {
    let transient = outcomes.iter().find_map(|outcome| match outcome {
        Err(SinkError::Transient(reason)) => Some(reason),
        _ => None,
    });
    if let Some(reason) = transient {
        return format!(
            "451 4.3.0 Temporary failure, try again later: {}",
            one_line(reason)
        );
    }
    let permanent = outcomes.iter().find_map(|outcome| match outcome {
        Err(SinkError::Permanent(reason)) => Some(reason),
        _ => None,
    });
    if let Some(reason) = permanent {
        return format!(
            "554 5.3.0 The message cannot be delivered: {}",
            one_line(reason)
        );
    }
    "250 2.0.0 OK: message accepted".to_owned()
}

/// A sink's explanation, made safe for a reply line: no line breaks, no control characters,
/// and short.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits `<address> PARAM=VALUE…` into the address and the parameter text. Accepts a path
/// without angle brackets, as lenient servers do, and drops an RFC 5321 source route
/// (`<@relay.example.sa:user@example.sa>`).
fn parse_path(text: &str) -> Result<(String, &str), &'static str> {
    let text = text.trim_start();
    let (address, rest) = if let Some(inner) = text.strip_prefix('<') {
        let mut in_quotes = false;
        let mut escaped = false;
        let mut end = None;
        for (index, c) in inner.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_quotes => escaped = true,
                '"' => in_quotes = !in_quotes,
                '>' if !in_quotes => {
                    end = Some(index);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or("missing closing '>'")?;
        (&inner[..end], &inner[end + 1..])
    } else {
        match text.split_once(' ') {
            Some((address, rest)) => (address, rest),
            None => (text, ""),
        }
    };
    if !rest.is_empty() && !rest.starts_with(' ') {
        return Err("parameters must be separated from the address by a space");
    }
    let address = match address.strip_prefix('@') {
        Some(route) => route
            .split_once(':')
            .map(|(_, mailbox)| mailbox)
            .ok_or("malformed source route")?,
        None => address,
    };
    if address.len() > 254 {
        return Err("longer than 254 characters");
    }
    if address.chars().any(|c| c.is_control()) {
        return Err("contains control characters");
    }
    if address.contains(' ') && !address.contains('"') {
        return Err("contains a space");
    }
    Ok((address.to_owned(), rest))
}

/// Reads one line into `line` (cleared first), without its terminator, reading at most
/// `max` bytes of it into memory: the rest of an over-long line is consumed and dropped so the
/// stream stays in step with the client. Commands the client pipelined after the line stay in
/// the reader's buffer for the next call.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    line.clear();
    let mut too_long = false;
    // The byte before the newline, which may have come in an earlier chunk than the newline.
    let mut last_byte = None;
    let crlf = loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(LineRead::Eof);
        }
        let (chunk, complete) = match available.iter().position(|&byte| byte == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let used = chunk.len();
        let before_newline = if used >= 2 {
            chunk.get(used - 2).copied()
        } else {
            last_byte
        };
        let crlf = complete && before_newline == Some(b'\r');
        last_byte = chunk.last().copied();
        // Room for the terminator is allowed on top of `max`; the exact check comes below.
        if !too_long && line.len() + used <= max + 2 {
            line.extend_from_slice(chunk);
        } else if !too_long {
            too_long = true;
            line.clear();
        }
        reader.consume(used);
        if complete {
            break crlf;
        }
    };
    if too_long {
        return Ok(LineRead::TooLong { crlf });
    }
    line.pop();
    if crlf {
        line.pop();
    }
    if line.len() > max {
        line.clear();
        return Ok(LineRead::TooLong { crlf });
    }
    Ok(LineRead::Line { crlf })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_and_without_brackets() {
        assert_eq!(
            parse_path("<support@example.sa>"),
            Ok(("support@example.sa".to_owned(), ""))
        );
        assert_eq!(
            parse_path("<support@example.sa> SIZE=100"),
            Ok(("support@example.sa".to_owned(), " SIZE=100"))
        );
        assert_eq!(parse_path("<>"), Ok((String::new(), "")));
        assert_eq!(
            parse_path(" support@example.sa"),
            Ok(("support@example.sa".to_owned(), ""))
        );
        assert_eq!(
            parse_path("<@relay.example.sa:support@example.sa>"),
            Ok(("support@example.sa".to_owned(), ""))
        );
        assert_eq!(
            parse_path("<\"odd>name\"@example.sa>"),
            Ok(("\"odd>name\"@example.sa".to_owned(), ""))
        );
        assert!(parse_path("<support@example.sa").is_err());
        assert!(parse_path("<support@example.sa>SIZE=1").is_err());
    }

    #[test]
    fn smtp_reply_prefers_retry_over_bounce() {
        let transient = Err(SinkError::Transient("database down".to_owned()));
        let permanent = Err(SinkError::Permanent("unreadable".to_owned()));
        assert!(smtp_data_reply(&[Ok(()), Ok(())]).starts_with("250 "));
        assert!(smtp_data_reply(&[Ok(()), permanent.clone()]).starts_with("554 "));
        assert!(smtp_data_reply(&[permanent, transient, Ok(())]).starts_with("451 "));
    }

    #[tokio::test]
    async fn long_lines_are_dropped_and_the_stream_stays_in_step() {
        let input = b"NOOP\r\nXXXXXXXXXXXXXXXXXXXX\r\nQUIT\nrest".to_vec();
        let mut reader = BufReader::with_capacity(4, &input[..]);
        let mut line = Vec::new();
        assert!(matches!(
            read_line(&mut reader, &mut line, 10).await,
            Ok(LineRead::Line { crlf: true })
        ));
        assert_eq!(line, b"NOOP");
        assert!(matches!(
            read_line(&mut reader, &mut line, 10).await,
            Ok(LineRead::TooLong { crlf: true })
        ));
        assert!(matches!(
            read_line(&mut reader, &mut line, 10).await,
            Ok(LineRead::Line { crlf: false })
        ));
        assert_eq!(line, b"QUIT");
        assert!(matches!(
            read_line(&mut reader, &mut line, 10).await,
            Ok(LineRead::Eof)
        ));

        // A CR that ends one buffer-full and the LF that starts the next still make a CRLF.
        let input = b"ABC\r\n".to_vec();
        let mut reader = BufReader::with_capacity(4, &input[..]);
        assert!(matches!(
            read_line(&mut reader, &mut line, 10).await,
            Ok(LineRead::Line { crlf: true })
        ));
        assert_eq!(line, b"ABC");
    }
}
