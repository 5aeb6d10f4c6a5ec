//! The weekly digest mailed to an organization's directors and executives (issue 7): the
//! week's figures from [`Report`] in one bilingual e-mail, Arabic first, then English, with a
//! link to the full report page.
//!
//! [`compose_digest`] is pure: it turns an organization's name, the period, the report and the
//! report page's address into a subject and a text and HTML body. Every string comes from
//! `locales/<lang>/digest.ftl` and the bodies from the askama templates `mail/digest.txt` and
//! `mail/digest.html` (which escape every value). The digest carries only what managers see on
//! the report page anyway, and less: counts and means, never a requester's name, a rating's
//! comment or a root cause's description.
//!
//! [`run_digest_pass`] is the worker's one pass, driven by the `now` it is given: for each
//! organization whose digest is due (`sanad_domain::reports::digest_due`), it claims the period
//! in the store, so that one instance sends it however many run, then sends one message per
//! manager through the organization's own e-mail channel.
//!
//! What happens when the mail relay fails: when no manager got the digest and the failure may
//! pass (the relay is down, a timeout, a 4xx), the claim is given back and a later pass sends the
//! whole digest again, with the same Message-IDs. Once at least one manager has it, the claim
//! stays and the managers the relay refused are only logged: the store records how many
//! received it, not who, so sending again could give someone the digest twice. A crash between
//! the claim and the sending loses that week's digest (at most once, by design of the claim).

use crate::email::compose::MailIdentity;
use crate::email::smtp::SmtpSender;
use crate::registry::{
    ChannelConfiguration, ConfigurationError, EmailChannelSettings, LoadError, load_configuration,
};
use crate::{ChannelAdapter, OutboundMessage, OutboundOrigin, OutboundThread};
use askama::Template;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sanad_domain::Channel;
use sanad_domain::policy::{Lang, TargetKind};
use sanad_domain::reports::{DigestSchedule, Report, ReportRange, digest_due};
use sanad_store::{Organization, Store, StoreError};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    // The same folder as the notifications' loader: every file of a language is one bundle,
    // so `digest.ftl` is found beside `notifications.ftl` without being listed anywhere.
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ar",
        // Figures and dates must copy cleanly, without Unicode isolation marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ARABIC: LanguageIdentifier = langid!("ar");
static ENGLISH: LanguageIdentifier = langid!("en");

fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let identifier = match lang {
        Lang::Ar => &ARABIC,
        Lang::En => &ENGLISH,
    };
    let arguments: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| (Cow::Owned((*name).to_owned()), FluentValue::from(*value)))
        .collect();
    LOCALES.lookup_with_args(identifier, key, &arguments)
}

/// What one digest is about.
#[derive(Debug, Clone, Copy)]
pub struct DigestContent<'a> {
    pub organization: &'a str,
    pub period: ReportRange,
    /// The organization's zone, in which the period's dates are written.
    pub zone: &'a TimeZone,
    pub report: &'a Report,
    /// The absolute address of the report page for the period's days.
    pub report_url: &'a str,
}

/// A composed digest, the same for every recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestComposeError {
    #[error("digest template: {0}")]
    Template(String),
}

/// One heading of the digest and its lines.
struct Block {
    title: String,
    lines: Vec<String>,
}

/// One language's part of the digest.
struct Section {
    lang: &'static str,
    dir: &'static str,
    align: &'static str,
    title: String,
    intro: String,
    blocks: Vec<Block>,
    link_label: String,
    link_note: String,
    footer: String,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct HtmlDigest<'a> {
    subject: &'a str,
    sections: &'a [Section],
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct TextDigest<'a> {
    sections: &'a [Section],
    link: &'a str,
}

/// The first and last day the report page shows for a period: the seven days starting on the
/// period's first day, in the organization's zone. The page counts whole days, the digest from
/// the scheduled hour, so with an hour other than midnight the two differ by those hours; the
/// digest says which days the link shows.
pub fn report_days(
    period: &ReportRange,
    zone: &TimeZone,
) -> (jiff::civil::Date, jiff::civil::Date) {
    let first = period.from().to_zoned(zone.clone()).date();
    let days = period.to().duration_since(period.from()).as_hours() / 24;
    let last = first
        .checked_add(jiff::Span::new().days((days - 1).max(0)))
        .unwrap_or(first);
    (first, last)
}

