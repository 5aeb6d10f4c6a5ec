//! Stores what inbound adapters produce: a message becomes a ticket or joins its ticket, a
//! delivery report updates the notification it concerns, a bounce marks an address, and noise
//! is recorded once and never answered.

use crate::{InboundEvent, InboundMessage};
use jiff::Timestamp;
use sanad_domain::{Channel, EmailAddress, MessageBody, PhoneNumber, Subject, TicketKind};
use sanad_store::{
    InboundRecord, InboundSender, IngestOutcome, MailThreading, NewAttachment, Organization, Store,
    StoreError,
};

/// What taking in one inbound event did.
// The stored outcome carries a ticket summary; results are returned one at a time and matched
// at once, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum IngestResult {
    Stored(IngestOutcome),
    /// A delivery report; `changed` is false for a repeated or out-of-date report, or one about
    /// a message we do not know.
    Report {
        changed: bool,
    },
    /// A bounce; the number of requesters whose address was marked undeliverable.
    Bounce {
        requesters: u64,
    },
    /// An ignored message; `first_time` is false when it had been seen before.
    Ignored {
        first_time: bool,
    },
}

/// The longest body kept inline; a longer text is kept whole as a text attachment so nothing
/// is lost.
const BODY_LIMIT: usize = MessageBody::MAX_CHARS;

/// Converts an adapter's message into the store's record: a subject from the e-mail subject or
/// the first line, a body that is never empty (an image with no caption still says so), and a
/// note when the provider's message type is not understood.
pub fn inbound_record(message: &InboundMessage) -> InboundRecord {
    let mut attachments: Vec<NewAttachment> = message
        .attachments
        .iter()
        .map(|attachment| NewAttachment {
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            bytes: attachment.bytes.clone(),
        })
        .collect();
    let mut body = message.body_text.trim().to_owned();
    if let Some(kind) = &message.unsupported_type {
        let note = format!("[نوع رسالة غير مدعوم / unsupported message type: {kind}]");
        body = if body.is_empty() {
            note
        } else {
            format!("{note}\n{body}")
        };
    }
    if body.is_empty() {
        body = if attachments.is_empty() {
            "[رسالة فارغة / empty message]".to_owned()
        } else {
            "[مرفقات / attachments]".to_owned()
        };
    }
    let body = match MessageBody::parse(&body) {
        Ok(body) => body,
        Err(_) => {
            // Too long, or control characters: the whole text goes in an attachment and the
            // body keeps a readable, cleaned beginning.
            attachments.push(NewAttachment {
                filename: "message.txt".into(),
                content_type: "text/plain; charset=utf-8".into(),
                bytes: body.as_bytes().to_vec(),
            });
            let cleaned: String = body
                .chars()
                .map(|c| {
                    if c.is_control() && !matches!(c, '\n' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .take(BODY_LIMIT - 200)
                .collect();
            MessageBody::parse(&format!("{cleaned}\n[… message.txt]")).unwrap_or_else(|_| {
                MessageBody::parse("[message.txt]").expect("a fixed short body is valid")
            })
        }
    };
    let subject = subject_for(message, body.as_str());
    let sender = &message.sender;
    InboundRecord {
        channel: message.channel,
        provider_message_id: message.provider_message_id.clone(),
        sender: InboundSender {
            address: sender.address.clone(),
            name: sender.display_name.clone(),
            email: sender
                .email
                .as_deref()
                .and_then(|email| EmailAddress::parse(email).ok()),
            phone: sender
                .phone
                .as_deref()
                .and_then(|phone| PhoneNumber::parse(phone).ok()),
        },
        subject,
        body,
        attachments,
        mail: (message.channel == Channel::Email).then(|| MailThreading {
            message_id: message.provider_message_id.clone(),
            in_reply_to: message.thread.in_reply_to.clone(),
            references: message.thread.references.clone(),
        }),
        conversation_id: message.thread.conversation_id.clone(),
        kind_for_new_ticket: TicketKind::Inquiry,
    }
}

/// A one-line subject: the e-mail's own, else the first line of the text, shortened on a word
/// boundary; never empty.
fn subject_for(message: &InboundMessage, body: &str) -> Subject {
    let candidate = message
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|subject| !subject.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            body.lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .unwrap_or("")
                .to_owned()
        });
    let one_line: String = candidate
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let shortened = shorten(&one_line, 80);
    Subject::parse(&shortened).unwrap_or_else(|_| {
        let fallback = match message.channel {
            Channel::Email => "رسالة بريد إلكتروني / e-mail",
            Channel::Whatsapp => "رسالة واتساب / WhatsApp message",
            Channel::X => "رسالة X / X message",
            Channel::Facebook => "رسالة فيسبوك / Messenger message",
            Channel::LiveChat => "محادثة مباشرة / live chat",
            _ => "رسالة / message",
        };
        Subject::parse(fallback).expect("a fixed subject is valid")
    })
}

fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|index| *index > max_chars / 2)
        .map(|index| &cut[..index])
        .unwrap_or(&cut);
    format!("{}…", at_word.trim_end())
}

