//! Sanad's configuration: every key declared once, typed and documented here.
//!
//! Sources, later ones winning: built-in defaults, the TOML file (`--config`, or `sanad.toml`
//! when present), environment variables `SANAD_<KEY>` (e.g. `SANAD_DATABASE_URL`), and
//! command-line flags. The result is validated before anything starts.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use sanad_store::DatabaseUrl;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The keys of [`RawConfig`], the only `SANAD_*` environment variables read as configuration.
/// Other `SANAD_*` variables (a test harness's, another tool's) are ignored rather than refused.
/// A unit test checks that this list and the struct agree.
const CONFIG_KEYS: &[&str] = &[
    "database_url",
    "listen",
    "public_url",
    "attachments",
    "max_request_bytes",
    "request_timeout_seconds",
    "timer_sweep_seconds",
    "outbox_poll_seconds",
    "digest_enabled",
    "digest_weekday",
    "digest_hour",
    "digest_poll_seconds",
    "mail_domain",
    "mail_receiver_listen",
    "mail_receiver_protocol",
    "log_format",
    "log_filter",
];

/// The raw configuration as read from its sources, before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Where the data lives: `sqlite://PATH` (created if absent) or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// The address `sanad serve` listens on.
    pub listen: String,
    /// The address people use to reach Sanad, e.g. `https://support.example.sa`. Links in
    /// messages start with it, and when it is `https://` every cookie is marked `Secure`.
    pub public_url: String,
    /// Where attachment files are kept: a local directory (`file:PATH`, or just a path) or an
    /// S3-compatible bucket (`s3://BUCKET/PREFIX`, credentials and endpoint from the standard
    /// `AWS_*` environment variables).
    pub attachments: String,
    /// The largest request body accepted, in bytes.
    pub max_request_bytes: usize,
    /// Seconds a request may take before it is answered with 503.
    pub request_timeout_seconds: u64,
    /// Seconds between two sweeps of due service-level timers (alerts, breaches, escalations).
    pub timer_sweep_seconds: u64,
    /// Seconds between two passes of the outbox worker, which delivers notifications to
    /// requesters (e-mail, WhatsApp, X, Messenger, SMS) and retries failed ones.
    pub outbox_poll_seconds: u64,
    /// Whether the weekly digest of the reports is mailed to each organization's directors and
    /// executives, through the organization's own e-mail channel.
    pub digest_enabled: bool,
    /// The day the weekly digest goes out, in each organization's time zone: `sunday` …
    /// `saturday`. It covers the seven days before that moment.
    pub digest_weekday: DigestWeekday,
    /// The hour (0–23) the weekly digest goes out on `digest_weekday`, in each organization's
    /// time zone.
    pub digest_hour: i8,
    /// Seconds between two checks for a due digest. An instance that was down at the scheduled
    /// moment sends the week's digest at its first check after it comes back.
    pub digest_poll_seconds: u64,
    /// The domain of the Message-IDs of the mail Sanad sends, so replies thread and our own
    /// mail coming back is recognised. Empty: the host of `public_url`.
    pub mail_domain: String,
    /// Where the SMTP/LMTP receiver listens for mail handed over by a mail server (e.g.
    /// `127.0.0.1:2525`; Postfix `transport_maps` or `mailbox_transport = lmtp:…`). Empty: no
    /// receiver; mailboxes can still be read over IMAP (set per organization).
    pub mail_receiver_listen: String,
    /// The receiver's protocol: `lmtp` (a local mail server delivering) or `smtp`.
    pub mail_receiver_protocol: sanad_channels::email::receiver::ReceiverProtocol,
    /// Log format: `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax, e.g. `info` or `sanad=debug,tower_http=info`.
    pub log_filter: String,
}

/// A day of the week, as written in the configuration.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DigestWeekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl DigestWeekday {
    fn weekday(self) -> jiff::civil::Weekday {
        use jiff::civil::Weekday;
        match self {
            Self::Sunday => Weekday::Sunday,
            Self::Monday => Weekday::Monday,
            Self::Tuesday => Weekday::Tuesday,
            Self::Wednesday => Weekday::Wednesday,
            Self::Thursday => Weekday::Thursday,
            Self::Friday => Weekday::Friday,
            Self::Saturday => Weekday::Saturday,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://sanad.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            attachments: "file:sanad-data/attachments".into(),
            max_request_bytes: 16 * 1024 * 1024,
            request_timeout_seconds: 30,
            timer_sweep_seconds: 1,
            outbox_poll_seconds: 2,
            digest_enabled: true,
            digest_weekday: DigestWeekday::Sunday,
            digest_hour: 7,
            digest_poll_seconds: 300,
            mail_domain: String::new(),
            mail_receiver_listen: String::new(),
            mail_receiver_protocol: sanad_channels::email::receiver::ReceiverProtocol::Lmtp,
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    pub attachments: AttachmentLocation,
    pub web: sanad_web::WebSettings,
    pub timer_sweep: std::time::Duration,
    pub channels: ChannelWorkers,
    /// The weekly digest's schedule and how often it is checked; `None` when disabled.
    pub digest: Option<DigestWorker>,
    pub log_format: LogFormat,
    pub log_filter: String,
}

/// The channels' background work: the outbox and the mail receiver.
#[derive(Debug, Clone)]
pub struct ChannelWorkers {
    pub outbox_poll: std::time::Duration,
    pub mail_domain: String,
    pub receiver: Option<(
        SocketAddr,
        sanad_channels::email::receiver::ReceiverProtocol,
    )>,
}

/// The weekly digest worker's settings.
#[derive(Debug, Clone)]
pub struct DigestWorker {
    pub schedule: sanad_domain::reports::DigestSchedule,
    pub poll: std::time::Duration,
}

/// Where attachments are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentLocation {
    Directory(PathBuf),
    S3Bucket(String),
}

