//! Turns an outbox row into the message a requester reads: Arabic first, then English, in one
//! message (a requester's language is not known, and both are the provider's published
//! languages). E-mail gets a subject, a plain-text body and an HTML alternative rendered by
//! askama templates (which escape every value); messaging channels and SMS get short text.
//!
//! Every string comes from `locales/<lang>/notifications.ftl`, so translators never edit Rust.

use crate::{OutboundMessage, OutboundOrigin, OutboundThread};
use askama::Template;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use jiff::Timestamp;
use sanad_domain::notifications::RequesterNotification;
use sanad_domain::policy::{Lang, Policy, duration_phrase, within_phrase};
use sanad_domain::{Channel, TicketStatus};
use sanad_store::{Department, Organization, OutboxContext, OutboxItem};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ar",
        // Values such as ticket numbers must copy cleanly, without Unicode isolation marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ARABIC: LanguageIdentifier = langid!("ar");
static ENGLISH: LanguageIdentifier = langid!("en");

/// Where links in notifications point and which domain our Message-IDs carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSettings {
    /// The public base address of the desk, e.g. `https://desk.example.sa` (no trailing slash).
    pub public_url: String,
    /// The right-hand side of the Message-IDs we generate, e.g. `desk.example.sa`.
    pub mail_domain: String,
}

impl NotificationSettings {
    /// The Message-ID of the e-mail an outbox row becomes: fixed by the row's id, so every retry
    /// of one notification carries the same id.
    pub fn message_id_for(&self, outbox_id: i64, org_slug: &str) -> String {
        format!("sanad.{org_slug}.{outbox_id}@{}", self.mail_domain)
    }
}

/// Why a notification could not be rendered (a data problem, not a delivery problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the notification's ticket no longer exists")]
    TicketMissing,
    #[error("a reply notification without its message")]
    ReplyMissing,
    #[error("template: {0}")]
    Template(String),
}

/// Everything the renderer reads, gathered by the outbox worker.
pub struct RenderInput<'a> {
    pub item: &'a OutboxItem,
    pub context: &'a OutboxContext,
    pub organization: &'a Organization,
    pub policy: Option<&'a Policy>,
    pub departments: &'a [Department],
    pub settings: &'a NotificationSettings,
    pub now: Timestamp,
}

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

/// One language's part of a message.
struct Section {
    lang: &'static str,
    dir: &'static str,
    align: &'static str,
    greeting: String,
    paragraphs: Vec<String>,
    quote: Option<String>,
    code_label: String,
    link_label: String,
    signature: String,
}

#[derive(Template)]
#[template(path = "mail/notification.html")]
struct HtmlMail<'a> {
    subject: &'a str,
    sections: &'a [Section],
    code: Option<&'a str>,
    link: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/notification.txt")]
struct TextMail<'a> {
    sections: &'a [Section],
    code: Option<&'a str>,
    link: Option<&'a str>,
}

/// The link that opens the ticket on the requester portal; a receipt's link carries the tracking
/// code and signs the requester in (the portal then drops the code from the address).
fn portal_link(
    settings: &NotificationSettings,
    slug: &str,
    number: &str,
    code: Option<&str>,
) -> String {
    let base = settings.public_url.trim_end_matches('/');
    match code {
        Some(code) => format!("{base}/o/{slug}/track/{number}?code={code}"),
        None => format!("{base}/o/{slug}/track/{number}"),
    }
}

/// The link of a rating invitation: it signs the requester in to the ticket it was made for
/// and opens the rating form.
fn rating_link(settings: &NotificationSettings, slug: &str, token: &str) -> String {
    let base = settings.public_url.trim_end_matches('/');
    format!("{base}/o/{slug}/rate/{token}")
}

fn department_names(codes: &[String], departments: &[Department], lang: Lang) -> String {
    let names: Vec<&str> = codes
        .iter()
        .map(|code| {
            departments
                .iter()
                .find(|department| department.code == *code)
                .map(|department| match lang {
                    Lang::Ar => department.name_ar.as_str(),
                    Lang::En if department.name_en.is_empty() => department.name_ar.as_str(),
                    Lang::En => department.name_en.as_str(),
                })
                .unwrap_or(code.as_str())
        })
        .collect();
    names.join(match lang {
        Lang::Ar => "، ",
        Lang::En => ", ",
    })
}

fn status_word(lang: Lang, status: TicketStatus) -> String {
    text(lang, &format!("status-{}", status.as_str()), &[])
}

