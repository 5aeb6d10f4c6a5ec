//! A real mail server for tests: Debian's Dovecot for IMAP and LMTP, and an SMTP front (the
//! PyPI package aiosmtpd) that relays each accepted message into Dovecot over LMTP.
//!
//! Every [`MailServer`] is a private instance: its own temporary directory holding the Dovecot
//! configuration, a passwd-file with plain passwords, the maildirs, the logs and the sockets,
//! and its own ports on 127.0.0.1. Ports are picked at random below Linux's ephemeral range
//! (32768 and up) and checked free, so parallel tests, in one process or several, neither
//! collide nor meet a client's outgoing connection on a port the SMTP front has let go while
//! it is stopped. A start that loses a race for a port simply tries other ports.
//!
//! Both servers also speak TLS, with a certificate for `localhost` and 127.0.0.1 from a CA the
//! harness makes for each instance ([`MailServer::tls_root_pem`]): Dovecot offers STARTTLS on
//! the IMAP port and implicit TLS on a second port, the SMTP front STARTTLS on its port and
//! implicit TLS on a second one.
//!
//! Both servers are started through a pipe on their standard input that only this process
//! holds: when the [`MailServer`] is dropped, or the test process dies however it dies, the pipe
//! closes and the servers stop, so no test leaves a mail server behind.
//!
//! Needs `/usr/sbin/dovecot` (packages dovecot-imapd and dovecot-lmtpd) and `python3` with
//! aiosmtpd, and `openssl`; `.ci/mail-deps` installs them. Written for Dovecot 2.3 (Debian 12).
//!
//! Include it with `#[path = "…/channels/tests/support/mail_server.rs"] mod mail_server;`. It
//! uses only std, tokio and sanad-channels.
#![allow(dead_code)]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sanad_channels::Secret;
use sanad_channels::email::imap::ImapSettings;
pub use sanad_channels::email::smtp::{SmtpSettings, TransportSecurity};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The mailboxes [`MailServer::start`] creates, with their passwords.
pub const DEFAULT_USERS: &[(&str, &str)] = &[
    ("support@example.sa", "support-password"),
    ("requester@example.sa", "requester-password"),
];

/// How long the harness waits for a server to come up or a mailbox to fill before failing
/// the test.
const START_TIMEOUT: Duration = Duration::from_secs(30);

const DOVECOT: &str = "/usr/sbin/dovecot";

/// A running Dovecot and SMTP front, stopped and deleted on drop.
pub struct MailServer {
    id: String,
    dir: PathBuf,
    users: Vec<(String, String)>,
    imap_port: u16,
    imaps_port: u16,
    lmtp_port: u16,
    smtp_port: u16,
    smtps_port: u16,
    dovecot: Option<Supervised>,
    smtp: Mutex<Option<Supervised>>,
    /// Whether Dovecot advertises IDLE (it always understands it).
    advertise_idle: bool,
}

/// A child process that stops when its standard input closes.
struct Supervised {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Supervised {
    /// Closes the pipe, waits up to `grace` for the process to end, then kills it.
    fn stop(mut self, grace: Duration) {
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if Instant::now() >= deadline => break,
                // Drop cannot await; a short blocking poll for a process that is already on
                // its way out is the only way to wait for it here.
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl MailServer {
    /// Starts a server with the [`DEFAULT_USERS`].
    pub async fn start() -> MailServer {
        Self::start_with_users(DEFAULT_USERS).await
    }

    /// Starts a server with these mailboxes (address, password). Addresses are matched without
    /// regard to case. Panics with the servers' logs when they cannot be started.
    pub async fn start_with_users(users: &[(&str, &str)]) -> MailServer {
        Self::launch(users, true).await
    }

    /// Starts a server with the [`DEFAULT_USERS`] whose IMAP capabilities leave out IDLE, as
    /// some providers' do, so clients must poll.
    pub async fn start_without_idle() -> MailServer {
        Self::launch(DEFAULT_USERS, false).await
    }

    async fn launch(users: &[(&str, &str)], advertise_idle: bool) -> MailServer {
        for (address, password) in users {
            assert!(
                address.contains('@')
                    && !address.contains([':', '\n', ' '])
                    && !password.contains([':', '\n']),
                "mail_server: {address:?} or its password cannot go into a passwd-file"
            );
        }
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let id = format!(
            "{}-{}-{:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            random() % 0x10000
        );
        remove_abandoned_dirs();
        let dir = std::env::temp_dir().join(format!("sanad-mail-{id}"));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["run", "state"] {
            std::fs::create_dir_all(dir.join(sub))
                .expect("mail_server: create the server directory");
        }
        // Dovecot delivers and reads mail as its own unprivileged user (it refuses to do so as
        // root), so the mail and home directories must be writable by it.
        for sub in ["mail", "home"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).expect("mail_server: create the mail directory");
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777))
                .expect("mail_server: open the mail directory to Dovecot's user");
        }
        let passwd: String = users
            .iter()
            .map(|(address, password)| {
                format!("{}:{{PLAIN}}{password}::::::\n", address.to_lowercase())
            })
            .collect();
        std::fs::write(dir.join("passwd"), passwd).expect("mail_server: write the passwd-file");
        let addresses: String = users
            .iter()
            .map(|(address, _)| format!("{}\n", address.to_lowercase()))
            .collect();
        std::fs::write(dir.join("users"), addresses).expect("mail_server: write the user list");
        std::fs::write(dir.join("smtp_front.py"), SMTP_FRONT)
            .expect("mail_server: write the SMTP front");
        make_certificates(&dir);

