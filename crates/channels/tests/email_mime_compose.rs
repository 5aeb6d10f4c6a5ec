//! Composing outbound mail, and reading it back with our own parser. The people and addresses
//! are fictional; every domain is example.sa.

use mail_parser::{MessageParser, MimeHeaders};
use sanad_channels::email::compose::{ComposeError, MailIdentity, compose};
use sanad_channels::email::parse::{Mailbox, parse_message};
use sanad_channels::{
    IgnoredReason, InboundEvent, OutboundMessage, OutboundOrigin, OutboundThread, TemplateMessage,
};
use sanad_domain::Channel;
use sanad_domain::policy::Lang;

fn desk_identity() -> MailIdentity {
    MailIdentity {
        from_address: "support@example.sa".to_owned(),
        from_name: "فريق دعم سند".to_owned(),
    }
}

fn staff_reply() -> OutboundMessage {
    OutboundMessage {
        outbox_id: 7,
        channel: Channel::Email,
        recipient: "khalid.alharbi@example.sa".to_owned(),
        recipient_name: Some("خالد الحربي".to_owned()),
        language: Lang::Ar,
        origin: OutboundOrigin::StaffReply,
        subject: "رد: تعذر الدخول إلى المنصة".to_owned(),
        text: "مرحبًا خالد،\nتمت إعادة تعيين كلمة المرور، ويمكنك الدخول الآن.\n\nفريق الدعم"
            .to_owned(),
        html: Some(
            "<p dir=\"rtl\">مرحبًا خالد،<br>تمت إعادة تعيين كلمة المرور، ويمكنك الدخول الآن.</p>"
                .to_owned(),
        ),
        thread: OutboundThread {
            message_id: "ticket-42.8@desk.example.sa".to_owned(),
            in_reply_to: Some("CAK7+reply.3@mail.example.sa".to_owned()),
            references: vec![
                "CAK7+first.1@mail.example.sa".to_owned(),
                "CAK7+reply.3@mail.example.sa".to_owned(),
            ],
        },
        last_inbound_at: Some("2025-03-05T05:00:00Z".parse().expect("a timestamp")),
        template: Some(TemplateMessage {
            name: "unused_for_email".to_owned(),
            language: "ar".to_owned(),
            parameters: Vec::new(),
        }),
        now: "2025-03-05T06:00:00Z".parse().expect("a timestamp"),
    }
}

fn notification() -> OutboundMessage {
    OutboundMessage {
        origin: OutboundOrigin::Notification,
        language: Lang::En,
        subject: "Your request SND-42 was received".to_owned(),
        text: "We received your request.".to_owned(),
        html: None,
        recipient_name: None,
        thread: OutboundThread {
            message_id: "ticket-42.1@desk.example.sa".to_owned(),
            in_reply_to: None,
            references: Vec::new(),
        },
        template: None,
        ..staff_reply()
    }
}

/// A mailbox of another desk: nothing about our mail is "own" to it except the outbox header.
fn other_mailbox() -> Mailbox {
    Mailbox {
        own_addresses: vec!["help@other.example.sa".to_owned()],
        own_message_id_domain: "other.example.sa".to_owned(),
    }
}

fn formatted(message: &OutboundMessage) -> Vec<u8> {
    compose(message, &desk_identity())
        .expect("the message composes")
        .formatted()
}

#[test]
fn a_composed_reply_parses_back_with_its_text_and_threading() {
    let outbound = staff_reply();
    let mut composed = compose(&outbound, &desk_identity()).expect("the message composes");
    // Our own inbound side recognises the outbox header and ignores the message, so the round
    // trip of the content is read without it.
    composed.headers_mut().remove_raw("X-Sanad-Outbox");
    let raw = composed.formatted();

    let InboundEvent::Message(inbound) = parse_message(&raw, &other_mailbox()).expect("parses")
    else {
        panic!("the composed message must come back as a message");
    };
    assert_eq!(inbound.subject.as_deref(), Some(outbound.subject.as_str()));
    assert_eq!(inbound.body_text, outbound.text);
    assert_eq!(inbound.provider_message_id, "ticket-42.8@desk.example.sa");
    assert_eq!(
        inbound.thread.in_reply_to,
        vec!["CAK7+reply.3@mail.example.sa"]
    );
    assert_eq!(
        inbound.thread.references,
        vec![
            "CAK7+first.1@mail.example.sa",
            "CAK7+reply.3@mail.example.sa"
        ]
    );
    assert_eq!(inbound.sender.address, "support@example.sa");
    assert_eq!(inbound.sender.display_name.as_deref(), Some("فريق دعم سند"));
    assert_eq!(inbound.sent_at, Some(outbound.now));
    assert!(inbound.attachments.is_empty());
}