/// Takes in one inbound event for an organization.
pub async fn ingest_event(
    store: &Store,
    organization: &Organization,
    event: &InboundEvent,
    now: Timestamp,
) -> Result<IngestResult, StoreError> {
    match event {
        InboundEvent::Message(message) => {
            let record = inbound_record(message);
            let outcome = store.ingest_inbound(organization, &record, now).await?;
            if let IngestOutcome::Created { ticket, .. } | IngestOutcome::Appended { ticket, .. } =
                &outcome
            {
                tracing::info!(org = %organization.slug, channel = %message.channel, ticket = %ticket.number, "inbound message stored");
            }
            Ok(IngestResult::Stored(outcome))
        }
        InboundEvent::Delivery(report) => {
            let changed = store
                .record_delivery_report(
                    organization.id,
                    report.channel,
                    &report.provider_message_id,
                    report.state,
                    report.at,
                    report.detail.as_deref(),
                )
                .await?;
            Ok(IngestResult::Report { changed })
        }
        InboundEvent::Bounce { recipient, reason } => {
            // A bounce is keyed by its recipient, reason and day: the bounces a mail server
            // repeats for one failed message count once, while a new failure on another day
            // (after the requester wrote again and the mark was lifted) counts again.
            let day = now.strftime("%Y-%m-%d");
            let key = format!(
                "bounce:{recipient}:{day}:{}",
                sanad_store::secrets::sha256_hex(reason.as_bytes())
            );
            let requesters = store
                .mark_email_undeliverable(organization.id, &key, recipient, reason, now)
                .await?;
            tracing::info!(org = %organization.slug, requesters, "bounce recorded");
            Ok(IngestResult::Bounce { requesters })
        }
        InboundEvent::Ignored { reason } => {
            tracing::debug!(org = %organization.slug, reason = reason.as_str(), "inbound message ignored");
            Ok(IngestResult::Ignored { first_time: true })
        }
    }
}

/// Records an ignored message by its provider id, so it is never looked at again.
pub async fn record_ignored(
    store: &Store,
    organization: &Organization,
    channel: Channel,
    provider_message_id: &str,
    reason: crate::IgnoredReason,
    now: Timestamp,
) -> Result<IngestResult, StoreError> {
    let first_time = store
        .record_inbound_ignored(
            organization.id,
            channel,
            provider_message_id,
            reason.as_str(),
            now,
        )
        .await?;
    Ok(IngestResult::Ignored { first_time })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InboundAttachment, Sender, ThreadHints};

    fn message(subject: Option<&str>, body: &str) -> InboundMessage {
        InboundMessage {
            channel: Channel::Whatsapp,
            provider_message_id: "wamid.1".into(),
            sender: Sender {
                address: "+966500000021".into(),
                display_name: None,
                phone: Some("+966500000021".into()),
                email: None,
            },
            subject: subject.map(str::to_owned),
            body_text: body.into(),
            attachments: Vec::new(),
            thread: ThreadHints::default(),
            sent_at: None,
            unsupported_type: None,
        }
    }

    #[test]
    fn subjects_come_from_the_subject_or_the_first_line() {
        let cases = [
            (Some("تعذر الدخول"), "نص", "تعذر الدخول"),
            (None, "\n  السلام عليكم\nعندي مشكلة", "السلام عليكم"),
            (Some("   "), "سطر أول", "سطر أول"),
        ];
        for (subject, body, expected) in cases {
            assert_eq!(
                inbound_record(&message(subject, body)).subject.as_str(),
                expected
            );
        }
        let long = "كلمة ".repeat(40);
        let subject = inbound_record(&message(None, &long)).subject;
        assert!(subject.as_str().chars().count() <= 81 && subject.as_str().ends_with('…'));
    }

    #[test]
    fn bodies_are_never_empty_and_unknown_types_are_noted() {
        let mut image = message(None, "");
        image.attachments.push(InboundAttachment {
            filename: "a.jpg".into(),
            content_type: "image/jpeg".into(),
            bytes: vec![1],
            inline: false,
        });
        assert_eq!(
            inbound_record(&image).body.as_str(),
            "[مرفقات / attachments]"
        );
        let mut sticker = message(None, "");
        sticker.unsupported_type = Some("sticker".into());
        assert!(inbound_record(&sticker).body.as_str().contains("sticker"));
        assert_eq!(
            inbound_record(&message(None, "")).body.as_str(),
            "[رسالة فارغة / empty message]"
        );
    }

    #[test]
    fn an_overlong_text_is_kept_whole_as_an_attachment() {
        let long = "أ".repeat(BODY_LIMIT + 10);
        let record = inbound_record(&message(None, &long));
        assert_eq!(record.attachments.len(), 1);
        assert_eq!(record.attachments[0].bytes, long.as_bytes());
        assert!(record.body.as_str().chars().count() <= BODY_LIMIT);
    }
}