        let mut server = MailServer {
            id,
            dir,
            users: users
                .iter()
                .map(|(a, p)| (a.to_lowercase(), (*p).to_owned()))
                .collect(),
            imap_port: 0,
            imaps_port: 0,
            lmtp_port: 0,
            smtp_port: 0,
            smtps_port: 0,
            dovecot: None,
            smtp: Mutex::new(None),
            advertise_idle,
        };
        server.start_dovecot().await;
        (server.smtp_port, server.smtps_port) = server.launch_smtp(None).await;
        server
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp_port
    }

    pub fn imap_port(&self) -> u16 {
        self.imap_port
    }

    /// The IMAP port with implicit TLS (what port 993 is in production).
    pub fn imaps_port(&self) -> u16 {
        self.imaps_port
    }

    /// The SMTP port with implicit TLS (what port 465 is in production).
    pub fn smtps_port(&self) -> u16 {
        self.smtps_port
    }

    /// The PEM of the CA that issued the servers' certificate, to trust in TLS tests.
    pub fn tls_root_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.pem")).expect("mail_server: read ca.pem")
    }

    pub fn lmtp_port(&self) -> u16 {
        self.lmtp_port
    }

    /// The directory holding the configuration, logs and maildirs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn password(&self, user: &str) -> &str {
        let user = user.to_lowercase();
        self.users
            .iter()
            .find(|(address, _)| *address == user)
            .map(|(_, password)| password.as_str())
            .unwrap_or_else(|| panic!("mail_server: no mailbox {user} on this server"))
    }

    /// Settings for reading `user`'s INBOX over plain IMAP.
    pub fn imap_settings(&self, user: &str, password: &str) -> ImapSettings {
        ImapSettings {
            host: "127.0.0.1".to_owned(),
            port: self.imap_port,
            security: TransportSecurity::Plain,
            username: user.to_owned(),
            password: Secret::new(password),
            folder: "INBOX".to_owned(),
            poll_seconds: 60,
        }
    }

    /// Settings for reading `user`'s INBOX over TLS (`Tls` or `StartTls`), addressed as
    /// `localhost` so the certificate's name is checked.
    pub fn imap_tls_settings(
        &self,
        user: &str,
        password: &str,
        security: TransportSecurity,
    ) -> ImapSettings {
        let port = match security {
            TransportSecurity::Tls => self.imaps_port,
            TransportSecurity::StartTls | TransportSecurity::Plain => self.imap_port,
        };
        ImapSettings {
            host: "localhost".to_owned(),
            port,
            security,
            ..self.imap_settings(user, password)
        }
    }

    /// Settings for sending through the SMTP front (plain, no authentication).
    pub fn smtp_settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: self.smtp_port,
            security: TransportSecurity::Plain,
            username: None,
            password: None,
            timeout_seconds: 10,
        }
    }

    /// Settings for sending through the SMTP front over TLS (`Tls` or `StartTls`), addressed
    /// as `localhost` so the certificate's name is checked.
    pub fn smtp_tls_settings(&self, security: TransportSecurity) -> SmtpSettings {
        let port = match security {
            TransportSecurity::Tls => self.smtps_port,
            TransportSecurity::StartTls | TransportSecurity::Plain => self.smtp_port,
        };
        SmtpSettings {
            host: "localhost".to_owned(),
            port,
            security,
            ..self.smtp_settings()
        }
    }

    /// Stops the SMTP front at once (as a crash would), leaving Dovecot running. Connections
    /// in progress are cut.
    pub fn stop_smtp(&self) {
        let running = self
            .smtp
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .take();
        if let Some(process) = running {
            process.kill();
        }
    }

    /// Starts the SMTP front again on the same port, and returns once it answers.
    pub async fn start_smtp(&self) {
        let running = self
            .smtp
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .is_some();
        if !running {
            self.launch_smtp(Some((self.smtp_port, self.smtps_port)))
                .await;
        }
    }

    /// Every message in `user`'s INBOX, raw, oldest first. Reading does not mark them seen.
    pub async fn fetch_all(&self, user: &str) -> Vec<Vec<u8>> {
        let mut imap = self.imap_login(user).await;
        imap.command("EXAMINE INBOX")
            .await
            .expect("mail_server: EXAMINE INBOX");
        let (_, literals) = imap
            .command("UID FETCH 1:* (BODY.PEEK[])")
            .await
            .expect("mail_server: UID FETCH");
        imap.logout().await;
        literals
    }

    /// How many messages are in `user`'s INBOX.
    pub async fn count(&self, user: &str) -> usize {
        let mut imap = self.imap_login(user).await;
        let (lines, _) = imap
            .command("STATUS INBOX (MESSAGES)")
            .await
            .expect("mail_server: STATUS INBOX");
        imap.logout().await;
        lines
            .iter()
            .find_map(|line| {
                let rest = line.split("MESSAGES ").nth(1)?;
                rest.trim_end_matches([')', '\r', '\n']).trim().parse().ok()
            })
            .unwrap_or_else(|| panic!("mail_server: no message count in {lines:?}"))
    }

    /// How many messages in `user`'s INBOX are not marked `\Seen`.
    pub async fn unseen_count(&self, user: &str) -> usize {
        let mut imap = self.imap_login(user).await;
        imap.command("EXAMINE INBOX")
            .await
            .expect("mail_server: EXAMINE INBOX");
        let (lines, _) = imap
            .command("UID SEARCH UNSEEN")
            .await
            .expect("mail_server: SEARCH");
        imap.logout().await;
        lines
            .iter()
            .filter_map(|line| line.strip_prefix("* SEARCH"))
            .map(|uids| uids.split_whitespace().count())
            .sum()
    }

    /// Waits until `user`'s INBOX holds at least `count` messages, then returns them all.
    /// Panics after `timeout`, saying how many arrived.
    pub async fn wait_for_count(
        &self,
        user: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(10);
        loop {
            let have = self.count(user).await;
            if have >= count {
                return self.fetch_all(user).await;
            }
            assert!(
                Instant::now() < deadline,
                "mail_server: {user} has {have} messages after {timeout:?}, expected {count}"
            );
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Sends a raw message through the SMTP front. `Ok` holds the server's final reply,
    /// `Err` the first reply that refused the message (or the connection error).
    pub async fn send_raw(&self, from: &str, to: &[&str], raw: &[u8]) -> Result<String, String> {
        smtp_send(self.smtp_port, "EHLO", from, to, raw)
            .await
            .and_then(|mut replies| replies.pop().ok_or_else(|| "no reply".to_owned()))
    }

    /// Hands a raw message straight to Dovecot over LMTP, bypassing the SMTP front. Returns
    /// one reply per recipient.
    pub async fn deliver_lmtp(
        &self,
        from: &str,
        to: &[&str],
        raw: &[u8],
    ) -> Result<Vec<String>, String> {
        smtp_send(self.lmtp_port, "LHLO", from, to, raw).await
    }

    /// The Dovecot and SMTP front logs, for a failing test's message.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for name in ["dovecot.out", "dovecot.log", "smtp.log"] {
            let content = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            text.push_str(&format!("--- {name}\n{content}\n"));
        }
        text
    }

    async fn imap_login(&self, user: &str) -> ImapProbe {
        let password = self.password(user).to_owned();
        ImapProbe::login(self.imap_port, user, &password)
            .await
            .unwrap_or_else(|error| panic!("mail_server: IMAP login as {user}: {error}"))
    }

    async fn start_dovecot(&mut self) {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let imap_port = free_port(&[]);
            let imaps_port = free_port(&[imap_port]);
            let lmtp_port = free_port(&[imap_port, imaps_port]);
            std::fs::write(
                self.dir.join("dovecot.conf"),
                self.dovecot_config(imap_port, imaps_port, lmtp_port),
            )
            .expect("mail_server: write dovecot.conf");
            let _ = std::fs::remove_file(self.dir.join("dovecot.log"));
            let out = std::fs::File::create(self.dir.join("dovecot.out"))
                .expect("mail_server: create dovecot.out");
            let err = out.try_clone().expect("mail_server: clone dovecot.out");
            // The shell runs Dovecot in the foreground of nothing: it waits on its own standard
            // input, and when that closes (this process dropped the server or died) it stops
            // Dovecot and waits for it.
            let child = Command::new("sh")
                .arg("-c")
                .arg(r#""$0" -F -c "$1" </dev/null & pid=$!; cat >/dev/null; kill -TERM "$pid" 2>/dev/null; wait "$pid""#)
                .arg(DOVECOT)
                .arg(self.dir.join("dovecot.conf"))
                .stdin(Stdio::piped())
                .stdout(Stdio::from(out))
                .stderr(Stdio::from(err))
                .spawn()
                .unwrap_or_else(|error| panic!("mail_server: cannot start {DOVECOT} (run .ci/mail-deps): {error}"));
            let mut process = Supervised { stdin: None, child };
            process.stdin = process.child.stdin.take();

            let imap_greeting = format!("Sanad test {} ready", self.id);
            let lmtp_greeting = format!("220 sanad-test-{} ", self.id);
            let deadline = Instant::now() + START_TIMEOUT;
            let mut pause = Duration::from_millis(10);
            let outcome = loop {
                if greets(imap_port, &imap_greeting).await
                    && greets(lmtp_port, &lmtp_greeting).await
                {
                    break Ok(());
                }
                let log = format!(
                    "{}{}",
                    std::fs::read_to_string(self.dir.join("dovecot.out")).unwrap_or_default(),
                    std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
                );
                if log.contains("Fatal:") || process.has_exited() {
                    break Err(log);
                }
                if Instant::now() >= deadline {
                    break Err(format!("no greeting after {START_TIMEOUT:?}\n{log}"));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(100));
            };
            match outcome {
                Ok(()) => {
                    self.imap_port = imap_port;
                    self.imaps_port = imaps_port;
                    self.lmtp_port = lmtp_port;
                    self.dovecot = Some(process);
                    return;
                }
                Err(log) => {
                    process.stop(Duration::from_secs(10));
                    let lost_port_race = log.to_lowercase().contains("address already in use");
                    assert!(
                        lost_port_race && attempts < 10,
                        "mail_server: Dovecot did not start (attempt {attempts}):\n{log}"
                    );
                }
            }
        }
    }

    fn dovecot_config(&self, imap_port: u16, imaps_port: u16, lmtp_port: u16) -> String {
        let dir = self.dir.display();
        let id = &self.id;
        // Dovecot's own list without IDLE; the empty setting keeps its default list.
        let capability = if self.advertise_idle {
            ""
        } else {
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS NAMESPACE CHILDREN"
        };
        format!(
            r#"# A private Dovecot for one test, written by crates/channels/tests/support/mail_server.rs.
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = sanad-test-{id}
hostname = sanad-test-{id}
login_greeting = Sanad test {id} ready
log_path = {dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/server.pem
ssl_key = <{dir}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
# The master and its helpers run as root (the container's only user); the login processes
# refuse root, so they use the unprivileged user the Debian package creates.
default_internal_user = root
default_internal_group = root
default_login_user = dovenull
mail_location = maildir:{dir}/mail/%Ld/%Ln
{capability}
# Tests need speed, not durability.
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {dir}/passwd
}}
# Dovecot never touches mail as root, so mailboxes belong to the package's dovecot user, a
# system user with a low uid that the default first_valid_uid (500) would refuse.
first_valid_uid = 1
first_valid_gid = 1
userdb {{
  driver = passwd-file
  args = username_format=%Lu {dir}/passwd
  default_fields = uid=dovecot gid=dovecot home={dir}/home/%Ld/%Ln
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"#
        )
    }

    /// Starts the SMTP front on `ports` (plain with STARTTLS, implicit TLS), or on free ports
    /// when `None`, and returns the ports once the server answers with its greeting.
    async fn launch_smtp(&self, ports: Option<(u16, u16)>) -> (u16, u16) {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let taken = [self.imap_port, self.imaps_port, self.lmtp_port];
            let (candidate, tls_candidate) = ports.unwrap_or_else(|| {
                let plain = free_port(&taken);
                (plain, free_port(&[taken[0], taken[1], taken[2], plain]))
            });
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join("smtp.log"))
                .expect("mail_server: open smtp.log");
            let err = log.try_clone().expect("mail_server: clone smtp.log");
            let child = Command::new("python3")
                .arg(self.dir.join("smtp_front.py"))
                .arg(candidate.to_string())
                .arg(tls_candidate.to_string())
                .arg(self.lmtp_port.to_string())
                .arg(self.dir.join("users"))
                .arg(format!("sanad-smtp-{}", self.id))
                .arg(self.dir.join("server.pem"))
                .arg(self.dir.join("server.key"))
                .stdin(Stdio::piped())
                .stdout(Stdio::from(log))
                .stderr(Stdio::from(err))
                .spawn()
                .unwrap_or_else(|error| {
                    panic!("mail_server: cannot start python3 (run .ci/mail-deps): {error}")
                });
            let mut process = Supervised { stdin: None, child };
            process.stdin = process.child.stdin.take();

            let greeting = format!("220 sanad-smtp-{} ", self.id);
            let deadline = Instant::now() + START_TIMEOUT;
            let mut pause = Duration::from_millis(10);
            let exit = loop {
                if greets(candidate, &greeting).await {
                    break None;
                }
                if process.has_exited() {
                    break Some(self.logs());
                }
                if Instant::now() >= deadline {
                    break Some(format!(
                        "no greeting after {START_TIMEOUT:?}\n{}",
                        self.logs()
                    ));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(100));
            };
            match exit {
                None => {
                    *self
                        .smtp
                        .lock()
                        .unwrap_or_else(|poison| poison.into_inner()) = Some(process);
                    return (candidate, tls_candidate);
                }
                Some(log) => {
                    process.kill();
                    // A fixed port that is taken cannot be helped; a random one is retried.
                    assert!(
                        ports.is_none()
                            && log.to_lowercase().contains("address already in use")
                            && attempts < 10,
                        "mail_server: the SMTP front did not start on ports {candidate} and {tls_candidate}:\n{log}"
                    );
                }
            }
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop_smtp();
        let mut dovecot = self.dovecot.take();
        if let Some(dovecot) = dovecot.as_mut() {
            // Closing the pipe starts Dovecot's shutdown now, whatever becomes of the thread.
            drop(dovecot.stdin.take());
        }
        let dir = self.dir.clone();
        let keep = std::env::var_os("SANAD_KEEP_MAIL_DIRS").is_some();
        // Dovecot takes about a second to shut down cleanly. The test need not wait for it: a
        // thread does, then deletes the directory. Should the test process exit first, Dovecot
        // still stops (its pipe is closed) and the next harness start deletes the directory.
        std::thread::spawn(move || {
            if let Some(dovecot) = dovecot {
                dovecot.stop(Duration::from_secs(10));
            }
            if !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
        });
    }
}