impl AttachmentLocation {
    fn parse(raw: &str) -> anyhow::Result<Self> {
        let raw = raw.trim();
        if raw.starts_with("s3://") {
            if raw.len() <= "s3://".len() {
                bail!("invalid attachments: '{raw}' names no bucket");
            }
            Ok(AttachmentLocation::S3Bucket(raw.to_owned()))
        } else if raw.contains("://") {
            bail!(
                "invalid attachments: '{raw}' is neither a directory (file:PATH) nor an s3://BUCKET/PREFIX URL"
            );
        } else {
            let path = raw.strip_prefix("file:").unwrap_or(raw);
            if path.is_empty() {
                bail!("invalid attachments: give a directory such as file:sanad-data/attachments");
            }
            Ok(AttachmentLocation::Directory(PathBuf::from(path)))
        }
    }
}

/// Values given on the command line, which override every other source.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    bail!("the configuration file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file(path));
            }
            None if Path::new("sanad.toml").exists() => {
                figment = figment.merge(Toml::file("sanad.toml"))
            }
            None => {}
        }
        let raw: RawConfig = figment
            .merge(Env::prefixed("SANAD_").only(CONFIG_KEYS))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|error| anyhow::anyhow!("invalid configuration: {error}"))?;
        Config::validate(raw)
    }

    fn validate(raw: RawConfig) -> anyhow::Result<Config> {
        let database_url = DatabaseUrl::parse(&raw.database_url)
            .context("invalid database_url (SANAD_DATABASE_URL)")?;
        let listen: SocketAddr = raw.listen.parse().with_context(|| {
            format!(
                "invalid listen (SANAD_LISTEN): '{}' is not an address such as 127.0.0.1:8080",
                raw.listen
            )
        })?;
        let public_url = raw.public_url.trim().trim_end_matches('/').to_owned();
        let cookie_security = if public_url.starts_with("https://") {
            sanad_web::CookieSecurity::SecureOnly
        } else if public_url.starts_with("http://") {
            sanad_web::CookieSecurity::AllowPlainHttp
        } else {
            bail!(
                "invalid public_url (SANAD_PUBLIC_URL): '{}' must start with https:// (or http:// for a local trial)",
                raw.public_url
            );
        };
        if raw.max_request_bytes < 1024 {
            bail!(
                "invalid max_request_bytes: {} is too small; use at least 1024",
                raw.max_request_bytes
            );
        }
        if !(1..=3600).contains(&raw.timer_sweep_seconds) {
            bail!(
                "invalid timer_sweep_seconds: {} must be between 1 and 3600",
                raw.timer_sweep_seconds
            );
        }
        if !(1..=3600).contains(&raw.outbox_poll_seconds) {
            bail!(
                "invalid outbox_poll_seconds: {} must be between 1 and 3600",
                raw.outbox_poll_seconds
            );
        }
        if !(0..=23).contains(&raw.digest_hour) {
            bail!(
                "invalid digest_hour: {} must be an hour between 0 and 23",
                raw.digest_hour
            );
        }
        if !(1..=86_400).contains(&raw.digest_poll_seconds) {
            bail!(
                "invalid digest_poll_seconds: {} must be between 1 and 86400",
                raw.digest_poll_seconds
            );
        }
        let digest = raw.digest_enabled.then(|| DigestWorker {
            schedule: sanad_domain::reports::DigestSchedule {
                weekday: raw.digest_weekday.weekday(),
                hour: raw.digest_hour,
            },
            poll: std::time::Duration::from_secs(raw.digest_poll_seconds),
        });
        let mail_domain = match raw.mail_domain.trim() {
            "" => public_url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split(['/', ':']).next())
                .unwrap_or("localhost")
                .to_owned(),
            domain if domain.contains(['@', '<', '>', ' ', '/']) => bail!(
                "invalid mail_domain: '{domain}' must be a bare domain such as support.example.sa"
            ),
            domain => domain.to_owned(),
        };
        let receiver = match raw.mail_receiver_listen.trim() {
            "" => None,
            address => Some((
                address.parse::<SocketAddr>().with_context(|| {
                    format!(
                        "invalid mail_receiver_listen (SANAD_MAIL_RECEIVER_LISTEN): '{address}' is not an address such as 127.0.0.1:2525"
                    )
                })?,
                raw.mail_receiver_protocol,
            )),
        };
        if raw.request_timeout_seconds == 0 {
            bail!("invalid request_timeout_seconds: must be at least 1");
        }
        Ok(Config {
            database_url,
            listen,
            attachments: AttachmentLocation::parse(&raw.attachments)?,
            web: sanad_web::WebSettings {
                max_request_bytes: raw.max_request_bytes,
                request_timeout: std::time::Duration::from_secs(raw.request_timeout_seconds),
                public_url,
                cookie_security,
            },
            timer_sweep: std::time::Duration::from_secs(raw.timer_sweep_seconds),
            digest,
            channels: ChannelWorkers {
                outbox_poll: std::time::Duration::from_secs(raw.outbox_poll_seconds),
                mail_domain,
                receiver,
            },
            log_format: raw.log_format,
            log_filter: raw.log_filter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_address_decides_whether_cookies_are_secure() {
        let cases = [
            (
                "https://support.example.sa/",
                Some(sanad_web::CookieSecurity::SecureOnly),
            ),
            (
                "http://127.0.0.1:8080",
                Some(sanad_web::CookieSecurity::AllowPlainHttp),
            ),
            ("support.example.sa", None),
        ];
        for (public_url, expected) in cases {
            let raw = RawConfig {
                public_url: public_url.into(),
                ..RawConfig::default()
            };
            match (Config::validate(raw), expected) {
                (Ok(config), Some(security)) => {
                    assert_eq!(config.web.cookie_security, security, "{public_url}");
                    assert!(!config.web.public_url.ends_with('/'), "{public_url}");
                }
                (Err(error), None) => {
                    assert!(format!("{error:#}").contains("public_url"), "{error:#}")
                }
                (other, _) => panic!("{public_url}: unexpected {:?}", other.map(|c| c.web)),
            }
        }
    }

    #[test]
    fn invalid_values_name_the_key() {
        let bad_url = RawConfig {
            database_url: "mysql://x".into(),
            ..RawConfig::default()
        };
        let error = format!("{:#}", Config::validate(bad_url).unwrap_err());
        assert!(
            error.contains("database_url") && error.contains("sqlite://"),
            "{error}"
        );
        let bad_listen = RawConfig {
            listen: "localhost".into(),
            ..RawConfig::default()
        };
        let error = format!("{:#}", Config::validate(bad_listen).unwrap_err());
        assert!(error.contains("listen"), "{error}");
    }

    #[test]
    fn the_environment_key_list_matches_the_configuration() {
        let serialized = serde_json::to_value(RawConfig::default()).unwrap();
        let mut keys: Vec<&str> = serialized
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut declared = CONFIG_KEYS.to_vec();
        declared.sort_unstable();
        assert_eq!(keys, declared);
    }

    #[test]
    fn the_digest_schedule_is_checked_and_can_be_turned_off() {
        let config = Config::validate(RawConfig::default()).unwrap();
        let digest = config.digest.unwrap();
        assert_eq!(digest.schedule.weekday, jiff::civil::Weekday::Sunday);
        assert_eq!(digest.schedule.hour, 7);
        assert_eq!(digest.poll, std::time::Duration::from_secs(300));
        let off = RawConfig {
            digest_enabled: false,
            ..RawConfig::default()
        };
        assert!(Config::validate(off).unwrap().digest.is_none());
        let bad_hour = RawConfig {
            digest_hour: 24,
            ..RawConfig::default()
        };
        let error = format!("{:#}", Config::validate(bad_hour).unwrap_err());
        assert!(error.contains("digest_hour"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sanad.toml");
        std::fs::write(&path, "digest_weekday = \"thursday\"\ndigest_hour = 16\n").unwrap();
        let loaded = Config::load(Some(&path), &Overrides::default()).unwrap();
        let schedule = loaded.digest.unwrap().schedule;
        assert_eq!(
            (schedule.weekday, schedule.hour),
            (jiff::civil::Weekday::Thursday, 16)
        );
        std::fs::write(&path, "digest_weekday = \"someday\"\n").unwrap();
        let error = Config::load(Some(&path), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("digest_weekday"), "{error}");
    }

    #[test]
    fn attachment_locations() {
        assert_eq!(
            AttachmentLocation::parse("file:data/files").unwrap(),
            AttachmentLocation::Directory("data/files".into())
        );
        assert_eq!(
            AttachmentLocation::parse("/srv/sanad").unwrap(),
            AttachmentLocation::Directory("/srv/sanad".into())
        );
        assert_eq!(
            AttachmentLocation::parse("s3://sanad/attachments").unwrap(),
            AttachmentLocation::S3Bucket("s3://sanad/attachments".into())
        );
        assert!(AttachmentLocation::parse("gs://bucket").is_err());
        assert!(AttachmentLocation::parse("s3://").is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sanad.toml");
        std::fs::write(&path, "databse_url = \"sqlite://x.db\"\n").unwrap();
        let error = Config::load(Some(&path), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("databse_url"), "{error}");
    }
}