/// The absolute address of the report page for a period (`/o/{slug}/desk/reports?from&to`).
pub fn report_url(public_url: &str, slug: &str, period: &ReportRange, zone: &TimeZone) -> String {
    let (first, last) = report_days(period, zone);
    format!(
        "{}/o/{slug}/desk/reports?from={first}&to={last}",
        public_url.trim_end_matches('/')
    )
}

fn percent(value: f64) -> String {
    format!("{value:.1}")
}

fn mean(value: f64) -> String {
    format!("{value:.2}")
}

fn blocks(lang: Lang, report: &Report) -> Vec<Block> {
    let none = || text(lang, "digest-none", &[]);
    let row = |label: &str, count: i64| {
        text(
            lang,
            "digest-row",
            &[("label", label), ("count", &count.to_string())],
        )
    };
    let total = |count: i64| text(lang, "digest-total", &[("count", &count.to_string())]);
    let mut blocks = Vec::new();

    // Requests received, by kind.
    let received: i64 = report.volume_by_kind.iter().map(|(_, count)| count).sum();
    let mut lines = vec![total(received)];
    for (kind, count) in &report.volume_by_kind {
        lines.push(row(
            &text(lang, &format!("digest-kind-{}", kind.as_str()), &[]),
            *count,
        ));
    }
    blocks.push(Block {
        title: text(lang, "digest-received-title", &[]),
        lines,
    });

    // Compliance per target, the row of every ticket.
    let mut lines = Vec::new();
    for target in TargetKind::ALL {
        let Some(overall) = report.overall_compliance(*target) else {
            continue;
        };
        let name = text(lang, &format!("digest-target-{}", target.as_str()), &[]);
        let met = overall.met.to_string();
        let breached = overall.breached.to_string();
        let pending = overall.pending.to_string();
        lines.push(match overall.compliance_percent() {
            Some(share) => text(
                lang,
                "digest-compliance-row",
                &[
                    ("target", &name),
                    ("percent", &percent(share)),
                    ("met", &met),
                    ("breached", &breached),
                    ("pending", &pending),
                ],
            ),
            None => text(
                lang,
                "digest-compliance-unsettled",
                &[("target", &name), ("pending", &pending)],
            ),
        });
    }
    if lines.is_empty() {
        lines.push(none());
    }
    blocks.push(Block {
        title: text(lang, "digest-compliance-title", &[]),
        lines,
    });

    // Breaches, with their root causes counted by category (codes from the policy file).
    let breaches = report.breaches.len() as i64;
    let mut lines = vec![text(
        lang,
        "digest-breaches-count",
        &[("count", &breaches.to_string())],
    )];
    for (category, count) in &report.root_causes {
        lines.push(row(category, *count));
    }
    let unexplained = report
        .breaches
        .iter()
        .filter(|breach| breach.root_cause_category.is_none())
        .count();
    if unexplained > 0 {
        lines.push(text(
            lang,
            "digest-breaches-unexplained",
            &[("count", &unexplained.to_string())],
        ));
    }
    blocks.push(Block {
        title: text(lang, "digest-breaches-title", &[]),
        lines,
    });

    // Escalations per ladder stage.
    let mut lines: Vec<String> = report
        .escalations
        .iter()
        .map(|stage| {
            text(
                lang,
                "digest-escalation-row",
                &[
                    ("stage", &stage.stage.to_string()),
                    ("name", &stage.name),
                    ("count", &stage.count.to_string()),
                ],
            )
        })
        .collect();
    if lines.is_empty() {
        lines.push(none());
    }
    blocks.push(Block {
        title: text(lang, "digest-escalations-title", &[]),
        lines,
    });

    // The open backlog at the end of the week, by status.
    let open: i64 = report.backlog.iter().map(|(_, count)| count).sum();
    let mut lines = vec![total(open)];
    for (status, count) in &report.backlog {
        lines.push(row(
            &text(lang, &format!("digest-status-{}", status.as_str()), &[]),
            *count,
        ));
    }
    blocks.push(Block {
        title: text(lang, "digest-backlog-title", &[]),
        lines,
    });

    // Satisfaction: the response rate and the mean of each question.
    let satisfaction = &report.satisfaction;
    let mut lines = vec![match satisfaction.response_percent() {
        Some(share) => text(
            lang,
            "digest-satisfaction-response",
            &[
                ("percent", &percent(share)),
                ("answered", &satisfaction.answered.to_string()),
                ("asked", &satisfaction.asked.to_string()),
            ],
        ),
        None => text(lang, "digest-satisfaction-not-asked", &[]),
    }];
    for summary in &satisfaction.dimensions {
        let dimension = text(
            lang,
            &format!("digest-question-{}", summary.dimension.as_str()),
            &[],
        );
        lines.push(match summary.mean() {
            Some(value) => text(
                lang,
                "digest-satisfaction-mean",
                &[
                    ("dimension", &dimension),
                    ("mean", &mean(value)),
                    ("count", &summary.count().to_string()),
                ],
            ),
            None => text(
                lang,
                "digest-satisfaction-no-answers",
                &[("dimension", &dimension)],
            ),
        });
    }
    blocks.push(Block {
        title: text(lang, "digest-satisfaction-title", &[]),
        lines,
    });
    blocks
}