/// Makes a CA and a certificate it issues for `localhost` and 127.0.0.1, valid for a week:
/// `ca.pem` for clients to trust, `server.pem` and `server.key` for the servers.
fn make_certificates(dir: &Path) {
    let script = r#"
set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
  -keyout ca.key -out ca.pem -subj "/CN=Sanad test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
  -extfile server.ext -out server.pem
"#;
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| {
            panic!("mail_server: cannot run openssl (run .ci/mail-deps): {error}")
        });
    assert!(
        output.status.success(),
        "mail_server: making the test certificates failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Deletes the directories of servers whose test process died without dropping them (killed
/// by a signal); their servers stopped with it, through the closed pipe.
fn remove_abandoned_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("sanad-mail-"))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A random number, from the standard library's per-process random hash keys.
fn random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// A port between 20000 and 32767 that nothing listens on right now.
fn free_port(taken: &[u16]) -> u16 {
    loop {
        let port = 20_000 + (random() % 12_768) as u16;
        if !taken.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Does a server answer on `port` with a first line containing `expected`?
async fn greets(port: u16, expected: &str) -> bool {
    let Ok(Ok(stream)) = tokio::time::timeout(
        Duration::from_secs(2),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    else {
        return false;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    matches!(
        tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await,
        Ok(Ok(_))
    ) && line.contains(expected)
}

/// Sends one message over SMTP (`hello` = "EHLO") or LMTP ("LHLO") and returns the replies
/// after the data: one for SMTP, one per recipient for LMTP.
async fn smtp_send(
    port: u16,
    hello: &str,
    from: &str,
    to: &[&str],
    raw: &[u8],
) -> Result<Vec<String>, String> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|error| format!("connect to port {port}: {error}"))?;
    let (read_half, mut writer) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    let expect = |reply: String, code: &str| {
        if reply.starts_with(code) {
            Ok(reply)
        } else {
            Err(reply)
        }
    };

    expect(read_reply(&mut reader).await?, "220")?;
    for (command, code) in [
        (format!("{hello} harness.example.sa"), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
    ] {
        write(&mut writer, command.as_bytes()).await?;
        expect(read_reply(&mut reader).await?, code)?;
    }
    for recipient in to {
        write(&mut writer, format!("RCPT TO:<{recipient}>").as_bytes()).await?;
        expect(read_reply(&mut reader).await?, "250")?;
    }
    write(&mut writer, b"DATA").await?;
    expect(read_reply(&mut reader).await?, "354")?;
    let mut data = Vec::with_capacity(raw.len() + 16);
    for line in raw.split_inclusive(|&byte| byte == b'\n') {
        if line.starts_with(b".") {
            data.push(b'.');
        }
        data.extend_from_slice(line);
    }
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".");
    write(&mut writer, &data).await?;
    let count = if hello == "LHLO" { to.len() } else { 1 };
    let mut replies = Vec::with_capacity(count);
    for _ in 0..count {
        replies.push(expect(read_reply(&mut reader).await?, "250")?);
    }
    let _ = write(&mut writer, b"QUIT").await;
    Ok(replies)
}

async fn write(writer: &mut OwnedWriteHalf, line: &[u8]) -> Result<(), String> {
    let mut bytes = line.to_vec();
    bytes.extend_from_slice(b"\r\n");
    writer
        .write_all(&bytes)
        .await
        .map_err(|error| format!("write: {error}"))
}

/// Reads one SMTP reply, joining the lines of a multi-line one with newlines.
async fn read_reply(reader: &mut BufReader<OwnedReadHalf>) -> Result<String, String> {
    let mut reply = String::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(30), reader.read_line(&mut line))
            .await
            .map_err(|_| format!("no reply within 30 s (so far: {reply:?})"))?
            .map_err(|error| format!("read: {error}"))?;
        if read == 0 {
            return Err(format!("connection closed (so far: {reply:?})"));
        }
        let line = line.trim_end();
        if !reply.is_empty() {
            reply.push('\n');
        }
        reply.push_str(line);
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return Ok(reply);
        }
    }
}