#[test]
fn a_composed_message_coming_back_is_our_own() {
    let raw = formatted(&staff_reply());
    assert_eq!(
        parse_message(&raw, &other_mailbox()).expect("parses"),
        InboundEvent::Ignored {
            reason: IgnoredReason::OwnMessage
        }
    );
}

#[test]
fn headers_carry_recipient_language_outbox_and_threading() {
    let raw = formatted(&staff_reply());
    let parsed = MessageParser::new().parse(&raw).expect("parses");

    let to = parsed.to().and_then(|to| to.first()).expect("a To mailbox");
    assert_eq!(to.name(), Some("خالد الحربي"));
    assert_eq!(to.address(), Some("khalid.alharbi@example.sa"));
    let from = parsed.from().and_then(|from| from.first()).expect("a From");
    assert_eq!(from.name(), Some("فريق دعم سند"));
    assert_eq!(from.address(), Some("support@example.sa"));

    let text = String::from_utf8_lossy(&raw);
    // The Arabic names and subject are encoded, never raw 8-bit in a header.
    let headers = text.split("\r\n\r\n").next().expect("a header block");
    assert!(headers.is_ascii(), "headers must be ASCII: {headers}");
    assert!(headers.contains("Message-ID: <ticket-42.8@desk.example.sa>"));
    assert!(headers.contains("In-Reply-To: <CAK7+reply.3@mail.example.sa>"));
    assert!(
        headers
            .contains("References: <CAK7+first.1@mail.example.sa> <CAK7+reply.3@mail.example.sa>")
    );
    assert!(headers.contains("Content-Language: ar"));
    assert!(headers.contains("X-Sanad-Outbox: 7"));
    assert!(headers.contains("Date: Wed, 05 Mar 2025 06:00:00 +0000"));
}

#[test]
fn auto_submitted_marks_notifications_only() {
    let cases = [
        ("a staff reply", staff_reply(), None),
        ("a notification", notification(), Some("auto-generated")),
    ];
    for (name, outbound, expected) in cases {
        let raw = formatted(&outbound);
        let parsed = MessageParser::new().parse(&raw).expect("parses");
        let auto_submitted = parsed
            .header_raw("Auto-Submitted")
            .map(|value| value.trim().to_owned());
        assert_eq!(auto_submitted.as_deref(), expected, "{name}");
    }
    let raw = formatted(&notification());
    let parsed = MessageParser::new().parse(&raw).expect("parses");
    assert_eq!(
        parsed.header_raw("Content-Language").map(str::trim),
        Some("en")
    );
    assert!(parsed.header_raw("In-Reply-To").is_none());
    assert!(parsed.header_raw("References").is_none());
}

#[test]
fn the_html_alternative_exists_only_when_given() {
    let raw = formatted(&staff_reply());
    let parsed = MessageParser::new().parse(&raw).expect("parses");
    let root_type = parsed.root_part().content_type().expect("a content type");
    assert_eq!(root_type.ctype(), "multipart");
    assert_eq!(root_type.subtype(), Some("alternative"));
    assert_eq!(parsed.text_body_count(), 1);
    assert_eq!(parsed.html_body_count(), 1);
    let html_part = parsed.html_part(0).expect("an HTML part");
    assert!(html_part.is_text_html());
    assert_eq!(
        html_part
            .content_type()
            .and_then(|content_type| content_type.attribute("charset"))
            .map(str::to_lowercase)
            .as_deref(),
        Some("utf-8")
    );
    assert!(
        parsed
            .body_html(0)
            .expect("an HTML body")
            .contains("تمت إعادة تعيين كلمة المرور")
    );

    let raw = formatted(&notification());
    let parsed = MessageParser::new().parse(&raw).expect("parses");
    let root_type = parsed.root_part().content_type().expect("a content type");
    assert_eq!(root_type.ctype(), "text");
    assert_eq!(root_type.subtype(), Some("plain"));
    assert_eq!(
        root_type
            .attribute("charset")
            .map(str::to_lowercase)
            .as_deref(),
        Some("utf-8")
    );
    assert!(!parsed.parts.iter().any(|part| part.is_text_html()));
    assert_eq!(
        parsed.body_text(0).as_deref().map(str::trim_end),
        Some("We received your request.")
    );
}