/// Composes the digest: the subject (Arabic) and the bilingual text and HTML bodies.
pub fn compose_digest(content: &DigestContent<'_>) -> Result<DigestMail, DigestComposeError> {
    let zone = content.zone;
    let moment = |at: Timestamp| {
        at.to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let day = |at: Timestamp| at.to_zoned(zone.clone()).date().to_string();
    let (from, to) = (moment(content.period.from()), moment(content.period.to()));
    let (first_day, last_day) = report_days(&content.period, zone);
    let (first_day, last_day) = (first_day.to_string(), last_day.to_string());
    let organization = content.organization;
    let subject = text(
        Lang::Ar,
        "digest-subject",
        &[
            ("organization", organization),
            ("from", &day(content.period.from())),
            ("to", &day(content.period.to())),
        ],
    );
    let sections: Vec<Section> = [Lang::Ar, Lang::En]
        .into_iter()
        .map(|lang| {
            let (tag, dir, align) = match lang {
                Lang::Ar => ("ar", "rtl", "right"),
                Lang::En => ("en", "ltr", "left"),
            };
            Section {
                lang: tag,
                dir,
                align,
                title: text(lang, "digest-title", &[]),
                intro: text(
                    lang,
                    "digest-intro",
                    &[("organization", organization), ("from", &from), ("to", &to)],
                ),
                blocks: blocks(lang, content.report),
                link_label: text(lang, "digest-link", &[]),
                link_note: text(
                    lang,
                    "digest-link-note",
                    &[("from", &first_day), ("to", &last_day)],
                ),
                footer: text(lang, "digest-footer", &[("organization", organization)]),
            }
        })
        .collect();
    let text_body = TextDigest {
        sections: &sections,
        link: content.report_url,
    }
    .render()
    .map_err(|error| DigestComposeError::Template(error.to_string()))?;
    let html = HtmlDigest {
        subject: &subject,
        sections: &sections,
        link: content.report_url,
    }
    .render()
    .map_err(|error| DigestComposeError::Template(error.to_string()))?;
    Ok(DigestMail {
        subject,
        text: text_body,
        html,
    })
}

// ---- the worker's pass --------------------------------------------------------------------------

/// What the digest worker needs besides the store and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSettings {
    pub schedule: DigestSchedule,
    /// The public base address of the desk, e.g. `https://desk.example.sa`.
    pub public_url: String,
    /// The right-hand side of the digest's Message-IDs, e.g. `desk.example.sa`.
    pub mail_domain: String,
}