/// Renders one outbox row as the message its adapter sends.
pub fn render(input: &RenderInput<'_>) -> Result<OutboundMessage, RenderError> {
    let item = input.item;
    let ticket = input
        .context
        .ticket
        .as_ref()
        .ok_or(RenderError::TicketMissing)?;
    let organization = &input.organization.name;
    let number = ticket.number.as_str();
    let subject_text = ticket.subject.as_str();
    let requester_name = item
        .recipient_name
        .clone()
        .unwrap_or_else(|| ticket.requester.name.clone());
    let code = match item.kind {
        RequesterNotification::Receipt => item.secret.as_deref(),
        _ => None,
    };
    // A resolution notification's secret is its rating invitation: the link opens the rating
    // form without signing in (seed 002 asks on the channel the requester used).
    let rating_token = match item.kind {
        RequesterNotification::Resolved => item.secret.as_deref(),
        _ => None,
    };
    let link = match rating_token {
        Some(token) => rating_link(input.settings, &input.organization.slug, token),
        None => portal_link(input.settings, &input.organization.slug, number, code),
    };
    let first_response = input
        .policy
        .and_then(|policy| policy.channel(ticket.channel))
        .and_then(|entry| entry.first_response.as_ref());
    let zone = input
        .policy
        .map(|policy| policy.organization().time_zone.clone())
        .unwrap_or(jiff::tz::TimeZone::UTC);

    let mut sections = Vec::new();
    let mut subjects = Vec::new();
    for lang in [Lang::Ar, Lang::En] {
        let mut paragraphs = Vec::new();
        let mut quote = None;
        let subject = match item.kind {
            RequesterNotification::Receipt => {
                paragraphs.push(text(
                    lang,
                    "receipt-body",
                    &[("subject", subject_text), ("number", number)],
                ));
                if let Some(duration) = first_response {
                    let within = within_phrase(duration, lang);
                    match input.context.first_response_deadline {
                        Some(deadline) => {
                            let shown = deadline
                                .to_zoned(zone.clone())
                                .strftime("%Y-%m-%d %H:%M")
                                .to_string();
                            paragraphs.push(text(
                                lang,
                                "receipt-promise-deadline",
                                &[("within", &within), ("deadline", &shown)],
                            ));
                        }
                        None => {
                            paragraphs.push(text(lang, "receipt-promise", &[("within", &within)]))
                        }
                    }
                }
                if code.is_some() {
                    paragraphs.push(text(lang, "receipt-code", &[]));
                }
                text(lang, "receipt-subject", &[("subject", subject_text)])
            }
            RequesterNotification::Routed => {
                let codes: Vec<String> = item
                    .payload
                    .get("departments")
                    .and_then(|value| value.as_array())
                    .map(|list| {
                        list.iter()
                            .filter_map(|code| code.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let names = department_names(&codes, input.departments, lang);
                paragraphs.push(text(
                    lang,
                    "routed-body",
                    &[("number", number), ("departments", &names)],
                ));
                text(lang, "routed-subject", &[("number", number)])
            }
            RequesterNotification::Reply => {
                let body = input
                    .context
                    .reply_body
                    .as_deref()
                    .ok_or(RenderError::ReplyMissing)?;
                let author = input
                    .context
                    .reply_author
                    .as_deref()
                    .unwrap_or(organization);
                paragraphs.push(text(
                    lang,
                    "reply-intro",
                    &[("author", author), ("number", number)],
                ));
                quote = Some(body.to_owned());
                paragraphs.push(text(lang, "reply-hint", &[]));
                text(lang, "reply-subject", &[("subject", subject_text)])
            }
            RequesterNotification::Escalated => {
                let stage = item
                    .payload
                    .get("stage_name")
                    .and_then(|value| value.as_str())
                    .unwrap_or("")
                    .to_owned();
                paragraphs.push(text(
                    lang,
                    "escalated-body",
                    &[("number", number), ("stage", &stage)],
                ));
                text(lang, "escalated-subject", &[("number", number)])
            }
            RequesterNotification::Resolved => {
                let window = input
                    .policy
                    .map(|policy| duration_phrase(&policy.organization().reopen_window, lang))
                    .unwrap_or_else(|| format!("{} h", input.organization.reopen_window_hours));
                paragraphs.push(text(
                    lang,
                    "resolved-body",
                    &[("number", number), ("window", &window)],
                ));
                text(lang, "resolved-subject", &[("number", number)])
            }
            RequesterNotification::StatusUpdate => {
                let status = status_word(lang, ticket.status);
                paragraphs.push(text(
                    lang,
                    "status-update-body",
                    &[("number", number), ("status", &status)],
                ));
                text(lang, "status-update-subject", &[("number", number)])
            }
            RequesterNotification::CancelledForConduct => {
                // The agent's reason is shown as written, in the language it was written in.
                let reason = item
                    .payload
                    .get("reason")
                    .and_then(|value| value.as_str())
                    .unwrap_or("")
                    .to_owned();
                // The reason goes in the first paragraph, the one a short message (SMS,
                // WhatsApp) keeps.
                paragraphs.push(text(
                    lang,
                    "cancelled-conduct-body",
                    &[("number", number), ("reason", &reason)],
                ));
                paragraphs.push(text(lang, "cancelled-conduct-hint", &[]));
                text(lang, "cancelled-conduct-subject", &[("number", number)])
            }
        };
        subjects.push(subject);
        let (code_tag, dir, align) = match lang {
            Lang::Ar => ("ar", "rtl", "right"),
            Lang::En => ("en", "ltr", "left"),
        };
        sections.push(Section {
            lang: code_tag,
            dir,
            align,
            greeting: text(lang, "greeting", &[("name", &requester_name)]),
            paragraphs,
            quote,
            code_label: text(lang, "tracking-code", &[]),
            link_label: text(
                lang,
                if rating_token.is_some() {
                    "rate-link"
                } else {
                    "follow-link"
                },
                &[],
            ),
            signature: text(lang, "signature", &[("organization", organization)]),
        });
    }
    // The ticket number in brackets lets a reply thread even when a mail client drops the
    // threading headers; "[#…]" is the convention requesters know from other help desks.
    let subject = format!(
        "[#{number}] {}",
        subjects.first().cloned().unwrap_or_default()
    );

    let (text_body, html) = match item.channel {
        Channel::Email => {
            let text_body = TextMail {
                sections: &sections,
                code,
                link: Some(&link),
            }
            .render()
            .map_err(|error| RenderError::Template(error.to_string()))?;
            let html = HtmlMail {
                subject: &subject,
                sections: &sections,
                code,
                link: Some(&link),
            }
            .render()
            .map_err(|error| RenderError::Template(error.to_string()))?;
            (text_body, Some(html))
        }
        _ => (short_text(item.kind, &sections, code, &link), None),
    };

    let mail_thread = &input.context.mail_thread;
    let thread = OutboundThread {
        message_id: input
            .settings
            .message_id_for(item.id, &input.organization.slug),
        in_reply_to: mail_thread.last().cloned(),
        references: mail_thread.clone(),
    };
    let origin = match item.kind {
        RequesterNotification::Reply => OutboundOrigin::StaffReply,
        _ => OutboundOrigin::Notification,
    };
    // Outside the 24-hour window WhatsApp accepts only pre-approved templates; the WhatsApp
    // adapter then uses the organization's fallback template with this text as its parameter.
    let template = None;
    Ok(OutboundMessage {
        outbox_id: item.id,
        channel: item.channel,
        recipient: item.recipient.clone(),
        recipient_name: item.recipient_name.clone(),
        language: Lang::Ar,
        origin,
        subject,
        text: text_body,
        html,
        thread,
        last_inbound_at: input.context.last_inbound_at,
        template,
        now: input.now,
    })
}

/// The text of a chat or SMS message: for a reply, the answer itself (that is what a chat
/// conversation shows); otherwise the Arabic, then the English, first paragraph, with the code
/// and the link.
fn short_text(
    kind: RequesterNotification,
    sections: &[Section],
    code: Option<&str>,
    link: &str,
) -> String {
    let mut lines = Vec::new();
    if kind == RequesterNotification::Reply {
        if let Some(quote) = sections.first().and_then(|section| section.quote.clone()) {
            lines.push(quote);
        }
    } else {
        for section in sections {
            if let Some(first) = section.paragraphs.first() {
                lines.push(first.clone());
            }
        }
        if let (Some(code), Some(section)) = (code, sections.first()) {
            lines.push(format!("{}: {code}", section.code_label));
        }
    }
    lines.push(link.to_owned());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
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
        assert_eq!(keys("ar/notifications.ftl"), keys("en/notifications.ftl"));
    }

    #[test]
    fn every_status_has_a_word_in_both_languages() {
        for status in TicketStatus::ALL {
            for lang in [Lang::Ar, Lang::En] {
                let word = status_word(lang, *status);
                assert!(
                    !word.starts_with("status-"),
                    "missing {lang:?} word for {status}"
                );
            }
        }
    }
}