#[test]
fn bad_fields_are_named_in_the_error() {
    let wrong_recipient = OutboundMessage {
        recipient: "not an address".to_owned(),
        ..staff_reply()
    };
    let wrong_message_id = |id: &str| OutboundMessage {
        thread: OutboundThread {
            message_id: id.to_owned(),
            ..staff_reply().thread
        },
        ..staff_reply()
    };
    let wrong_channel = OutboundMessage {
        channel: Channel::Whatsapp,
        ..staff_reply()
    };
    let before_1970 = OutboundMessage {
        now: "1969-12-31T23:59:59Z".parse().expect("a timestamp"),
        ..staff_reply()
    };
    let cases: Vec<(&str, OutboundMessage, MailIdentity, &str)> = vec![
        ("recipient", wrong_recipient, desk_identity(), "To"),
        (
            "sender",
            staff_reply(),
            MailIdentity {
                from_address: "support@".to_owned(),
                from_name: String::new(),
            },
            "From",
        ),
        (
            "empty id",
            wrong_message_id(""),
            desk_identity(),
            "Message-ID",
        ),
        (
            "id with a space",
            wrong_message_id("ticket 42@desk.example.sa"),
            desk_identity(),
            "Message-ID",
        ),
        (
            "bracketed id",
            wrong_message_id("<ticket-42@desk.example.sa>"),
            desk_identity(),
            "Message-ID",
        ),
        (
            "id without @",
            wrong_message_id("ticket-42"),
            desk_identity(),
            "Message-ID",
        ),
        ("channel", wrong_channel, desk_identity(), "channel"),
        ("date", before_1970, desk_identity(), "Date"),
    ];
    for (name, outbound, identity, expected_field) in cases {
        match compose(&outbound, &identity) {
            Err(ComposeError::InvalidField { field, reason }) => {
                assert_eq!(field, expected_field, "{name}: {reason}");
                assert!(!reason.is_empty(), "{name}");
            }
            Err(other) => panic!("{name}: unexpected error {other}"),
            Ok(_) => panic!("{name}: must be refused"),
        }
    }
}

#[test]
fn unusable_threading_ids_are_left_out() {
    let outbound = OutboundMessage {
        thread: OutboundThread {
            message_id: "ticket-42.9@desk.example.sa".to_owned(),
            in_reply_to: Some("broken id".to_owned()),
            references: vec![
                "good.1@mail.example.sa".to_owned(),
                "with space@mail.example.sa".to_owned(),
                "ünïcode@mail.example.sa".to_owned(),
                String::new(),
                "legacy-id-without-at".to_owned(),
            ],
        },
        ..staff_reply()
    };
    let raw = formatted(&outbound);
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("In-Reply-To"));
    assert!(text.contains("References: <good.1@mail.example.sa> <legacy-id-without-at>\r\n"));
}

#[test]
fn line_breaks_in_header_fields_cannot_inject_headers() {
    let outbound = OutboundMessage {
        subject: "Hello\r\nBcc: victim@example.sa".to_owned(),
        recipient_name: Some("Khalid\r\nBcc: victim@example.sa".to_owned()),
        ..staff_reply()
    };
    let raw = formatted(&outbound);
    let parsed = MessageParser::new().parse(&raw).expect("parses");
    assert!(parsed.bcc().is_none());
    assert_eq!(parsed.subject(), Some("Hello Bcc: victim@example.sa"));
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("\r\nBcc:"));
}