/// What one pass did, summed over the organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestPassReport {
    /// Organizations whose digest was due and not yet claimed, so this pass tried to claim it.
    pub due: usize,
    /// Periods this instance claimed (the others were claimed first by another instance).
    pub claimed: usize,
    /// Messages the relay accepted, one per manager.
    pub sent: usize,
    /// Messages the relay did not accept.
    pub failed: usize,
    /// Claims given back because nobody received the digest and the failure may pass.
    pub released: usize,
    /// Claimed periods of organizations without a usable e-mail channel: nothing was sent, and
    /// the claim records no recipients.
    pub without_email: usize,
    /// Organizations skipped for an error (a store failure, an unknown time zone), logged.
    pub errors: usize,
}

/// One organization's claimed digest, and why it could not be sent when it was not.
enum Delivery {
    Sent {
        sent: usize,
        failed: usize,
    },
    NothingToSend,
    NoEmailChannel,
    /// Nobody got it and trying again may help: the claim is given back.
    Retry {
        failed: usize,
    },
}

/// One pass of the digest worker at `now`. Errors of one organization are logged and counted,
/// so one broken organization does not stop the others' digests; only failing to list the
/// organizations fails the pass.
pub async fn run_digest_pass(
    store: &Store,
    now: Timestamp,
    settings: &DigestSettings,
) -> Result<DigestPassReport, StoreError> {
    let mut report = DigestPassReport::default();
    for org_id in store.organization_ids().await? {
        if let Err(error) = digest_for_organization(store, org_id, now, settings, &mut report).await
        {
            report.errors += 1;
            tracing::warn!(org_id, %error, "weekly digest skipped; trying again next pass");
        }
    }
    Ok(report)
}

#[derive(Debug, thiserror::Error)]
enum OrganizationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the organization's time zone {0:?} is unknown")]
    Zone(String),
    #[error(transparent)]
    Compose(#[from] DigestComposeError),
    #[error("the e-mail channel's settings could not be read: {0}")]
    Channel(String),
}

async fn digest_for_organization(
    store: &Store,
    org_id: i64,
    now: Timestamp,
    settings: &DigestSettings,
    report: &mut DigestPassReport,
) -> Result<(), OrganizationError> {
    let Some(organization) = store.organization_by_id(org_id).await? else {
        return Ok(());
    };
    let zone = TimeZone::get(&organization.time_zone)
        .map_err(|_| OrganizationError::Zone(organization.time_zone.clone()))?;
    let last_sent = store.last_report_digest_start(org_id).await?;
    let Some(period) = digest_due(now, &zone, settings.schedule, last_sent) else {
        return Ok(());
    };
    // A week that ended before the organization existed has nothing to tell; without this, a
    // new organization (or a new deployment) would be sent last week's empty digest at once.
    if period.to() <= organization.created_at {
        return Ok(());
    }
    report.due += 1;
    if !store
        .claim_report_digest(org_id, period.from(), now)
        .await?
    {
        return Ok(());
    }
    report.claimed += 1;
    let outcome = deliver(store, &organization, &zone, period, now, settings).await;
    match outcome {
        Ok(Delivery::Sent { sent, failed }) => {
            report.sent += sent;
            report.failed += failed;
            store
                .record_digest_recipients(org_id, period.from(), sent as i64)
                .await?;
            if failed > 0 {
                tracing::error!(
                    org_id,
                    sent,
                    failed,
                    "weekly digest: some managers were not reached; not retried, so that nobody receives it twice"
                );
            } else {
                tracing::info!(org_id, sent, period_start = %period.from(), "weekly digest sent");
            }
        }
        Ok(Delivery::NothingToSend) => {
            tracing::info!(
                org_id,
                "weekly digest: no active director or executive; nothing sent"
            );
        }
        Ok(Delivery::NoEmailChannel) => {
            report.without_email += 1;
        }
        Ok(Delivery::Retry { failed }) => {
            report.failed += failed;
            if store.release_report_digest(org_id, period.from()).await? {
                report.released += 1;
            }
            tracing::warn!(
                org_id,
                failed,
                "weekly digest: the mail relay accepted none; the claim is released and the next pass tries again"
            );
        }
        Err(error) => {
            // Nothing was sent: give the period back so a later pass (once the database
            // answers again) sends it.
            if store.release_report_digest(org_id, period.from()).await? {
                report.released += 1;
            }
            return Err(error);
        }
    }
    Ok(())
}