/// A minimal IMAP client for looking into mailboxes from tests.
struct ImapProbe {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    next_tag: u32,
}

impl ImapProbe {
    async fn login(port: u16, user: &str, password: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|error| format!("connect: {error}"))?;
        let (read_half, writer) = stream.into_split();
        let mut probe = ImapProbe {
            reader: BufReader::new(read_half),
            writer,
            next_tag: 1,
        };
        let mut greeting = Vec::new();
        probe.read_line(&mut greeting).await?;
        probe
            .command(&format!("LOGIN {} {}", quote(user), quote(password)))
            .await?;
        Ok(probe)
    }

    /// Runs one command; returns the untagged lines and the literals, in order.
    async fn command(&mut self, command: &str) -> Result<(Vec<String>, Vec<Vec<u8>>), String> {
        let tag = format!("h{}", self.next_tag);
        self.next_tag += 1;
        self.writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .await
            .map_err(|error| format!("write: {error}"))?;
        let mut lines = Vec::new();
        let mut literals = Vec::new();
        loop {
            let mut line = Vec::new();
            self.read_line(&mut line).await?;
            let text = String::from_utf8_lossy(&line).into_owned();
            if let Some(status) = text.strip_prefix(&format!("{tag} ")) {
                return if status.starts_with("OK") {
                    Ok((lines, literals))
                } else {
                    Err(format!("{command}: {}", status.trim_end()))
                };
            }
            // A line ending in {N} is followed by N bytes of literal data, then the rest of
            // the response on further lines.
            if let Some(size) = text
                .trim_end()
                .strip_suffix('}')
                .and_then(|head| head.rsplit_once('{'))
                .and_then(|(_, size)| size.parse::<usize>().ok())
            {
                let mut literal = vec![0; size];
                tokio::time::timeout(
                    Duration::from_secs(30),
                    self.reader.read_exact(&mut literal),
                )
                .await
                .map_err(|_| "literal not received within 30 s".to_owned())?
                .map_err(|error| format!("read literal: {error}"))?;
                literals.push(literal);
            }
            lines.push(text);
        }
    }

    async fn read_line(&mut self, line: &mut Vec<u8>) -> Result<(), String> {
        let read =
            tokio::time::timeout(Duration::from_secs(30), self.reader.read_until(b'\n', line))
                .await
                .map_err(|_| "no IMAP response within 30 s".to_owned())?
                .map_err(|error| format!("read: {error}"))?;
        if read == 0 {
            return Err("the IMAP server closed the connection".to_owned());
        }
        Ok(())
    }

    async fn logout(mut self) {
        let _ = self.command("LOGOUT").await;
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The SMTP front: aiosmtpd accepting mail for the harness's users and relaying each message
/// into Dovecot over LMTP before it answers, so a 250 means the message is in the mailbox.
const SMTP_FRONT: &str = r#"
import asyncio, os, smtplib, ssl, sys, threading, uuid
from aiosmtpd.smtp import SMTP

port, tls_port, lmtp_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
users_file, hostname, cert, key = sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
with open(users_file) as f:
    USERS = {line.strip().lower() for line in f if line.strip()}

def watch_harness():
    # The harness holds the other end of stdin: when it drops the server or dies, stop.
    sys.stdin.buffer.read()
    os._exit(0)

threading.Thread(target=watch_harness, daemon=True).start()

def relay(mail_from, rcpt_tos, content):
    with smtplib.LMTP("127.0.0.1", lmtp_port, timeout=30) as lmtp:
        return lmtp.sendmail(mail_from, rcpt_tos, content)

class Relay:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() not in USERS:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        try:
            refused = await loop.run_in_executor(
                None, relay, envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                return "554 5.1.1 Delivery refused: %r" % (error.recipients,)
            return "451 4.3.0 Delivery failed, try again: %r" % (error.recipients,)
        except (smtplib.SMTPException, OSError) as error:
            return "451 4.3.0 Relay to LMTP failed: %s" % (error,)
        if refused:
            return "451 4.3.0 Some recipients failed, try again: %r" % (refused,)
        return "250 2.0.0 Ok: queued as %s" % uuid.uuid4().hex[:12].upper()

async def main():
    loop = asyncio.get_running_loop()
    # The implicit-TLS port is bound first, so both are listening once the plain port greets.
    tls_server = await loop.create_server(
        lambda: SMTP(Relay(), hostname=hostname, ident="Sanad test SMTP", enable_SMTPUTF8=True),
        "127.0.0.1", tls_port, reuse_address=True, ssl=context)
    server = await loop.create_server(
        lambda: SMTP(Relay(), hostname=hostname, ident="Sanad test SMTP", enable_SMTPUTF8=True,
                     tls_context=context),
        "127.0.0.1", port, reuse_address=True)
    print("listening on", port, "and", tls_port, flush=True)
    await asyncio.gather(server.serve_forever(), tls_server.serve_forever())

asyncio.run(main())
"#;