/// The e-mail channel the digest goes out through, or why there is none.
async fn email_channel(
    store: &Store,
    org_id: i64,
) -> Result<Option<EmailChannelSettings>, OrganizationError> {
    match load_configuration(store, org_id, Channel::Email).await {
        Ok(ChannelConfiguration::Email(settings)) => Ok(Some(settings)),
        Ok(_) => Ok(None),
        Err(LoadError::Configuration(ConfigurationError::NotConfigured(_))) => {
            tracing::warn!(
                org_id,
                "weekly digest: the organization has no e-mail channel; nothing sent (an administrator sets it under Administration, Channels)"
            );
            Ok(None)
        }
        Err(LoadError::Configuration(error)) => {
            tracing::error!(org_id, %error, "weekly digest: the e-mail channel's settings cannot be used; nothing sent");
            Ok(None)
        }
        Err(LoadError::Store(error)) => Err(OrganizationError::Channel(error)),
    }
}

async fn deliver(
    store: &Store,
    organization: &Organization,
    zone: &TimeZone,
    period: ReportRange,
    now: Timestamp,
    settings: &DigestSettings,
) -> Result<Delivery, OrganizationError> {
    let Some(email) = email_channel(store, organization.id).await? else {
        return Ok(Delivery::NoEmailChannel);
    };
    let recipients = store.digest_recipients(organization.id).await?;
    if recipients.is_empty() {
        return Ok(Delivery::NothingToSend);
    }
    let figures = store.report(organization.id, &period).await?;
    let url = report_url(&settings.public_url, &organization.slug, &period, zone);
    let mail = compose_digest(&DigestContent {
        organization: &organization.name,
        period,
        zone,
        report: &figures,
        report_url: &url,
    })?;
    let identity = MailIdentity {
        from_address: email.address.clone(),
        from_name: email.display_name.clone(),
    };
    let sender = match SmtpSender::new(&email.smtp, identity) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::error!(org_id = organization.id, %error, "weekly digest: the SMTP settings cannot be used; nothing sent");
            return Ok(Delivery::NoEmailChannel);
        }
    };
    let (mut sent, mut failed, mut transient) = (0, 0, false);
    for recipient in &recipients {
        let message = OutboundMessage {
            // The digest is not an outbox row; 0 is no row's id, and the header it becomes
            // still marks the message as ours if it ever comes back to the desk's mailbox.
            outbox_id: 0,
            channel: Channel::Email,
            recipient: recipient.email.clone(),
            recipient_name: Some(recipient.name.clone()),
            language: Lang::Ar,
            origin: OutboundOrigin::Notification,
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            html: Some(mail.html.clone()),
            thread: OutboundThread {
                // Fixed by organization, period and recipient, so a digest sent again after
                // a released claim is recognisably the same message.
                message_id: format!(
                    "sanad.digest.{}.{}.{}@{}",
                    organization.slug,
                    period.from().as_second(),
                    recipient.user_id,
                    settings.mail_domain
                ),
                in_reply_to: None,
                references: Vec::new(),
            },
            last_inbound_at: None,
            template: None,
            now,
        };
        match sender.send(&message).await {
            Ok(_) => sent += 1,
            Err(error) => {
                failed += 1;
                transient |= error.is_transient();
                tracing::warn!(org_id = organization.id, user_id = recipient.user_id, %error, "weekly digest not accepted for one manager");
            }
        }
    }
    Ok(if sent == 0 && transient {
        Delivery::Retry { failed }
    } else {
        Delivery::Sent { sent, failed }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanad_domain::reports::{
        BreachRow, ComplianceRow, Dimension, Distribution, EscalationCount, RatingComment,
        Satisfaction, SatisfactionDimension, ScoreSummary,
    };
    use sanad_domain::{TicketKind, TicketStatus};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn hand_made() -> Report {
        let period = ReportRange::new(
            at("2026-11-15T07:00:00+03:00"),
            at("2026-11-22T07:00:00+03:00"),
        )
        .unwrap();
        Report {
            range: period,
            compliance: vec![
                ComplianceRow {
                    target: TargetKind::FirstResponse,
                    dimension: Dimension::All,
                    value: None,
                    met: 7,
                    breached: 1,
                    pending: 2,
                },
                // A department row must not be mistaken for the overall one.
                ComplianceRow {
                    target: TargetKind::FirstResponse,
                    dimension: Dimension::Department,
                    value: Some("it".into()),
                    met: 3,
                    breached: 0,
                    pending: 0,
                },
                ComplianceRow {
                    target: TargetKind::Closure,
                    dimension: Dimension::All,
                    value: None,
                    met: 0,
                    breached: 0,
                    pending: 4,
                },
            ],
            first_response: Distribution::default(),
            closure: Distribution::default(),
            backlog: vec![(TicketStatus::Routed, 3), (TicketStatus::InProgress, 2)],
            aging: [1, 2, 2, 0, 0],
            escalations: vec![EscalationCount {
                stage: 2,
                name: "مدير الإدارة".into(),
                count: 1,
            }],
            breaches: vec![
                BreachRow {
                    number: "DIP-000031".into(),
                    target: TargetKind::FirstResponse,
                    breached_at: at("2026-11-17T10:00:00+03:00"),
                    root_cause_category: Some("staffing".into()),
                    root_cause_description: Some("إجازة مرضية غير متوقعة لسعاد".into()),
                },
                BreachRow {
                    number: "DIP-000032".into(),
                    target: TargetKind::Closure,
                    breached_at: at("2026-11-18T10:00:00+03:00"),
                    root_cause_category: None,
                    root_cause_description: None,
                },
            ],
            root_causes: vec![("staffing".into(), 1)],
            satisfaction: Satisfaction {
                asked: 8,
                answered: 4,
                dimensions: vec![
                    ScoreSummary {
                        dimension: SatisfactionDimension::Overall,
                        by_score: [1, 0, 0, 1, 2],
                    },
                    ScoreSummary {
                        dimension: SatisfactionDimension::Clarity,
                        by_score: [0; 5],
                    },
                ],
                comments: vec![RatingComment {
                    number: "DIP-000030".into(),
                    score: 1,
                    comment: "تعليق خاص من هند الزهراني".into(),
                }],
            },
            volume_by_kind: vec![(TicketKind::Complaint, 5), (TicketKind::Inquiry, 6)],
            volume_by_channel: Vec::new(),
            workload: Vec::new(),
        }
    }

    #[test]
    fn the_digest_holds_the_figures_of_the_report_in_both_languages() {
        let zone = TimeZone::get("Asia/Riyadh").unwrap();
        let report = hand_made();
        let url = report_url("https://desk.example.sa/", "diplomas", &report.range, &zone);
        assert_eq!(
            url,
            "https://desk.example.sa/o/diplomas/desk/reports?from=2026-11-15&to=2026-11-21"
        );
        let mail = compose_digest(&DigestContent {
            organization: "منصة الدبلومات",
            period: report.range,
            zone: &zone,
            report: &report,
            report_url: &url,
        })
        .unwrap();
        assert_eq!(
            mail.subject,
            "الملخص الأسبوعي لـمنصة الدبلومات: من 2026-11-15 إلى 2026-11-22"
        );
        let text = &mail.text;
        // Arabic comes first.
        let arabic = text.find("الطلبات الواردة").unwrap();
        let english = text.find("Requests received").unwrap();
        assert!(arabic < english, "{text}");
        for expected in [
            // Volume: 11 in all, by kind.
            "المجموع: 11",
            "شكوى: 5",
            "استفسار: 6",
            "Total: 11",
            "Complaint: 5",
            "Inquiry: 6",
            // Compliance of the overall rows: 7 of 8 settled.
            "الرد الأول: نسبة الالتزام 87.5٪ (محقق 7، متجاوز 1، جارٍ 2)",
            "First response: 87.5% compliance (7 met, 1 breached, 2 running)",
            "Closure: nothing settled yet (4 running)",
            // Breaches and their causes.
            "Breaches: 2",
            "staffing: 1",
            "Breaches without a root cause yet: 1",
            "عدد التجاوزات: 2",
            // Escalations.
            "Stage 2 (مدير الإدارة): 1",
            "المرحلة 2 (مدير الإدارة): 1",
            // Backlog: 5 open, by status.
            "Total: 5",
            "Routed: 3",
            "In progress: 2",
            "محال: 3",
            // Satisfaction: 4 of 8, the overall mean (1 + 4 + 5 + 5) / 4.
            "Response rate: 50.0% (4 of 8)",
            "Overall: 3.75 out of 5 (4 answers)",
            "Clarity of the procedure: no answers",
            "نسبة الاستجابة: 50.0٪ (4 من 8)",
            // The period in the organization's zone, and the link.
            "2026-11-15 07:00",
            "2026-11-22 07:00",
            "https://desk.example.sa/o/diplomas/desk/reports?from=2026-11-15&to=2026-11-21",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        // Nothing personal: no comment, no root-cause description, no ticket's number.
        for private in [
            "تعليق خاص",
            "هند",
            "إجازة مرضية",
            "DIP-000031",
            "DIP-000030",
        ] {
            assert!(!text.contains(private), "{private}");
            assert!(!mail.html.contains(private), "{private}");
        }
        // Every message resolved: no Fluent key is left showing.
        assert!(!text.contains("digest-"), "{text}");
        assert!(!mail.html.contains("digest-"));
        // The HTML escapes the link's ampersand (askama writes it as a character reference)
        // and carries both languages' directions.
        assert!(
            mail.html
                .contains("reports?from=2026-11-15&#38;to=2026-11-21"),
            "{}",
            mail.html
        );
        assert!(mail.html.contains(r#"lang="ar" dir="rtl""#));
        assert!(mail.html.contains(r#"lang="en" dir="ltr""#));
        assert!(mail.html.contains("Response rate: 50.0% (4 of 8)"));
    }

    #[test]
    fn an_empty_week_says_so() {
        let zone = TimeZone::get("Asia/Riyadh").unwrap();
        let mut report = hand_made();
        report.compliance.clear();
        report.backlog.clear();
        report.escalations.clear();
        report.breaches.clear();
        report.root_causes.clear();
        report.volume_by_kind.clear();
        report.satisfaction = Satisfaction {
            asked: 0,
            answered: 0,
            dimensions: Vec::new(),
            comments: Vec::new(),
        };
        let mail = compose_digest(&DigestContent {
            organization: "Example Academy",
            period: report.range,
            zone: &zone,
            report: &report,
            report_url: "https://desk.example.sa/o/academy/desk/reports",
        })
        .unwrap();
        for expected in [
            "Total: 0",
            "Breaches: 0",
            "Nothing this week.",
            "Nobody was asked to rate this week.",
        ] {
            assert!(mail.text.contains(expected), "{expected}:\n{}", mail.text);
        }
    }

    #[test]
    fn every_word_the_digest_can_use_exists_in_both_languages() {
        let keys = |path: &str| -> Vec<String> {
            let source =
                std::fs::read_to_string(format!("{}/locales/{path}", env!("CARGO_MANIFEST_DIR")))
                    .unwrap();
            let mut keys: Vec<String> = source
                .lines()
                .filter(|line| !line.starts_with('#') && line.contains(" = "))
                .filter_map(|line| line.split(" = ").next().map(str::to_owned))
                .collect();
            keys.sort();
            keys
        };
        assert_eq!(keys("ar/digest.ftl"), keys("en/digest.ftl"));
        let mut names: Vec<String> = Vec::new();
        names.extend(
            TicketKind::ALL
                .iter()
                .map(|kind| format!("digest-kind-{}", kind.as_str())),
        );
        names.extend(
            TargetKind::ALL
                .iter()
                .map(|target| format!("digest-target-{}", target.as_str())),
        );
        names.extend(
            TicketStatus::ALL
                .iter()
                .map(|status| format!("digest-status-{}", status.as_str())),
        );
        names.extend(
            SatisfactionDimension::ALL
                .iter()
                .map(|dimension| format!("digest-question-{}", dimension.as_str())),
        );
        for name in names {
            for lang in [Lang::Ar, Lang::En] {
                let word = text(lang, &name, &[]);
                assert!(
                    !word.is_empty() && word != name && !word.contains("Unknown"),
                    "{name} in {lang:?}: {word:?}"
                );
            }
        }
    }
}
